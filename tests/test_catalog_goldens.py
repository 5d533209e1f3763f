"""Golden tests for every catalog function (defaults and a non-default call) and
for the rendered environments of the embedded default cluster.

Goldens are reviewed like code: after an intended change of output run
`python -m pytest tests/test_catalog_goldens.py --update-goldens` and read the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kustgen import Base, to_dict
from kustgen.build import render_env
from kustgen.catalog import app, gitlab, longhorn, metallb, minecraft
from kustgen.yamlio import dump_all


def _documents(result: Any) -> list[dict[str, Any]]:
    """Plain objects of whatever a catalog function returns."""
    if isinstance(result, app.App):
        result = result.base
    if isinstance(result, Base):
        return result.plain_objects()
    if isinstance(result, list):
        return [to_dict(obj) for obj in result]
    return [to_dict(result)]


_PARAMETERS = longhorn.VolumeParameters(
    number_of_replicas=2,
    stale_replica_timeout=2880,
    data_locality="best-effort",
    fs_type="xfs",
    nfs_options="vers=4.2,soft",
)

CALLS: dict[str, Callable[[], Any]] = {
    "app_defaults": lambda: app.container_app("whoami", image="traefik/whoami:v1.10"),
    "app_custom": lambda: app.container_app(
        "wiki",
        image="requarks/wiki:2.5",
        namespace="docs",
        ports=[app.Port(name="http", port=3000)],
        storage=[
            app.Storage(name="data", mount_path="/data", size="5Gi", access_mode="ReadWriteMany")
        ],
        services=[
            app.ServiceDef(ports=["http"], type="LoadBalancer", external_traffic_policy="Local")
        ],
        env={"DB_TYPE": "sqlite"},
        fs_group=1000,
    ),
    "gitlab_defaults": lambda: gitlab.gitlab(),
    "gitlab_custom": lambda: gitlab.gitlab(
        tag="17.5.1-ce.0",
        external_url="https://git.home.example",
        data_size="200Gi",
        ssh_address_pool="main-pool",
        requests={"cpu": "2", "memory": "8Gi"},
    ),
    "minecraft_defaults": lambda: minecraft.minecraft(),
    "minecraft_custom": lambda: minecraft.minecraft(
        name="survival",
        namespace="games",
        memory="6G",
        world_size="50Gi",
        storage_class="longhorn",
        address_pool="main-pool",
        env={"DIFFICULTY": "hard"},
    ),
    "longhorn_storage_class_defaults": lambda: longhorn.storage_class(),
    "longhorn_storage_class_custom": lambda: longhorn.storage_class(
        "longhorn-fast", parameters=_PARAMETERS, reclaim_policy="Delete", is_default=True
    ),
    "longhorn_default_class_config_defaults": lambda: longhorn.default_class_config(),
    "longhorn_default_class_config_custom": lambda: longhorn.default_class_config(
        parameters=_PARAMETERS, is_default=False
    ),
    "longhorn_recurring_job": lambda: longhorn.recurring_job(
        "backup-daily", task="backup", cron="0 3 * * *", retain=14, concurrency=2, groups=["daily"]
    ),
    "longhorn_default_jobs": lambda: longhorn.default_jobs(),
    "longhorn_settings_defaults": lambda: longhorn.default_settings(),
    "longhorn_settings_custom": lambda: longhorn.default_settings(
        replica_count=2, auto_salvage=False
    ),
    "longhorn_backup_target": lambda: longhorn.backup_target(
        "s3://backups@us-east-1/longhorn", credential_secret="longhorn-s3"
    ),
    "longhorn_base_defaults": lambda: longhorn.longhorn_base(),
    "metallb_pool": lambda: metallb.ip_address_pool(
        "main-pool", ["10.6.0.0-10.6.255.255"], auto_assign=False
    ),
    "metallb_peer_defaults": lambda: metallb.bgp_peer(
        "router", my_asn=64501, peer_asn=65530, peer_address="10.0.0.1"
    ),
    "metallb_peer_custom": lambda: metallb.bgp_peer(
        "router-v6",
        my_asn=64501,
        dynamic_asn="external",
        peer_address="2a10:3781:2235::1",
        hold_time="90s",
        password_secret="bgp-auth",
    ),
    "metallb_bgp_advertisement": lambda: metallb.bgp_advertisement(
        "main", pools=["main-pool"], peers=["router"], aggregation_length=24
    ),
    "metallb_l2_advertisement": lambda: metallb.l2_advertisement(
        "lab", pools=["lab-pool"], interfaces=["eth0"]
    ),
    "metallb_base": lambda: metallb.metallb_base(
        pools=[
            metallb.ip_address_pool("main-pool", ["10.6.0.0/16"]),
            metallb.ip_address_pool("main-v6-pool", ["2a10:3781:2235:a4::1-2a10:3781:2235:a8::1"]),
        ],
        peers=[metallb.bgp_peer("router", my_asn=64501, peer_asn=65530, peer_address="10.0.0.1")],
        advertisements=[metallb.bgp_advertisement("main", pools=["main-pool", "main-v6-pool"])],
    ),
}


@pytest.mark.golden_test("goldens/catalog/*.yml")
def test_catalog_function(golden: Any) -> None:
    documents = _documents(CALLS[golden["input"]]())
    assert dump_all(documents) == golden.out["output"]


def test_every_catalog_call_has_a_golden() -> None:
    from pathlib import Path

    import yaml

    directory = Path(__file__).parent / "goldens" / "catalog"
    inputs = {yaml.safe_load(p.read_text())["input"] for p in directory.glob("*.yml")}
    assert inputs == set(CALLS)


@pytest.mark.golden_test("goldens/default_cluster.yml")
def test_default_cluster_environments(golden: Any) -> None:
    from kustgen.default import cluster

    rendered = {env: render_env(cluster, env) for env in cluster.envs()}
    assert rendered == golden.out["output"]
