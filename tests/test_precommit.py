"""The hooks in .pre-commit-hooks.yaml, driven by the real pre-commit framework.

pre-commit clones this repository (a snapshot of the working tree, committed
into a temporary repository) and installs kustgen into its own environment
from the package registry, exactly as a cluster repository would use it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CLUSTER_MODULE = """
from kustgen import Base, Cluster, Overlay

web = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "web"},
    "data": {"greeting": "hello"},
}
base = Base(name="web", objects=[web])
cluster = Cluster(
    name="hooked",
    overlays=[
        Overlay(name="dev", bases=[base]),
        Overlay(name="prod", bases=[base], namespace="prod"),
    ],
)
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


def init_repo(path: Path) -> None:
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "test@example.invalid")
    git(path, "config", "user.name", "kustgen test")
    git(path, "config", "commit.gpgsign", "false")


def snapshot_of_kustgen(dest: Path) -> str:
    """Commit the current working tree of kustgen into a fresh repository."""
    init_repo(dest)
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for relative in filter(None, listed.split("\0")):
        source = ROOT / relative
        if source.is_file():
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return git(dest, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def cluster_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("precommit")
    rev = snapshot_of_kustgen(base / "kustgen")
    repo = base / "cluster"
    init_repo(repo)
    (repo / "clusterdef.py").write_text(CLUSTER_MODULE)
    (repo / "pyproject.toml").write_text('[tool.kustgen]\ntarget = "clusterdef:cluster"\n')
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"- repo: {base / 'kustgen'}\n"
        f"  rev: {rev}\n"
        "  hooks:\n"
        "  - id: kustgen\n"
        "  - id: kustgen-check\n"
        "    stages: [manual]\n"
    )
    env = {**os.environ, "PRE_COMMIT_HOME": str(base / "cache"), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return repo, env


def pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_regenerates_a_stale_tree_then_passes(
    cluster_repo: tuple[Path, dict[str, str]],
) -> None:
    repo, env = cluster_repo
    git(repo, "add", "-A")

    first = pre_commit(repo, env, "run", "kustgen", "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "schema-unavailable" not in first.stdout + first.stderr  # the schemas are installed
    assert (repo / "overlays/prod/kustomization.yaml").is_file()
    assert (repo / "bases/web/configmap-web.yaml").read_text().startswith("apiVersion: v1\n")

    git(repo, "add", "-A")
    second = pre_commit(repo, env, "run", "kustgen", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    git(repo, "commit", "-q", "-m", "cluster")

    # Someone edits a generated file by hand: the hook puts it back and fails once.
    generated = repo / "bases/web/configmap-web.yaml"
    generated.write_text(generated.read_text().replace("hello", "edited"))
    git(repo, "add", "-A")
    third = pre_commit(repo, env, "run", "kustgen", "--all-files")
    assert third.returncode == 1
    assert "hello" in generated.read_text()
    git(repo, "add", "-A")
    assert pre_commit(repo, env, "run", "kustgen", "--all-files").returncode == 0


def test_check_hook_fails_on_stale_tree_without_writing(
    cluster_repo: tuple[Path, dict[str, str]],
) -> None:
    repo, env = cluster_repo
    if not (repo / "bases/web/configmap-web.yaml").is_file():
        pre_commit(repo, env, "run", "kustgen", "--all-files")
    passing = pre_commit(repo, env, "run", "kustgen-check", "--all-files", "--hook-stage", "manual")
    assert passing.returncode == 0, passing.stdout + passing.stderr

    generated = repo / "overlays/prod/kustomization.yaml"
    generated.write_text(generated.read_text() + "# hand edit\n")
    failing = pre_commit(repo, env, "run", "kustgen-check", "--all-files", "--hook-stage", "manual")
    assert failing.returncode == 1
    assert "stale: overlays/prod/kustomization.yaml" in failing.stdout
    assert generated.read_text().endswith("# hand edit\n")


def test_the_pre_commit_configuration_kustgen_init_writes_works_as_written(
    tmp_path: Path,
) -> None:
    """The hook of `kustgen init` installs kustgen with the Kubernetes schemas in
    pre-commit's own environment: it builds, validates fully, and passes once staged."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "cluster"
    init_repo(repo)
    initialised = subprocess.run(
        [sys.executable, "-m", "kustgen.cli", "init", "--ci", "none"],
        cwd=repo, capture_output=True, text=True,
    )
    assert initialised.returncode == 0, initialised.stderr
    git(repo, "add", "-A")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)

    first = pre_commit(repo, env, "run", "--all-files")
    output = first.stdout + first.stderr
    assert first.returncode == 1, output
    assert "kustgen: wrote 99 file(s), removed 0, 0 unchanged" in output
    assert "warning" not in output  # schema-unavailable would be one: the schemas are there
    assert (repo / "overlays/production/kustomization.yaml").is_file()

    git(repo, "add", "-A")
    second = pre_commit(repo, env, "run", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    git(repo, "commit", "-q", "-m", "cluster")
