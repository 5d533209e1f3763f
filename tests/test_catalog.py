"""The catalog's checks, and the default cluster's trees as kubectl builds them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from kustgen import Base, Cluster, ConflictError, InputError, Overlay, to_dict
from kustgen.catalog import longhorn, metallb
from kustgen.catalog.app import Port, Storage, container_app
from kustgen.catalog.checks import check_cluster

ROOT = Path(__file__).resolve().parents[1]


def one_line(error: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(error.value)
    assert "\n" not in text
    return text


def test_pool_overlap_inside_and_across_pools() -> None:
    with pytest.raises(ConflictError) as e:
        metallb.ip_address_pool("p", ["10.0.0.0/24", "10.0.0.5-10.0.0.9"])
    assert one_line(e).startswith("IPAddressPool/p: spec.addresses[1]: ")
    a = metallb.ip_address_pool("a", ["10.6.0.0-10.6.255.255"])
    b = metallb.ip_address_pool("b", ["fd00::/64", "10.6.1.0/24"])
    with pytest.raises(ConflictError) as e:
        metallb.metallb_base(pools=[a, b])
    assert "IPAddressPool/b: spec.addresses[1]: '10.6.1.0/24' overlaps IPAddressPool/a" in one_line(
        e
    )
    # Same numbers, other family: no overlap.
    metallb.metallb_base(
        pools=[
            metallb.ip_address_pool("v4", ["0.0.0.0/8"]),
            metallb.ip_address_pool("v6", ["::/104"]),
        ]
    )


@pytest.mark.parametrize(
    "entry",
    [
        "10.0.0.300",
        "10.0.0.1/33",
        " 10.0.0.0/24",  # Go's net.ParseCIDR trims nothing
        "10.0.0.0/255.255.255.0",  # nor takes a netmask
        "fe80::1%eth0/64",  # nor a zone
        "10.0.0.9-10.0.0.1",
        "10.0.0.1-fd00::1",
        "pool",
        "",
    ],
)
def test_bad_addresses(entry: str) -> None:
    with pytest.raises(InputError) as e:
        metallb.ip_address_pool("p", ["10.9.0.0/24", entry])
    assert one_line(e).startswith("IPAddressPool/p: spec.addresses[1]: ")


def test_a_cidr_with_host_bits_is_its_whole_network_as_in_metallb() -> None:
    pool = metallb.ip_address_pool("p", ["10.9.0.1/24"])
    assert to_dict(pool)["spec"]["addresses"] == ["10.9.0.1/24"]
    with pytest.raises(ConflictError, match="overlaps"):
        metallb.ip_address_pool("p", ["10.9.0.1/24", "10.9.0.0-10.9.0.0"])


def test_ranges_and_ipv6_accepted() -> None:
    pool = metallb.ip_address_pool(
        "p", ["2a10:3781:2235:a4::1-2a10:3781:2235:a8::1", "10.1.0.1 - 10.1.0.9", "10.2.0.7/32"]
    )
    assert to_dict(pool)["spec"]["addresses"][1] == "10.1.0.1 - 10.1.0.9"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"my_asn": 2**32, "peer_asn": 1}, "spec.myASN"),
        ({"my_asn": 1, "peer_asn": -1}, "spec.peerASN"),
        ({"my_asn": 1}, "spec.peerASN"),
        ({"my_asn": 1, "peer_asn": 2, "dynamic_asn": "external"}, "spec.peerASN"),
        ({"my_asn": 1, "peer_asn": 2, "peer_address": "10.0.0.999"}, "spec.peerAddress"),
    ],
)
def test_bgp_peer_checks(kwargs: dict[str, Any], field: str) -> None:
    kwargs.setdefault("peer_address", "10.0.0.1")
    with pytest.raises(InputError) as e:
        metallb.bgp_peer("r", **kwargs)
    assert one_line(e).startswith(f"BGPPeer/r: {field}: ")


def test_advertisement_naming_missing_pool_or_peer() -> None:
    pool = metallb.ip_address_pool("main", ["10.0.0.0/24"])
    peer = metallb.bgp_peer("r", my_asn=64501, peer_asn=65530, peer_address="10.0.0.1")
    with pytest.raises(InputError) as e:
        metallb.metallb_base(
            pools=[pool],
            peers=[peer],
            advertisements=[metallb.bgp_advertisement("a", pools=["mian"])],
        )
    assert (
        one_line(e)
        == "BGPAdvertisement/a: spec.ipAddressPools[0]: "
        "no IPAddressPool named 'mian' (defined: main)"
    )
    with pytest.raises(InputError) as e:
        metallb.metallb_base(
            pools=[pool], peers=[peer], advertisements=[metallb.bgp_advertisement("a", peers=["x"])]
        )
    assert one_line(e).startswith("BGPAdvertisement/a: spec.peers[0]: no BGPPeer named 'x'")
    with pytest.raises(InputError):
        metallb.metallb_base(
            pools=[pool], advertisements=[metallb.l2_advertisement("l", pools=["nope"])]
        )


def test_the_cli_prints_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "from kustgen.catalog import metallb\n"
        "pool = metallb.ip_address_pool('main-pool', ['10.6.0.0/16', '10.6.3.0/24'])\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from kustgen.cli import main; sys.exit(main())",
            "build",
            "--target",
            "bad:pool",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "kustgen: error: IPAddressPool/main-pool: spec.addresses[1]: "
        "'10.6.3.0/24' overlaps spec.addresses[0] '10.6.0.0/16'"
    ]


def test_longhorn_parameters_are_strings() -> None:
    sc = to_dict(
        longhorn.storage_class(
            parameters=longhorn.VolumeParameters(
                number_of_replicas=2,
                recurring_job_selector=[longhorn.JobSelector(name="nightly")],
                nfs_options="vers=4.2,soft",
            )
        )
    )
    assert sc["reclaimPolicy"] == "Retain" and sc["provisioner"] == "driver.longhorn.io"
    assert all(isinstance(v, str) for v in sc["parameters"].values())
    assert sc["parameters"]["numberOfReplicas"] == "2"
    assert sc["parameters"]["recurringJobSelector"] == '[{"name":"nightly","isGroup":true}]'
    with pytest.raises(InputError) as e:
        longhorn.storage_class(
            "x",
            parameters=longhorn.VolumeParameters(
                number_of_replicas=2, data_locality="strict-local"
            ),
        )
    assert one_line(e).startswith("StorageClass/x: parameters.dataLocality: ")
    cm = to_dict(longhorn.default_class_config())
    text = cm["data"]["storageclass.yaml"]
    assert yaml.safe_load(text)["parameters"]["numberOfReplicas"] == "3"
    assert yaml.safe_load(text)["reclaimPolicy"] == "Delete"


def test_recurring_job_and_pvc_labels() -> None:
    job = to_dict(
        longhorn.recurring_job("daily", task="backup", cron="0 1 * * *", retain=3, groups=["db"])
    )
    assert job["metadata"]["namespace"] == "longhorn-system"
    assert job["spec"]["groups"] == ["db"]
    assert longhorn.recurring_job_labels("db") == {
        "recurring-job.longhorn.io/source": "enabled",
        "recurring-job-group.longhorn.io/db": "enabled",
    }
    with pytest.raises(InputError) as e:
        longhorn.recurring_job("j", task="snapshot", cron="daily", retain=1)
    assert one_line(e).startswith("RecurringJob/j: spec.cron: ")
    assert to_dict(longhorn.setting("auto-salvage", True))["value"] == "true"


def test_generic_app_in_a_few_lines() -> None:
    app = container_app(
        "whoami",
        image="traefik/whoami:v1.10",
        ports=[Port("http", 80)],
        storage=[Storage("data", "/data", "1Gi")],
    )
    kinds = [to_dict(o)["kind"] for o in app.base.objects]  # type: ignore[arg-type]
    assert kinds == ["Namespace", "PersistentVolumeClaim", "Deployment", "Service"]
    pod = to_dict(app.deployment)["spec"]["template"]["spec"]
    assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "whoami-data"


def test_environment_renames_only_its_applications() -> None:
    """MetalLB and Longhorn configuration is the config layer, which an
    environment's namespace and prefix do not reach: check_cluster accepts it."""
    base = metallb.metallb_base(pools=[metallb.ip_address_pool("p", ["10.0.0.0/24"])])
    storage = longhorn.longhorn_base()
    app = container_app("web", image="nginx:1.27", ports=[Port("http", 80)]).base
    overlay = Overlay(name="e", bases=[base, storage, app], namespace="x", name_prefix="lab-")
    check_cluster(Cluster(name="c", overlays=[overlay]))


