"""`kustgen graph`: the fleet as a Mermaid or Graphviz diagram.

Nesting shows what is applied where: clusters hold their units (one layer
of one environment, or an installation) in apply order, units hold the bases
their objects come from, bases hold the objects as they land in the cluster
(a base of more than ``MAX_OBJECTS``, an installation, shows the objects of
the wiring and counts the rest by kind).
Bold arrows between units are the apply order (Flux ``dependsOn``, Argo CD
waves).  Thin arrows are the bare-metal wiring, found in the objects:

* a ``LoadBalancer`` Service -> the address pool it takes its address from
  (the ``metallb.io/address-pool`` annotation, else every auto-assigning pool)
  -> the L2/BGP advertisements announcing that pool -> the BGP peers they
  announce to;
* a claim -> its storage class (or the default one) -> the recurring jobs the
  class selects and the backup target it backs up to; a claim's own
  recurring-job labels -> those jobs.

The output is deterministic: the same fleet always gives the same text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kustgen.fleet import Fleet
from kustgen.layout import PlainObjects
from kustgen.tree import Cluster

__all__ = ["Diagram", "diagram", "fleet_graph"]

Obj = Mapping[str, Any]
POOL_KEYS = ("metallb.io/address-pool", "metallb.universe.tf/address-pool")
DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


@dataclass
class Group:
    id: str
    label: str
    groups: list[Group] = field(default_factory=list)
    nodes: list[tuple[str, str]] = field(default_factory=list)  # (id, label)

    def anchor(self) -> str:
        """A node inside this group (Graphviz draws edges between groups through one)."""
        return self.nodes[0][0] if self.nodes else self.groups[0].anchor()


@dataclass
class Diagram:
    """What is drawn, before it is written as Mermaid or DOT."""

    clusters: list[Group] = field(default_factory=list)
    order: list[tuple[Group, Group]] = field(default_factory=list)
    wiring: list[tuple[str, str, str]] = field(default_factory=list)
    _count: int = 0

    def new_id(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"


def fleet_graph(fleet: Fleet, *, env: str | None = None, output: str = "mermaid") -> str:
    """The diagram of ``fleet`` (or of environment ``env`` and the infrastructure it
    runs on) as Mermaid or Graphviz DOT text."""
    drawn = diagram(fleet, env=env)
    return to_dot(drawn) if output == "dot" else to_mermaid(drawn)


def diagram(fleet: Fleet, *, env: str | None = None) -> Diagram:
    from kustgen.build import input_tree

    files = input_tree(fleet)
    drawn = Diagram()
    clusters = [fleet.cluster_of(env)] if env is not None else fleet.clusters
    for cluster in clusters:
        _draw_cluster(drawn, cluster, files, env)
    return drawn


def _draw_cluster(drawn: Diagram, cluster: Cluster, files: Mapping[str, str | bytes],
                  env: str | None) -> None:
    from kustgen.gitops.units import cluster_units
    from kustgen.layers import split
    from kustgen.render import render_sources

    plain = PlainObjects()
    pieces = {o.name: split(o, plain) for o in cluster.overlays}
    units = [u for u in cluster_units(cluster, pieces, plain)
             if env is None or u.env in (env, None) or not u.layer.environment]
    engine = f" - {type(cluster.gitops).__name__}" if cluster.gitops is not None else ""
    top = Group(drawn.new_id("g"), f"cluster {cluster.name}{engine}")
    drawn.clusters.append(top)
    remote = {f"installs/{i.name}": i for i in cluster.installs if i.remote_resources}
    by_name: dict[str, Group] = {}
    objects: list[tuple[Obj, str]] = []
    for unit in units:
        group = Group(drawn.new_id("g"), f"{unit.layer.name}: {unit.path}")
        top.groups.append(group)
        by_name[unit.name] = group
        if unit.path in remote:
            urls = len(remote[unit.path].remote_resources)
            group.nodes.append((drawn.new_id("n"), f"upstream manifest by URL ({urls})"))
            continue
        sources: dict[str, list[Obj]] = {}
        for rendered, source in render_sources(files, unit.path):
            sources.setdefault(_source_label(source, unit.env), []).append(rendered)
        for label, found in sources.items():
            inner = Group(drawn.new_id("g"), label)
            group.groups.append(inner)
            shown = found if len(found) <= MAX_OBJECTS else [o for o in found if _wired(o)]
            for obj in shown:
                node = drawn.new_id("n")
                inner.nodes.append((node, f"{obj['kind']}/{obj['metadata']['name']}"))
                objects.append((obj, node))
            if len(shown) < len(found):
                rest = [o for o in found if not any(o is s for s in shown)]
                inner.nodes.append((drawn.new_id("n"), _summary(rest, more=bool(shown))))
        if not group.groups:
            group.nodes.append((drawn.new_id("n"), "no objects"))
    for unit in units:
        for before in unit.after:
            if before in by_name:
                drawn.order.append((by_name[before], by_name[unit.name]))
    drawn.wiring += _wiring(objects)


#: A base with more objects (an installation) is drawn as the objects that take
#: part in the wiring plus one node counting the rest by kind.
MAX_OBJECTS = 12
_WIRED = frozenset({
    ("metallb.io", "IPAddressPool"), ("metallb.io", "L2Advertisement"),
    ("metallb.io", "BGPAdvertisement"), ("metallb.io", "BGPPeer"),
    ("", "PersistentVolumeClaim"), ("storage.k8s.io", "StorageClass"),
    ("longhorn.io", "RecurringJob"), ("longhorn.io", "BackupTarget"),
})


def _wired(obj: Obj) -> bool:
    if _group_kind(obj) in _WIRED:
        return True
    if obj.get("kind") == "Service":
        return _spec(obj).get("type") == "LoadBalancer"
    return obj.get("kind") == "ConfigMap" and _name(obj) == "longhorn-storageclass"


def _summary(objects: list[Obj], *, more: bool) -> str:
    """``25 objects: 22 CustomResourceDefinition, 3 Deployment`` (``25 more: ...`` beside
    objects drawn one by one), the most frequent kinds first."""
    counts: dict[str, int] = {}
    for obj in objects:
        counts[str(obj.get("kind"))] = counts.get(str(obj.get("kind")), 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    listed = ", ".join(f"{n} {kind}" for kind, n in ranked[:4])
    etc = ", ..." if len(ranked) > 4 else ""
    return f"{len(objects)} {'more' if more else 'objects'}: {listed}{etc}"


def _source_label(source: str, env: str | None) -> str:
    parts = source.split("/")
    if len(parts) > 2 and parts[0] in ("bases", "components", "installs"):
        return f"{parts[0][:-1]} {parts[1]}"
    return f"environment {env}" if env else "own objects"


# ---------------------------------------------------------------------------- wiring


def _group_kind(obj: Obj) -> tuple[str, str]:
    return str(obj.get("apiVersion", "")).rpartition("/")[0], str(obj.get("kind"))


def _meta(obj: Obj, key: str) -> Mapping[str, Any]:
    value = (obj.get("metadata") or {}).get(key)
    return value if isinstance(value, Mapping) else {}


def _spec(obj: Obj) -> Mapping[str, Any]:
    value = obj.get("spec")
    return value if isinstance(value, Mapping) else {}


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _wiring(objects: list[tuple[Obj, str]]) -> list[tuple[str, str, str]]:
    kinds: dict[tuple[str, str], list[tuple[Obj, str]]] = {}
    for obj, node in objects:
        kinds.setdefault(_group_kind(obj), []).append((obj, node))
    return [*_load_balancing(kinds), *_storage(kinds)]


def _load_balancing(kinds: Mapping[tuple[str, str], list[tuple[Obj, str]]]
                    ) -> Iterable[tuple[str, str, str]]:
    pools = kinds.get(("metallb.io", "IPAddressPool"), [])
    peers = kinds.get(("metallb.io", "BGPPeer"), [])
    for service, node in kinds.get(("", "Service"), []):
        if _spec(service).get("type") != "LoadBalancer":
            continue
        annotations = _meta(service, "annotations")
        named = next((str(annotations[k]) for k in POOL_KEYS if k in annotations), None)
        for pool, pool_node in pools:
            if named is not None and _name(pool) in named.split(","):
                yield node, pool_node, "pool"
            elif named is None and _spec(pool).get("autoAssign") is not False:
                yield node, pool_node, "auto"
    for kind, label in (("L2Advertisement", "L2"), ("BGPAdvertisement", "BGP")):
        for adv, adv_node in kinds.get(("metallb.io", kind), []):
            names = _spec(adv).get("ipAddressPools") or []
            selectors = _spec(adv).get("ipAddressPoolSelectors") or []
            for pool, pool_node in pools:
                labels = _meta(pool, "labels")
                if (not names and not selectors) or _name(pool) in names or any(
                    _selects(s, labels) for s in selectors
                ):
                    yield pool_node, adv_node, label
            if kind == "BGPAdvertisement":
                wanted = _spec(adv).get("peers") or []
                for peer, peer_node in peers:
                    if not wanted or _name(peer) in wanted:
                        yield adv_node, peer_node, "peer"


def _selects(selector: Any, labels: Mapping[str, Any]) -> bool:
    match = selector.get("matchLabels") if isinstance(selector, Mapping) else None
    return isinstance(match, Mapping) and all(labels.get(k) == v for k, v in match.items())


@dataclass
class _Class:
    node: str
    parameters: Mapping[str, Any]
    default: bool
    longhorn: bool


def _classes(kinds: Mapping[tuple[str, str], list[tuple[Obj, str]]]) -> dict[str, _Class]:
    """Storage classes by name; Longhorn's default class is its ConfigMap."""
    import yaml

    found: dict[str, _Class] = {}
    for sc, node in kinds.get(("storage.k8s.io", "StorageClass"), []):
        default = _meta(sc, "annotations").get(DEFAULT_CLASS) == "true"
        found[_name(sc)] = _Class(node, sc.get("parameters") or {}, default,
                                  sc.get("provisioner") == "driver.longhorn.io")
    for cm, node in kinds.get(("", "ConfigMap"), []):
        if _name(cm) != "longhorn-storageclass":
            continue
        try:
            sc = yaml.safe_load((cm.get("data") or {}).get("storageclass.yaml", ""))
        except yaml.YAMLError:
            continue
        if isinstance(sc, dict) and isinstance(sc.get("metadata"), dict):
            default = str(_meta(sc, "annotations").get(DEFAULT_CLASS)).lower() == "true"
            found.setdefault(_name(sc), _Class(node, sc.get("parameters") or {}, default, True))
    return found


