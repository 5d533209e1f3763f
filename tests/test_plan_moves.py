"""The moves that used to copy objects in full (issue 12), planned small and proven
with kubectl: one application's namespace, a prefix with generators present,
several renames in one namespace, objs.annotate(); plus the patch files a
JSON6902 change leaves behind."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from kustgen import Base, ConfigMapGenerator, yamlio
from kustgen.catalog.app import Port, ServiceDef, Storage, container_app
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.layout import layout_directory
from kustgen.plan import Environment, Objects
from tests.test_plan import prove


def _apps(generator: bool = False) -> list[Base]:
    wiki = container_app(
        "wiki", image="requarks/wiki:2.5", ports=[Port("http", 3000)],
        storage=[Storage("data", "/data", "5Gi"), Storage("cache", "/cache", "1Gi"),
                 Storage("uploads", "/uploads", "10Gi")],
        services=[ServiceDef()],
    )
    level = core.EnvVar(name="LOG", value_from=core.EnvVarSource(
        config_map_key_ref=core.ConfigMapKeySelector(name="settings", key="LOG")))
    mqtt = container_app("mqtt", image="eclipse-mosquitto:2.0.18", ports=[Port("mqtt", 1883)],
                         storage=[Storage("data", "/data", "1Gi")], env_from_refs=[level])
    if generator:
        mqtt.base.config_map_generators = [
            ConfigMapGenerator(name="settings", namespace="mqtt", literals=["LOG=info"])]
    return [wiki.base, mqtt.base]


def _size(env: Environment) -> tuple[int, int]:
    """(overlay lines, rendered lines)."""
    overlay = sum(t.count("\n") for t in layout_directory(env.overlay()).values())
    return overlay, yamlio.dump_all(env.objects()).count("\n")


def _small(env: Environment) -> dict[str, str]:
    overlay, rendered = _size(env)
    assert not env.overlay().objects, "no object copied in full"
    assert overlay < 0.15 * rendered, (overlay, rendered)
    assert not env.plan.notes
    return layout_directory(env.overlay())


def _pod(obj: Any) -> core.PodSpec | None:
    template = getattr(getattr(obj, "spec", None), "template", None)
    return getattr(template, "spec", None)


@pytest.mark.kubectl
def test_one_application_moves_to_another_namespace(kubectl: str, tmp_path: Path) -> None:
    def move(objs: Objects) -> None:
        for obj in objs:
            meta = obj.metadata
            if isinstance(obj, core.Namespace) and meta.name == "wiki":
                meta.name = "wiki-staging"
            elif meta.namespace == "wiki":
                meta.namespace = "wiki-staging"

    env = Environment(name="staging", bases=_apps(), change=move)
    files = _small(env)
    assert env.overlay().base_namespaces == {"wiki": "wiki-staging"}
    assert yamlio.load(files["bases/wiki/kustomization.yaml"])["namespace"] == "wiki-staging"
    prove(kubectl, tmp_path, env)


@pytest.mark.kubectl
@pytest.mark.parametrize("where", ["base", "environment"])
def test_every_object_prefixed_and_moved_with_a_generator(
    kubectl: str, tmp_path: Path, where: str
) -> None:
    bases = _apps(generator=where == "base")[1:]
    gens = [] if where == "base" else [
        ConfigMapGenerator(name="lab-settings", namespace="lab", literals=["LOG=debug"])]

    def lab(objs: Objects) -> None:
        for obj in objs:
            obj.metadata.name = "lab" if isinstance(obj, core.Namespace) \
                else f"lab-{obj.metadata.name}"
            if obj.metadata.namespace:
                obj.metadata.namespace = "lab"
            pod = _pod(obj)
            for volume in (pod.volumes or []) if pod else []:
                claim = volume.persistent_volume_claim
                if claim:
                    claim.claim_name = f"lab-{claim.claim_name}"
            for container in (pod.containers if pod else []):
                for var in container.env or []:
                    ref = var.value_from.config_map_key_ref if var.value_from else None
                    if ref:
                        ref.name = f"lab-{ref.name}" if where == "base" else "lab-settings"

    env = Environment(name="lab", bases=bases, change=lab, config_maps=gens)
    overlay = env.overlay()
    assert not overlay.objects and not overlay.patches and not env.plan.notes
    assert (overlay.name_prefix, overlay.namespace) == ("lab-", "lab")
    # kustomize prefixes generated names too: the overlay writes the generator unprefixed
    assert [g.name for g in overlay.config_map_generators] == (["settings"] if gens else [])
    prove(kubectl, tmp_path, env)


@pytest.mark.kubectl
def test_several_renames_in_one_namespace(kubectl: str, tmp_path: Path) -> None:
    def rename(objs: Objects) -> None:
        renamed = {}
        for claim in objs.all(core.PersistentVolumeClaim):
            if claim.metadata.namespace == "wiki":
                renamed[claim.metadata.name] = claim.metadata.name + "-v2"
                claim.metadata.name += "-v2"
        pod = _pod(objs.get(apps.Deployment, "wiki"))
        assert pod is not None
        for volume in pod.volumes or []:
            claim = volume.persistent_volume_claim
            if claim and claim.claim_name in renamed:
                claim.claim_name = renamed[claim.claim_name]

    env = Environment(name="v2", bases=_apps(), change=rename)
    files = _small(env)
    assert yamlio.load(files["kustomization.yaml"])["patches"] == [
        {"patch": f'[{{"op": "replace", "path": "/metadata/name", "value": "{name}-v2"}}]',
         "target": {"kind": "PersistentVolumeClaim", "name": name}}
        for name in ("wiki-cache", "wiki-data", "wiki-uploads")]
    assert list(files) == ["kustomization.yaml"]
    prove(kubectl, tmp_path, env)


@pytest.mark.kubectl
def test_annotate_is_one_transformer_limited_to_metadata(kubectl: str, tmp_path: Path) -> None:
    def annotate(objs: Objects) -> None:
        objs.annotate({"example.com/owner": "platform", "example.com/tier": "gold"})

    env = Environment(name="owned", bases=_apps(), change=annotate)
    files = _small(env)
    assert not env.overlay().patches and not env.overlay().common_annotations
    assert yamlio.load(files["transformers/annotations.yaml"]) == {
        "apiVersion": "builtin", "kind": "AnnotationsTransformer",
        "metadata": {"name": "annotations"},
        "annotations": {"example.com/owner": "platform", "example.com/tier": "gold"},
        "fieldSpecs": [{"path": "metadata/annotations", "create": True}]}
    prove(kubectl, tmp_path, env)


@pytest.mark.kubectl
def test_an_annotation_the_bases_set_is_not_given_to_the_transformer(
    kubectl: str, tmp_path: Path
) -> None:
    """kustomize shares one YAML node between the metadata and pod template
    annotation commonAnnotations created: a later write to one changes both."""
    base = _apps()[0]
    base.common_annotations = {"example.com/owner": "wiki-team"}

    def annotate(objs: Objects) -> None:
        objs.annotate({"example.com/owner": "platform"})

    env = Environment(name="owned", bases=[base], change=annotate)
    assert not env.overlay().transformers
    prove(kubectl, tmp_path, env)


@pytest.mark.kubectl
def test_a_change_only_json6902_says_writes_no_strategic_file(
    kubectl: str, tmp_path: Path
) -> None:
    def ports(objs: Objects) -> None:
        pod = _pod(objs.get(apps.Deployment, "mqtt"))
        assert pod is not None
        container = pod.containers[0]
        container.ports = [*(container.ports or []),
                           core.ContainerPort(name="ws", container_port=9001)]

    env = Environment(name="ws", bases=_apps()[1:], change=ports)
    files = layout_directory(env.overlay())
    assert sorted(p for p in files if p.startswith("patches/")) == [
        "patches/deployment-mqtt.json6902.yaml"]
    prove(kubectl, tmp_path, env)


@pytest.mark.kubectl
def test_json6902_paths_after_a_reorder_name_the_element(kubectl: str, tmp_path: Path) -> None:
    def sidecar_first(objs: Objects) -> None:
        pod = _pod(objs.get(apps.Deployment, "mqtt"))
        assert pod is not None
        pod.containers[0].ports = [core.ContainerPort(name="ws", container_port=9001)]
        pod.containers.insert(0, core.Container(name="exporter", image="busybox:1.36"))

    env = Environment(name="ws", bases=_apps()[1:], change=sidecar_first)
    text = layout_directory(env.overlay())["patches/deployment-mqtt.json6902.yaml"]
    assert text.startswith(
        "# /spec/template/spec/containers/1: name 'mqtt' (index 0 in the bases)\n"
        "- op: replace\n  path: /spec/template/spec/containers/1/ports\n")
    prove(kubectl, tmp_path, env)


def test_plans_warn_about_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Environment(name="same", bases=_apps()).overlay()


@pytest.mark.kubectl
def test_a_base_label_shared_with_the_selector_changes_on_metadata_only(
    kubectl: str, tmp_path: Path
) -> None:
    """The base's labels (with selectors) put one node in metadata, selector and
    template: the environment's change of the metadata label alone must not
    reach the selector, so it is written as a JSON6902 operation."""
    from kustgen import Label

    base = _apps()[1]
    base.labels = [Label(pairs={"tier": "backend"}, include_selectors=True)]

    def relabel(objs: Objects) -> None:
        deployment = objs.get(apps.Deployment, "mqtt")
        assert deployment.metadata and deployment.metadata.labels
        deployment.metadata.labels["tier"] = "edge"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        env = Environment(name="edge", bases=[base], change=relabel)
        files = layout_directory(env.overlay())
    assert "patches/deployment-mqtt.json6902.yaml" in files
    prove(kubectl, tmp_path, env)
    deployment = next(o for o in env.objects() if o["kind"] == "Deployment")
    assert deployment["spec"]["selector"]["matchLabels"]["tier"] == "backend"
