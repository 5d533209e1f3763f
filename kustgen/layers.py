"""Layers: the order in which one environment's kustomizations are applied.

``kubectl apply -k`` of a whole environment fails on an empty cluster: its
pools, peers, recurring jobs and settings are custom resources whose
definitions (and the webhooks checking them) do not exist yet.  So each
environment is applied as ordered layers, each its own kustomization
directory:

* ``install``: CustomResourceDefinitions, controllers, webhooks;
* ``config``: their configuration: storage classes, pools, peers,
  advertisements, recurring jobs, settings (objects in a controller's
  namespace, cluster-wide classes and cluster-wide custom resources);
* ``apps``: everything else.  Only here do the environment's ``namespace``,
  ``namePrefix`` and ``nameSuffix`` apply, so environments can share a
  cluster while its infrastructure stays where the controllers read it.

A base's layer is derived from its objects (``Base(layer=...)`` states it),
and a layer that defines a kind by a CRD must come before every other layer
using that kind.  Layers form a graph (``Layer.after`` plus those CRD edges);
a cycle in it is an error.  A layer using a kind it defines itself (a base
holding a CRD and objects of its kind) is allowed -- Flux and Argo CD apply
CRDs first -- and reported by the lint rule ``crd-same-layer``, since
``kubectl apply -k`` of it fails until the CRD is established.

:func:`split` cuts one overlay into one :class:`Piece` per layer: an
``Overlay`` holding that layer's bases, objects, components and patches.
An environment of one piece is written as before, to ``overlays/<env>/``;
otherwise each piece goes to ``overlays/<env>/<layer>/`` and the
environment's directory lists them (see :mod:`kustgen.layout`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from kustgen.errors import ConflictError, InputError
from kustgen.tree import Base, Component, Overlay, Patch, check_dir_name

__all__ = [
    "APPS",
    "CONFIG",
    "INSTALL",
    "STANDARD_LAYERS",
    "Layer",
    "Piece",
    "as_layer",
    "layer_order",
    "split",
]


@dataclass(frozen=True)
class Layer:
    """One step of the apply order.

    ``after`` names the layers applied before this one.  ``environment``
    marks the layer holding the environment's own applications: the overlay's
    ``namespace``, ``namePrefix`` and ``nameSuffix`` apply to it only.
    """

    name: str
    after: tuple[str, ...] = ()
    environment: bool = False

    def __post_init__(self) -> None:
        check_dir_name("layer", self.name)
        if isinstance(self.after, str):
            raise InputError("a tuple of layer names", obj=f"layer {self.name}", field="after")


INSTALL = Layer("install")
CONFIG = Layer("config", after=("install",))
APPS = Layer("apps", after=("config",), environment=True)
STANDARD_LAYERS = (INSTALL, CONFIG, APPS)
_STANDARD = {layer.name: layer for layer in STANDARD_LAYERS}

#: Namespaces MetalLB and Longhorn read their configuration from; objects
#: there are configuration even without an installation in the tree.
CONTROLLER_NAMESPACES = ("metallb-system", "longhorn-system")
_INSTALL_KINDS = frozenset({
    "CustomResourceDefinition", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "APIService",
})
_WORKLOAD_KINDS = frozenset({
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
    "Job", "CronJob", "Pod",
})
#: Cluster-wide classes workloads pick by name: configuration of the cluster.
_CLASS_KINDS = frozenset({
    "StorageClass", "IngressClass", "PriorityClass", "RuntimeClass", "VolumeAttributesClass",
})


def as_layer(value: Layer | str) -> Layer:
    """A layer, or a standard layer named ``install``, ``config`` or ``apps``."""
    if isinstance(value, Layer):
        return value
    found = _STANDARD.get(value) if isinstance(value, str) else None
    if found is None:
        raise InputError(
            f"{value!r} is not a standard layer (install, config, apps); pass a Layer",
            obj="layer",
        )
    return found


# ---------------------------------------------------------------------------- objects


class Ident(NamedTuple):
    """What a patch target, image or replica entry can match before the overlay acts."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str


