"""Overlay-wide transformers that may express a change exactly.

Each ``*_candidate`` function looks at the objects as the current plan
renders them (``current``, matched by id to the ``desired`` objects) and
proposes one kustomization field: ``namespace``, ``namePrefix``/``nameSuffix``,
``labels``, ``commonAnnotations`` (or an AnnotationsTransformer for metadata
only), ``images``, ``replicas`` or a base's own namespace.  A proposal is
only a guess: the planner keeps it only if the rendered overlay still equals
the desired objects and the overlay got smaller.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kustgen.kustomization import Image, Replica
from kustgen.render.images import ImageIndex, new_image, split_image
from kustgen.render.replicas import KINDS as REPLICA_KINDS
from kustgen.render.scope import is_cluster_scoped

Ident = tuple[str, str, str, str]

#: Kinds whose ``spec.template`` annotations ``commonAnnotations`` also sets
#: (as kustgen.render.annotations, after kustomize's field specs).
TEMPLATE_KINDS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
                  "ReplicationController")


@dataclass(frozen=True)
class Transforms:
    """The overlay-wide fields of one plan."""

    namespace: str | None = None
    name_prefix: str | None = None
    name_suffix: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    images: tuple[Image, ...] = ()
    replicas: tuple[Replica, ...] = ()
    #: Annotations set on every object's metadata only (an AnnotationsTransformer).
    metadata_annotations: Mapping[str, str] = field(default_factory=dict)
    #: Bases moved to another namespace by a kustomization of their own.
    base_namespaces: tuple[tuple[str, str], ...] = ()
    #: The base each object of the bases comes from (what ``base_namespaces`` moves).
    origins: Mapping[Ident, str] = field(default_factory=dict, compare=False)

    def ident(self, ident: Ident) -> Ident:
        """Where an object of the bases ends up under these transforms."""
        api_version, kind, namespace, name = ident
        moved = dict(self.base_namespaces).get(self.origins.get(ident, "")) \
            if self.base_namespaces else None
        if kind == "Namespace":
            return (api_version, kind, namespace, self.namespace or moved or name)
        if not is_cluster_scoped(kind):
            namespace = self.namespace or moved or namespace
        return (api_version, kind, namespace,
                f"{self.name_prefix or ''}{name}{self.name_suffix or ''}")

    def original_name(self, name: str) -> str | None:
        """The name to write in the overlay for an object named ``name`` in the output."""
        prefix, suffix = self.name_prefix or "", self.name_suffix or ""
        if not name.startswith(prefix) or not name.endswith(suffix):
            return None
        stripped = name[len(prefix):len(name) - len(suffix)]
        return stripped or None


Pairs = list[tuple[dict[str, Any], dict[str, Any]]]


def _meta(obj: Mapping[str, Any], key: str) -> dict[str, Any]:
    meta = obj.get("metadata") or {}
    value = meta.get(key) or {}
    return dict(value) if isinstance(value, dict) else {}


def namespace_candidate(desired: list[dict[str, Any]], start: list[Ident], base: Transforms
                        ) -> Transforms | None:
    namespaces = {
        (obj.get("metadata") or {}).get("namespace") or ""
        for obj in desired
        if not is_cluster_scoped(obj["kind"])
    }
    if len(namespaces) != 1 or base.namespace:
        return None
    (namespace,) = namespaces
    moved = any(ident[2] != namespace for ident in start if not is_cluster_scoped(ident[1]))
    return replace(base, namespace=namespace) if namespace and moved else None


def base_namespace_candidate(desired: list[dict[str, Any]], start: list[Ident],
                             origins: Mapping[Ident, str], base: Transforms
                             ) -> Transforms | None:
    """Bases all of whose namespaced objects moved to one other namespace, when
    the desired objects are not all in one namespace (``namespace`` says that)."""
    if base.namespace or base.base_namespaces:
        return None
    ids = {_id(obj) for obj in desired}
    elsewhere: dict[tuple[str, str, str], set[str]] = {}
    for api_version, kind, namespace, name in ids:
        if not is_cluster_scoped(kind):
            elsewhere.setdefault((api_version, kind, name), set()).add(namespace)
    if len({ident[2] for ident in ids if not is_cluster_scoped(ident[1])}) < 2:
        return None
    moves = {}
    for origin in dict.fromkeys(origins.values()):
        targets: set[str] = set()
        stayed = False
        for ident in start:
            api_version, kind, namespace, name = ident
            if origins.get(ident) != origin or kind == "Namespace" or is_cluster_scoped(kind):
                continue
            if ident in ids:
                stayed = True
                break
            targets |= elsewhere.get((api_version, kind, name), set()) - {namespace}
        if not stayed and len(targets) == 1:
            moves[origin] = targets.pop()
    if not moves:
        return None
    return replace(base, base_namespaces=tuple(sorted(moves.items())), origins=origins)


def _id(obj: Mapping[str, Any]) -> Ident:
    meta = obj.get("metadata") or {}
    return (obj["apiVersion"], obj["kind"], meta.get("namespace") or "", meta["name"])


def _common_start(names: list[str]) -> str:
    first, last = min(names), max(names)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def _cut_prefix(prefix: str) -> str:
    cut = max(prefix.rfind("-"), prefix.rfind("."))
    return prefix[: cut + 1] if cut >= 0 else ""


def name_candidates(desired: list[dict[str, Any]], start: list[Ident], base: Transforms
                    ) -> list[Transforms]:
    names = [obj["metadata"]["name"] for obj in desired if obj["kind"] != "Namespace"]
    start_names = [ident[3] for ident in start if ident[1] != "Namespace"]
    if not names or not start_names:
        return []
    found = []
    prefix = _cut_prefix(_common_start(names))
    if prefix and not base.name_prefix and not all(n.startswith(prefix) for n in start_names):
        found.append(replace(base, name_prefix=prefix))
    reversed_names = [n[::-1] for n in names]
    suffix = _cut_prefix(_common_start(reversed_names))[::-1]
    if suffix and not base.name_suffix and not all(n.endswith(suffix) for n in start_names):
        found.append(replace(base, name_suffix=suffix))
    return found


def _common(desired: list[dict[str, Any]], key: str) -> dict[str, Any]:
    if not desired:
        return {}
    common = _meta(desired[0], key)
    for obj in desired[1:]:
        theirs = _meta(obj, key)
        common = {k: v for k, v in common.items() if k in theirs and theirs[k] == v}
    return {k: v for k, v in common.items() if isinstance(v, str)}


def label_candidate(desired: list[dict[str, Any]], current: Pairs, base: Transforms
                    ) -> Transforms | None:
    pairs = {
        k: v for k, v in _common(desired, "labels").items()
        if k not in base.labels and any(_meta(cur, "labels").get(k) != v for cur, _ in current)
    }
    return replace(base, labels={**base.labels, **pairs}) if pairs else None


def _template_annotations(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The pod-template annotations ``commonAnnotations`` also writes to."""
    spec = obj.get("spec") or {}
    if obj["kind"] in TEMPLATE_KINDS:
        templates = [spec.get("template") or {}]
    elif obj["kind"] == "CronJob":
        job = spec.get("jobTemplate") or {}
        templates = [job, (job.get("spec") or {}).get("template") or {}]
    else:
        return []
    return [dict((t.get("metadata") or {}).get("annotations") or {}) for t in templates]


