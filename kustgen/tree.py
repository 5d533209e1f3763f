"""What a user composes: bases, components, overlays and the cluster holding them.

These are library objects, not files: ``kustgen.layout`` turns a ``Cluster``
into the kustomization tree (paths and texts) and ``kustgen.writer`` puts that
tree on disk.  Everything here is plain data plus validation, so a cluster
definition can be built, inspected and tested without touching the disk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, Union

from kustgen.errors import ConflictError, InputError
from kustgen.kustomization import (
    AnnotationsTransformer,
    ConfigMapGenerator,
    GeneratorOptions,
    Image,
    Label,
    NameReference,
    PatchTarget,
    Replica,
    SecretGenerator,
)

if TYPE_CHECKING:
    from kustgen.gitops import GitOps
    from kustgen.layers import Layer
    from kustgen.model import Resource

#: A Kubernetes object: a typed model, or a plain mapping for kinds kustgen has
#: no model of (the mapping must carry apiVersion, kind and metadata.name).
KubeObject = Union["Resource", Mapping[str, Any]]

# Directory names of bases, components and environments: DNS-1123 labels, so
# they are safe path segments and read well in `kubectl apply -k overlays/prod`.
_DIR_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check_dir_name(what: str, name: str) -> None:
    if not isinstance(name, str) or len(name) > 63 or not _DIR_NAME.match(name):
        raise InputError(
            f"invalid name {name!r}: use lower-case letters, digits and '-' "
            "(a DNS-1123 label, at most 63 characters)",
            obj=what,
            field="name",
        )


def object_to_dict(obj: KubeObject) -> dict[str, Any]:
    """The plain dict of a typed model or a mapping (checked for identity fields)."""
    if isinstance(obj, Mapping):
        data = dict(obj)
        meta = data.get("metadata")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        for key, value in (("apiVersion", data.get("apiVersion")), ("kind", data.get("kind"))):
            if not isinstance(value, str) or not value:
                raise InputError("a string is required", obj=f"object {name or '?'}", field=key)
        if not isinstance(name, str) or not name:
            raise InputError("a string is required", obj=str(data["kind"]), field="metadata.name")
        return data
    from kustgen.model import to_dict

    return to_dict(obj)


def object_id(data: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(apiVersion, kind, namespace, name) of a plain object."""
    meta = data.get("metadata") or {}
    return (data["apiVersion"], data["kind"], meta.get("namespace") or "", meta["name"])


def describe(data: Mapping[str, Any]) -> str:
    """``Kind/name`` as used in every error message."""
    meta = data.get("metadata") or {}
    return f"{data.get('kind', '?')}/{meta.get('name', '?')}"


@dataclass(kw_only=True)
class Patch:
    """An explicit patch, written to its own file in the overlay.

    Exactly one of ``strategic_merge`` (a partial object, merged by Kubernetes'
    strategic-merge rules) and ``json6902`` (a list of RFC 6902 operations) is
    given.  Build one with ``Patch.strategic(obj, changes)`` or
    ``Patch.json(obj, ops)`` to take the target from the object itself.
    """

    target: PatchTarget
    strategic_merge: Mapping[str, Any] | None = None
    json6902: Sequence[Mapping[str, Any]] | None = None
    #: A strategic-merge patch listed without ``target``: kustomize finds the
    #: object by the patch's own apiVersion, kind, name and namespace, and
    #: fails when it is missing instead of silently matching nothing.
    by_id: bool = False
    #: The strategic-merge patch renames its target (``metadata.name`` in the
    #: patch); kustomize rewrites references to the object as well.
    allow_name_change: bool = False
    #: A comment written above each JSON6902 operation (None: none).
    comments: Sequence[str | None] | None = None

    def __post_init__(self) -> None:
        if (self.strategic_merge is None) == (self.json6902 is None):
            raise InputError(
                "give exactly one of strategic_merge and json6902",
                obj=f"patch for {self.target.kind}/{self.target.name}",
            )
        if not self.target.kind or not self.target.name:
            raise InputError("a patch target needs kind and name", obj="patch", field="target")

    @classmethod
    def strategic(cls, obj: KubeObject, changes: Mapping[str, Any]) -> Patch:
        """A strategic-merge patch of ``obj``.

        It is listed without ``target`` (kustomize finds the object by the
        patch's own id, and fails if it is missing) wherever that applies it to
        exactly the objects a target would: a plain name, and a namespace or a
        cluster-scoped kind.  kustomize is quadratic in targeted patches (and so
        is every Argo CD or Flux reconcile of the tree), linear in these.
        """
        target = _target_of(obj)
        return cls(target=target, strategic_merge=changes, by_id=_exact_by_id(target, changes))

    @classmethod
    def json(cls, obj: KubeObject, operations: Sequence[Mapping[str, Any]]) -> Patch:
        return cls(target=_target_of(obj), json6902=list(operations))


