"""Rules on MetalLB's own objects: addresses, overlaps, references between them."""

from __future__ import annotations

import json
from collections.abc import Iterator

from kustgen.lint.context import Context, Hit, Obj, api_group, meta, name_of, namespace_of, spec
from kustgen.lint.metallb import GROUP, NAMESPACE, Range, parse_range, pools

LONGHORN_GROUP = "longhorn.io"
LONGHORN_NAMESPACE = "longhorn-system"
#: Longhorn objects its manager finds by their name: a prefix makes them different objects.
LONGHORN_BY_NAME = ("Setting", "BackupTarget")


def pool_address(ctx: Context) -> Iterator[Hit]:
    """metallb-address: an address entry MetalLB cannot parse."""
    for obj in ctx.of_kind("IPAddressPool", GROUP):
        for i, text in enumerate(spec(obj).get("addresses") or []):
            if not isinstance(text, str) or parse_range(i, text) is None:
                yield obj, f"spec.addresses[{i}]", (
                    f"{text!r} is not a CIDR or a FIRST-LAST range of one IP family, start <= end"
                )


def pool_overlap(ctx: Context) -> Iterator[Hit]:
    """metallb-pool-overlap: two address ranges (in one pool or two) share addresses."""
    seen: list[tuple[str, int, str, Range]] = []
    for pool in pools(ctx).values():
        for r in pool.ranges:
            for other_pool, other_index, other_text, other in seen:
                if r.overlaps(other):
                    where = "" if other_pool == pool.name else f"IPAddressPool/{other_pool} "
                    yield pool.obj, f"spec.addresses[{r.index}]", (
                        f"{r.text!r} overlaps {where}spec.addresses[{other_index}] {other_text!r}"
                    )
                    break
            seen.append((pool.name, r.index, r.text, r))


def _references(ctx: Context) -> Iterator[tuple[Obj, str, str, str]]:
    """(advertisement, field, kind referred to, name) of every pool and peer reference."""
    for kind in ("BGPAdvertisement", "L2Advertisement"):
        for adv in ctx.of_kind(kind, GROUP):
            for i, name in enumerate(spec(adv).get("ipAddressPools") or []):
                yield adv, f"spec.ipAddressPools[{i}]", "IPAddressPool", str(name)
            if kind == "BGPAdvertisement":
                for i, name in enumerate(spec(adv).get("peers") or []):
                    yield adv, f"spec.peers[{i}]", "BGPPeer", str(name)


def _names(ctx: Context, kind: str, group: str) -> set[str]:
    return {name_of(o) for o in ctx.of_kind(kind, group)}


def unknown_reference(ctx: Context) -> Iterator[Hit]:
    """metallb-unknown-ref: an advertisement names a pool or peer that does not exist."""
    for adv, field, kind, name in _references(ctx):
        known = _names(ctx, kind, GROUP)
        if name not in known and ctx.renamed(name) not in known:
            yield adv, field, f"names {kind} {name!r}, which this environment does not define"


def broken_by_overlay(ctx: Context) -> Iterator[Hit]:
    """cr-ref-broken: the overlay's namePrefix/nameSuffix or namespace broke a custom resource.

    Kustomize does not rewrite names inside custom resources, and MetalLB and
    Longhorn read their objects from one namespace only (FACTS §3.3).
    """
    for adv, field, kind, name in _references(ctx):
        known = _names(ctx, kind, GROUP)
        if name not in known and ctx.renamed(name) in known:
            yield adv, field, (
                f"names {kind} {name!r}, renamed {ctx.renamed(name)!r} by the overlay's "
                "namePrefix/nameSuffix (kustomize does not rewrite names in custom resources)"
            )
    secrets = _names(ctx, "Secret", "")
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
                yield obj, path, (
                    f"names Secret {value!r}, renamed {ctx.renamed(value)!r} by the overlay"
                )
    yield from _recurring_job_refs(ctx)
    for obj in ctx.objects:
        group = api_group(obj)
        home = {GROUP: NAMESPACE, LONGHORN_GROUP: LONGHORN_NAMESPACE}.get(group)
        if home is None:
            continue
        namespace = namespace_of(obj)
        if namespace != home:
            yield obj, "metadata.namespace", (
                f"{group} objects are read from {home} only; the overlay's namespace "
                f"moved this one to {namespace or 'none'}"
            )
        name = str(meta(obj).get("name", ""))
        prefix, suffix = ctx.overlay.name_prefix or "", ctx.overlay.name_suffix or ""
        renamed = (prefix and name.startswith(prefix)) or (suffix and name.endswith(suffix))
        if group == LONGHORN_GROUP and obj.get("kind") in LONGHORN_BY_NAME and renamed:
            yield obj, "metadata.name", (
                f"Longhorn finds a {obj['kind']} by its name; the overlay's "
                "namePrefix/nameSuffix renamed it"
            )


def _recurring_job_refs(ctx: Context) -> Iterator[Hit]:
    """Recurring jobs named by a StorageClass selector or a PVC label, renamed by the overlay."""
    jobs = _names(ctx, "RecurringJob", LONGHORN_GROUP)

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
                yield sc, "parameters.recurringJobSelector", (
                    f"names RecurringJob {name!r}, renamed {ctx.renamed(name)!r} by the overlay"
                )
    for pvc in ctx.of_kind("PersistentVolumeClaim", ""):
        for key in meta(pvc).get("labels") or {}:
            prefix, _, name = str(key).partition("/")
            if prefix == "recurring-job.longhorn.io" and name != "source" and broken(name):
                yield pvc, f"metadata.labels.{key}", (
                    f"names RecurringJob {name!r}, renamed {ctx.renamed(name)!r} by the overlay"
                )
