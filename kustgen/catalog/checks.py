"""Cluster-wide checks for the catalog's pinned-namespace custom resources."""

from __future__ import annotations

from collections.abc import Mapping

from kustgen import Base, Cluster, ConflictError, to_dict

#: Namespaces MetalLB and Longhorn read their configuration from.
FIXED_NAMESPACES = ("metallb-system", "longhorn-system")


def check_cluster(cluster: Cluster) -> Cluster:
    """Refuse overlays that would rename or move MetalLB/Longhorn objects; return ``cluster``.

    Kustomize does not rewrite pool and peer names inside MetalLB's custom
    resources when ``namePrefix``/``nameSuffix`` applies, so an advertisement
    would name a pool that no longer exists; ``namespace:`` would move the
    objects out of the one namespace their controller reads.

    This refuses early, while the cluster is defined, and without rendering.
    ``kustgen validate`` (and ``build``) finds the same mistakes on the final
    objects as the lint rule ``cr-ref-broken``, naming each broken reference.
    """
    for overlay in cluster.overlays:
        for source in [*overlay.bases, *overlay.components, overlay]:
            for obj in source.objects:
                data = dict(obj) if isinstance(obj, Mapping) else to_dict(obj)
                namespace = (data.get("metadata") or {}).get("namespace")
                if namespace not in FIXED_NAMESPACES:
                    continue
                for field, value in (
                    ("namePrefix", overlay.name_prefix),
                    ("nameSuffix", overlay.name_suffix),
                    ("namespace", overlay.namespace or getattr(source, "namespace", None)
                     or (overlay.base_namespaces.get(source.name)
                         if isinstance(source, Base) else None)),
                ):
                    if value:
                        kind, name = data["kind"], data["metadata"]["name"]
                        raise ConflictError(
                            f"{field} {value!r} would apply to {kind}/{name} in {namespace}; "
                            "keep that base in overlays without it",
                            obj=f"Overlay/{overlay.name}",
                            field=field,
                        )
    return cluster
