"""A Minecraft Java server (``itzg/minecraft-server``) on a retained Longhorn volume.

A single-replica Deployment with ``Recreate`` (two pods must never open one
world), the world on a PVC (``longhorn-retain`` by default, so it survives the
claim), and a ``LoadBalancer`` Service on 25565 with ``externalTrafficPolicy:
Local`` so the server sees players' addresses.  ``address_pool`` picks the
MetalLB pool; on k3s disable the built-in servicelb (see
:mod:`kustgen.catalog.metallb`).
"""

from __future__ import annotations

from collections.abc import Mapping

from kustgen.catalog.app import App, Port, ServiceDef, Storage, container_app
from kustgen.catalog.metallb import IPS_ANNOTATION, POOL_ANNOTATION
from kustgen.k8s import core_v1 as core

IMAGE = "itzg/minecraft-server"
TAG = "2025.6.2-java21"
PORT = 25565


def minecraft(
    *,
    name: str = "minecraft",
    namespace: str = "minecraft",
    tag: str = TAG,
    server_type: str = "PAPER",
    memory: str = "3G",
    world_size: str = "20Gi",
    storage_class: str = "longhorn-retain",
    address_pool: str | None = None,
    load_balancer_ips: str | None = None,
    requests: Mapping[str, str] | None = None,
    limits: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> App:
    """The server; ``memory`` is the JVM heap, keep the memory limit ~1 GiB above it.

    ``env`` adds image settings (``DIFFICULTY``, ``MOTD``, ``VERSION``, ...).
    """
    annotations = {}
    if address_pool:
        annotations[POOL_ANNOTATION] = address_pool
    if load_balancer_ips:
        annotations[IPS_ANNOTATION] = load_balancer_ips
    # `mc-health` ships in the image and pings the server over its own protocol.
    health = core.ExecAction(command=["mc-health"])
    return container_app(
        name,
        namespace=namespace,
        image=f"{IMAGE}:{tag}",
        env={"EULA": "TRUE", "TYPE": server_type, "MEMORY": memory, **(env or {})},
        ports=[Port("minecraft", PORT)],
        storage=[Storage("data", "/data", world_size, storage_class=storage_class)],
        services=[
            ServiceDef(
                type="LoadBalancer", external_traffic_policy="Local", annotations=annotations
            )
        ],
        resources=core.ResourceRequirements(
            requests=dict(requests or {"cpu": "1", "memory": "4Gi"}),
            limits=dict(limits or {"memory": "4Gi"}),
        ),
        startup_probe=core.Probe(exec=health, period_seconds=10, failure_threshold=30),
        readiness_probe=core.Probe(exec=health, period_seconds=10),
        liveness_probe=core.Probe(exec=health, period_seconds=30, failure_threshold=5),
        fs_group=1000,
    )
