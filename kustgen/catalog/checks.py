"""Cluster-wide checks for the catalog's pinned-namespace custom resources."""

from __future__ import annotations

from typing import TypeVar

from kustgen import Base, Cluster, Component, ConflictError, Overlay
from kustgen.fleet import Fleet, as_fleet
from kustgen.layers import split

_T = TypeVar("_T", Cluster, Fleet)

#: Namespaces MetalLB and Longhorn read their configuration from.
FIXED_NAMESPACES = ("metallb-system", "longhorn-system")
#: Kinds whose every reference kustomize can be taught to follow (see
#: ``kustgen.crossrefs``): a name prefix may rename them.
FOLLOWED = frozenset({
    ("metallb.io", "IPAddressPool"), ("metallb.io", "BGPPeer"),
    ("metallb.io", "BGPAdvertisement"), ("metallb.io", "L2Advertisement"), ("", "Secret"),
})


def check_cluster(cluster: _T) -> _T:
    """Refuse environments that would move or wrongly rename MetalLB/Longhorn objects;
    return ``cluster`` (a cluster or a fleet).

    An environment's ``namespace``, ``namePrefix`` and ``nameSuffix`` apply to
    its applications only (see :mod:`kustgen.layers`): MetalLB's and
    Longhorn's configuration is in the ``config`` layer and stays as it is.
    This refuses what is still wrong: such an object put in the applications
    layer (``Base(layer="apps")``, or a base mixing it with workloads) under a
    ``namespace`` (it would leave the one namespace its controller reads) or
    under a prefix or suffix when it is one kustomize cannot rename with every
    reference (a Longhorn Setting, BackupTarget or RecurringJob is found by
    name or named inside label keys; MetalLB's pools, peers and
    advertisements follow by the emitted ``configurations:``).  A base's own
    ``namespace`` on such objects is refused in any layer.

    This refuses early, while the cluster is defined, and without rendering.
    ``kustgen validate`` (and ``build``) finds the same mistakes on the final
    objects as the lint rule ``cr-ref-broken``, naming each broken reference.
    """
    for overlay in as_fleet(cluster).overlays:
        for piece in split(overlay):
            env: Overlay = piece.overlay
            sources: list[Base | Component] = [*env.bases, *env.components]
            for source in sources:
                moved = source.namespace or (env.base_namespaces.get(source.name)
                                             if isinstance(source, Base) else None)
                if moved:
                    _refuse_moved(overlay.name, source.plain_objects(), "namespace",
                                  moved, f"{type(source).__name__.lower()} {source.name}")
            if not piece.layer.environment:
                continue
            if env.namespace:
                _refuse_moved(overlay.name, piece.objects, "namespace", env.namespace, "")
            rename = env.name_prefix or env.name_suffix
            if rename:
                field = "namePrefix" if env.name_prefix else "nameSuffix"
                kept = [o for o in piece.objects if _group_kind(o) not in FOLLOWED]
                _refuse_moved(overlay.name, kept, field, rename, "")
    return cluster


def _group_kind(data: dict[str, object]) -> tuple[str, str]:
    return (str(data.get("apiVersion", "")).rpartition("/")[0], str(data.get("kind")))


def _refuse_moved(env: str, objects: list[dict[str, object]], field: str, value: str,
                  where: str) -> None:
    for data in objects:
        metadata = data.get("metadata")
        namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
        if namespace not in FIXED_NAMESPACES:
            continue
        assert isinstance(metadata, dict)
        kind, name = data["kind"], metadata["name"]
        place = f" of {where}" if where else " of its applications layer"
        raise ConflictError(
            f"{field} {value!r}{place} would apply to {kind}/{name} in {namespace}; "
            "keep it in the config layer (Base(layer=\"config\")) or out of this environment",
            obj=f"Overlay/{env}",
            field=field,
        )
