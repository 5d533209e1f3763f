"""Layers: which layer each base lands in, the order they are applied in, and the
environment's overlay cut along them; kubectl builds every layer and their union
is the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kustgen import (
    Base,
    Cluster,
    Component,
    ConfigMapGenerator,
    Image,
    InputError,
    Label,
    Layer,
    Overlay,
    Patch,
    Replica,
)
from kustgen.build import render_dir, tree, verify, write
from kustgen.layers import split
from kustgen.layout import environment_dirs


def obj(kind: str, name: str, namespace: str | None = None, api_version: str = "v1",
        **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **extra}


def crd(group: str, kind: str, plural: str) -> dict[str, Any]:
    return obj(
        "CustomResourceDefinition", f"{plural}.{group}", api_version="apiextensions.k8s.io/v1",
        spec={
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower(),
                      "listKind": f"{kind}List"},
            "scope": "Namespaced",
            "versions": [{"name": "v1", "served": True, "storage": True,
                          "schema": {"openAPIV3Schema": {"type": "object",
                                                         "x-kubernetes-preserve-unknown-fields":
                                                         True}}}],
        },
    )


def deployment(name: str, namespace: str, image: str = "nginx:1.27") -> dict[str, Any]:
    labels = {"app": name}
    return obj(
        "Deployment", name, namespace, "apps/v1",
        spec={"replicas": 1, "selector": {"matchLabels": labels},
              "template": {"metadata": {"labels": labels},
                           "spec": {"containers": [{"name": name, "image": image}]}}},
    )


def widget(name: str, namespace: str = "widgets-system") -> dict[str, Any]:
    return obj("Widget", name, namespace, "example.com/v1", spec={"size": 1})


OPERATOR = Base(name="widget-operator", objects=[
    crd("example.com", "Widget", "widgets"),
    obj("Namespace", "widgets-system"),
    deployment("widget-controller", "widgets-system", "example/widgets:1.0"),
])
WIDGETS = Base(name="widgets", objects=[widget("small"), widget("large")])
CLASSES = Base(name="classes", objects=[
    obj("StorageClass", "fast", api_version="storage.k8s.io/v1", provisioner="x"),
    obj("ClusterIssuer", "letsencrypt", api_version="cert-manager.io/v1", spec={}),
])
APP = Base(name="web", objects=[
    obj("Namespace", "web"),
    deployment("web", "web"),
    obj("Certificate", "web", "web", "cert-manager.io/v1", spec={"secretName": "web-tls"}),
    obj("ConfigMap", "web", "web", data={"mode": "on"}),
])


def layers_of(overlay: Overlay) -> dict[str, list[str]]:
    return {p.layer.name: [b.name for b in p.overlay.bases] for p in split(overlay)}


def test_layers_are_derived_from_the_objects() -> None:
    overlay = Overlay(name="prod", bases=[APP, WIDGETS, CLASSES, OPERATOR])
    # A CRD makes an installation; objects in the namespace an installation
    # creates, classes and cluster-wide custom resources are its configuration;
    # a workload (and a Certificate beside it) is an application.
    assert layers_of(overlay) == {
        "install": ["widget-operator"],
        "config": ["widgets", "classes"],
        "apps": ["web"],
    }


def test_a_stated_layer_wins() -> None:
    extra = Base(name="extra", layer="config", objects=[obj("ConfigMap", "x", "web")])
    assert layers_of(Overlay(name="e", bases=[APP, extra])) == {
        "config": ["extra"], "apps": ["web"]}
    with pytest.raises(InputError) as error:
        Base(name="b", layer="middle")
    assert str(error.value).startswith("base b: layer: 'middle' is not a standard layer")


def test_a_layer_cycle_is_one_error() -> None:
    # The widgets are stated to be installed before the CRD defining them.
    early = Base(name="widgets", layer="install", objects=WIDGETS.objects)
    late = Base(name="widget-operator", layer="config", objects=OPERATOR.objects)
    with pytest.raises(InputError) as error:
        split(Overlay(name="prod", bases=[early, late]))
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("Overlay/prod: layers: layer cycle ")
    assert "uses Widget.example.com, defined by " in message


def test_defining_and_using_a_kind_in_one_layer_is_allowed_and_linted() -> None:
    """GitOps engines apply a unit's CRDs first; kubectl does not: a warning says so."""
    from kustgen.lint import lint

    both = Base(name="both", objects=[*OPERATOR.objects, *WIDGETS.objects])
    overlay = Overlay(name="prod", bases=[both])
    assert [p.layer.name for p in split(overlay)] == ["install"]
    found = {(f.rule, f.severity, f.obj) for f in lint(Cluster(name="c", overlays=[overlay]))
             if f.rule == "crd-same-layer"}
    assert found == {("crd-same-layer", "warning", f"Widget/widgets-system/{n}")
                     for n in ("small", "large")}


