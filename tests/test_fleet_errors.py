"""Bad fleet input: one clear line, exit 2, nothing written.

Each case is a cluster definition a user could write, built with the real
command in a project directory of its own.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.test_cli import kustgen, write_project

HEAD = """
from kustgen import Base, Cluster, Fleet, Overlay
from kustgen.gitops import ArgoCD, Flux

def cm(name, namespace=None):
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"a": "b"}}

app = Base(name="app", objects=[cm("settings")])
URL = "https://git.example.com/fleet.git"
"""

CASES = {
    "layer-cycle": (
        HEAD + """
crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
       "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [{"name": "v1", "served": True, "storage": True}]}}
widget = {"apiVersion": "example.com/v1", "kind": "Widget",
          "metadata": {"name": "w"}}
cluster = Cluster(name="c", overlays=[Overlay(name="prod", bases=[
    Base(name="widgets", layer="install", objects=[widget]),
    Base(name="operator", layer="config", objects=[crd]),
])])
""",
        "kustgen: error: Overlay/prod: layers: layer cycle install -> config -> install: "
        "Overlay/prod (install) in layer install uses Widget.example.com, defined by "
        "Overlay/prod (config) in layer config; config comes after install",
    ),
    "same-directory": (
        HEAD + """
cluster = Fleet(clusters=[
    Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])]),
    Cluster(name="lab", overlays=[Overlay(name="prod", bases=[app])]),
])
""",
        "kustgen: error: fleet fleet: clusters: clusters home and lab both write "
        "overlays/prod/; name the environments apart",
    ),
    "same-gitops-directory": (
        HEAD + """
cluster = Fleet(clusters=[
    Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])],
            gitops=Flux(url=URL, directory="clusters/main")),
    Cluster(name="lab", overlays=[Overlay(name="dev", bases=[app])],
            gitops=ArgoCD(url=URL, directory="clusters/main")),
])
""",
        "kustgen: error: ArgoCD of cluster lab: directory: clusters home and lab both write "
        "clusters/main/; give each its own GitOps directory",
    ),
    "duplicate-cluster": (
        HEAD + """
cluster = Fleet(clusters=[
    Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])]),
    Cluster(name="home", overlays=[Overlay(name="dev", bases=[app])]),
])
""",
        "kustgen: error: fleet fleet: clusters: two clusters are named 'home'",
    ),
    "unknown-project": (
        HEAD + """
cluster = Cluster(name="lab", overlays=[Overlay(name="dev", bases=[app])],
                  gitops=ArgoCD(url=URL, project="homelab"))
""",
        "kustgen: error: Application/lab: spec.project: project 'homelab' does not exist "
        "(defined: default); add it to ArgoCD(projects=[...])",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_fleet_is_one_line_exit_2_and_nothing_written(case: str, tmp_path: Path) -> None:
    module, expected = CASES[case]
    project = write_project(tmp_path / "p", module)
    result = kustgen("build", "--out", "out", cwd=project)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [expected]
    assert not (project / "out").exists()


def test_gitops_paths_that_would_not_exist_in_the_repository(tmp_path: Path) -> None:
    """The output directory is inside a git repository but not at the path the
    GitOps objects assume: every path they name would be missing."""
    module = HEAD + """
cluster = Cluster(name="home", overlays=[Overlay(name="prod", bases=[app])],
                  gitops=Flux(url=URL))
"""
    project = write_project(tmp_path / "repo", module)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    result = kustgen("build", "--out", "deploy", cwd=project)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        "kustgen: error: Flux of cluster home: path: no path (the repository root), but the "
        "output directory is deploy/ inside it of the repository at ")
    assert line.endswith("set path='deploy' or [tool.kustgen] repository-path")
    assert not (project / "deploy").exists()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'repository-path = "deploy"\n')
    fixed = kustgen("build", "--out", "deploy", cwd=project)
    assert fixed.returncode == 0, fixed.stderr
    unit = (project / "deploy/clusters/home/kustomization-prod-apps.yaml").read_text()
    assert "path: ./deploy/overlays/prod\n" in unit