def _storage(kinds: Mapping[tuple[str, str], list[tuple[Obj, str]]]
             ) -> Iterable[tuple[str, str, str]]:
    classes = _classes(kinds)
    default = next((c for c in classes.values() if c.default), None)
    jobs = kinds.get(("longhorn.io", "RecurringJob"), [])
    targets = {_name(t): node for t, node in kinds.get(("longhorn.io", "BackupTarget"), [])}

    def selected(name: str, group: bool) -> Iterable[str]:
        for job, node in jobs:
            groups = _spec(job).get("groups") or []
            if (group and name in groups) or (not group and _name(job) == name):
                yield node

    for claim, node in kinds.get(("", "PersistentVolumeClaim"), []):
        name = _spec(claim).get("storageClassName")
        chosen = classes.get(str(name)) if name is not None else default
        if chosen is not None:
            yield node, chosen.node, "class"
        for key in _meta(claim, "labels"):
            prefix, _, job = str(key).partition("/")
            if prefix == "recurring-job.longhorn.io" and job != "source":
                yield from ((node, j, "job") for j in selected(job, False))
            elif prefix == "recurring-job-group.longhorn.io":
                yield from ((node, j, "jobs") for j in selected(job, True))
    for sc in classes.values():
        try:
            selectors = json.loads(sc.parameters.get("recurringJobSelector") or "[]")
        except ValueError:
            selectors = []
        for entry in selectors if isinstance(selectors, list) else []:
            if isinstance(entry, Mapping) and entry.get("name"):
                group = bool(entry.get("isGroup"))
                yield from ((sc.node, j, "jobs") for j in selected(str(entry["name"]), group))
        target = targets.get(str(sc.parameters.get("backupTargetName") or "default"))
        if sc.longhorn and target is not None:
            yield sc.node, target, "backups"


