"""Synthetic clusters of N apps x 3 environments, for the benchmarks (APPS env var or argument).

``cluster_of(n)``: bases of 4 objects per app (ConfigMap, PVC, Deployment,
Service) and three overlays with a label, three images, ten replicas and one
``Patch.strategic`` per app.  ``targeted_of(n)``: the same overlays with every
patch listed with a ``target``.  ``environments_of(n)``: the same apps, each
environment described as changes (``Environment``) that the planner turns
into overlays.  As module attributes (``synthetic:cluster`` ...) they are built
for ``$APPS`` apps, so ``kustgen --target`` can load them in a fresh process.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from kustgen import (
    Base,
    Cluster,
    Environment,
    External,
    Image,
    Label,
    Objects,
    Overlay,
    Patch,
    Replica,
)
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta

ENVS = ("dev", "staging", "production")
#: The apps' namespace and storage class are provided outside these clusters.
EXTERNAL = External(namespaces=["apps"], storage_classes=["longhorn"])


def app(index: int) -> list[Any]:
    name = f"app-{index:03d}"
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench"}
    metadata = meta.ObjectMeta(name=name, namespace="apps", labels=labels)
    container = core.Container(
        name=name,
        image=f"registry.example/{name}:1.0.{index}",
        ports=[core.ContainerPort(container_port=8080, name="http")],
        env_from=[core.EnvFromSource(config_map_ref=core.ConfigMapEnvSource(name=name))],
        resources=core.ResourceRequirements(requests={"cpu": "100m", "memory": "128Mi"}),
        volume_mounts=[core.VolumeMount(name="data", mount_path="/data")],
    )
    claim = core.PersistentVolumeClaimVolumeSource(claim_name=name)
    return [
        core.ConfigMap(metadata=metadata, data={"LOG_LEVEL": "info", "PORT": "8080"}),
        core.PersistentVolumeClaim(
            metadata=metadata,
            spec=core.PersistentVolumeClaimSpec(
                access_modes=["ReadWriteOnce"],
                storage_class_name="longhorn",
                resources=core.VolumeResourceRequirements(requests={"storage": "1Gi"}),
            ),
        ),
        apps.Deployment(
            metadata=metadata,
            spec=apps.DeploymentSpec(
                replicas=1,
                selector=meta.LabelSelector(match_labels=labels),
                template=core.PodTemplateSpec(
                    metadata=meta.ObjectMeta(labels=labels),
                    spec=core.PodSpec(
                        containers=[container],
                        volumes=[core.Volume(name="data", persistent_volume_claim=claim)],
                    ),
                ),
            ),
        ),
        core.Service(
            metadata=metadata,
            spec=core.ServiceSpec(
                selector=labels, ports=[core.ServicePort(port=80, target_port="http")]
            ),
        ),
    ]


def bases(apps_count: int) -> list[Base]:
    return [Base(name=f"app-{i:03d}", objects=app(i)) for i in range(apps_count)]


def cluster_of(apps_count: int, *, targets: bool = False) -> Cluster:
    shared = bases(apps_count)
    overlays = []
    for env in ENVS:
        patches = [
            Patch.strategic(
                base.objects[1], {"spec": {"resources": {"requests": {"storage": "5Gi"}}}}
            )
            for base in shared
        ]
        if targets:
            patches = [dataclasses.replace(p, by_id=False) for p in patches]
        overlays.append(
            Overlay(
                name=env,
                bases=shared,
                labels=[Label(pairs={"environment": env})],
                images=[Image(name=f"registry.example/app-{i:03d}", new_tag=env) for i in range(3)],
                replicas=[Replica(name=b.name, count=2) for b in shared[:10]],
                patches=patches,
            )
        )
    return Cluster(name="bench", overlays=overlays, external=EXTERNAL)


def targeted_of(apps_count: int) -> Cluster:
    return cluster_of(apps_count, targets=True)


def environments_of(apps_count: int) -> Cluster:
    shared = bases(apps_count)

    def change(env: str) -> Any:
        def edit(objs: Objects) -> None:
            objs.label({"environment": env})
            for i in range(apps_count):
                name = f"app-{i:03d}"
                claim = objs.get(core.PersistentVolumeClaim, name, "apps")
                assert claim.spec is not None
                claim.spec.resources = core.VolumeResourceRequirements(
                    requests={"storage": "5Gi"})
                deployment = objs.get(apps.Deployment, name, "apps")
                assert deployment.spec is not None and deployment.spec.template.spec
                deployment.spec.template.spec.containers[0].image = (
                    f"registry.example/{name}:{env}")
                if i < 10:
                    deployment.spec.replicas = 2
        return edit

    overlays = [
        Environment(name=env, bases=shared, change=change(env)).overlay() for env in ENVS
    ]
    return Cluster(name="bench", overlays=overlays, external=EXTERNAL)


def __getattr__(name: str) -> Any:
    """``synthetic:cluster`` etc. for ``kustgen --target``, of ``$APPS`` apps."""
    makers = {"cluster": cluster_of, "targeted": targeted_of, "environments": environments_of}
    if name in makers:
        value = makers[name](int(os.environ.get("APPS", "200")))
        globals()[name] = value
        return value
    raise AttributeError(name)