#: Characters that make a target name a regular expression matching other names too.
_REGEX_CHARS = frozenset(".^$*+?{}[]\\|()")


def _exact_by_id(target: PatchTarget, changes: Mapping[str, Any]) -> bool:
    """Whether listing the patch without ``target`` changes nothing kustomize prints."""
    from kustgen.render.scope import is_cluster_scoped

    if not target.name or _REGEX_CHARS & set(target.name):
        return False  # the target's name is a regex: it may select more objects
    if not target.namespace and not is_cluster_scoped(target.kind or ""):
        return False  # the target selects the name in every namespace
    if "kind" in changes or "apiVersion" in changes:
        return False  # the patch would name another object
    metadata = changes.get("metadata")
    if isinstance(metadata, Mapping):
        for key in ("labels", "annotations", "name", "namespace"):
            value = metadata.get(key)
            # With a target, kustomize writes a null label or annotation as the
            # string "null" instead of removing it (FACTS); a name is a rename.
            if key in ("name", "namespace") and value is not None:
                return False
            if isinstance(value, Mapping) and any(v is None for v in value.values()):
                return False
    return True


def _target_of(obj: KubeObject) -> PatchTarget:
    data = object_to_dict(obj)
    api_version, kind, namespace, name = object_id(data)
    group, _, version = api_version.rpartition("/")
    return PatchTarget(
        group=group or None,
        version=version,
        kind=kind,
        name=name,
        namespace=namespace or None,
    )


@dataclass(kw_only=True)
class External:
    """What the cluster provides that the tree does not define (for ``kustgen validate``).

    ``storage_classes`` are names of StorageClasses created outside the tree
    (k3s' ``local-path``, a class a controller manages); as a mapping they name
    the access modes each class serves (``{"nfs": ["ReadWriteOnce",
    "ReadWriteMany"]}``), so a ``ReadWriteMany`` claim on it can be checked.
    ``namespaces`` are namespaces created outside the tree (``metallb-system``
    by the MetalLB installation).

    A ``Cluster`` declares what its whole environment stands on; a ``Base`` or
    ``Component`` declares what its own objects stand on (the catalog's
    Longhorn base: ``longhorn-system``, created by Longhorn's installation), and
    validation honours it in every environment that uses the base.
    """

    storage_classes: Sequence[str] | Mapping[str, Sequence[str]] = ()
    namespaces: Sequence[str] = ()


@dataclass(kw_only=True)
class _Kustomized:
    """Fields every kind of kustomization directory shares."""

    name: str
    objects: list[KubeObject] = field(default_factory=list)
    namespace: str | None = None
    labels: list[Label] = field(default_factory=list)
    common_annotations: dict[str, str] = field(default_factory=dict)
    config_map_generators: list[ConfigMapGenerator] = field(default_factory=list)
    secret_generators: list[SecretGenerator] = field(default_factory=list)
    generator_options: GeneratorOptions | None = None
    patches: list[Patch] = field(default_factory=list)
    #: Fields kustomize should rewrite when it renames an object (``configurations:``).
    name_references: list[NameReference] = field(default_factory=list)
    #: Builtin transformer configurations (``transformers:``), run after the fields above.
    transformers: list[AnnotationsTransformer] = field(default_factory=list)

    def plain_objects(self) -> list[dict[str, Any]]:
        """The objects as plain dicts; duplicate ids are refused here.  Inside
        ``converted_once()`` converted once and shared: callers do not change them."""
        if _CONVERTED:
            done = _CONVERTED[-1]
            found = done.get(id(self))
            if found is None or found[0] is not self:
                found = done[id(self)] = (self, self._convert())
            return found[1]
        return self._convert()

    def _convert(self) -> list[dict[str, Any]]:
        seen: dict[tuple[str, str, str, str], str] = {}
        result = []
        for obj in self.objects:
            data = object_to_dict(obj)
            ident = object_id(data)
            if ident in seen:
                raise ConflictError(
                    f"defined twice in {type(self).__name__.lower()} {self.name!r}",
                    obj=describe(data),
                )
            seen[ident] = self.name
            result.append(data)
        return result