def _ident(data: Mapping[str, Any], namespace: str | None = None) -> Ident:
    group, _, version = str(data["apiVersion"]).rpartition("/")
    meta = data.get("metadata") or {}
    name, kind = str(meta["name"]), str(data["kind"])
    ns = str(meta.get("namespace") or "")
    if namespace:
        # Imported here: kustgen.render is heavy, and only a base's namespace needs it.
        from kustgen.render.scope import is_cluster_scoped

        if kind == "Namespace":
            name = namespace
        elif not is_cluster_scoped(kind):
            ns = namespace
    return Ident(group, version, kind, name, ns)


def _is_builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def _role(data: Mapping[str, Any], infra: set[str]) -> str:
    kind = str(data.get("kind"))
    if kind in _INSTALL_KINDS:
        return INSTALL.name
    if kind in _WORKLOAD_KINDS:
        return APPS.name
    meta = data.get("metadata") or {}
    namespace = meta.get("name") if kind == "Namespace" else meta.get("namespace")
    if kind in _CLASS_KINDS or namespace in infra:
        return CONFIG.name
    if not namespace and not _is_builtin(str(data.get("apiVersion", ""))):
        return CONFIG.name  # a cluster-wide custom resource (e.g. a ClusterIssuer)
    return APPS.name


def _derived_role(objects: Sequence[Mapping[str, Any]], infra: set[str], remote: bool) -> str:
    roles = {_role(o, infra) for o in objects}
    if remote or INSTALL.name in roles:
        return INSTALL.name
    if APPS.name in roles or not roles:
        return APPS.name
    return CONFIG.name


def defined_kinds(objects: Iterable[Mapping[str, Any]]) -> set[str]:
    """``Kind.group`` of every kind the CustomResourceDefinitions among ``objects`` define."""
    found = set()
    for obj in objects:
        if obj.get("kind") == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            kind = (spec.get("names") or {}).get("kind")
            if kind and spec.get("group"):
                found.add(f"{kind}.{spec['group']}")
    return found


def used_kinds(objects: Iterable[Mapping[str, Any]]) -> set[str]:
    """``Kind.group`` of every custom resource among ``objects``."""
    return {
        f"{o['kind']}.{str(o['apiVersion']).rpartition('/')[0]}"
        for o in objects
        if not _is_builtin(str(o.get("apiVersion", "")))
    }


# ---------------------------------------------------------------------------- ordering


class Need(NamedTuple):
    """Layer ``user`` needs layer ``definer`` first: ``why`` says which kind."""

    definer: str
    user: str
    why: str


def layer_order(layers: Iterable[Layer], needs: Iterable[Need], where: str) -> list[Layer]:
    """``layers`` in apply order: every layer after the ones it names in ``after``
    (when present) and after every layer defining a kind it uses.

    Standard layers keep their order; others follow by name.  A cycle is an
    ``InputError`` naming it.
    """
    by_name: dict[str, Layer] = {}
    for layer in layers:
        other = by_name.setdefault(layer.name, layer)
        if other != layer:
            raise ConflictError(f"two different layers are named {layer.name!r}", obj=where)
    edges: dict[str, dict[str, str]] = {name: {} for name in by_name}
    for layer in by_name.values():
        for before in _present_before(layer, by_name):
            edges[layer.name].setdefault(before, f"{layer.name} comes after {before}")
    for need in needs:
        edges[need.user].setdefault(need.definer, need.why)
    rank = {name: i for i, name in enumerate(_STANDARD)}

    def key(name: str) -> tuple[int, str]:
        return (rank.get(name, len(rank)), name)

    order: list[str] = []
    done: set[str] = set()
    visiting: list[str] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            # visiting[i] needs visiting[i + 1] first; print the cycle in apply order.
            cycle = [*visiting[visiting.index(name):], name]
            reasons = "; ".join(edges[cycle[i]][cycle[i + 1]] for i in range(len(cycle) - 1))
            raise InputError(
                f"layer cycle {' -> '.join(reversed(cycle))}: {reasons}",
                obj=where, field="layers",
            )
        visiting.append(name)
        for before in sorted(edges[name], key=key):
            visit(before)
        visiting.pop()
        done.add(name)
        order.append(name)

    for name in sorted(by_name, key=key):
        visit(name)
    return [by_name[name] for name in order]


