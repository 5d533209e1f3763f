"""Cluster -> kustomization tree: paths, kustomization contents, refused input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kustgen import Base, Cluster, Component, Image, Label, Overlay, Patch, Replica, render_env
from kustgen.errors import ConflictError, InputError
from kustgen.layout import GENERATED_HEADER, layout


def obj(kind: str, name: str, api_version: str = "v1", **extra: Any) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}, **extra}


def deployment(name: str = "web") -> dict[str, Any]:
    labels = {"app": name}
    return obj(
        "Deployment",
        name,
        "apps/v1",
        spec={
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": "nginx:1.27"}]},
            },
        },
    )


def small_cluster() -> Cluster:
    web = deployment()
    base = Base(name="web", objects=[deployment(), obj("Service", "web", spec={"ports": []})])
    feature = Component(name="debug", common_annotations={"debug": "on"})
    prod = Overlay(
        name="prod",
        bases=[base],
        components=[feature],
        namespace="web-prod",
        name_prefix="p-",
        labels=[Label(pairs={"env": "prod"})],
        images=[Image(name="nginx", new_tag="1.28")],
        replicas=[Replica(name="web", count=3)],
        patches=[
            Patch.strategic(web, {"spec": {"template": {"metadata": {"labels": {"x": "1"}}}}}),
            Patch.json(web, [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}]),
        ],
    )
    return Cluster(name="test", overlays=[prod, Overlay(name="dev", bases=[base])])


def kustomization(tree: dict[str, str], directory: str) -> dict[str, Any]:
    text = tree[f"{directory}/kustomization.yaml"]
    assert text.startswith(GENERATED_HEADER)
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_paths_of_the_tree() -> None:
    assert sorted(layout(small_cluster())) == [
        "bases/web/deployment-web.yaml",
        "bases/web/kustomization.yaml",
        "bases/web/service-web.yaml",
        "components/debug/kustomization.yaml",
        "overlays/dev/kustomization.yaml",
        "overlays/prod/kustomization.yaml",
        "overlays/prod/patches/deployment-web.json6902.yaml",
        "overlays/prod/patches/deployment-web.yaml",
    ]


def test_overlay_kustomization_uses_only_current_fields() -> None:
    data = kustomization(layout(small_cluster()), "overlays/prod")
    assert data == {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["../../bases/web"],
        "components": ["../../components/debug"],
        "namespace": "web-prod",
        "namePrefix": "p-",
        "labels": [{"pairs": {"env": "prod"}}],
        "images": [{"name": "nginx", "newTag": "1.28"}],
        "replicas": [{"name": "web", "count": 3}],
        "patches": [
            {
                "path": "patches/deployment-web.yaml",
                "target": {"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"},
            },
            {
                "path": "patches/deployment-web.json6902.yaml",
                "target": {"group": "apps", "version": "v1", "kind": "Deployment", "name": "web"},
            },
        ],
    }
    for deprecated in ("bases", "commonLabels", "patchesStrategicMerge", "patchesJson6902", "vars"):
        assert deprecated not in data


def test_component_and_base_kinds() -> None:
    tree = layout(small_cluster())
    component = kustomization(tree, "components/debug")
    assert component["kind"] == "Component"
    assert component["apiVersion"] == "kustomize.config.k8s.io/v1alpha1"
    base = kustomization(tree, "bases/web")
    assert base["resources"] == ["deployment-web.yaml", "service-web.yaml"]


def test_strategic_patch_names_its_target() -> None:
    tree = layout(small_cluster())
    patch = yaml.safe_load(tree["overlays/prod/patches/deployment-web.yaml"])
    assert patch["apiVersion"] == "apps/v1"
    assert patch["kind"] == "Deployment"
    assert patch["metadata"] == {"name": "web"}
    ops = yaml.safe_load(tree["overlays/prod/patches/deployment-web.json6902.yaml"])
    assert ops == [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}]


def test_layout_is_deterministic() -> None:
    assert layout(small_cluster()) == layout(small_cluster())


def test_same_kind_and_name_in_two_namespaces_get_distinct_files() -> None:
    a = obj("ConfigMap", "settings")
    a["metadata"]["namespace"] = "one"
    b = obj("ConfigMap", "settings")
    b["metadata"]["namespace"] = "two"
    tree = layout(Cluster(name="c", overlays=[Overlay(name="x", objects=[a, b])]))
    assert "overlays/x/configmap-one-settings.yaml" in tree
    assert "overlays/x/configmap-two-settings.yaml" in tree


@pytest.mark.parametrize("bad", ["Prod", "prod env", "../prod", "", "-x", "a" * 64])
def test_invalid_directory_names_are_refused(bad: str) -> None:
    with pytest.raises(InputError, match="invalid name") as caught:
        Overlay(name=bad)
    assert caught.value.field == "name"


def test_object_defined_twice_is_refused() -> None:
    base = Base(name="b", objects=[deployment(), deployment()])
    with pytest.raises(ConflictError, match="defined twice") as caught:
        layout(Cluster(name="c", overlays=[Overlay(name="x", bases=[base])]))
    assert caught.value.obj == "Deployment/web"


def test_two_bases_with_one_name_are_refused() -> None:
    one, two = Base(name="b"), Base(name="b", objects=[deployment()])
    cluster = Cluster(
        name="c", overlays=[Overlay(name="x", bases=[one]), Overlay(name="y", bases=[two])]
    )
    with pytest.raises(ConflictError, match="named 'b'"):
        layout(cluster)


def test_patches_of_one_target_are_combined() -> None:
    web = deployment()
    overlay = Overlay(
        name="x",
        bases=[Base(name="b", objects=[web])],
        patches=[
            Patch.strategic(web, {"spec": {"replicas": 2}}),
            Patch.strategic(web, {"metadata": {"labels": {"tier": "front"}}}),
        ],
    )
    tree = layout(Cluster(name="c", overlays=[overlay]))
    patch = yaml.safe_load(tree["overlays/x/patches/deployment-web.yaml"])
    assert patch["spec"] == {"replicas": 2}
    assert patch["metadata"] == {"name": "web", "labels": {"tier": "front"}}


def test_conflicting_patches_are_refused() -> None:
    web = deployment()
    overlay = Overlay(
        name="x",
        bases=[Base(name="b", objects=[web])],
        patches=[
            Patch.strategic(web, {"spec": {"replicas": 2}}),
            Patch.strategic(web, {"spec": {"replicas": 3}}),
        ],
    )
    with pytest.raises(ConflictError) as caught:
        layout(Cluster(name="c", overlays=[overlay]))
    assert caught.value.obj == "Deployment/web"
    assert caught.value.field == "spec.replicas"


def test_patch_needs_exactly_one_form() -> None:
    web = deployment()
    with pytest.raises(InputError, match="exactly one"):
        Patch(target=Patch.strategic(web, {}).target)


def test_mapping_objects_need_identity_fields() -> None:
    with pytest.raises(InputError) as caught:
        layout(Cluster(name="c", overlays=[Overlay(name="x", objects=[{"kind": "ConfigMap"}])]))
    assert caught.value.field == "apiVersion"


def test_installs_are_written_apart_from_bases() -> None:
    upstream = Base(name="upstream", remote_resources=["https://example.invalid/v1.0/app.yaml"])
    cluster = Cluster(
        name="c", installs=[upstream], overlays=[Overlay(name="x", bases=[Base(name="b")])]
    )
    tree = layout(cluster)
    assert kustomization(tree, "installs/upstream")["resources"] == [
        "https://example.invalid/v1.0/app.yaml"
    ]
    assert not any(path.startswith("bases/upstream") for path in tree)


def test_an_install_is_not_a_base() -> None:
    upstream = Base(name="upstream", remote_resources=["https://example.invalid/app.yaml"])
    cluster = Cluster(name="c", installs=[upstream], overlays=[Overlay(name="x", bases=[upstream])])
    with pytest.raises(InputError, match="applied on its own"):
        layout(cluster)


@pytest.mark.kubectl
def test_patches_written_without_target_print_what_targeted_ones_print(
    kubectl: str, tmp_path: Path
) -> None:
    """Patch.strategic drops the target only where kubectl's output stays the same."""
    import dataclasses
    import subprocess

    from kustgen.writer import sync

    web = {**deployment(), "metadata": {"name": "web", "namespace": "web"}}
    bare = deployment("bare")  # no namespace: the target selects every namespace
    fast = obj("StorageClass", "fast", "storage.k8s.io/v1", provisioner="x")
    dotted = {**deployment("a.b"), "metadata": {"name": "a.b", "namespace": "web"}}
    patches = [
        Patch.strategic(web, {"spec": {"replicas": 2}, "metadata": {"labels": {"t": "1"}}}),
        Patch.strategic(bare, {"spec": {"replicas": 3}}),
        Patch.strategic(fast, {"parameters": {"tier": "gold"}}),
        Patch.strategic(dotted, {"spec": {"replicas": 4}}),
        Patch.strategic({**deployment("nulls"), "metadata": {"name": "nulls", "namespace": "web"}},
                        {"metadata": {"annotations": {"gone": None}}}),
    ]
    assert [p.by_id for p in patches] == [True, False, True, False, False]
    objects = [web, bare, fast, dotted,
               {**deployment("nulls"), "metadata": {"name": "nulls", "namespace": "web",
                                                    "annotations": {"gone": "x"}}}]
    printed = []
    for by_id in (True, False):
        listed = [dataclasses.replace(p, by_id=p.by_id and by_id) for p in patches]
        cluster = Cluster(name="t", overlays=[Overlay(
            name="prod", bases=[Base(name="app", objects=objects)], patches=listed)])
        root = tmp_path / str(by_id)
        sync(root, layout(cluster))
        printed.append(subprocess.run([kubectl, "kustomize", str(root / "overlays/prod")],
                                      check=True, capture_output=True, text=True).stdout)
        assert render_env(cluster, "prod", root=root) == printed[-1]
    assert printed[0] == printed[1]
