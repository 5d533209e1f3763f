"""Names inside custom resources follow their objects where a kustomization renames
them, by the ``configurations:`` kustgen writes; kubectl and kustgen's renderer agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kustgen import Base, Cluster, Overlay, SecretGenerator, to_dict
from kustgen.build import render_env, tree, verify, write
from kustgen.catalog import longhorn, metallb
from kustgen.crossrefs import CONFIGURATION_FILE, configuration, derived_references, references


def network_base() -> Base:
    pools = [metallb.ip_address_pool("main", ["10.0.0.0/24"]),
             metallb.ip_address_pool("other", ["10.1.0.0/24"])]
    peer = metallb.bgp_peer("router", my_asn=64500, peer_asn=64501, peer_address="10.0.0.1",
                            password_secret="bgp-auth")
    probe = {"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": "probe", "namespace": "metallb-system",
                          "annotations": metallb.pool_annotation("main")},
             "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}
    elsewhere = {**probe, "metadata": {**probe["metadata"], "namespace": "web"}}
    retain = longhorn.storage_class("retain")
    assert retain.parameters is not None
    retain.parameters["backupTargetName"] = "default"
    credentials = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                   "metadata": {"name": "creds", "namespace": "longhorn-system"}}
    return Base(name="net", layer="apps", objects=[
        *pools, peer,
        metallb.bgp_advertisement("adv", pools=["main", "other"], peers=["router"]),
        metallb.l2_advertisement("l2", pools=["other"]),
        probe, elsewhere,
        longhorn.backup_target("s3://bucket@region/path", credential_secret="creds"),
        retain, credentials,
    ])


def renamed_cluster() -> Cluster:
    overlay = Overlay(
        name="lab", bases=[network_base()], name_prefix="lab-",
        secret_generators=[SecretGenerator(name="bgp-auth", namespace="metallb-system",
                                           type="kubernetes.io/basic-auth", envs=["bgp.env"])],
    )
    return Cluster(name="c", overlays=[overlay])


def test_entries_are_derived_from_the_typed_classes() -> None:
    paths = {(r.referrer.kind, r.referent.kind): r.path for r in references()}
    assert paths[("BGPAdvertisement", "IPAddressPool")] == "spec/ipAddressPools"
    assert paths[("BGPPeer", "Secret")] == "spec/passwordSecret/name"
    assert paths[("Service", "IPAddressPool")] == "metadata/annotations/metallb.io\\/address-pool"
    assert paths[("StorageClass", "BackupTarget")] == "parameters/backupTargetName"


def _configuration(objects: Any, hashed: list[tuple[str, str]], *, renames: bool) -> str | None:
    return configuration(derived_references(objects, hashed, renames=renames))


def test_written_only_where_something_is_renamed_and_both_ends_are_there() -> None:
    pool = metallb.ip_address_pool("p", ["10.0.0.0/24"])
    adv = metallb.l2_advertisement("a", pools=["p"])
    objects = [metallb.metallb_base(pools=[pool], advertisements=[adv]).plain_objects()]
    assert _configuration(objects[0], [], renames=False) is None
    assert _configuration(objects[0][:1], [], renames=True) is None  # a pool, nobody naming it
    text = _configuration(objects[0], [], renames=True)
    assert text is not None
    assert yaml.safe_load(text) == {"nameReference": [{
        "kind": "IPAddressPool", "group": "metallb.io",
        "fieldSpecs": [{"kind": "L2Advertisement", "group": "metallb.io",
                        "path": "spec/ipAddressPools"}]}]}
    peer = metallb.bgp_peer("r", my_asn=1, peer_asn=2, peer_address="10.0.0.1",
                            password_secret="auth")
    hashed = _configuration([to_dict(peer)], [("Secret", "auth")], renames=False)
    assert hashed is not None and "spec/passwordSecret/name" in hashed


def test_the_renaming_overlay_lists_the_configuration() -> None:
    files = tree(renamed_cluster())
    kustomization = yaml.safe_load(files["overlays/lab/kustomization.yaml"])
    assert kustomization["configurations"] == [CONFIGURATION_FILE]
    assert f"overlays/lab/{CONFIGURATION_FILE}" in files
    assert f"bases/net/{CONFIGURATION_FILE}" not in files  # the base renames nothing


@pytest.mark.kubectl
def test_references_follow_and_kubectl_agrees(kubectl: str, tmp_path: Path) -> None:
    cluster = renamed_cluster()
    write(cluster, tmp_path)
    (tmp_path / "overlays/lab/bgp.env").write_text("password=s3cret\n")
    assert verify(cluster, tmp_path) == 1  # kubectl kustomize == kustgen's rendering
    docs = {(d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]): d
            for d in yaml.safe_load_all(render_env(cluster, "lab", root=tmp_path))}

    def spec(kind: str, name: str, namespace: str = "metallb-system") -> Any:
        return docs[(kind, namespace, name)]["spec"]

    assert spec("BGPAdvertisement", "lab-adv") == {
        "ipAddressPools": ["lab-main", "lab-other"], "peers": ["lab-router"]}
    assert spec("L2Advertisement", "lab-l2")["ipAddressPools"] == ["lab-other"]
    secret = spec("BGPPeer", "lab-router")["passwordSecret"]["name"]
    assert secret.startswith("lab-bgp-auth-") and ("Secret", "metallb-system", secret) in docs
    annotations = docs[("Service", "metallb-system", "lab-probe")]["metadata"]["annotations"]
    assert annotations["metallb.io/address-pool"] == "lab-main"
    # kustomize matches references within one namespace only: the Service in
    # `web` keeps the old pool name (the lint rule lb-no-pool reports it).
    annotations = docs[("Service", "web", "lab-probe")]["metadata"]["annotations"]
    assert annotations["metallb.io/address-pool"] == "main"
    assert spec("BackupTarget", "lab-default", "longhorn-system")["credentialSecret"] == (
        "lab-creds")
    assert docs[("StorageClass", "", "lab-retain")]["parameters"]["backupTargetName"] == (
        "lab-default")


def test_declared_and_derived_references_share_one_configuration_file() -> None:
    """A kustomization lists one ``configurations:`` file: what the user declared
    with ``NameReference`` and what kustgen derives for custom resources, joined
    by kind (a field spec given by both is listed once)."""
    from kustgen import FieldSpec, NameReference

    declared = NameReference(kind="IPAddressPool", group="metallb.io", field_specs=[
        FieldSpec(path="spec/ipAddressPools", kind="L2Advertisement", group="metallb.io"),
        FieldSpec(path="spec/pools", kind="Widget", group="example.com"),
    ])
    csi = NameReference(kind="Secret", field_specs=[
        FieldSpec(path="spec/template/spec/volumes/csi/nodePublishSecretRef/name",
                  kind="Deployment")])
    pool = metallb.ip_address_pool("p", ["10.0.0.0/24"])
    adv = metallb.l2_advertisement("a", pools=["p"])
    derived = derived_references(
        metallb.metallb_base(pools=[pool], advertisements=[adv]).plain_objects(), [],
        renames=True)
    text = configuration([declared, csi, *derived])
    assert text is not None
    entries = yaml.safe_load(text)["nameReference"]
    assert [(e["kind"], e.get("group")) for e in entries] == [
        ("IPAddressPool", "metallb.io"), ("Secret", None)]
    assert entries[0]["fieldSpecs"] == [
        {"kind": "L2Advertisement", "group": "metallb.io", "path": "spec/ipAddressPools"},
        {"kind": "Widget", "group": "example.com", "path": "spec/pools"},
    ]