def _present_before(layer: Layer, present: Mapping[str, Layer]) -> list[str]:
    """Names of the present layers ``layer`` comes after, following absent ones through."""
    found: list[str] = []
    todo, seen = list(layer.after), set()
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if name in present:
            found.append(name)
        elif name in _STANDARD:
            todo.extend(_STANDARD[name].after)
    return found


def needs_of(units: Iterable[tuple[str, str, Sequence[Mapping[str, Any]]]]) -> list[Need]:
    """The CRD edges between ``(layer, label, objects)`` units: a unit using a kind
    that another (or itself) defines needs the definer's layer first."""
    units = list(units)
    definers: dict[str, tuple[str, str]] = {}
    for layer, label, objects in units:
        for kind in sorted(defined_kinds(objects)):
            definers.setdefault(kind, (layer, label))
    needs = []
    for layer, label, objects in units:
        for kind in sorted(used_kinds(objects)):
            if kind in definers and definers[kind][0] != layer:
                definer, definer_label = definers[kind]
                why = (f"{label} in layer {layer} uses {kind}, defined by {definer_label} "
                       f"in layer {definer}")
                needs.append(Need(definer, layer, why))
    return needs


def defined_and_used(objects: Sequence[Mapping[str, Any]]) -> set[str]:
    """Kinds a set of objects (one layer) both defines by a CRD and uses: applied in one
    go, such objects fail until the CRD is established (see the ``crd-same-layer`` rule)."""
    return defined_kinds(objects) & used_kinds(objects)


# ---------------------------------------------------------------------------- splitting


@dataclass
class Piece:
    """One layer of one environment: an ``Overlay`` of that layer's part."""

    layer: Layer
    overlay: Overlay
    #: Objects the directory accumulates (bases, components, own), as the
    #: bases give them: what name-reference configurations are derived from.
    objects: list[dict[str, Any]] = field(default_factory=list)
    #: ``overlay.objects`` as plain dicts.
    own: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Part:
    layer: Layer
    bases: list[Base] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    objects: list[Any] = field(default_factory=list)
    own: list[dict[str, Any]] = field(default_factory=list)  # ``objects`` as plain dicts
    idents: list[tuple[Ident, Mapping[str, Any]]] = field(default_factory=list)

    def add(self, index: _Index, data: Iterable[Mapping[str, Any]],
            namespace: str | None = None) -> None:
        for d in data:
            ident = _ident(d, namespace)
            self.idents.append((ident, d))
            index.add(self.layer.name, ident)


#: A patch target name that is its own regular expression.
_LITERAL = re.compile(r"[A-Za-z0-9_-]*")


