"""Every object of every environment of the default cluster validates against
kustgen's own ``schemas/``, the upstream CRDs (converted as FACTS.md §4 says)
and, for built-in kinds, the Kubernetes 1.32 schemas (strict)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from kustgen.codegen import crd_schema_to_jsonschema
from kustgen.codegen.shipped import schema_bundle, shipped_modules
from kustgen.codegen.writer import render_module

ROOT = Path(__file__).resolve().parents[1]
CUSTOM_GROUPS = ("metallb.io", "longhorn.io")


def own_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted((ROOT / "schemas").glob("*/*.json")):
        schema = json.loads(path.read_text())
        gvk = schema["x-kubernetes-group-version-kind"]
        found[(f"{gvk['group']}/{gvk['version']}", gvk["kind"])] = schema
    return found


@pytest.fixture(scope="module")
def upstream(shared: Path) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    crds = shared / "reference" / "crds"
    for path in sorted([*(crds / "metallb").glob("*.yaml"), *(crds / "longhorn").glob("*.yaml")]):
        for doc in yaml.safe_load_all(path.read_text()):
            if not isinstance(doc, dict) or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                schema = crd_schema_to_jsonschema(version["schema"]["openAPIV3Schema"])
                found[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = schema
    return found


@pytest.fixture(scope="module")
def objects(
    kubectl: str, tmp_path_factory: pytest.TempPathFactory
) -> list[tuple[str, dict[str, Any]]]:
    from kustgen import write
    from kustgen.default import cluster

    out = tmp_path_factory.mktemp("tree")
    write(cluster, out)
    result = []
    for env in cluster.envs():
        text = subprocess.run(
            [kubectl, "kustomize", str(out / "overlays" / env)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result += [(env, d) for d in yaml.safe_load_all(text) if d]
    assert len(result) > 30
    return result


def _is_custom(obj: dict[str, Any]) -> bool:
    return obj["apiVersion"].split("/")[0] in CUSTOM_GROUPS


def test_custom_objects_match_own_and_upstream_schemas(
    objects: list[tuple[str, dict[str, Any]]], upstream: dict[tuple[str, str], dict[str, Any]]
) -> None:
    own = own_schemas()
    seen = set()
    for env, obj in objects:
        if not _is_custom(obj):
            continue
        key = (obj["apiVersion"], obj["kind"])
        seen.add(key)
        where = f"{env}: {obj['kind']}/{obj['metadata']['name']}"
        assert key in own, f"{where}: no schema in schemas/"
        jsonschema.Draft7Validator(own[key]).validate(obj)
        assert key in upstream, f"{where}: not served upstream"
        jsonschema.Draft7Validator(upstream[key]).validate(obj)
    assert ("metallb.io/v1beta2", "BGPPeer") in seen
    assert ("longhorn.io/v1beta2", "RecurringJob") in seen


def test_builtin_objects_match_kubernetes_132(objects: list[tuple[str, dict[str, Any]]]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    for _env, obj in objects:
        if not _is_custom(obj):
            kubernetes_validate.validate(obj, "1.32.0", strict=True)


def test_own_schemas_reject_what_metallb_and_longhorn_reject() -> None:
    own = own_schemas()
    peer = own[("metallb.io/v1beta2", "BGPPeer")]
    base = {"apiVersion": "metallb.io/v1beta2", "kind": "BGPPeer", "metadata": {"name": "r"}}
    jsonschema.validate(
        {**base, "spec": {"myASN": 1, "peerASN": 2, "peerAddress": "10.0.0.1"}}, peer
    )
    for spec in (
        {"myASN": 1},
        {"myASN": 1, "peerASN": 2, "dynamicASN": "internal"},
        {"myASN": "1", "peerASN": 2},
        {"myASN": 1, "peerASN": 2, "bogus": 1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**base, "spec": spec}, peer)
    setting = own[("longhorn.io/v1beta2", "Setting")]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {"apiVersion": "longhorn.io/v1beta2", "kind": "Setting", "metadata": {}, "value": True},
            setting,
        )


def test_shipped_classes_are_generated_from_schemas() -> None:
    for module in shipped_modules():
        path = ROOT / "kustgen" / "crds" / (module.name.rsplit(".", 1)[1] + ".py")
        assert path.read_text() == render_module(module), (
            f"{path} is stale: python -m kustgen.codegen schemas"
        )
    bundle = ROOT / "kustgen" / "crds" / "schemas.json"
    assert bundle.read_text() == schema_bundle(), (
        f"{bundle} is stale: python -m kustgen.codegen schemas"
    )
    from kustgen.k8s._index import INDEX

    for key in own_schemas():
        assert INDEX[key][0].startswith("kustgen.crds."), key


def test_from_dict_finds_shipped_kinds() -> None:
    from kustgen import from_dict, to_dict
    from kustgen.crds import metallb_io

    data = {
        "apiVersion": "metallb.io/v1beta2",
        "kind": "BGPPeer",
        "metadata": {"name": "r", "namespace": "metallb-system"},
        "spec": {"myASN": 64501, "peerASN": 65530, "peerAddress": "10.0.0.1"},
    }
    obj = from_dict(data)
    assert isinstance(obj, metallb_io.BGPPeer)
    assert to_dict(obj) == data