def test_custom_layers_are_ordered_by_after_and_a_loop_of_them_is_refused() -> None:
    mesh = Layer("mesh", after=("install",))
    certs = Layer("certs", after=("mesh",))
    bases = [Base(name="a", layer=certs, objects=[obj("ConfigMap", "a", "x")]),
             Base(name="b", layer=mesh, objects=[obj("ConfigMap", "b", "x")]), OPERATOR]
    assert [p.layer.name for p in split(Overlay(name="e", bases=bases))] == [
        "install", "mesh", "certs"]
    loop = [Base(name="a", layer=Layer("one", after=("two",)), objects=[obj("ConfigMap", "a")]),
            Base(name="b", layer=Layer("two", after=("one",)), objects=[obj("ConfigMap", "b")])]
    with pytest.raises(InputError, match="layer cycle"):
        split(Overlay(name="e", bases=loop))


def test_entries_go_to_the_layer_of_the_objects_they_act_on() -> None:
    setting = Base(name="settings", objects=[obj("ConfigMap", "tuning", "widgets-system",
                                                 data={"level": "1"})])
    overlay = Overlay(
        name="prod",
        bases=[OPERATOR, setting, APP],
        labels=[Label(pairs={"env": "prod"})],
        namespace="web-prod",
        name_prefix="p-",
        images=[Image(name="example/widgets", new_tag="1.1"), Image(name="nginx", new_tag="1.28"),
                Image(name="unused", new_tag="2")],
        replicas=[Replica(name="widget-controller", count=2)],
        patches=[Patch.strategic(setting.objects[0], {"data": {"level": "2"}}),
                 Patch.strategic(APP.objects[1], {"spec": {"minReadySeconds": 5}})],
        config_map_generators=[ConfigMapGenerator(name="extra", literals=["a=b"])],
    )
    pieces = {p.layer.name: p.overlay for p in split(overlay)}
    install, config, apps = pieces["install"], pieces["config"], pieces["apps"]
    assert [i.name for i in install.images] == ["example/widgets"]
    assert [i.name for i in apps.images] == ["nginx", "unused"]  # no match: the environment's
    assert [r.name for r in install.replicas] == ["widget-controller"]
    assert [p.target.name for p in config.patches] == ["tuning"]
    assert [p.target.name for p in apps.patches] == ["web"]
    assert [g.name for g in apps.config_map_generators] == ["extra"]
    for piece in (install, config, apps):
        assert piece.labels == overlay.labels
    assert (install.namespace, config.name_prefix) == (None, None)
    assert (apps.namespace, apps.name_prefix) == ("web-prod", "p-")


def test_a_component_goes_where_its_patches_act() -> None:
    tuning = Component(name="tuning", patches=[
        Patch.strategic(WIDGETS.objects[0], {"spec": {"size": 2}})])
    pieces = split(Overlay(name="e", bases=[OPERATOR, WIDGETS, APP], components=[tuning]))
    assert {p.layer.name: [c.name for c in p.overlay.components] for p in pieces} == {
        "install": [], "config": ["tuning"], "apps": []}
    both = Component(name="both", patches=[
        Patch.strategic(WIDGETS.objects[0], {"spec": {"size": 2}}),
        Patch.strategic(APP.objects[3], {"data": {"mode": "off"}})])
    with pytest.raises(InputError, match=r"^Component/both: patches objects of layers apps, "
                                         r"config; split it"):
        split(Overlay(name="e", bases=[OPERATOR, WIDGETS, APP], components=[both]))


def test_an_environment_of_one_layer_is_written_as_before() -> None:
    cluster = Cluster(name="c", overlays=[Overlay(name="prod", bases=[APP], name_prefix="p-")])
    files = tree(cluster)
    assert sorted(p for p in files if p.startswith("overlays/")) == [
        "overlays/prod/kustomization.yaml"]
    assert "- ../../bases/web\n" in files["overlays/prod/kustomization.yaml"]


def test_layers_are_directories_the_environment_lists_in_order() -> None:
    overlay = Overlay(name="prod", bases=[APP, WIDGETS, OPERATOR])
    files = tree(Cluster(name="c", overlays=[overlay]))
    assert [d for d, _ in environment_dirs(overlay)] == [
        "overlays/prod/install", "overlays/prod/config", "overlays/prod/apps"]
    whole = yaml.safe_load(files["overlays/prod/kustomization.yaml"])
    assert whole["resources"] == ["install", "config", "apps"]
    listed = files["overlays/prod/kustomization.yaml"]
    assert "#   kubectl apply -k overlays/prod/install\n" in listed
    assert yaml.safe_load(files["overlays/prod/config/kustomization.yaml"])["resources"] == [
        "../../../bases/widgets"]