class _Index:
    """Objects by kind and by kind and name, with the layer holding each, so that
    placing patches and entries stays linear in the number of objects."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[tuple[str, Ident]]] = {}
        self.by_name: dict[tuple[str, str], list[tuple[str, Ident]]] = {}

    def add(self, layer: str, ident: Ident) -> None:
        self.by_kind.setdefault(ident.kind, []).append((layer, ident))
        self.by_name.setdefault((ident.kind, ident.name), []).append((layer, ident))

    def candidates(self, kind: str | None, name: str | None,
                   exact: bool) -> list[tuple[str, Ident]]:
        if kind and name and (exact or _LITERAL.fullmatch(name)):
            return self.by_name.get((kind, name), [])
        if kind:
            return self.by_kind.get(kind, [])
        return [pair for pairs in self.by_kind.values() for pair in pairs]

    def layers_patched(self, patch: Patch, exact: bool = False) -> list[str]:
        """The layers holding an object ``patch`` may act on, in order of appearance."""
        t = patch.target
        return list(dict.fromkeys(
            layer for layer, ident in self.candidates(t.kind, t.name, exact)
            if _patch_matches(patch, ident, exact=exact)))


def _layer_of(explicit: Layer | str | None, derived: str) -> Layer:
    return as_layer(explicit) if explicit is not None else _STANDARD[derived]


PlainFn = Callable[[Base | Component | Overlay], list[dict[str, Any]]]


def split(overlay: Overlay, plain: PlainFn | None = None) -> list[Piece]:
    """The overlay as one piece per layer, in apply order (one piece when it has one layer).

    ``plain`` gives a base's or component's objects as plain dicts (a cache;
    ``plain_objects()`` by default).
    """
    where = f"Overlay/{overlay.name}"
    plain = plain or (lambda source: source.plain_objects())
    base_objects = [(base, plain(base)) for base in overlay.bases]
    infra = set(CONTROLLER_NAMESPACES)
    base_layers = []
    for base, objects in base_objects:
        layer = _layer_of(base.layer, _derived_role(objects, set(), bool(base.remote_resources)))
        base_layers.append(layer)
        if layer.name == INSTALL.name:
            infra |= {_ident(o, base.namespace).namespace for o in objects}
            infra |= {_ident(o, base.namespace).name for o in objects if o["kind"] == "Namespace"}
    infra.discard("")
    parts: dict[str, _Part] = {}

    def part(layer: Layer) -> _Part:
        found = parts.get(layer.name)
        if found is None:
            found = parts[layer.name] = _Part(layer)
        elif found.layer != layer:
            raise ConflictError(f"two different layers are named {layer.name!r}", obj=where)
        return found

    index = _Index()
    for (base, objects), layer in zip(base_objects, base_layers, strict=True):
        if layer.name == APPS.name and base.layer is None and not base.remote_resources:
            layer = _layer_of(None, _derived_role(objects, infra, False))
        chosen = part(layer)
        chosen.bases.append(base)
        chosen.add(index, objects, overlay.base_namespaces.get(base.name) or base.namespace)
    for obj, data in zip(overlay.objects, plain(overlay), strict=True):
        chosen = part(_STANDARD[_role(data, infra)])
        chosen.objects.append(obj)
        chosen.own.append(data)
        chosen.add(index, [data])
    placed = [(c, _component_layer(c, plain(c), parts, index, infra))
              for c in overlay.components]
    for component, layer in placed:
        chosen = part(layer)
        chosen.components.append(component)
        chosen.add(index, plain(component), component.namespace)
    env = _environment_part(overlay, parts, part)
    needs = needs_of(
        (p.layer.name, f"{where} ({p.layer.name})", [d for _, d in p.idents])
        for p in parts.values()
    )
    order = layer_order([p.layer for p in parts.values()], needs, where)
    routed = _route(overlay, parts, env, index)
    pieces = []
    for layer in order:
        p = parts[layer.name]
        pieces.append(Piece(layer, _piece_overlay(overlay, p, routed[layer.name]),
                            [dict(d) for _, d in p.idents], p.own))
    return pieces


def _component_layer(component: Component, objects: list[dict[str, Any]],
                     parts: dict[str, _Part], index: _Index, infra: set[str]) -> Layer:
    """A component goes to the layer of the objects it patches (or holds)."""
    if component.layer is not None:
        return as_layer(component.layer)
    targeted = {layer for patch in component.patches for layer in index.layers_patched(patch)}
    if len(targeted) > 1:
        raise InputError(
            f"patches objects of layers {', '.join(sorted(targeted))}; split it in two "
            "or name its layer with Component(layer=...)",
            obj=f"Component/{component.name}",
        )
    if targeted:
        return parts[targeted.pop()].layer
    return _STANDARD[_derived_role(objects, infra, False)]


def _environment_part(overlay: Overlay, parts: dict[str, _Part],
                      part: Callable[[Layer], _Part]) -> _Part:
    """The part the environment's own transformers and left-over entries go to."""
    for p in parts.values():
        if p.layer.environment:
            return p
    renames = overlay.namespace or overlay.name_prefix or overlay.name_suffix
    if renames and parts:
        field_name = "namespace" if overlay.namespace else "namePrefix/nameSuffix"
        raise InputError(
            "applies to the environment's applications, and it has none (its objects are "
            f"all in layer {', '.join(sorted(parts))}, which stay as they are)",
            obj=f"Overlay/{overlay.name}", field=field_name,
        )
    if not parts or _has_own_entries(overlay):
        return part(APPS)
    return next(iter(parts.values()))


def _has_own_entries(overlay: Overlay) -> bool:
    return bool(overlay.config_map_generators or overlay.secret_generators)


@dataclass
class _Routed:
    patches: list[Patch] = field(default_factory=list)
    images: list[Any] = field(default_factory=list)
    replicas: list[Any] = field(default_factory=list)
    config_maps: list[Any] = field(default_factory=list)
    secrets: list[Any] = field(default_factory=list)


