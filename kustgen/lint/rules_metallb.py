"""Rules on MetalLB's own objects: addresses, overlaps, references between them."""

from __future__ import annotations

from collections.abc import Iterator

from kustgen.lint.context import Context, Hit, Obj, name_of, spec
from kustgen.lint.metallb import GROUP, Range, parse_range, pools


def pool_address(ctx: Context) -> Iterator[Hit]:
    """metallb-address: an address entry MetalLB cannot parse."""
    for obj in ctx.of_kind("IPAddressPool", GROUP):
        for i, text in enumerate(spec(obj).get("addresses") or []):
            if not isinstance(text, str) or parse_range(i, text) is None:
                why = "is not a CIDR or a FIRST-LAST range of one IP family, start <= end"
                yield obj, f"spec.addresses[{i}]", f"{text!r} {why}"


def pool_overlap(ctx: Context) -> Iterator[Hit]:
    """metallb-pool-overlap: two address ranges (in one pool or two) share addresses."""
    seen: list[tuple[str, int, str, Range]] = []
    for pool in pools(ctx).values():
        for r in pool.ranges:
            for other_pool, other_index, other_text, other in seen:
                if r.overlaps(other):
                    where = "" if other_pool == pool.name else f"IPAddressPool/{other_pool} "
                    other_field = f"spec.addresses[{other_index}]"
                    message = f"{r.text!r} overlaps {where}{other_field} {other_text!r}"
                    yield pool.obj, f"spec.addresses[{r.index}]", message
                    break
            seen.append((pool.name, r.index, r.text, r))


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
