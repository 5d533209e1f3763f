"""Configuration found like ruff and pytest find theirs; paths relative to the pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from kustgen.config import DEFAULT_TARGET, find_settings, resolve
from kustgen.errors import UsageError
from tests.test_cli import GOOD, kustgen


def test_nearest_pyproject_with_the_table_wins_walking_up(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.kustgen]\ntarget = "outer:cluster"\n')
    inner = tmp_path / "repo"
    (inner / "clusters" / "deep").mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[tool.kustgen]\ntarget = "inner:cluster"\nout = "k8s"\n')
    # A pyproject.toml without [tool.kustgen] is passed over, as ruff does.
    (inner / "clusters" / "pyproject.toml").write_text('[project]\nname = "x"\n')

    project = resolve(cwd=inner / "clusters" / "deep")
    assert project.target == "inner:cluster"
    assert project.origin == "[tool.kustgen]"
    assert project.root == inner.resolve()
    assert project.out == inner.resolve() / "k8s"
    assert find_settings(tmp_path).target == "outer:cluster"


def test_command_line_wins_over_configuration(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.kustgen]\ntarget = "a:b"\nout = "o"\n')
    project = resolve("c:d", Path("elsewhere"), cwd=tmp_path)
    assert (project.target, project.origin, project.out) == ("c:d", "--target", Path("elsewhere"))


def test_without_configuration_the_example_is_named_as_such(tmp_path: Path) -> None:
    project = resolve(cwd=tmp_path)
    assert project.target == DEFAULT_TARGET
    assert project.is_example
    assert "the embedded example" in project.describe("home")


def test_crds_are_relative_to_the_pyproject(tmp_path: Path) -> None:
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "w.yaml").write_text("kind: CustomResourceDefinition\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.kustgen]\ncrds = ["crds/w.yaml"]\n')
    assert resolve(cwd=tmp_path / "sub").crd_files() == [tmp_path.resolve() / "crds" / "w.yaml"]
    (tmp_path / "crds" / "w.yaml").unlink()
    with pytest.raises(UsageError, match="does not exist"):
        resolve(cwd=tmp_path / "sub").crd_files()


def test_build_from_a_subfolder_writes_the_repository_tree_only(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "clusters").mkdir(parents=True)
    (repo / "clusters" / "home.py").write_text(GOOD)
    (repo / "pyproject.toml").write_text(
        '[tool.kustgen]\ntarget = "clusters.home:cluster"\nout = "deploy"\n'
    )
    result = kustgen("build", cwd=repo / "clusters")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "kustgen: cluster 't' (clusters.home:cluster from ../pyproject.toml), tree in ../deploy"
    )
    assert (repo / "deploy" / "overlays" / "prod" / "kustomization.yaml").is_file()
    written_here = {p.name for p in (repo / "clusters").iterdir()} - {"__pycache__"}
    assert written_here == {"home.py"}
    assert result.stdout.splitlines()[0].startswith("wrote ../deploy/")
    assert kustgen("build", "--check", cwd=repo / "clusters").returncode == 0
    assert kustgen("build", "--check", cwd=repo).returncode == 0


def test_without_configuration_build_writes_the_example_only_where_told(tmp_path: Path) -> None:
    refused = kustgen("build", cwd=tmp_path)
    assert refused.returncode == 2
    assert list(tmp_path.iterdir()) == []
    told = kustgen("build", "--out", "demo", cwd=tmp_path)
    assert told.returncode == 0, told.stderr
    assert told.stderr.splitlines()[0] == (
        "kustgen: cluster 'home' (the embedded example, kustgen.default:cluster: no "
        "[tool.kustgen] in a pyproject.toml here or above), tree in demo"
    )
    assert (tmp_path / "demo" / "overlays" / "staging" / "kustomization.yaml").is_file()
    # Commands that only read say which cluster they read.
    envs = kustgen("envs", cwd=tmp_path)
    assert envs.stdout.split() == ["staging", "production"]
    assert "the embedded example" in envs.stderr
