"""MetalLB configuration: address pools, BGP peers and advertisements (``metallb.io``).

Every object lives in ``metallb-system`` (MetalLB reads no other namespace).
Mistakes MetalLB would only log at run time are refused when the objects are
built: each address must parse as MetalLB parses it (a CIDR with host bits
set is accepted and covers its whole network, as MetalLB does; validation
warns about it), a range must not run backwards, pools must not
overlap (inside one pool or across pools), ASNs must fit 32 bits, a peer needs
exactly one of ``peer_asn``/``dynamic_asn``, and an advertisement may only name
pools and peers that exist (checked by :func:`metallb_base`).

**k3s**: the built-in service load balancer (Klipper, "servicelb") competes
with MetalLB for ``LoadBalancer`` Services.  Start the k3s servers with
``--disable servicelb`` (or ``disable: [servicelb]`` in
``/etc/rancher/k3s/config.yaml``) before relying on these objects.

Kustomize does not rewrite the pool and peer names *inside* these custom
resources when a ``namePrefix``/``nameSuffix`` applies, and a ``namespace:``
would move them out of ``metallb-system``.  Keep the MetalLB base out of
overlays that rename or re-namespace; :func:`kustgen.catalog.check_cluster`
refuses such a cluster.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from kustgen import Base, ConflictError, External, InputError
from kustgen.crds import metallb_io as mlb
from kustgen.k8s import meta_v1 as meta
from kustgen.lint.metallb import parse_pool_address

NAMESPACE = "metallb-system"
#: Service annotation that picks the pool a LoadBalancer address comes from.
POOL_ANNOTATION = "metallb.io/address-pool"
#: Service annotation requesting fixed addresses (comma-separated for dual stack).
IPS_ANNOTATION = "metallb.io/loadBalancerIPs"
MAX_ASN = 4294967295

@dataclass(frozen=True)
class AddressRange:
    """One parsed ``addresses`` entry: an inclusive range of one IP family."""

    text: str
    version: int
    first: int
    last: int

    def overlaps(self, other: AddressRange) -> bool:
        return (
            self.version == other.version
            and self.first <= other.last
            and other.first <= self.last
        )


def parse_address(
    text: str, *, obj: str = "IPAddressPool", field: str = "spec.addresses"
) -> AddressRange:
    """Parse a CIDR (``10.0.0.0/24``) or a ``FIRST-LAST`` range the way MetalLB
    v0.16.1 does.  A CIDR with host bits set is accepted, as Go's
    ``net.ParseCIDR`` accepts it, and covers its whole network (``kustgen
    validate`` warns: ``metallb-host-bits``)."""
    try:
        version, first, last, _ = parse_pool_address(text)
    except ValueError as e:
        raise InputError(f"{text!r} {e}", obj=obj, field=field) from None
    return AddressRange(text, version, first, last)


def _check_asn(value: int | None, obj: str, field: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ASN:
        raise InputError(f"{value!r} is not an AS number (0..{MAX_ASN})", obj=obj, field=field)


def _metadata(name: str, labels: dict[str, str] | None = None) -> meta.ObjectMeta:
    return meta.ObjectMeta(name=name, namespace=NAMESPACE, labels=labels)


def ip_address_pool(
    name: str,
    addresses: Sequence[str],
    *,
    auto_assign: bool | None = None,
    avoid_buggy_ips: bool | None = None,
    labels: dict[str, str] | None = None,
) -> mlb.IPAddressPool:
    """An ``IPAddressPool``; IPv4 and IPv6 entries, CIDRs or ``FIRST-LAST`` ranges.

    ``auto_assign=False`` keeps the pool for Services that ask for it by the
    ``metallb.io/address-pool`` annotation (see :func:`pool_annotation`).
    """
    obj = f"IPAddressPool/{name}"
    if not addresses:
        raise InputError("a pool needs at least one address", obj=obj, field="spec.addresses")
    ranges = [
        parse_address(a, obj=obj, field=f"spec.addresses[{i}]") for i, a in enumerate(addresses)
    ]
    _refuse_overlaps([(obj, i, r) for i, r in enumerate(ranges)])
    return mlb.IPAddressPool(
        metadata=_metadata(name, labels),
        spec=mlb.IPAddressPoolSpec(
            addresses=list(addresses), auto_assign=auto_assign, avoid_buggy_ips=avoid_buggy_ips
        ),
    )


def _refuse_overlaps(entries: Sequence[tuple[str, int, AddressRange]]) -> None:
    for n, (obj, i, here) in enumerate(entries):
        for other_obj, j, there in entries[:n]:
            if here.overlaps(there):
                where = "" if other_obj == obj else f"{other_obj} "
                raise ConflictError(
                    f"{here.text!r} overlaps {where}spec.addresses[{j}] {there.text!r}",
                    obj=obj,
                    field=f"spec.addresses[{i}]",
                )


def bgp_peer(
    name: str,
    *,
    my_asn: int,
    peer_address: str | None = None,
    peer_asn: int | None = None,
    dynamic_asn: Literal["internal", "external"] | None = None,
    interface: str | None = None,
    peer_port: int | None = None,
    hold_time: str | None = None,
    keepalive_time: str | None = None,
    ebgp_multi_hop: bool | None = None,
    password_secret: str | None = None,
    bfd_profile: str | None = None,
) -> mlb.BGPPeer:
    """A ``BGPPeer`` (emitted as ``metallb.io/v1beta2``).

    Give exactly one of ``peer_asn`` and ``dynamic_asn``, and exactly one of
    ``peer_address`` and ``interface`` (BGP unnumbered).  ``password_secret``
    names a ``kubernetes.io/basic-auth`` Secret in ``metallb-system``.
    """
    obj = f"BGPPeer/{name}"
    _check_asn(my_asn, obj, "spec.myASN")
    _check_asn(peer_asn, obj, "spec.peerASN")
    if (peer_asn is None) == (dynamic_asn is None):
        raise InputError(
            "give exactly one of peerASN and dynamicASN", obj=obj, field="spec.peerASN"
        )
    if dynamic_asn not in (None, "internal", "external"):
        raise InputError(
            f"{dynamic_asn!r}: use internal or external", obj=obj, field="spec.dynamicASN"
        )
    if (peer_address is None) == (interface is None):
        raise InputError(
            "give exactly one of peerAddress and interface", obj=obj, field="spec.peerAddress"
        )
    if peer_address is not None:
        try:
            ipaddress.ip_address(peer_address)
        except ValueError:
            raise InputError(
                f"{peer_address!r} is not an IP address", obj=obj, field="spec.peerAddress"
            ) from None
    if peer_port is not None and not 1 <= peer_port <= 16384:
        raise InputError(f"{peer_port} is not in 1..16384", obj=obj, field="spec.peerPort")
    return mlb.BGPPeer(
        metadata=_metadata(name),
        spec=mlb.BGPPeerSpec(
            my_asn=my_asn,
            peer_asn=peer_asn,
            dynamic_asn=dynamic_asn,
            peer_address=peer_address,
            interface=interface,
            peer_port=peer_port,
            hold_time=hold_time,
            keepalive_time=keepalive_time,
            ebgp_multi_hop=ebgp_multi_hop,
            password_secret=mlb.BGPPeerSpecPasswordSecret(name=password_secret, namespace=NAMESPACE)
            if password_secret
            else None,
            bfd_profile=bfd_profile,
        ),
    )


def bgp_advertisement(
    name: str,
    *,
    pools: Sequence[str] = (),
    peers: Sequence[str] = (),
    aggregation_length: int | None = None,
    aggregation_length_v6: int | None = None,
    local_pref: int | None = None,
    communities: Sequence[str] = (),
) -> mlb.BGPAdvertisement:
    """A ``BGPAdvertisement``: announce ``pools`` (all if empty) to ``peers`` (all if empty)."""
    obj = f"BGPAdvertisement/{name}"
    if aggregation_length is not None and not 1 <= aggregation_length <= 32:
        raise InputError(
            f"{aggregation_length} is not in 1..32", obj=obj, field="spec.aggregationLength"
        )
    if aggregation_length_v6 is not None and not 0 <= aggregation_length_v6 <= 128:
        raise InputError(
            f"{aggregation_length_v6} is not in 0..128", obj=obj, field="spec.aggregationLengthV6"
        )
    return mlb.BGPAdvertisement(
        metadata=_metadata(name),
        spec=mlb.BGPAdvertisementSpec(
            ip_address_pools=list(pools) or None,
            peers=list(peers) or None,
            aggregation_length=aggregation_length,
            aggregation_length_v6=aggregation_length_v6,
            local_pref=local_pref,
            communities=list(communities) or None,
        ),
    )


def l2_advertisement(
    name: str, *, pools: Sequence[str] = (), interfaces: Sequence[str] = ()
) -> mlb.L2Advertisement:
    """An ``L2Advertisement``: answer ARP/NDP for ``pools`` (all if empty) on ``interfaces``."""
    return mlb.L2Advertisement(
        metadata=_metadata(name),
        spec=mlb.L2AdvertisementSpec(
            ip_address_pools=list(pools) or None, interfaces=list(interfaces) or None
        ),
    )


Advertisement = mlb.BGPAdvertisement | mlb.L2Advertisement


def metallb_base(
    name: str = "metallb",
    *,
    pools: Sequence[mlb.IPAddressPool],
    peers: Sequence[mlb.BGPPeer] = (),
    advertisements: Sequence[Advertisement] = (),
) -> Base:
    """A base with MetalLB's whole configuration, checked as one.

    Refuses two objects of one kind and name, pools overlapping each other, an
    advertisement naming a pool or peer that is not here, and a
    BGPAdvertisement without any peer to announce to.  The base declares that
    it stands on ``metallb-system`` (created by MetalLB's installation).
    """
    _unique_names([*pools, *peers, *advertisements])
    entries = []
    for pool in pools:
        obj = f"IPAddressPool/{pool.metadata.name}"
        for i, text in enumerate(pool.spec.addresses):
            entries.append((obj, i, parse_address(text, obj=obj, field=f"spec.addresses[{i}]")))
    _refuse_overlaps(entries)
    pool_names = {str(p.metadata.name) for p in pools}
    peer_names = {str(p.metadata.name) for p in peers}
    for adv in advertisements:
        obj = f"{adv.kind}/{adv.metadata.name}"
        _check_refs(
            obj,
            "spec.ipAddressPools",
            adv.spec.ip_address_pools if adv.spec else None,
            pool_names,
            "IPAddressPool",
        )
        if isinstance(adv, mlb.BGPAdvertisement):
            if not peers:
                raise InputError("no BGPPeer to announce to", obj=obj)
            _check_refs(
                obj, "spec.peers", adv.spec.peers if adv.spec else None, peer_names, "BGPPeer"
            )
    # metallb-system is created by MetalLB's installation, not by this base.
    return Base(
        name=name,
        objects=[*pools, *peers, *advertisements],
        external=External(namespaces=[NAMESPACE]),
    )


def _check_refs(
    obj: str, field: str, names: Iterable[str] | None, known: set[str], kind: str
) -> None:
    for i, ref in enumerate(names or ()):
        if ref not in known:
            have = ", ".join(sorted(known)) or "none"
            raise InputError(
                f"no {kind} named {ref!r} (defined: {have})", obj=obj, field=f"{field}[{i}]"
            )


def _unique_names(objects: Sequence[mlb.IPAddressPool | mlb.BGPPeer | Advertisement]) -> None:
    seen: set[tuple[str, str]] = set()
    for o in objects:
        key = (o.kind, str(o.metadata.name))
        if key in seen:
            raise ConflictError("defined twice", obj=f"{o.kind}/{o.metadata.name}")
        seen.add(key)


def pool_annotation(pool: str | mlb.IPAddressPool) -> dict[str, str]:
    """The Service annotation that takes the address from ``pool``."""
    return {POOL_ANNOTATION: pool if isinstance(pool, str) else str(pool.metadata.name)}


def install(name: str = "metallb-install") -> Base:
    """MetalLB v0.16.1 itself -- the ``metallb-system`` namespace, CRDs, RBAC, the
    controller, the speaker DaemonSet and the webhook -- as typed objects, vendored
    from the pinned upstream ``metallb-native.yaml``
    (``kustgen/catalog/installs/metallb_v0_16_1.py``, generated by
    ``python -m kustgen.codegen installs``).  Builds offline; environments change
    it like any other base (e.g. the speaker's tolerations).  Apply it before the
    configuration (:func:`metallb_base`): pools and peers need its CRDs and webhook.
    """
    from kustgen.catalog.installs import metallb_v0_16_1 as upstream

    return Base(name=name, objects=upstream.objects())
