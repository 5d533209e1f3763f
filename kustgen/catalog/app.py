"""One container app with volumes and Services, in a few lines.

:func:`container_app` makes the namespace, one PersistentVolumeClaim per
:class:`Storage`, a single-replica Deployment and the Services, and returns
them as an :class:`App` whose ``base`` goes into a cluster::

    from kustgen.catalog.app import Port, Storage, container_app

    whoami = container_app(
        "whoami", image="traefik/whoami:v1.10", ports=[Port("http", 80)],
        storage=[Storage("data", "/data", "1Gi")],
    )
    # Cluster(..., overlays=[Overlay(name="prod", bases=[whoami.base])])

Why a Deployment and not a StatefulSet: these apps run one pod on claims
with fixed, known names (``gitlab-data-claim``) that exist independently of
the workload; a StatefulSet's ``volumeClaimTemplates`` would name the claims
``<template>-<set>-0`` and cannot be resized through the template.  The
``Recreate`` strategy stops the old pod before the new one mounts the volumes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from kustgen import Base, ConflictError, InputError
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta

#: Label every object of an app carries; the pod selector uses it too.
NAME_LABEL = "app.kubernetes.io/name"


@dataclass(frozen=True)
class Port:
    """A container port, by name (Services refer to it by this name)."""

    name: str
    port: int
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"


@dataclass(frozen=True)
class Storage:
    """A volume on its own PersistentVolumeClaim, mounted at ``mount_path``."""

    name: str
    mount_path: str
    size: str
    storage_class: str = "longhorn-retain"
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany", "ReadWriteOncePod"] = "ReadWriteOnce"
    #: Defaults to ``<app>-<name>``.
    claim_name: str | None = None
    #: Extra claim labels, e.g. ``longhorn.recurring_job_labels("daily")``.
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class ServiceDef:
    """A Service over some of the app's ports (by name; all if empty)."""

    name: str | None = None  # defaults to the app's name
    ports: Sequence[str] = ()
    type: Literal["ClusterIP", "LoadBalancer", "NodePort"] = "ClusterIP"
    #: ``Local`` keeps client source addresses; only for LoadBalancer/NodePort.
    external_traffic_policy: Literal["Local", "Cluster"] | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class App:
    """What :func:`container_app` made; ``base`` holds all of it."""

    base: Base
    namespace: core.Namespace | None
    claims: dict[str, core.PersistentVolumeClaim]
    deployment: apps.Deployment
    services: dict[str, core.Service]


