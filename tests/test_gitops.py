"""Flux and Argo CD objects: valid by the upstream CRDs, in layer order, naming only
kustomization directories of the tree that build offline."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustgen import Base, Cluster, Fleet, InputError, Overlay
from kustgen.build import tree, write
from kustgen.catalog import metallb
from kustgen.catalog.app import Port, ServiceDef, container_app
from kustgen.gitops import ArgoCD, Flux
from kustgen.layers import defined_kinds, used_kinds
from kustgen.validate import SchemaSet, check_objects

ROOT = Path(__file__).resolve().parents[1]
CRD_FILES = (
    "flux/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
    "flux/source.toolkit.fluxcd.io_gitrepositories.yaml",
    "argocd/application-crd.yaml",
    "argocd/appproject-crd.yaml",
)


def gitops_objects(files: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, text in sorted(files.items()):
        if path.startswith("gitops/") and not path.endswith("/kustomization.yaml"):
            yield path, yaml.safe_load(text)


def metallb_install(shared: Path) -> Base:
    """MetalLB's CRDs (from the upstream files) as an installation base."""
    docs = []
    for path in sorted((shared / "reference/crds/metallb").glob("metallb.io_*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "metallb-system"}}
    return Base(name="metallb-install", objects=[namespace, *docs])


def layered_fleet(shared: Path) -> Fleet:
    pool = metallb.ip_address_pool("lan", ["192.168.1.240-192.168.1.250"])
    config = metallb.metallb_base("metallb-lan", pools=[pool],
                                  advertisements=[metallb.l2_advertisement("lan")])
    web = container_app("web", image="nginx:1.27", ports=[Port("http", 80)],
                        services=[ServiceDef(type="LoadBalancer",
                                             annotations=metallb.pool_annotation(pool))])
    install = metallb_install(shared)
    url = "https://git.example.com/fleet.git"
    return Fleet(clusters=[
        Cluster(name="one", overlays=[Overlay(name="prod", bases=[install, config, web.base])],
                gitops=Flux(url=url)),
        Cluster(name="two", overlays=[
            Overlay(name="infra", bases=[install, config]),
            Overlay(name="dev", bases=[web.base], namespace="web-dev", name_prefix="dev-"),
        ], gitops=ArgoCD(url=url)),
    ])


def test_generated_models_are_current(shared: Path, tmp_path: Path) -> None:
    from kustgen.codegen.gitops import OUT_DIR, generate_gitops

    written = generate_gitops(shared / "reference" / "crds", tmp_path)
    generated = {p.name: p.read_bytes() for p in written}
    committed = {p.name: p.read_bytes() for p in OUT_DIR.glob("*.py")}
    assert generated == committed, "run `python -m kustgen.codegen gitops`"


def test_default_fleet_objects_validate_against_upstream_crds(shared: Path) -> None:
    from kustgen.default import fleet

    schemas = SchemaSet([shared / "reference/crds" / f for f in CRD_FILES])
    found = list(gitops_objects(tree(fleet)))
    kinds = sorted({d["kind"] for _, d in found})
    assert kinds == ["AppProject", "Application", "GitRepository", "Kustomization"]
    assert check_objects("gitops", [d for _, d in found], schemas) == []


def test_invalid_objects_are_caught_by_the_same_schemas(shared: Path) -> None:
    from kustgen.default import fleet

    schemas = SchemaSet([shared / "reference/crds" / f for f in CRD_FILES])
    docs = [d for _, d in gitops_objects(tree(fleet))]
    kustomization = next(d for d in docs if d["kind"] == "Kustomization")
    del kustomization["spec"]["sourceRef"]
    application = next(d for d in docs if d["kind"] == "Application")
    application["spec"]["syncPolicy"]["automated"]["prun"] = True
    fields = {(f.obj, f.message) for f in check_objects("gitops", docs, schemas)}
    assert len(fields) == 2


def _flux_order(files: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for _, d in gitops_objects(files)
            if d["kind"] == "Kustomization"}


def _before(name: str, flux: dict[str, dict[str, Any]]) -> set[str]:
    """Every Kustomization ``name`` waits for, directly or through others."""
    seen: set[str] = set()
    todo = [d["name"] for d in flux[name]["spec"].get("dependsOn", [])]
    while todo:
        other = todo.pop()
        if other not in seen:
            seen.add(other)
            todo += [d["name"] for d in flux[other]["spec"].get("dependsOn", [])]
    return seen


def test_every_crd_defining_layer_comes_before_every_layer_using_its_kinds(
    shared: Path,
) -> None:
    fleet = layered_fleet(shared)
    files = tree(fleet)

    def kinds_of(path: str) -> tuple[set[str], set[str]]:
        from kustgen.render import render

        objects = render(files, path.removeprefix("./"))
        return defined_kinds(objects), used_kinds(objects)

    flux = _flux_order(files)
    paths = {name: d["spec"]["path"] for name, d in flux.items()}
    assert sorted(paths) == ["prod-apps", "prod-config", "prod-install"]
    argo = {d["spec"]["source"]["path"]: int(d["metadata"]["annotations"]
                                             ["argocd.argoproj.io/sync-wave"])
            for _, d in gitops_objects(files)
            if d["kind"] == "Application" and "annotations" in d["metadata"]}
    assert argo == {"overlays/infra/install": 0, "overlays/infra/config": 1, "overlays/dev": 2}
    for name, path in paths.items():
        defines, _ = kinds_of(path)
        for other, other_path in paths.items():
            if defines & kinds_of(other_path)[1]:
                assert name in _before(other, flux), (name, other)
    for path, wave in argo.items():
        defines, _ = kinds_of(path)
        for other_path, other_wave in argo.items():
            if defines & kinds_of(other_path)[1]:
                assert wave < other_wave, (path, other_path)
    assert "IPAddressPool.metallb.io" in kinds_of("overlays/infra/install")[0]


@pytest.mark.kubectl
def test_every_path_named_is_a_kustomization_that_builds_offline(
    kubectl: str, shared: Path, tmp_path: Path
) -> None:
    from kustgen.default import fleet as default

    for fleet in (default, layered_fleet(shared)):
        out = tmp_path / fleet.name
        write(fleet, out)
        remote = {f"installs/{i.name}" for i in fleet.all_installs() if i.remote_resources}
        named = set()
        for _, d in gitops_objects(tree(fleet)):
            if d["kind"] == "Kustomization":
                named.add(d["spec"]["path"].removeprefix("./"))
            elif d["kind"] == "Application":
                named.add(d["spec"]["source"]["path"])
        assert named
        for path in sorted(named - remote):
            result = subprocess.run([kubectl, "kustomize", str(out / path)],
                                    capture_output=True, text=True, check=False)
            assert result.returncode == 0, (path, result.stderr)
        for path in remote:  # by URL until the installation is vendored
            assert (out / path / "kustomization.yaml").is_file()


def test_flux_waits_prunes_and_follows_the_layers() -> None:
    from kustgen.default import fleet

    flux = _flux_order(tree(fleet))
    assert sorted(flux) == ["longhorn-install", "metallb-install", "production-apps",
                            "production-config"]
    for d in flux.values():
        assert d["spec"]["wait"] is True and d["spec"]["prune"] is True
        assert d["spec"]["sourceRef"] == {"kind": "GitRepository", "name": "home"}
    assert flux["production-config"]["spec"]["dependsOn"] == [
        {"name": "longhorn-install"}, {"name": "metallb-install"}]
    assert flux["production-apps"]["spec"]["dependsOn"] == [{"name": "production-config"}]
    assert flux["production-apps"]["spec"]["path"] == "./overlays/production/apps"


def test_argocd_is_an_app_of_apps_in_waves() -> None:
    from kustgen.default import fleet

    files = tree(fleet)
    apps = {d["metadata"]["name"]: d for _, d in gitops_objects(files)
            if d["kind"] == "Application"}
    root = apps.pop("lab")
    assert root["spec"]["source"]["path"] == "gitops/lab/applications"
    listed = yaml.safe_load(files["gitops/lab/applications/kustomization.yaml"])["resources"]
    assert len(listed) == len(apps) == 5
    waves = {name: d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
             for name, d in apps.items()}
    assert waves == {"lab-longhorn-install": "0", "lab-metallb-install": "0",
                     "lab-staging-config": "1", "lab-staging-apps": "2", "lab-preview-apps": "2"}
    assert {d["spec"]["project"] for d in [root, *apps.values()]} == {"homelab"}


def test_repository_and_branch_come_from_the_cluster_or_tool_kustgen() -> None:
    base = Base(name="b", objects=[{"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "c"}}])
    cluster = Cluster(name="c", overlays=[Overlay(name="e", bases=[base])], gitops=Flux())
    with pytest.raises(InputError) as error:
        tree(cluster)
    assert str(error.value) == (
        "Flux of cluster c: url: no repository URL: set it here or as [tool.kustgen] repository")
    fleet = Fleet(clusters=[cluster]).with_gitops_defaults(
        url="https://git.example.com/x.git", branch="prod", path="deploy")
    files = tree(fleet)
    source = yaml.safe_load(files["gitops/c/gitrepository-c.yaml"])
    assert source["spec"]["url"] == "https://git.example.com/x.git"
    assert source["spec"]["ref"] == {"branch": "prod"}
    unit = yaml.safe_load(files["gitops/c/kustomization-e-apps.yaml"])
    assert unit["spec"]["path"] == "./deploy/overlays/e"
    stated = Fleet(clusters=[Cluster(name="c", overlays=[Overlay(name="e", bases=[base])],
                                     gitops=Flux(url="https://x.invalid/y.git"))])
    kept = tree(stated.with_gitops_defaults(url="https://git.example.com/x.git", branch=None,
                                            path=None))
    assert "url: https://x.invalid/y.git" in kept["gitops/c/gitrepository-c.yaml"]


def test_a_tree_below_the_repository_root_says_so_with_repository_path(tmp_path: Path) -> None:
    """Refused without repository-path (see tests/badinput/fleet.py); with it, every
    path is prefixed and the build goes through."""
    from tests.test_cli import kustgen, write_project

    module = '''
from kustgen import Base, Cluster, Overlay
from kustgen.gitops import Flux

settings = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
            "data": {"mode": "on"}}
cluster = Cluster(name="home", overlays=[Overlay(name="prod", bases=[Base(name="app",
                  objects=[settings])])], gitops=Flux(url="https://git.example.com/x.git"))
'''
    project = write_project(tmp_path / "repo", module)
    (project / ".git").mkdir()
    refused = kustgen("build", "--out", "deploy", cwd=project)
    assert refused.returncode == 2
    assert not (project / "deploy").exists()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'repository-path = "deploy"\n')
    built = kustgen("build", "--out", "deploy", cwd=project)
    assert built.returncode == 0, built.stderr
    unit = (project / "deploy/gitops/home/kustomization-prod-apps.yaml").read_text()
    assert "path: ./deploy/overlays/prod\n" in unit
