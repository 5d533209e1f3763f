"""MetalLB's configuration as the rules need it: pools, their addresses, what is announced."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kustgen.lint.context import Context, Obj, name_of, spec

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

    def overlaps(self, other: Range) -> bool:
        return (
            self.version == other.version and self.first <= other.last and other.first <= self.last
        )

    def contains(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return address.version == self.version and self.first <= int(address) <= self.last


def parse_range(index: int, text: str) -> Range | None:
    """A CIDR or ``FIRST-LAST`` entry the way MetalLB reads it; None when it does not parse."""
    try:
        if "-" in text:
            start, end = (ipaddress.ip_address(p.strip()) for p in text.split("-", 1))
            if start.version != end.version or int(start) > int(end):
                return None
            return Range(index, text, start.version, int(start), int(end))
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError:
        return None
    return Range(index, text, network.version, int(network[0]), int(network[-1]))


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