def annotation_candidate(desired: list[dict[str, Any]], current: Pairs, base: Transforms
                         ) -> Transforms | None:
    pairs = {
        k: v for k, v in _common(desired, "annotations").items()
        if k not in base.annotations
        and any(_meta(cur, "annotations").get(k) != v for cur, _ in current)
        and all(a.get(k) == v for obj in desired for a in _template_annotations(obj))
    }
    return replace(base, annotations={**base.annotations, **pairs}) if pairs else None


def _annotation_keys(obj: Mapping[str, Any]) -> set[str]:
    return {*_meta(obj, "annotations"), *(k for a in _template_annotations(obj) for k in a)}


def metadata_annotation_candidate(desired: list[dict[str, Any]], current: Pairs,
                                  start: list[dict[str, Any]], base: Transforms
                                  ) -> Transforms | None:
    """Annotations every desired object carries in its metadata, set by an
    AnnotationsTransformer limited to ``metadata/annotations``.

    Only keys no object of the bases has anywhere: kustomize shares one YAML
    node between the places a transformer created a key in, and a later write
    to one of them changes all (so ``commonAnnotations`` of a base followed by
    this transformer would rewrite pod templates too).
    """
    taken = {k for obj in start for k in _annotation_keys(obj)}
    pairs = {
        k: v for k, v in _common(desired, "annotations").items()
        if k not in base.annotations and k not in base.metadata_annotations and k not in taken
        and any(_meta(cur, "annotations").get(k) != v for cur, _ in current)
    }
    if not pairs:
        return None
    return replace(base, metadata_annotations={**base.metadata_annotations, **pairs})