#: The conversions of the innermost ``converted_once`` block, by id of the kustomization.
_CONVERTED: list[dict[int, tuple[_Kustomized, list[dict[str, Any]]]]] = []


@contextmanager
def converted_once() -> Iterator[None]:
    """While the block runs, each base's, component's and overlay's objects are
    converted to plain dicts once (a typed model's ``to_dict`` is the costly
    part of laying out and validating a tree).  For library calls that run no
    user code in between: the objects must not change inside the block."""
    if _CONVERTED:
        yield
        return
    _CONVERTED.append({})
    try:
        yield
    finally:
        _CONVERTED.pop()


@dataclass(kw_only=True)
class Base(_Kustomized):
    """A base: objects shared by every environment that includes it.

    ``remote_resources`` are URLs listed in ``resources`` as they are (e.g. an
    upstream release manifest); building such a base needs the network.
    """

    remote_resources: list[str] = field(default_factory=list)
    #: What the objects stand on that no base defines (read only by validation).
    external: External = field(default_factory=External)
    #: The layer this base is applied in (``"install"``, ``"config"``, ``"apps"``
    #: or a ``kustgen.layers.Layer``); derived from its objects when not given.
    layer: Layer | str | None = None

    def __post_init__(self) -> None:
        check_dir_name("base", self.name)
        _check_layer(self.layer, f"base {self.name}")


@dataclass(kw_only=True)
class Component(_Kustomized):
    """An optional feature (``kind: Component``) that overlays switch on.

    It is applied in the layer of the objects it patches, or ``layer``.
    """

    layer: Layer | str | None = None

    #: What the objects stand on that no base defines (read only by validation).
    external: External = field(default_factory=External)

    def __post_init__(self) -> None:
        check_dir_name("component", self.name)
        _check_layer(self.layer, f"component {self.name}")


def _check_layer(layer: Layer | str | None, where: str) -> None:
    if layer is not None:
        from kustgen.layers import as_layer

        try:
            as_layer(layer)
        except InputError as error:
            raise error.at(obj=where, field_prefix="layer") from None


@dataclass(kw_only=True)
class Overlay(_Kustomized):
    """One environment: which bases and components, and how they differ.

    ``name`` is the environment's name (``overlays/<name>/``); ``objects`` are
    extra objects only this environment has.  It is applied in layers (see
    :mod:`kustgen.layers`); ``namespace``, ``name_prefix`` and ``name_suffix``
    apply to its applications layer only, so its installations and their
    configuration keep the namespaces and names their controllers expect.
    """

    bases: list[Base] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    name_prefix: str | None = None
    name_suffix: str | None = None
    images: list[Image] = field(default_factory=list)
    replicas: list[Replica] = field(default_factory=list)
    #: Bases this environment moves to another namespace, by base name: each is
    #: included through a kustomization of its own (``overlays/<env>/bases/<base>/``)
    #: that sets ``namespace``, so the other bases stay where they are.
    base_namespaces: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_dir_name("overlay", self.name)
        names = {base.name for base in self.bases}
        for base, namespace in self.base_namespaces.items():
            if base not in names:
                raise InputError(f"{base!r} is not one of this overlay's bases",
                                 obj=f"overlay {self.name}", field="base_namespaces")
            check_dir_name(f"overlay {self.name}: namespace of base {base}", namespace)