def _route(overlay: Overlay, parts: dict[str, _Part], env: _Part,
           index: _Index) -> dict[str, _Routed]:
    """Which layer each patch, image, replica and generator entry goes to: where
    the objects it acts on are (the environment's layer when none is)."""
    routed = {name: _Routed() for name in parts}
    if len(parts) == 1:  # one layer: everything is its
        (only,) = routed.values()
        only.patches, only.images, only.replicas = [*overlay.patches], [*overlay.images], [
            *overlay.replicas]
        only.config_maps, only.secrets = [*overlay.config_map_generators], [
            *overlay.secret_generators]
        return routed
    for patch in overlay.patches:
        exact = patch.by_id and patch.strategic_merge is not None
        where = index.layers_patched(patch, exact) or [env.layer.name]
        for name in where[:1] if exact else where:
            routed[name].patches.append(patch)
    if overlay.images:
        images = {name: {i for ident, data in p.idents if _may_run(ident, data)
                         for i in _images(data)}
                  for name, p in parts.items()}
        for image in overlay.images:
            used = [name for name, found in images.items()
                    if any(_image_matched(i, image.name) for i in found)]
            for name in used or [env.layer.name]:
                routed[name].images.append(image)
    for replica in overlay.replicas:
        found = [layer for kind in _REPLICA_KINDS
                 for layer, _ in index.by_name.get((kind, replica.name), [])]
        routed[found[0] if found else env.layer.name].replicas.append(replica)
    for kind, generators, slot in (("ConfigMap", overlay.config_map_generators, "config_maps"),
                                   ("Secret", overlay.secret_generators, "secrets")):
        for generator in generators:
            name = env.layer.name
            if generator.behavior in ("merge", "replace"):
                name = next((layer for layer, ident in index.by_name.get((kind, generator.name), [])
                             if not generator.namespace or ident.namespace == generator.namespace),
                            name)
            getattr(routed[name], slot).append(generator)
    return routed


_REPLICA_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")


def _patch_matches(patch: Patch, ident: Ident, exact: bool = False) -> bool:
    """Whether ``patch`` can act on ``ident`` (selectors are not evaluated: a
    targeted patch matching nothing is a no-op, so erring on "yes" is safe)."""
    t = patch.target
    if t.kind and t.kind != ident.kind:
        return False
    if t.group is not None and t.group != ident.group:
        return False
    if t.version and t.version != ident.version:
        return False
    for pattern, value in ((t.name, ident.name), (t.namespace, ident.namespace)):
        if pattern and not (pattern == value if exact else _full_match(pattern, value)):
            return False
    return True


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return pattern == value


def _images(data: Any) -> Iterable[str]:
    """Every container image named in an object (any ``image`` beside a ``name``)."""
    if isinstance(data, list):
        for item in data:
            yield from _images(item)
    elif isinstance(data, dict):
        image = data.get("image")
        if isinstance(image, str) and "name" in data:
            yield image
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _images(value)


def _may_run(ident: Ident, data: Mapping[str, Any]) -> bool:
    """Whether an object can hold containers: a workload, or a kind kustgen does not know."""
    return ident.kind in _WORKLOAD_KINDS or not _is_builtin(str(data.get("apiVersion", "")))


def _image_matched(image: str, name: str) -> bool:
    from kustgen.render.images import is_image_matched

    return is_image_matched(image, name)


def _piece_overlay(overlay: Overlay, p: _Part, routed: _Routed) -> Overlay:
    env = p.layer.environment
    generators = bool(routed.config_maps or routed.secrets)
    return replace(
        overlay,
        bases=p.bases,
        base_namespaces={b.name: overlay.base_namespaces[b.name] for b in p.bases
                         if b.name in overlay.base_namespaces},
        components=p.components,
        objects=p.objects,
        patches=routed.patches,
        images=routed.images,
        replicas=routed.replicas,
        config_map_generators=routed.config_maps,
        secret_generators=routed.secrets,
        generator_options=overlay.generator_options if generators else None,
        namespace=overlay.namespace if env else None,
        name_prefix=overlay.name_prefix if env else None,
        name_suffix=overlay.name_suffix if env else None,
    )
