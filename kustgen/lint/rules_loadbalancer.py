"""LoadBalancer Services MetalLB cannot serve, or serves with an address nobody announces.

What MetalLB does when nothing fits is in FACTS §1.7: the Service stays
``<pending>`` (no pools, only ``autoAssign: false`` pools without the pool
annotation, an unknown pool, the wrong IP family, a requested address in no
pool); a pool without an advertisement hands out addresses that never reach
the network.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kustgen.lint.context import Context, Hit, annotations_of, namespace_of, spec
from kustgen.lint.metallb import IPS_KEYS, POOL_KEYS, Pool, announced, pools


@dataclass
class Served:
    """Where a Service's address would come from, or why it gets none."""

    pools: list[Pool] = field(default_factory=list)
    field: str = "spec.type"
    problem: str | None = None


def _families(service: Mapping[str, Any]) -> set[int]:
    s = spec(service)
    named = {4 if f == "IPv4" else 6 for f in s.get("ipFamilies") or [] if f in ("IPv4", "IPv6")}
    if named:
        return named
    return {4, 6} if s.get("ipFamilyPolicy") == "RequireDualStack" else {4}


def _first_key(values: Mapping[str, str], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for key in keys:
        if values.get(key):
            return key, str(values[key])
    return None


def _family_text(families: set[int]) -> str:
    return " and ".join(f"IPv{v}" for v in sorted(families))


def serve(ctx: Context, service: Mapping[str, Any]) -> Served:
    """How MetalLB would allocate an address for ``service`` in this environment."""
    known = pools(ctx)
    notes = annotations_of(service)
    if not known:
        return Served(problem="no IPAddressPool in this environment: the Service stays <pending>")
    needed = _families(service)
    pool_key = _first_key(notes, POOL_KEYS)
    ips_key = _first_key(notes, IPS_KEYS)
    requested = spec(service).get("loadBalancerIP")
    if pool_key is not None:
        key, name = pool_key
        where = f"metadata.annotations.{key}"
        pool = known.get(name)
        if pool is None:
            renamed = ctx.renamed(name) in known
            why = f"; the overlay renamed it {ctx.renamed(name)!r}" if renamed else ""
            return Served(field=where, problem=f"names pool {name!r}, which does not exist{why}")
        if not needed <= pool.families:
            return Served(
                field=where,
                problem=f"pool {name!r} has no {_family_text(needed - pool.families)} addresses",
            )
        return Served(pools=[pool], field=where)
    if ips_key is not None or requested:
        where = f"metadata.annotations.{ips_key[0]}" if ips_key else "spec.loadBalancerIP"
        texts = ips_key[1].split(",") if ips_key else [str(requested)]
        chosen = []
        for text in texts:
            try:
                address = ipaddress.ip_address(text.strip())
            except ValueError:
                return Served(field=where, problem=f"{text.strip()!r} is not an IP address")
            holder = [p for p in known.values() if any(r.contains(address) for r in p.ranges)]
            if not holder:
                return Served(field=where, problem=f"{address} is in no IPAddressPool")
            chosen += holder
        return Served(pools=chosen, field=where)
    namespace = namespace_of(service)
    candidates = [
        p
        for p in known.values()
        if p.auto_assign and (p.namespaces is None or namespace in p.namespaces)
    ]
    if not candidates:
        return Served(
            problem="every IPAddressPool has autoAssign: false or is kept for other namespaces; "
            "name one with the metallb.io/address-pool annotation"
        )
    fitting = [p for p in candidates if needed <= p.families]
    if not fitting:
        return Served(
            field="spec.ipFamilies",
            problem=f"no automatically assigned pool has {_family_text(needed)} addresses",
        )
    return Served(pools=fitting)


def _load_balancers(ctx: Context) -> Iterator[Mapping[str, Any]]:
    for service in ctx.of_kind("Service", ""):
        s = spec(service)
        # MetalLB (started without --lb-class) ignores Services that name a class.
        if s.get("type") == "LoadBalancer" and not s.get("loadBalancerClass"):
            yield service


def no_pool(ctx: Context) -> Iterator[Hit]:
    """lb-no-pool: a LoadBalancer Service that no MetalLB pool can serve."""
    for service in _load_balancers(ctx):
        served = serve(ctx, service)
        if served.problem is not None:
            yield service, served.field, served.problem


def not_announced(ctx: Context) -> Iterator[Hit]:
    """lb-not-announced: the Service's address comes from a pool no advertisement announces."""
    for service in _load_balancers(ctx):
        served = serve(ctx, service)
        if served.problem is None and not any(announced(ctx, p) for p in served.pools):
            names = ", ".join(sorted({repr(p.name) for p in served.pools}))
            yield service, served.field, (
                f"its address comes from pool {names}, which no L2Advertisement or "
                "BGPAdvertisement (with a BGPPeer) announces: assigned but unreachable"
            )