@pytest.mark.kubectl
def test_every_layer_builds_and_together_they_are_the_environment(
    kubectl: str, tmp_path: Path
) -> None:
    """Each layer alone builds with kubectl, equal to kustgen's rendering; the
    environment's objects are exactly the layers' objects; the environment's
    namespace and prefix reached its applications only."""
    setting = Base(name="settings", objects=[obj("ConfigMap", "tuning", "widgets-system",
                                                 data={"level": "1"})])
    overlay = Overlay(
        name="prod", bases=[APP, WIDGETS, setting, OPERATOR], namespace="web-prod",
        name_prefix="p-", labels=[Label(pairs={"env": "prod"})],
        images=[Image(name="nginx", new_tag="1.28")],
        patches=[Patch.strategic(setting.objects[0], {"data": {"level": "2"}})],
    )
    cluster = Cluster(name="c", overlays=[overlay])
    write(cluster, tmp_path)
    assert verify(cluster, tmp_path) == 4  # the environment and its three layers
    files = tree(cluster)
    layers = [render_dir(files, d) for d, _ in environment_dirs(overlay)]
    union = sorted(d for text in layers for d in text.split("---\n"))
    whole = render_dir(files, "overlays/prod")
    assert sorted(whole.split("---\n")) == [t if t.endswith("\n") else t + "\n" for t in union]
    objects = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
               for d in yaml.safe_load_all(whole)}
    assert ("Widget", "widgets-system", "small") in objects
    assert ("ConfigMap", "widgets-system", "tuning") in objects
    assert ("Deployment", "widgets-system", "widget-controller") in objects
    assert ("Deployment", "web-prod", "p-web") in objects
    assert ("Namespace", None, "web-prod") in objects


@pytest.mark.kubectl
def test_secret_values_are_read_beside_the_layer_holding_the_generator(
    kubectl: str, tmp_path: Path
) -> None:
    from kustgen import Environment, Objects, SecretGenerator
    from kustgen.catalog import longhorn
    from kustgen.layout import local_inputs

    def labelled(objs: Objects) -> None:
        objs.label({"environment": "prod"})

    env = Environment(
        name="prod", bases=[longhorn.longhorn_base(), APP], change=labelled,
        secrets=[SecretGenerator(name="db", namespace="web", envs=["db.env"])],
        local_files={"db.env": "PASSWORD=s3cret\n"},
    )
    cluster = Cluster(name="c", overlays=[env.overlay()])
    assert [item.path for item in local_inputs(cluster)] == ["overlays/prod/apps/db.env"]
    write(cluster, tmp_path)
    (tmp_path / "overlays/prod/apps/db.env").write_text("PASSWORD=s3cret\n")
    assert verify(cluster, tmp_path) == 3


@pytest.mark.kubectl
def test_a_base_moved_to_another_namespace_is_moved_inside_its_layer(
    kubectl: str, tmp_path: Path
) -> None:
    """The planner's namespace move of one base (``base_namespaces``) and the
    layers meet: the move is a kustomization below the layer holding the base,
    its path up to the base counts the layer's depth, and kubectl agrees."""
    from kustgen import Environment, Objects
    from kustgen.catalog import metallb

    pool = metallb.ip_address_pool("lan", ["10.0.0.0/24"])
    lb = metallb.metallb_base("metallb", pools=[pool],
                              advertisements=[metallb.l2_advertisement("lan", pools=["lan"])])
    other = Base(name="other", objects=[obj("Namespace", "other"),
                                        deployment("other", "other")])

    def move_web(objs: Objects) -> None:
        for item in objs:
            data = item if isinstance(item, dict) else None
            meta = data["metadata"] if data is not None else item.metadata
            namespace = meta.get("namespace") if data is not None else meta.namespace
            kind = data["kind"] if data is not None else item.kind
            if namespace == "web" or (kind == "Namespace" and _name(meta) == "web"):
                _set(meta, "namespace" if kind != "Namespace" else "name", "web-two")

    env = Environment(name="prod", bases=[lb, APP, other], change=move_web)
    overlay = env.overlay()
    assert overlay.base_namespaces == {"web": "web-two"}
    cluster = Cluster(name="c", overlays=[overlay])
    files = tree(cluster)
    moved = yaml.safe_load(files["overlays/prod/apps/bases/web/kustomization.yaml"])
    assert moved == {"apiVersion": "kustomize.config.k8s.io/v1beta1",
                     "kind": "Kustomization", "namespace": "web-two",
                     "resources": ["../../../../../bases/web"]}
    write(cluster, tmp_path)
    assert verify(cluster, tmp_path) == 3  # the environment and its two layers
    whole = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
             for d in yaml.safe_load_all(render_dir(files, "overlays/prod"))}
    assert ("Deployment", "web-two", "web") in whole
    assert ("Deployment", "other", "other") in whole
    assert ("IPAddressPool", "metallb-system", "lan") in whole


def _name(meta: Any) -> Any:
    return meta.get("name") if isinstance(meta, dict) else meta.name


def _set(meta: Any, key: str, value: str) -> None:
    if isinstance(meta, dict):
        meta[key] = value
    else:
        setattr(meta, key, value)
