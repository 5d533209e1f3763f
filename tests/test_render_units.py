"""Unit and krusty-style scenario tests of kustgen.render without kubectl."""

from __future__ import annotations

import pytest

from kustgen.errors import ConflictError, InputError
from kustgen.render import render, sort_resources
from kustgen.render.hashing import hash_suffix
from kustgen.render.json6902 import apply_json6902


def _doc(api: str, kind: str, name: str, ns: str | None = None) -> dict[str, object]:
    meta = {"name": name} | ({"namespace": ns} if ns else {})
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def test_sort_resources_follows_legacy_ranks_and_namespace_name_bytes() -> None:
    docs = [
        _doc("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "v"),
        _doc("v1", "Pod", "p", "a"),
        _doc("metallb.io/v1beta2", "BGPPeer", "r", "m"),
        _doc("metallb.io/v1beta1", "IPAddressPool", "p", "m"),
        _doc("v1", "ConfigMap", "a", "gitlab"),
        _doc("v1", "ConfigMap", "a", "gitlab-runner"),
        _doc("v1", "ConfigMap", "a"),
        _doc("v1", "Namespace", "n"),
    ]
    order = [(d["kind"], d["metadata"]) for d in sort_resources(docs)]  # type: ignore[index]
    assert [k for k, _ in order] == [
        "Namespace", "ConfigMap", "ConfigMap", "ConfigMap", "IPAddressPool", "BGPPeer", "Pod",
        "ValidatingWebhookConfiguration",
    ]
    assert [m.get("namespace") for k, m in order if k == "ConfigMap"] == [
        "gitlab-runner", "gitlab", None,
    ]


@pytest.mark.parametrize(
    ("obj", "suffix"),
    [
        ({"kind": "ConfigMap", "data": {"k": "v"}}, "bdg947hgcc"),
        ({"kind": "ConfigMap"}, "6ct58987ht"),
        ({"kind": "Secret", "type": "Opaque", "data": {"password": "aHVudGVyMg=="}},
         "cf85kd65mm"),
    ],
)
def test_hash_suffix_matches_observed_suffixes(obj: dict[str, object], suffix: str) -> None:
    assert hash_suffix(obj) == suffix


def test_json6902_escapes_and_dash_index() -> None:
    doc = {"metadata": {"labels": {}}, "list": [1]}
    ops = [
        {"op": "add", "path": "/metadata/labels/a~1b~0c", "value": "x"},
        {"op": "add", "path": "/list/-", "value": 2},
        {"op": "test", "path": "/list/1", "value": 2},
    ]
    out = apply_json6902(doc, ops, patch_name="p", target_name="t")
    assert out == {"metadata": {"labels": {"a/b~c": "x"}}, "list": [1, 2]}


@pytest.mark.parametrize(
    "op",
    [
        {"op": "test", "path": "/a", "value": 2},
        {"op": "remove", "path": "/missing"},
        {"op": "replace", "path": "/x/y", "value": 1},
    ],
)
def test_json6902_failure_names_patch_and_target(op: dict[str, object]) -> None:
    with pytest.raises(InputError) as info:
        apply_json6902({"a": 1}, [op], patch_name="ov/kustomization.yaml: patches[0]",
                       target_name="Deployment.apps/v1/web")
    assert "patches[0]" in str(info.value) and "Deployment.apps/v1/web" in str(info.value)


CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def test_base_and_overlay_scenario() -> None:
    files = {
        "base/cm.yaml": CM,
        "base/kustomization.yaml": "resources: [cm.yaml]\nnamePrefix: b-\n",
        "ov/kustomization.yaml": "resources: [../base]\nnamespace: prod\n"
                                 "configMapGenerator: [{name: g, literals: [k=v]}]\n",
    }
    assert render(files, "ov") == [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b-x", "namespace": "prod"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"},
         "metadata": {"name": "g-bdg947hgcc", "namespace": "prod"}},
    ]


def test_duplicate_ids_conflict() -> None:
    files = {"a.yaml": CM, "b.yaml": CM, "kustomization.yaml": "resources: [a.yaml, b.yaml]\n"}
    with pytest.raises(ConflictError):
        render(files, "")


@pytest.mark.parametrize(
    ("kustomization", "field"),
    [
        ("resources: [../x.yaml]\n", "resources[0]"),
        ("commonAnnotations: {a: yes}\n", "commonAnnotations.a"),
        ("patches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n"
         "    metadata: {name: nope}\n", "patches[0]"),
        ("resources: [cm.yaml]\nreplicas: [{name: nothing, count: 1}]\n", "replicas[0]"),
    ],
)
def test_bad_input_names_file_and_field(kustomization: str, field: str) -> None:
    files = {"x.yaml": CM, "k/cm.yaml": CM, "k/kustomization.yaml": kustomization}
    with pytest.raises(InputError) as info:
        render(files, "k")
    assert info.value.obj == "k/kustomization.yaml"
    assert info.value.field == field