def container_app(
    name: str,
    *,
    image: str,
    namespace: str | None = None,
    ports: Sequence[Port] = (),
    storage: Sequence[Storage] = (),
    services: Sequence[ServiceDef] | None = None,
    env: Mapping[str, str] | None = None,
    env_from_refs: Sequence[core.EnvVar] = (),
    resources: core.ResourceRequirements | None = None,
    readiness_probe: core.Probe | None = None,
    liveness_probe: core.Probe | None = None,
    startup_probe: core.Probe | None = None,
    fs_group: int | None = None,
    labels: Mapping[str, str] | None = None,
    extra_objects: Sequence[object] = (),
    create_namespace: bool = True,
) -> App:
    """A single-replica Deployment of ``image`` with ``storage`` claims and Services.

    ``namespace`` defaults to ``name``.  Without ``services`` one ClusterIP
    Service named after the app covers every port.  ``env_from_refs`` are
    extra ``EnvVar`` entries (Secret or ConfigMap references); put secret
    values there, never in ``env``.
    """
    ns = namespace or name
    selector = {NAME_LABEL: name}
    all_labels = {**selector, **(labels or {})}

    def metadata(obj_name: str, **extra: Mapping[str, str] | None) -> meta.ObjectMeta:
        extra_labels = dict(extra.get("labels") or {})
        annotations = dict(extra.get("annotations") or {}) or None
        return meta.ObjectMeta(
            name=obj_name,
            namespace=ns,
            labels={**all_labels, **extra_labels},
            annotations=annotations,
        )

    port_names = [p.name for p in ports]
    if len(set(port_names)) != len(port_names):
        raise ConflictError("two ports share a name", obj=f"Deployment/{name}", field="ports")
    claims: dict[str, core.PersistentVolumeClaim] = {}
    claim_names = {s.name: s.claim_name or f"{name}-{s.name}" for s in storage}
    for s in storage:
        claim = claim_names[s.name]
        claims[s.name] = core.PersistentVolumeClaim(
            metadata=metadata(claim, labels=s.labels),
            spec=core.PersistentVolumeClaimSpec(
                access_modes=[s.access_mode],
                storage_class_name=s.storage_class,
                resources=core.VolumeResourceRequirements(requests={"storage": s.size}),
            ),
        )
    container = core.Container(
        name=name,
        image=image,
        env=[core.EnvVar(name=k, value=v) for k, v in (env or {}).items()] + list(env_from_refs)
        or None,
        ports=[
            core.ContainerPort(name=p.name, container_port=p.port, protocol=p.protocol)
            for p in ports
        ]
        or None,
        resources=resources,
        readiness_probe=readiness_probe,
        liveness_probe=liveness_probe,
        startup_probe=startup_probe,
        volume_mounts=[core.VolumeMount(name=s.name, mount_path=s.mount_path) for s in storage]
        or None,
    )
    deployment = apps.Deployment(
        metadata=metadata(name),
        spec=apps.DeploymentSpec(
            replicas=1,
            strategy=apps.DeploymentStrategy(type="Recreate"),
            selector=meta.LabelSelector(match_labels=selector),
            template=core.PodTemplateSpec(
                metadata=meta.ObjectMeta(labels=all_labels),
                spec=core.PodSpec(
                    security_context=core.PodSecurityContext(fs_group=fs_group)
                    if fs_group
                    else None,
                    containers=[container],
                    volumes=[
                        core.Volume(
                            name=s.name,
                            persistent_volume_claim=core.PersistentVolumeClaimVolumeSource(
                                claim_name=claim_names[s.name]
                            ),
                        )
                        for s in storage
                    ]
                    or None,
                ),
            ),
        ),
    )
    by_name = {p.name: p for p in ports}
    made: dict[str, core.Service] = {}
    for sdef in services if services is not None else ([ServiceDef()] if ports else []):
        svc_name = sdef.name or name
        unknown = [p for p in sdef.ports if p not in by_name]
        if unknown:
            raise InputError(
                f"no container port named {unknown[0]!r}",
                obj=f"Service/{svc_name}",
                field="spec.ports",
            )
        if sdef.external_traffic_policy and sdef.type == "ClusterIP":
            raise InputError(
                "externalTrafficPolicy needs type LoadBalancer or NodePort",
                obj=f"Service/{svc_name}",
                field="spec.externalTrafficPolicy",
            )
        chosen = [by_name[p] for p in sdef.ports] if sdef.ports else list(ports)
        made[svc_name] = core.Service(
            metadata=metadata(svc_name, annotations=sdef.annotations),
            spec=core.ServiceSpec(
                type=sdef.type,
                external_traffic_policy=sdef.external_traffic_policy,
                selector=selector,
                ports=[
                    core.ServicePort(
                        name=p.name, port=p.port, target_port=p.name, protocol=p.protocol
                    )
                    for p in chosen
                ],
            ),
        )
    namespace_obj = core.Namespace(metadata=meta.ObjectMeta(name=ns)) if create_namespace else None
    objects = [
        *([namespace_obj] if namespace_obj else []),
        *claims.values(),
        *extra_objects,
        deployment,
        *made.values(),
    ]
    base = Base(name=name, objects=objects)  # type: ignore[arg-type]
    return App(
        base=base, namespace=namespace_obj, claims=claims, deployment=deployment, services=made
    )
