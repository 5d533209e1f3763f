"""`kustgen init`, as a new user runs it: the repository it writes builds, validates,
passes `kubectl kustomize` and its own tests with no warning, from any subfolder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import kustgen

EXPECTED_FILES = [
    ".gitignore",
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
    "README.md",
    "clusters/__init__.py",
    "clusters/lab.py",
    "pyproject.toml",
    "requirements.txt",
    "tests/goldens/production.yml",
    "tests/goldens/staging.yml",
    "tests/test_cluster.py",
]


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    parent = tmp_path_factory.mktemp("init")
    result = kustgen("init", "lab", cwd=parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"wrote lab/{f}" for f in EXPECTED_FILES]
    return parent / "lab"


def test_init_writes_the_repository(repo: Path) -> None:
    assert files_under(repo) == EXPECTED_FILES
    assert 'target = "clusters.lab:cluster"' in (repo / "pyproject.toml").read_text()
    assert "kustgen build --check" in (repo / ".gitlab-ci.yml").read_text()
    ignored = (repo / ".gitignore").read_text().splitlines()
    assert {"*.env", ".kustgen-*", "!.kustgen-manifest"} <= set(ignored)


@pytest.mark.kubectl
def test_right_after_init_everything_passes_without_a_warning(repo: Path, kubectl: str) -> None:
    built = kustgen("build", cwd=repo)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr
    assert built.stderr.splitlines()[-1].startswith("kustgen: wrote ")

    validated = kustgen("validate", cwd=repo)
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout == ""
    assert validated.stderr.splitlines()[-1] == "kustgen: 0 error(s), 0 warning(s)"

    overlays = sorted(p.name for p in (repo / "overlays").iterdir())
    assert overlays == ["production", "staging"]
    for env in overlays:
        result = subprocess.run(
            [kubectl, "kustomize", str(repo / "overlays" / env)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        rendered = kustgen("render", env, cwd=repo)
        assert rendered.stdout == result.stdout

    # The scaffold's own tests, with the kustgen.testing plugin: goldens, validation, tree.
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout

    # From a subfolder: the repository's tree is checked, nothing is written there.
    before = files_under(repo / "clusters")
    check = kustgen("build", "--check", cwd=repo / "clusters")
    assert check.returncode == 0, check.stderr
    assert check.stderr.splitlines()[0] == (
        "kustgen: cluster 'lab' (clusters.lab:cluster from ../pyproject.toml), tree in .."
    )
    rebuilt = kustgen("build", cwd=repo / "clusters")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout == ""
    assert files_under(repo / "clusters") == before


@pytest.mark.kubectl
def test_the_scaffolds_tests_catch_a_stale_tree_and_a_changed_rendering(
    tmp_path: Path, kubectl: str
) -> None:
    assert kustgen("init", "--ci", "none", cwd=tmp_path).returncode == 0
    assert kustgen("build", cwd=tmp_path).returncode == 0
    module = next((tmp_path / "clusters").glob("[!_]*.py"))
    module.write_text(module.read_text().replace('"storage": "1Gi"', '"storage": "3Gi"'))
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 1
    assert "FAILED tests/test_cluster.py::test_committed_tree_is_current" in tests.stdout
    assert "stale: overlays/staging/patches/persistentvolumeclaim-uptime-kuma-data.yaml" in (
        tests.stdout
    )
    assert "test_environment_renders_as_reviewed[goldens/staging.yml]" in tests.stdout
    assert "2 failed, 3 passed" in tests.stdout


@pytest.mark.parametrize(
    ("ci", "ci_file"),
    [("github", ".github/workflows/kustgen.yml"), ("none", None)],
)
def test_ci_choice(tmp_path: Path, ci: str, ci_file: str | None) -> None:
    result = kustgen("init", "--ci", ci, "--name", "edge", str(tmp_path / "r"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = files_under(tmp_path / "r")
    assert ".gitlab-ci.yml" not in written
    assert "clusters/edge.py" in written
    if ci_file:
        assert ci_file in written
        assert "kustgen validate" in (tmp_path / "r" / ci_file).read_text()
    else:
        assert not any(".github" in f for f in written)


def test_init_next_to_a_fresh_git_directory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    result = kustgen("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("README.md", "is not empty (it has README.md)"),
        ("pyproject.toml", "is not empty (it has pyproject.toml)"),
        ("clusters/home.py", "is not empty (it has clusters)"),
    ],
)
def test_init_refuses_a_directory_that_is_not_empty(
    tmp_path: Path, setup: str, message: str
) -> None:
    existing = tmp_path / "r" / setup
    existing.parent.mkdir(parents=True)
    existing.write_text("mine\n")
    before = files_under(tmp_path)
    result = kustgen("init", "r", cwd=tmp_path)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("kustgen: error: kustgen init: r ")
    assert message in line
    assert files_under(tmp_path) == before
    assert existing.read_text() == "mine\n"


def test_init_refuses_a_file_as_directory(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    for target in ("afile", "afile/sub"):
        result = kustgen("init", target, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "kustgen: error: kustgen init: afile is not a directory"
        ]
    assert files_under(tmp_path) == ["afile"]


def test_init_refuses_a_name_that_is_not_a_dns_label(tmp_path: Path) -> None:
    result = kustgen("init", "--name", "Bad_Name", "r", cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "invalid name 'Bad_Name'" in result.stderr
    assert not (tmp_path / "r").exists()
