"""The embedded default cluster: what `kustgen build` builds with no target.

The seed's bare-metal k3s cluster, built from :mod:`kustgen.catalog`:
Longhorn storage (a retained class, recurring snapshots and backups,
settings), MetalLB announcing ``main-pool``/``main-v6-pool`` over BGP to the
router at 10.0.0.1, GitLab and a Minecraft server.  Two environments:

* ``production`` -- the seed as it is: BGP, full-size volumes and resources.
* ``staging`` -- a small lab: MetalLB in L2 mode on a LAN pool, two Longhorn
  replicas, smaller volumes and requests, and newer image tags to try first.

No overlay sets a namespace or name prefix: MetalLB and Longhorn objects must
stay in their own namespaces and keep their names (see
:func:`kustgen.catalog.check_cluster`).  The Longhorn installation itself is
the optional base ``longhorn-install`` (apply it first; it needs the network).
"""

from __future__ import annotations

from kustgen import Cluster, External, Image, Label, Overlay, Patch
from kustgen.catalog import longhorn, metallb
from kustgen.catalog.checks import check_cluster
from kustgen.catalog.gitlab import gitlab
from kustgen.catalog.minecraft import minecraft

# -- storage ------------------------------------------------------------------
volumes = longhorn.VolumeParameters(
    number_of_replicas=3,
    stale_replica_timeout=30,
    recurring_job_selector=[longhorn.JobSelector(name="default")],
)
storage = longhorn.longhorn_base(
    default_class=longhorn.default_class_config(parameters=volumes),
    storage_classes=[longhorn.storage_class("longhorn-retain", parameters=volumes)],
    jobs=longhorn.default_jobs(),
    settings=longhorn.default_settings(replica_count=3),
    target=longhorn.backup_target(
        "s3://longhorn-backups@us-east-1/home", credential_secret="longhorn-backup-credentials"
    ),
)
longhorn_install = longhorn.install_base()

# -- load balancing -------------------------------------------------------------
main_pool = metallb.ip_address_pool("main-pool", ["10.6.0.0-10.6.255.255"])
main_v6_pool = metallb.ip_address_pool(
    "main-v6-pool", ["2a10:3781:2235:a4::1-2a10:3781:2235:a8::1"]
)
bgp = metallb.metallb_base(
    "metallb-bgp",
    pools=[main_pool, main_v6_pool],
    peers=[metallb.bgp_peer("router", my_asn=64501, peer_asn=65530, peer_address="10.0.0.1")],
    advertisements=[metallb.bgp_advertisement("main", pools=["main-pool", "main-v6-pool"])],
)
lab_pool = metallb.ip_address_pool("lab-pool", ["192.168.50.200-192.168.50.250"])
l2 = metallb.metallb_base(
    "metallb-l2",
    pools=[lab_pool],
    advertisements=[metallb.l2_advertisement("lab", pools=["lab-pool"])],
)

# -- apps -----------------------------------------------------------------------
git = gitlab(external_url="https://gitlab.example.com", ssh_address_pool="main-pool")
mc = minecraft(address_pool="main-pool")
apps = [git.base, mc.base]


def _container(name: str, **fields: object) -> dict[str, object]:
    """A strategic-merge patch of one container of a Deployment's pod template."""
    return {"spec": {"template": {"spec": {"containers": [{"name": name, **fields}]}}}}


def _storage(size: str) -> dict[str, object]:
    return {"spec": {"resources": {"requests": {"storage": size}}}}


staging = Overlay(
    name="staging",
    bases=[storage, l2, *apps],
    labels=[Label(pairs={"environment": "staging"})],
    images=[
        Image(name="itzg/minecraft-server", new_tag="2025.10.2-java21"),
        Image(name="gitlab/gitlab-ce", new_tag="18.0.1-ce.0"),
    ],
    patches=[
        Patch.strategic(longhorn.setting("default-replica-count", 2), {"value": "2"}),
        Patch.strategic(mc.claims["data"], _storage("5Gi")),
        Patch.strategic(git.claims["data"], _storage("20Gi")),
        Patch.strategic(
            mc.deployment,
            _container(
                "minecraft",
                env=[{"name": "MEMORY", "value": "1G"}],
                resources={
                    "requests": {"cpu": "500m", "memory": "1536Mi"},
                    "limits": {"memory": "1536Mi"},
                },
            ),
        ),
        Patch.strategic(
            git.deployment,
            _container(
                "gitlab",
                resources={"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "4Gi"}},
            ),
        ),
        Patch.strategic(
            mc.services["minecraft"],
            {"metadata": {"annotations": metallb.pool_annotation(lab_pool)}},
        ),
        Patch.strategic(
            git.services["gitlab-ssh"],
            {"metadata": {"annotations": metallb.pool_annotation(lab_pool)}},
        ),
    ],
)

production = Overlay(
    name="production",
    bases=[storage, bgp, *apps],
    labels=[Label(pairs={"environment": "production"})],
    patches=[
        Patch.strategic(mc.claims["data"], _storage("50Gi")),
        Patch.strategic(
            mc.deployment,
            _container(
                "minecraft",
                env=[{"name": "MEMORY", "value": "6G"}],
                resources={"requests": {"cpu": "2", "memory": "8Gi"}, "limits": {"memory": "8Gi"}},
            ),
        ),
    ],
)

cluster = check_cluster(
    Cluster(
        name="home",
        bases=[longhorn_install],
        overlays=[staging, production],
        # Created by the Longhorn and MetalLB installations, not by these overlays.
        external=External(namespaces=["longhorn-system", "metallb-system"]),
    )
)