# ---------------------------------------------------------------------------- writers


def _mermaid_text(label: str) -> str:
    return label.replace('"', "#quot;")


def to_mermaid(drawn: Diagram) -> str:
    lines = ["flowchart LR"]

    def group(g: Group, depth: int) -> None:
        pad = "  " * depth
        lines.append(f'{pad}subgraph {g.id}["{_mermaid_text(g.label)}"]')
        for inner in g.groups:
            group(inner, depth + 1)
        lines.extend(f'{pad}  {node}["{_mermaid_text(label)}"]' for node, label in g.nodes)
        lines.append(f"{pad}end")

    for cluster in drawn.clusters:
        group(cluster, 1)
    lines.extend(f"  {a.id} ==> {b.id}" for a, b in drawn.order)
    lines.extend(f"  {a} -->|{label}| {b}" for a, b, label in drawn.wiring)
    return "\n".join(lines) + "\n"


def _dot_text(label: str) -> str:
    return label.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(drawn: Diagram) -> str:
    lines = [
        "digraph fleet {",
        "  compound=true;",
        "  rankdir=LR;",
        '  node [shape=box, fontsize=10, fontname="Helvetica"];',
        '  edge [fontsize=9, fontname="Helvetica"];',
    ]

    def group(g: Group, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}subgraph cluster_{g.id} {{")
        lines.append(f'{pad}  label="{_dot_text(g.label)}";')
        for inner in g.groups:
            group(inner, depth + 1)
        lines.extend(f'{pad}  {node} [label="{_dot_text(label)}"];' for node, label in g.nodes)
        lines.append(f"{pad}}}")

    for cluster in drawn.clusters:
        group(cluster, 1)
    lines.extend(
        f"  {a.anchor()} -> {b.anchor()} [ltail=cluster_{a.id}, lhead=cluster_{b.id}, "
        "style=bold];"
        for a, b in drawn.order
    )
    lines.extend(f'  {a} -> {b} [label="{_dot_text(label)}"];' for a, b, label in drawn.wiring)
    lines.append("}")
    return "\n".join(lines) + "\n"
