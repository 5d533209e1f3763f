"""Models generated from the upstream MetalLB and Longhorn CRDs build valid custom resources.

Everything is generated into a temporary directory; nothing generated from
third-party CRDs is committed.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

from kustgen.codegen import crd_schema_to_jsonschema, import_crds
from kustgen.errors import InputError
from kustgen.k8s import meta_v1
from kustgen.model import Resource, from_dict, list_merge_info, to_dict

HELM_TEMPLATE = "chart_crds_templates_crds.yaml"  # metallb/extra: a Helm template, not YAML


def crd_files(shared: Path) -> list[Path]:
    crds = shared / "reference" / "crds"
    files = sorted((crds / "metallb").glob("*.yaml")) + sorted((crds / "longhorn").glob("*.yaml"))
    assert len(files) > 30
    return [f for f in files if f.name != HELM_TEMPLATE]


@pytest.fixture(scope="module")
def generated(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("crds")
    written = import_crds(crd_files(shared), out)
    modules: dict[str, Any] = {}
    for path in written:
        name = f"_kustgen_test_crds.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[path.stem] = module
    yield modules
    for path in written:
        sys.modules.pop(f"_kustgen_test_crds.{path.stem}", None)


@pytest.fixture(scope="module")
def metallb(generated: dict[str, ModuleType]) -> Any:
    return generated["metallb_io"]


@pytest.fixture(scope="module")
def longhorn(generated: dict[str, ModuleType]) -> Any:
    return generated["longhorn_io"]


def crd_schema(shared: Path, group: str, kind: str, version: str) -> dict[str, Any]:
    for path in crd_files(shared):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            spec = (doc or {}).get("spec", {})
            if spec.get("group") == group and spec.get("names", {}).get("kind") == kind:
                for v in spec["versions"]:
                    if v["name"] == version:
                        return crd_schema_to_jsonschema(v["schema"]["openAPIV3Schema"])
    raise AssertionError(f"no CRD for {group} {kind} {version}")


def errors(shared: Path, obj: dict[str, Any]) -> list[str]:
    group, version = obj["apiVersion"].split("/")
    schema = crd_schema(shared, group, obj["kind"], version)
    validator = jsonschema.Draft7Validator(schema)
    return [e.message for e in validator.iter_errors(obj)]


def test_one_module_per_group_with_every_kind(generated: dict[str, Any]) -> None:
    assert sorted(generated) == ["longhorn_io", "metallb_io"]
    metallb = generated["metallb_io"]
    for kind in ("IPAddressPool", "BGPPeer", "BGPAdvertisement", "L2Advertisement",
                 "Community", "BFDProfile"):  # fmt: skip
        assert issubclass(getattr(metallb, kind), Resource), kind
    longhorn = generated["longhorn_io"]
    assert len([k for k in longhorn.RESOURCES if k[0] == "longhorn.io/v1beta2"]) == 25


def test_versions_and_storage_alias(metallb: Any) -> None:
    assert metallb.BGPPeer is metallb.BGPPeerV1beta2
    assert metallb.BGPPeerV1beta1.api_version == "metallb.io/v1beta1"
    assert metallb.BGPPeerV1beta2.api_version == "metallb.io/v1beta2"
    assert metallb.BGPPeer.kind == "BGPPeer"
    assert metallb.RESOURCES[("metallb.io/v1beta1", "BGPPeer")] is metallb.BGPPeerV1beta1


def test_metallb_objects_validate_against_their_crd(shared: Path, metallb: Any) -> None:
    meta = meta_v1.ObjectMeta(name="public", namespace="metallb-system")
    pool = metallb.IPAddressPool(
        metadata=meta,
        spec=metallb.IPAddressPoolV1beta1Spec(
            addresses=["192.168.10.0/24", "fd00::10-fd00::ff"], auto_assign=False
        ),
    )
    peer = metallb.BGPPeer(
        metadata=meta_v1.ObjectMeta(name="router", namespace="metallb-system"),
        spec=metallb.BGPPeerV1beta2Spec(
            my_asn=64512,
            peer_asn=64513,
            peer_address="192.168.1.1",
            hold_time="90s",
            password_secret=metallb.BGPPeerV1beta2SpecPasswordSecret(name="bgp", namespace="x"),
        ),
    )
    adv = metallb.BGPAdvertisement(
        metadata=meta_v1.ObjectMeta(name="public", namespace="metallb-system"),
        spec=metallb.BGPAdvertisementV1beta1Spec(
            ip_address_pools=["public"], aggregation_length=32, communities=["64512:100"]
        ),
    )
    for obj in (pool, peer, adv):
        wire = to_dict(obj)
        assert errors(shared, wire) == [], wire
        assert from_dict(wire, types=(metallb,)) == obj
    assert to_dict(peer)["apiVersion"] == "metallb.io/v1beta2"
    assert to_dict(peer)["spec"]["myASN"] == 64512


def test_invalid_metallb_objects_fail(shared: Path, metallb: Any) -> None:
    meta = meta_v1.ObjectMeta(name="p", namespace="metallb-system")
    no_addresses = to_dict(
        metallb.IPAddressPool(metadata=meta, spec=metallb.IPAddressPoolV1beta1Spec(addresses=[]))
    )
    del no_addresses["spec"]["addresses"]
    assert errors(shared, no_addresses)
    bad_port = to_dict(
        metallb.BGPPeer(metadata=meta, spec=metallb.BGPPeerV1beta2Spec(my_asn=1, peer_port=20000))
    )
    assert errors(shared, bad_port)
    bad_length = to_dict(
        metallb.BGPAdvertisement(
            metadata=meta, spec=metallb.BGPAdvertisementV1beta1Spec(aggregation_length=0)
        )
    )
    assert errors(shared, bad_length)
    unknown = {
        **to_dict(
            metallb.IPAddressPool(
                metadata=meta, spec=metallb.IPAddressPoolV1beta1Spec(addresses=["10.0.0.0/8"])
            )
        )
    }
    unknown["spec"]["autoassign"] = True
    assert errors(shared, unknown)
    # the models themselves catch type mistakes and unknown fields
    with pytest.raises(InputError, match=r"BGPPeer/p: spec\.myASN: expected an integer, got str"):
        to_dict(metallb.BGPPeer(metadata=meta, spec=metallb.BGPPeerV1beta2Spec(my_asn="64512")))
    with pytest.raises(InputError, match=r"IPAddressPool/p: spec\.autoassign: unknown field"):
        from_dict(unknown, types=(metallb,))
    with pytest.raises(InputError, match="unknown apiVersion/kind"):
        # the group module was not passed (and kustgen ships no Community class)
        from_dict({**unknown, "kind": "Community"})


def test_longhorn_objects_validate_against_their_crd(shared: Path, longhorn: Any) -> None:
    meta = meta_v1.ObjectMeta(name="nightly", namespace="longhorn-system")
    job = longhorn.RecurringJob(
        metadata=meta,
        spec=longhorn.RecurringJobV1beta2Spec(
            cron="0 3 * * *", task="backup", retain=7, concurrency=2, groups=["default"],
            labels={"tier": "nightly"},
        ),
    )  # fmt: skip
    setting = longhorn.Setting(
        metadata=meta_v1.ObjectMeta(name="default-replica-count", namespace="longhorn-system"),
        value="2",
    )
    target = longhorn.BackupTarget(
        metadata=meta_v1.ObjectMeta(name="default", namespace="longhorn-system"),
        spec=longhorn.BackupTargetV1beta2Spec(
            backup_target_url="s3://backups@us-east-1/",
            credential_secret="s3",
            poll_interval="5m0s",
        ),
    )
    for obj in (job, setting, target):
        wire = to_dict(obj)
        assert errors(shared, wire) == [], wire
        assert from_dict(wire, types=(longhorn,)) == obj
    assert to_dict(setting)["value"] == "2"
    assert "spec" not in to_dict(setting)


def test_invalid_longhorn_objects_fail(shared: Path, longhorn: Any) -> None:
    meta = meta_v1.ObjectMeta(name="x", namespace="longhorn-system")
    bad_task = to_dict(
        longhorn.RecurringJob(metadata=meta, spec=longhorn.RecurringJobV1beta2Spec(task="defrag"))
    )
    assert errors(shared, bad_task)
    setting = to_dict(longhorn.Setting(metadata=meta, value="true"))
    setting["value"] = True
    assert errors(shared, setting)
    with pytest.raises(InputError, match=r"Setting/x: value: expected a string, got bool True"):
        from_dict(setting, types=(longhorn,))
    with pytest.raises(TypeError):
        longhorn.Setting(metadata=meta)  # value is required by the CRD


def test_crd_list_metadata_is_kept(metallb: Any) -> None:
    path = ("spec", "nodeSelectors", "matchExpressions")
    info = list_merge_info("metallb.io/v1beta2", "BGPPeer", path, types=(metallb,))
    assert info is not None and info.list_type == "atomic"
    path = ("status", "conditions")
    info = list_merge_info("metallb.io/v1beta1", "ConfigurationState", path, types=(metallb,))
    assert info is not None and (info.list_type, info.list_map_keys) == ("map", ("type",))
    # without the module: Community is not among kustgen's shipped kinds
    assert list_merge_info("metallb.io/v1beta1", "Community", ("spec", "communities")) is None


def test_several_files_of_one_group_share_one_module_and_lists_are_read(
    shared: Path, tmp_path: Path
) -> None:
    files = [f for f in crd_files(shared) if "metallb" in str(f)][:3]
    docs = [d for f in files for d in yaml.safe_load_all(f.read_text(encoding="utf-8")) if d]
    listed = tmp_path / "list.yaml"
    listed.write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": docs[:2]})
        + "---\n"
        + yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
        + "---\n"
        + yaml.safe_dump(docs[2]),
        encoding="utf-8",
    )
    written = import_crds([listed], tmp_path / "out")
    assert [p.name for p in written] == ["metallb_io.py"]
    source = written[0].read_text(encoding="utf-8")
    kinds = {d["spec"]["names"]["kind"] for d in docs}
    for kind in kinds:
        assert f"\n{kind} = " in source
    again = import_crds([listed], tmp_path / "again")
    assert again[0].read_text(encoding="utf-8").replace(
        str(tmp_path / "again"), ""
    ) == source.replace(str(tmp_path / "out"), "")


WIDGET_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
"""


def test_custom_resource_has_metadata_even_when_the_schema_leaves_it_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crd = tmp_path / "widget.yaml"
    crd.write_text(WIDGET_CRD)
    (path,) = import_crds([crd], tmp_path / "gen")
    name = "_kustgen_test_widget.example_com"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    widget = module.Widget(
        metadata=meta_v1.ObjectMeta(name="w", namespace="shop"),
        spec=module.WidgetV1Spec(size=3),
    )
    assert to_dict(widget) == {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "shop"},
        "spec": {"size": 3},
    }
