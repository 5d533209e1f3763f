"""The embedded default cluster: what `kustgen build` builds with no target.

The seed's bare-metal k3s cluster, built from :mod:`kustgen.catalog`:
Longhorn storage (a retained class, recurring snapshots and backups,
settings), MetalLB announcing ``main-pool``/``main-v6-pool`` over BGP to the
router at 10.0.0.1, GitLab and a Minecraft server.  Two environments:

* ``production`` -- the seed as it is: BGP, full-size volumes and resources.
* ``staging`` -- a small lab: MetalLB in L2 mode on a LAN pool, two Longhorn
  replicas, smaller volumes and requests, and newer image tags to try first.

Each environment is described as changes to its bases' objects (``_staging``,
``_production``); :class:`kustgen.Environment` plans the overlays, which use
``labels`` and ``images`` and one small patch per changed object.

No overlay sets a namespace or name prefix: MetalLB and Longhorn objects must
stay in their own namespaces and keep their names (see
:func:`kustgen.catalog.check_cluster`).  The Longhorn and MetalLB installations
themselves are vendored, typed and pinned (``installs/longhorn-install``,
``installs/metallb-install``): apply them first; everything builds offline.
"""

from __future__ import annotations

from kustgen import Cluster, Environment, Objects, present
from kustgen.catalog import longhorn, metallb
from kustgen.catalog.checks import check_cluster
from kustgen.catalog.gitlab import gitlab
from kustgen.catalog.minecraft import minecraft
from kustgen.crds import longhorn_io as lh
from kustgen.k8s import apps_v1
from kustgen.k8s import core_v1 as core

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
longhorn_install = longhorn.install()

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
metallb_install = metallb.install()
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


def _container(objs: Objects, deployment: str, name: str) -> core.Container:
    return objs.container(apps_v1.Deployment, deployment, name)


def _size(container: core.Container, cpu: str, memory: str) -> None:
    """Requests of ``cpu`` and ``memory``, memory limited to what is requested."""
    container.resources = core.ResourceRequirements(
        requests={"cpu": cpu, "memory": memory}, limits={"memory": memory}
    )


def _java_memory(container: core.Container, value: str) -> None:
    """The Minecraft server's heap (``MEMORY``, listed first)."""
    rest = [e for e in container.env or [] if e.name != "MEMORY"]
    container.env = [core.EnvVar(name="MEMORY", value=value), *rest]


def _named(obj: core.PersistentVolumeClaim | core.Service) -> tuple[str, str | None]:
    meta = present(obj.metadata, "metadata")
    return present(meta.name, "metadata.name"), meta.namespace


def _claim_size(objs: Objects, claim: core.PersistentVolumeClaim, size: str) -> None:
    found = objs.get(core.PersistentVolumeClaim, *_named(claim))
    present(found.spec, "spec").resources = core.VolumeResourceRequirements(
        requests={"storage": size}
    )


def _retag(container: core.Container, tag: str) -> None:
    container.image = f"{(container.image or '').rpartition(':')[0]}:{tag}"


def _staging(objs: Objects) -> None:
    """A small lab: two Longhorn replicas, smaller volumes and requests, newer tags,
    Services announced from the LAN pool."""
    objs.label({"environment": "staging"})
    objs.get(lh.Setting, "default-replica-count").value = "2"
    _claim_size(objs, mc.claims["data"], "5Gi")
    _claim_size(objs, git.claims["data"], "20Gi")
    server = _container(objs, "minecraft", "minecraft")
    _retag(server, "2025.10.2-java21")
    _java_memory(server, "1G")
    _size(server, cpu="500m", memory="1536Mi")
    gitlab_ce = _container(objs, "gitlab", "gitlab")
    _retag(gitlab_ce, "18.0.1-ce.0")
    _size(gitlab_ce, cpu="1", memory="4Gi")
    for service in (mc.services["minecraft"], git.services["gitlab-ssh"]):
        metadata = present(objs.get(core.Service, *_named(service)).metadata, "metadata")
        metadata.annotations = {
            **(metadata.annotations or {}),
            **metallb.pool_annotation(lab_pool),
        }


def _production(objs: Objects) -> None:
    """The seed as it is, with a bigger Minecraft world and heap."""
    objs.label({"environment": "production"})
    _claim_size(objs, mc.claims["data"], "50Gi")
    server = _container(objs, "minecraft", "minecraft")
    _java_memory(server, "6G")
    _size(server, cpu="2", memory="8Gi")


staging = Environment(name="staging", bases=[storage, l2, *apps], change=_staging)
production = Environment(name="production", bases=[storage, bgp, *apps], change=_production)

cluster = check_cluster(
    Cluster(
        name="home",
        installs=[longhorn_install, metallb_install],
        overlays=[staging.overlay(), production.overlay()],
    )
)
