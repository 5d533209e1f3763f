"""cr-ref-broken: what an overlay's namePrefix/nameSuffix or namespace breaks in custom resources.

Kustomize does not rewrite names inside custom resources (FACTS §3.3): an
advertisement still names pool ``main`` after the pool became ``lab-main``,
a StorageClass selector or PVC label still names the old recurring job, and
Longhorn finds Settings and BackupTargets by name.  A ``namespace:`` moves
MetalLB and Longhorn objects out of the one namespace their controllers read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from kustgen.lint.context import Context, Hit, api_group, meta, namespace_of
from kustgen.lint.metallb import GROUP, NAMESPACE
from kustgen.lint.rules_metallb import names, references

LONGHORN_GROUP = "longhorn.io"
LONGHORN_NAMESPACE = "longhorn-system"
#: Longhorn objects its manager finds by their name: a prefix makes them different objects.
LONGHORN_BY_NAME = ("Setting", "BackupTarget")


def broken_by_overlay(ctx: Context) -> Iterator[Hit]:
    """cr-ref-broken: the overlay's namePrefix/nameSuffix or namespace broke a custom resource.

    Kustomize does not rewrite names inside custom resources, and MetalLB and
    Longhorn read their objects from one namespace only (FACTS §3.3).
    """
    for adv, field, kind, name in references(ctx):
        known = names(ctx, kind, GROUP)
        if name not in known and ctx.renamed(name) in known:
            yield (
                adv,
                field,
                (
                    f"names {kind} {name!r}, renamed {ctx.renamed(name)!r} by the overlay's "
                    "namePrefix/nameSuffix (kustomize does not rewrite names in custom resources)"
                ),
            )
    secrets = names(ctx, "Secret", "")
    secret_refs = [
        ("BGPPeer", GROUP, "spec.passwordSecret.name"),
        ("BackupTarget", LONGHORN_GROUP, "spec.credentialSecret"),
    ]
    for kind, group, path in secret_refs:
        for obj in ctx.of_kind(kind, group):
            value: object = obj
            for key in path.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            if isinstance(value, str) and value not in secrets and ctx.renamed(value) in secrets:
                yield (
                    obj,
                    path,
                    (f"names Secret {value!r}, renamed {ctx.renamed(value)!r} by the overlay"),
                )
    yield from _recurring_job_refs(ctx)
    renamed = _renamed_by_prefix(ctx)
    for obj in ctx.objects:
        group = api_group(obj)
        home = {GROUP: NAMESPACE, LONGHORN_GROUP: LONGHORN_NAMESPACE}.get(group)
        if home is None:
            continue
        namespace = namespace_of(obj)
        if namespace != home:
            yield (
                obj,
                "metadata.namespace",
                (
                    f"{group} objects are read from {home} only; the overlay's namespace "
                    f"moved this one to {namespace or 'none'}"
                ),
            )
        name = str(meta(obj).get("name", ""))
        if (group == LONGHORN_GROUP and obj.get("kind") in LONGHORN_BY_NAME
                and (str(obj.get("kind")), name) in renamed):
            yield (
                obj,
                "metadata.name",
                (
                    f"Longhorn finds a {obj['kind']} by its name; the overlay's "
                    "namePrefix/nameSuffix renamed it"
                ),
            )


def _renamed_by_prefix(ctx: Context) -> set[tuple[str, str]]:
    """(kind, name) of the objects the overlay's namePrefix/nameSuffix renamed: those
    of its applications layer (see kustgen.layers), as they are named now."""
    prefix, suffix = ctx.overlay.name_prefix or "", ctx.overlay.name_suffix or ""
    if not prefix and not suffix:
        return set()
    from kustgen.layers import split

    return {
        (str(o["kind"]), f"{prefix}{o['metadata']['name']}{suffix}")
        for piece in split(ctx.overlay) if piece.layer.environment
        for o in piece.objects
    }


def _recurring_job_refs(ctx: Context) -> Iterator[Hit]:
    """Recurring jobs named by a StorageClass selector or a PVC label, renamed by the overlay."""
    jobs = names(ctx, "RecurringJob", LONGHORN_GROUP)

    def broken(name: str) -> bool:
        return name not in jobs and ctx.renamed(name) in jobs

    for sc in ctx.of_kind("StorageClass", "storage.k8s.io"):
        text = (sc.get("parameters") or {}).get("recurringJobSelector")
        try:
            selectors = json.loads(text) if isinstance(text, str) else []
        except ValueError:
            continue
        for entry in selectors if isinstance(selectors, list) else []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and not entry.get("isGroup") and broken(name):
                yield (
                    sc,
                    "parameters.recurringJobSelector",
                    (f"names RecurringJob {name!r}, renamed {ctx.renamed(name)!r} by the overlay"),
                )
    for pvc in ctx.of_kind("PersistentVolumeClaim", ""):
        for key in meta(pvc).get("labels") or {}:
            prefix, _, name = str(key).partition("/")
            if prefix == "recurring-job.longhorn.io" and name != "source" and broken(name):
                yield (
                    pvc,
                    f"metadata.labels.{key}",
                    (f"names RecurringJob {name!r}, renamed {ctx.renamed(name)!r} by the overlay"),
                )


def defined_in_same_layer(ctx: Context) -> Iterator[Hit]:
    """crd-same-layer: an object whose kind a CRD of its own layer defines.

    Flux and Argo CD apply CRDs before the rest of a unit; ``kubectl apply -k``
    of the layer fails until the CRD is established.
    """
    from kustgen.layers import defined_and_used, split

    kinds: dict[str, str] = {}
    for piece in split(ctx.overlay):
        for kind in defined_and_used(piece.objects):
            kinds[kind] = piece.layer.name
    for obj in ctx.objects if kinds else ():
        kind = f"{obj.get('kind')}.{api_group(obj)}"
        if kind in kinds:
            yield (obj, "kind", (
                f"{kind} is defined by a CustomResourceDefinition of the same layer "
                f"({kinds[kind]}): `kubectl apply -k` of it fails until the CRD is established "
                "(Flux and Argo CD apply CRDs first); put this object in a base of a later "
                "layer (Base(layer=...))"
            ))