def test_moving_or_renaming_what_cannot_follow_is_refused() -> None:
    pools = metallb.metallb_base(pools=[metallb.ip_address_pool("p", ["10.0.0.0/24"])])
    among_apps = Base(name="pools", layer="apps", objects=pools.objects)
    settings = Base(name="settings", layer="apps", objects=longhorn.default_settings())
    for overlay, field in (
        (Overlay(name="e", bases=[among_apps], namespace="x"), "namespace"),
        (Overlay(name="e", bases=[settings], name_prefix="lab-"), "namePrefix"),
        (Overlay(name="e", bases=[Base(name="moved", namespace="x", objects=pools.objects)]),
         "namespace"),
    ):
        with pytest.raises(ConflictError) as e:
            check_cluster(Cluster(name="c", overlays=[overlay]))
        assert one_line(e).startswith(f"Overlay/e: {field}: ")
    # Pools, peers and advertisements follow a prefix (configurations/name-references.yaml).
    check_cluster(Cluster(name="c", overlays=[Overlay(name="e", bases=[among_apps],
                                                      name_prefix="lab-")]))


def test_a_prefix_on_an_environment_without_applications_is_refused() -> None:
    base = metallb.metallb_base(pools=[metallb.ip_address_pool("p", ["10.0.0.0/24"])])
    with pytest.raises(InputError) as e:
        check_cluster(Cluster(name="c", overlays=[Overlay(name="e", bases=[base],
                                                          name_prefix="lab-")]))
    assert one_line(e).startswith("Overlay/e: namePrefix/nameSuffix: applies to the "
                                  "environment's applications, and it has none")