def _images(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path naming each container, image) of every container anywhere in an object."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _images(item, (*path, str(i)))
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("containers", "initContainers") and isinstance(value, list):
            for container in value:
                if isinstance(container, dict) and isinstance(container.get("image"), str):
                    yield (*path, key, str(container.get("name"))), container["image"]
        else:
            yield from _images(value, (*path, key))


def image_candidate(current: Pairs, base: Transforms, desired: list[dict[str, Any]]
                    ) -> Transforms | None:
    wanted: dict[str, set[str]] = {}
    occurrences: dict[str, list[str]] = {}
    for cur, want in current:
        desired_images = dict(_images(want))
        for where, image in _images(cur):
            name = split_image(image)[0]
            occurrences.setdefault(name, []).append(image)
            if where in desired_images:
                wanted.setdefault(name, set()).add(desired_images[where])
    # Every image of the objects, indexed once: each entry's checks below look
    # up the images it rewrites instead of walking every object again.
    everywhere = ImageIndex([img for cur, _ in current for _, img in _images(cur)])
    in_desired = ImageIndex([img for obj in desired for _, img in _images(obj)])
    entries = []
    for name, targets in sorted(wanted.items()):
        if len(targets) != 1 or any(i.name == name for i in base.images):
            continue
        (target,) = targets
        images = occurrences[name]
        if all(image == target for image in images):
            continue
        entry = _image_entry(name, target)
        if entry is None:
            continue
        plain = {k: v for k, v in entry.to_dict().items() if k != "name"}
        every = everywhere.matching(name)
        # The entry also rewrites images the patches write (new containers, added objects).
        wanted_everywhere = in_desired.matching(name)
        if all(new_image(img, plain) == target for img in every) and all(
            new_image(img, plain) == img for img in wanted_everywhere
        ):
            entries.append(entry)
    return replace(base, images=(*base.images, *entries)) if entries else None


def _image_entry(name: str, target: str) -> Image | None:
    new_name, tag, digest = split_image(target)
    if not tag and not digest:
        return Image(name=name, new_name=new_name) if new_name != name else None
    return Image(
        name=name,
        new_name=new_name if new_name != name else None,
        new_tag=tag or None,
        digest=digest or None,
    )


def replica_candidate(current: list[tuple[str, dict[str, Any], dict[str, Any] | None]],
                      base: Transforms) -> Transforms | None:
    """``current``: (original name, rendered object, desired object or None)."""
    by_name: dict[str, list[tuple[dict[str, Any], dict[str, Any] | None]]] = {}
    for name, cur, want in current:
        if cur["kind"] in REPLICA_KINDS:
            by_name.setdefault(name, []).append((cur, want))
    entries = []
    for name, pairs in sorted(by_name.items()):
        counts: set[int | None] = set()
        changed = False
        for cur, want in pairs:
            if want is None:
                continue
            count = (want.get("spec") or {}).get("replicas")
            if isinstance(count, bool) or not isinstance(count, int):
                counts.add(None)
                continue
            counts.add(count)
            changed = changed or (cur.get("spec") or {}).get("replicas") != count
        (count, *others) = counts or {None}
        if changed and not others and count is not None:
            entries.append(Replica(name=name, count=count))
    done = {r.name for r in base.replicas}
    entries = [e for e in entries if e.name not in done]
    return replace(base, replicas=(*base.replicas, *entries)) if entries else None
