"""Rules on MetalLB's own objects: addresses, overlaps, references between them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kustgen.lint.context import Context, Hit, Obj, name_of, namespace_of, spec
from kustgen.lint.metallb import GROUP, Pool, Range, parse_pool_address, pools
from kustgen.tree import object_to_dict


def pool_address(ctx: Context) -> Iterator[Hit]:
    """metallb-address: an address entry MetalLB cannot parse."""
    for obj in ctx.of_kind("IPAddressPool", GROUP):
        for i, text in enumerate(spec(obj).get("addresses") or []):
            if not isinstance(text, str):
                yield obj, f"spec.addresses[{i}]", f"{text!r} is not a string"
                continue
            try:
                parse_pool_address(text)
            except ValueError as error:
                yield obj, f"spec.addresses[{i}]", f"{text!r} {error}"


def host_bits(ctx: Context) -> Iterator[Hit]:
    """metallb-host-bits: a CIDR with host bits set, which MetalLB widens to its network.

    MetalLB parses pool CIDRs with Go's ``net.ParseCIDR``, which masks the
    host bits off: ``10.9.0.1/24`` hands out all of 10.9.0.0/24.
    """
    for pool in pools(ctx).values():
        for r in pool.ranges:
            if r.masked:
                yield pool.obj, f"spec.addresses[{r.index}]", (
                    f"{r.text!r} has host bits set: MetalLB uses the whole network {r.masked} "
                    f"(write {r.masked}, or a FIRST-LAST range for part of it)"
                )


def _declared_order(ctx: Context) -> dict[str, int]:
    """Pool name in the build -> position of its declaration: the overlay's bases
    in order, then its components, then its own objects, each in list order."""
    order: dict[str, int] = {}
    sources = [*ctx.overlay.bases, *ctx.overlay.components, ctx.overlay]
    for source in sources:
        for obj in source.objects:
            kind = obj.get("kind") if isinstance(obj, Mapping) else type(obj).kind
            if kind != "IPAddressPool":
                continue  # only pools are converted: bases can be large
            name = str((object_to_dict(obj).get("metadata") or {}).get("name", ""))
            for built in (name, ctx.renamed(name)):
                order.setdefault(built, len(order))
    return order


def _label(obj: Obj) -> str:
    namespace = namespace_of(obj)
    return f"IPAddressPool/{namespace}/{name_of(obj)}" if namespace else \
        f"IPAddressPool/{name_of(obj)}"


def pool_overlap(ctx: Context) -> Iterator[Hit]:
    """metallb-pool-overlap: two address ranges (in one pool or two) share addresses.

    The finding sits on the range declared later: the later pool in the
    overlay's bases, components and objects (in that order; pools the
    declarations do not show come last, by namespace and name), or the later
    entry of one pool; it names the other pool with its namespace.
    """
    found = pools(ctx)
    if sum(len(p.ranges) for p in found.values()) < 2:
        return
    order = _declared_order(ctx)

    def position(pool: Pool) -> tuple[int, str, str]:
        return (order.get(pool.name, len(order)), namespace_of(pool.obj), pool.name)

    seen: list[tuple[Pool, Range]] = []
    for pool in sorted(found.values(), key=position):
        for r in pool.ranges:
            for other_pool, other in seen:
                if r.overlaps(other):
                    where = "" if other_pool is pool else f"{_label(other_pool.obj)} "
                    message = (f"{r.text!r} overlaps {where}spec.addresses[{other.index}] "
                               f"{other.text!r}")
                    yield pool.obj, f"spec.addresses[{r.index}]", message
                    break
            seen.append((pool, r))


def references(ctx: Context) -> Iterator[tuple[Obj, str, str, str]]:
    """(advertisement, field, kind referred to, name) of every pool and peer reference."""
    for kind in ("BGPAdvertisement", "L2Advertisement"):
        for adv in ctx.of_kind(kind, GROUP):
            for i, name in enumerate(spec(adv).get("ipAddressPools") or []):
                yield adv, f"spec.ipAddressPools[{i}]", "IPAddressPool", str(name)
            if kind == "BGPAdvertisement":
                for i, name in enumerate(spec(adv).get("peers") or []):
                    yield adv, f"spec.peers[{i}]", "BGPPeer", str(name)


def names(ctx: Context, kind: str, group: str) -> set[str]:
    return {name_of(o) for o in ctx.of_kind(kind, group)}


def unknown_reference(ctx: Context) -> Iterator[Hit]:
    """metallb-unknown-ref: an advertisement names a pool or peer that does not exist."""
    for adv, field, kind, name in references(ctx):
        known = names(ctx, kind, GROUP)
        if name not in known and ctx.renamed(name) not in known:
            yield adv, field, f"names {kind} {name!r}, which this environment does not define"
