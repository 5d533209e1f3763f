"""Testing a cluster repository with pytest: goldens, validation, a current tree.

Installed with kustgen as a pytest plugin (entry point ``pytest11``), so the
fixture ``kustgen`` is there in every test of a repository that uses kustgen:
a :class:`KustgenProject` for the cluster that ``[tool.kustgen]`` of the
repository's pyproject.toml names, found as the ``kustgen`` command finds it::

    @pytest.mark.golden_test("goldens/*.yml")
    def test_environment_renders_as_reviewed(golden, kustgen):
        assert kustgen.render(golden["env"]) == golden.out["manifests"]

    def test_every_environment_has_a_golden(kustgen):
        kustgen.assert_goldens_cover(Path(__file__).parent / "goldens")

    def test_validation_finds_nothing(kustgen):
        kustgen.assert_valid()

    def test_committed_tree_is_current(kustgen):
        kustgen.assert_tree_current()

Goldens are pytest-golden files (``env:`` and ``manifests:``, the bytes
`kubectl kustomize overlays/ENV` prints); `pytest --update-goldens` rewrites
them after an intended change.  Secret value files kept out of git are
rendered as empty stand-ins, so a golden never holds a secret and CI renders
the same bytes as a laptop.  ``kustgen init`` writes such a test file.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kustgen.config import Project
    from kustgen.tree import Cluster
    from kustgen.validate.findings import Finding

GOLDEN_SUFFIX = ".yml"


class KustgenProject:
    """The cluster of a repository, as the ``kustgen`` command run there sees it."""

    def __init__(self, project: Project):
        self.project = project

    @classmethod
    def find(cls, start: Path | None = None) -> KustgenProject:
        """The project whose ``[tool.kustgen]`` is nearest above ``start`` (default: cwd)."""
        from kustgen.config import resolve

        return cls(resolve(cwd=start))

    @cached_property
    def cluster(self) -> Cluster:
        from kustgen.config import load_cluster

        return load_cluster(self.project.target, search_path=self.project.root)

    def envs(self) -> list[str]:
        return self.cluster.envs()

    def render(self, env: str) -> str:
        """``env``'s final manifests (secret value files as empty stand-ins)."""
        from kustgen.build import input_tree, render_env

        return render_env(self.cluster, env, files=input_tree(self.cluster))

    def findings(self) -> list[Finding]:
        """What `kustgen validate` reports, with the configured CRD files."""
        from kustgen.validate import validate

        return validate(self.cluster, crd_files=self.project.crd_files())

    def assert_valid(self, *, allow_warnings: bool = False) -> None:
        """Fail listing every finding of `kustgen validate` (warnings too, unless allowed)."""
        findings = [
            f for f in self.findings() if f.severity == "error" or not allow_warnings
        ]
        if findings:
            pytest.fail(
                "kustgen validate:\n" + "\n".join(f.format() for f in findings), pytrace=False
            )

    def assert_tree_current(self) -> None:
        """Fail listing every stale, missing or extra generated file (run `kustgen build`)."""
        from kustgen.build import check
        from kustgen.errors import CheckFailed

        try:
            check(self.cluster, self.project.out)
        except CheckFailed as error:
            pytest.fail(f"{error.details}{error.format()}", pytrace=False)

    def assert_goldens_cover(self, directory: Path | str) -> None:
        """Every environment has ``directory/<env>.yml`` and every golden an environment.

        With ``pytest --update-goldens`` a missing golden is created (filled on
        the next ``--update-goldens`` run, since pytest collected the goldens
        before this ran).
        """
        directory = Path(directory)
        envs = self.envs()
        present = {p.stem for p in directory.glob(f"*{GOLDEN_SUFFIX}")}
        missing = [env for env in envs if env not in present]
        extra = sorted(present - set(envs))
        if missing and _updating_goldens():
            directory.mkdir(parents=True, exist_ok=True)
            for env in missing:
                (directory / f"{env}{GOLDEN_SUFFIX}").write_text(
                    f"env: {env}\nmanifests: ''\n", encoding="utf-8"
                )
            pytest.fail(
                f"created goldens for {', '.join(missing)}: run `pytest --update-goldens` "
                "once more to fill them, then review",
                pytrace=False,
            )
        problems = [f"no golden for environment {env}: {directory / env}{GOLDEN_SUFFIX} "
                    "(`pytest --update-goldens` creates it)" for env in missing]
        problems += [f"golden of no environment: {directory / env}{GOLDEN_SUFFIX}"
                     for env in extra]
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


_config: pytest.Config | None = None


def _updating_goldens() -> bool:
    if _config is None:
        return False
    try:
        return bool(_config.getoption("--update-goldens"))
    except ValueError:  # pytest-golden is not installed
        return False


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


@pytest.fixture(scope="session")
def kustgen(pytestconfig: pytest.Config) -> Iterator[KustgenProject]:
    """The repository's cluster (``[tool.kustgen]`` nearest above pytest's rootdir)."""
    yield KustgenProject.find(pytestconfig.rootpath)