# ---------------------------------------------------------------- default tree


@pytest.fixture(scope="module")
def rendered(
    kubectl: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[dict[str, Any]]]:
    from kustgen import write
    from kustgen.default import fleet

    out = tmp_path_factory.mktemp("default")
    write(fleet, out)
    result = {}
    for env in fleet.envs():
        proc = subprocess.run(
            [kubectl, "kustomize", str(out / "overlays" / env)],
            capture_output=True,
            text=True,
            check=True,
        )
        result[env] = [d for d in yaml.safe_load_all(proc.stdout) if d]
    return result


def test_default_overlays_keep_metallb_references_intact(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    """Every reference resolves on the cluster the environment runs on: preview
    shares the lab cluster with staging, its pool and storage class included."""
    from kustgen.default import fleet

    for cluster in fleet.clusters:
        docs = [d for env in cluster.envs() for d in rendered[env]]
        pools = {d["metadata"]["name"] for d in docs if d["kind"] == "IPAddressPool"}
        peers = {d["metadata"]["name"] for d in docs if d["kind"] == "BGPPeer"}
        classes = {d["metadata"]["name"] for d in docs if d["kind"] == "StorageClass"}
        for d in docs:
            if d["apiVersion"].startswith(("metallb.io/", "longhorn.io/")):
                assert d["metadata"]["namespace"] in ("metallb-system", "longhorn-system"), d
            if d["kind"] in ("BGPAdvertisement", "L2Advertisement"):
                assert set(d["spec"].get("ipAddressPools", [])) <= pools, (cluster.name, d)
                assert set(d["spec"].get("peers", [])) <= peers, (cluster.name, d)
            annotation = (d["metadata"].get("annotations") or {}).get("metallb.io/address-pool")
            if annotation:
                assert annotation in pools, (cluster.name, d)
            if d["kind"] == "PersistentVolumeClaim":
                assert d["spec"]["storageClassName"] in classes, (cluster.name, d)
    preview = {(d["kind"], d["metadata"]["name"]): d for d in rendered["preview"]}
    service = preview[("Service", "preview-minecraft")]
    assert service["metadata"]["namespace"] == "minecraft-preview"
    assert service["metadata"]["annotations"]["metallb.io/address-pool"] == "lab-pool"


def test_default_has_the_seed_values(rendered: dict[str, list[dict[str, Any]]]) -> None:
    prod = {(d["kind"], d["metadata"]["name"]): d for d in rendered["production"]}
    peer = prod[("BGPPeer", "router")]
    assert peer["apiVersion"] == "metallb.io/v1beta2"
    assert peer["spec"] == {"myASN": 64501, "peerASN": 65530, "peerAddress": "10.0.0.1"}
    assert prod[("IPAddressPool", "main-pool")]["spec"]["addresses"] == ["10.6.0.0-10.6.255.255"]
    assert prod[("IPAddressPool", "main-v6-pool")]["spec"]["addresses"] == [
        "2a10:3781:2235:a4::1-2a10:3781:2235:a8::1"
    ]
    assert prod[("BGPAdvertisement", "main")]["spec"]["ipAddressPools"] == [
        "main-pool",
        "main-v6-pool",
    ]
    claim = prod[("PersistentVolumeClaim", "gitlab-data-claim")]
    assert claim["metadata"]["namespace"] == "gitlab"
    assert claim["spec"]["storageClassName"] == "longhorn-retain"
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "100Gi"
    assert prod[("StorageClass", "longhorn-retain")]["reclaimPolicy"] == "Retain"
    svc = prod[("Service", "minecraft")]["spec"]
    assert svc["type"] == "LoadBalancer" and svc["externalTrafficPolicy"] == "Local"
    assert svc["ports"][0]["port"] == 25565
    assert prod[("Setting", "auto-salvage")]["value"] == "true"