_K = TypeVar("_K", bound=_Kustomized)


@dataclass(kw_only=True)
class Cluster:
    """A whole cluster definition: what ``kustgen build`` writes.

    ``external``, ``nodes`` and ``lint_ignore`` are read only by validation and
    lint (``kustgen validate``), never written: ``nodes`` is the number of
    nodes (Longhorn replica counts above it are reported); ``lint_ignore``
    silences rules per object, keyed like the findings print objects,
    ``"Kind/namespace/name"`` (``"Kind/name"`` when cluster-scoped), or
    ``"ENV:Kind/namespace/name"`` for one environment only, e.g.
    ``{"Deployment/web/whoami": ["image-tag"]}``.

    ``allow_plaintext`` names the Secret objects (``"Secret/NAMESPACE/NAME"``,
    or ``"Secret/NAME"`` without a namespace, as the object is written) whose
    ``data``/``stringData`` may be written to the tree in plain text (a demo
    credential, a value that is not secret); every other Secret value in a
    written file stops the build (see :mod:`kustgen.plaintext`).

    ``installs`` are kustomizations of upstream releases referenced by URL
    (e.g. Longhorn's manifest), written to ``installs/<name>/``: applied on
    their own, with network access, as the cluster's first layer, and kept
    apart from ``bases/`` so that every base and overlay builds offline.  An
    installation given as typed objects is better a base of the environment
    (its layer is ``install``), where the environment can change it.
    """

    name: str
    overlays: list[Overlay]
    bases: list[Base] = field(default_factory=list)
    installs: list[Base] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    external: External = field(default_factory=External)
    nodes: int | None = None
    lint_ignore: Mapping[str, Sequence[str]] = field(default_factory=dict)
    allow_plaintext: Sequence[str] = ()
    #: How a GitOps engine applies this cluster's layers in order
    #: (``kustgen.gitops.Flux`` or ``ArgoCD``); none written when ``None``.
    gitops: GitOps | None = None

    def __post_init__(self) -> None:
        check_dir_name("cluster", self.name)
        if isinstance(self.allow_plaintext, str) or not all(
            isinstance(ref, str) and ref.count("/") in (1, 2) for ref in self.allow_plaintext
        ):
            raise InputError(
                "name each Secret as 'Secret/NAMESPACE/NAME' (or 'Secret/NAME')",
                obj=f"cluster {self.name}",
                field="allow_plaintext",
            )
        if not self.overlays:
            raise InputError("a cluster needs at least one overlay", obj=f"cluster {self.name}")
        for overlay in self.overlays:
            if not isinstance(overlay, Overlay):
                hint = " (for an Environment, pass env.overlay())" if hasattr(
                    overlay, "overlay") else ""
                raise InputError(f"{type(overlay).__name__} is not an Overlay{hint}",
                                 obj=f"cluster {self.name}", field="overlays")

    def all_bases(self) -> list[Base]:
        """Bases named directly or through an overlay, each once, in order of use."""
        bases = _unique("base", [*self.bases, *(b for o in self.overlays for b in o.bases)])
        for install in self.installs:
            if any(base is install for base in bases):
                raise InputError(
                    "an install is applied on its own, not used as a base",
                    obj=f"install {install.name}",
                )
        return bases

    def all_components(self) -> list[Component]:
        return _unique(
            "component", [*self.components, *(c for o in self.overlays for c in o.components)]
        )

    def overlay(self, env: str) -> Overlay:
        for overlay in self.overlays:
            if overlay.name == env:
                return overlay
        known = ", ".join(o.name for o in self.overlays)
        raise InputError(f"no environment {env!r} (known: {known})", obj=f"cluster {self.name}")

    def envs(self) -> list[str]:
        _unique("overlay", self.overlays)
        return [overlay.name for overlay in self.overlays]


def _unique(what: str, items: Iterable[_K]) -> list[_K]:
    by_name: dict[str, _K] = {}
    for item in items:
        other = by_name.get(item.name)
        if other is None:
            by_name[item.name] = item
        elif other is not item:
            raise ConflictError(f"two different {what}s are named {item.name!r}", obj=what)
    return list(by_name.values())
