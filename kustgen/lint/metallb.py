"""MetalLB's configuration as the rules need it: pools, their addresses, what is announced."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the catalog parses pool addresses without the lint machinery
    from kustgen.lint.context import Context, Obj

GROUP = "metallb.io"
NAMESPACE = "metallb-system"
#: Service annotations MetalLB reads; the ``metallb.io/`` key wins over the old one.
POOL_KEYS = ("metallb.io/address-pool", "metallb.universe.tf/address-pool")
IPS_KEYS = ("metallb.io/loadBalancerIPs", "metallb.universe.tf/loadBalancerIPs")


@dataclass(frozen=True)
class Range:
    """One ``spec.addresses`` entry: an inclusive range of one IP family."""

    index: int
    text: str
    version: int
    first: int
    last: int
    #: For a CIDR with host bits set (``10.9.0.1/24``): the network MetalLB uses.
    masked: str | None = None

    def overlaps(self, other: Range) -> bool:
        return (
            self.version == other.version and self.first <= other.last and other.first <= self.last
        )

    def contains(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return address.version == self.version and self.first <= int(address) <= self.last


def _go_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Go's netip.ParseAddr without a zone (``%eth0``), as net.ParseCIDR/ParseIP take it."""
    if "%" in text:
        raise ValueError(f"{text!r} has a zone")
    return ipaddress.ip_address(text)


def parse_pool_address(text: str) -> tuple[int, int, int, str | None]:
    """(IP version, first, last, masked network or None) of an ``addresses``
    entry, read as MetalLB v0.16.1's ``config.ParseCIDR`` reads it: without a
    ``-`` a CIDR for Go's ``net.ParseCIDR`` (no spaces, a decimal prefix
    length; host bits set are masked off, so ``10.9.0.1/24`` is all of
    10.9.0.0/24), else ``FIRST-LAST`` with spaces trimmed, start <= end.
    ValueError says why MetalLB refuses it."""
    if "-" not in text:
        address_text, slash, prefix = text.partition("/")
        if not slash or not prefix.isascii() or not prefix.isdigit():
            raise ValueError("is not a CIDR (ADDRESS/PREFIX) or a FIRST-LAST range")
        address = _go_ip(address_text)
        if int(prefix) > address.max_prefixlen:
            raise ValueError(f"has a prefix length above {address.max_prefixlen}")
        network = ipaddress.ip_network(f"{address}/{int(prefix)}", strict=False)
        masked = None if network.network_address == address else str(network)
        return network.version, int(network[0]), int(network[-1]), masked
    start_text, end_text = text.split("-", 1)
    start, end = _go_ip(start_text.strip()), _go_ip(end_text.strip())
    if start.version != end.version:
        raise ValueError("mixes IPv4 and IPv6 (MetalLB takes no address from it)")
    if int(start) > int(end):
        raise ValueError("starts above its end")
    return start.version, int(start), int(end), None


def parse_range(index: int, text: str) -> Range | None:
    """An ``addresses`` entry the way MetalLB reads it; None when it does not parse."""
    try:
        version, first, last, masked = parse_pool_address(text)
    except ValueError:
        return None
    return Range(index, text, version, first, last, masked)


@dataclass
class Pool:
    obj: Obj
    name: str
    ranges: list[Range]
    auto_assign: bool
    namespaces: list[str] | None  # serviceAllocation.namespaces, None = any

    @property
    def families(self) -> set[int]:
        return {r.version for r in self.ranges}


def pools(ctx: Context) -> dict[str, Pool]:
    from kustgen.lint.context import name_of, spec

    result = {}
    for obj in ctx.of_kind("IPAddressPool", GROUP):
        s = spec(obj)
        ranges = [
            r
            for i, text in enumerate(s.get("addresses") or [])
            if isinstance(text, str) and (r := parse_range(i, text)) is not None
        ]
        allocation = s.get("serviceAllocation")
        namespaces = allocation.get("namespaces") if isinstance(allocation, Mapping) else None
        result[name_of(obj)] = Pool(
            obj, name_of(obj), ranges, s.get("autoAssign") is not False, namespaces or None
        )
    return result


def _selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    match = selector.get("matchLabels") if isinstance(selector, Mapping) else None
    return isinstance(match, Mapping) and all(labels.get(k) == v for k, v in match.items())


def announced(ctx: Context, pool: Pool) -> bool:
    """Whether an L2 or BGP advertisement (with a peer to talk to) announces ``pool``."""
    from kustgen.lint.context import spec

    labels = (pool.obj.get("metadata") or {}).get("labels") or {}
    has_peers = bool(ctx.of_kind("BGPPeer", GROUP))
    for kind in ("L2Advertisement", "BGPAdvertisement"):
        if kind == "BGPAdvertisement" and not has_peers:
            continue
        for adv in ctx.of_kind(kind, GROUP):
            s = spec(adv)
            names = s.get("ipAddressPools") or []
            selectors = s.get("ipAddressPoolSelectors") or []
            if not names and not selectors:
                return True  # an advertisement naming no pool announces all of them
            if pool.name in names or any(_selects(sel, labels) for sel in selectors):
                return True
    return False
