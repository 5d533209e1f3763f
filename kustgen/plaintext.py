"""Secret values in plain text: the one place that decides what counts as one.

kustgen checks what it *writes* -- every file of the tree, whether an
environment uses it or not (an unused base, an install, a component no
overlay includes, an object every overlay deletes) -- independently of
validation, so ``--no-validate`` does not get past it either.  A value counts
when a written file holds:

* a ``Secret`` (also inside a ``List``) with ``data`` or ``stringData``, or
  with a ``kubectl.kubernetes.io/last-applied-configuration`` annotation
  carrying them;
* a ``secretGenerator`` with ``literals``, or reading ``envs``/``files`` that
  are themselves generated files of the tree (and so committed);
* a patch that may target a Secret (strategic merge, JSON 6902, by target
  or by its own kind) and sets ``data``/``stringData`` or the whole object.

The only ways through are named opt-ins: ``SecretGenerator(allow_plaintext=True)``
for a generator and ``Cluster(allow_plaintext=["Secret/NAMESPACE/NAME", ...])``
for a Secret object or patch (``Secret/NAME`` when it has no namespace),
named as the object is written.  ``kustgen build`` refuses the tree
otherwise; ``kustgen validate`` reports each as ``secret-plaintext``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kustgen import yamlio
from kustgen.errors import KustgenError, PlaintextSecretError
from kustgen.fleet import Fleet, as_fleet
from kustgen.layout import Tree, base_dir, component_dir, environment_dirs, install_dir
from kustgen.tree import Cluster

_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_VALUE_FIELDS = ("data", "stringData")


@dataclass(frozen=True, order=True)
class PlaintextValue:
    """Secret values one written file would carry in plain text."""

    path: str  # the file below the output root
    ref: str  # Secret/namespace/name, or secretGenerator/name
    field: str
    count: int

    def message(self) -> str:
        if self.ref.startswith("secretGenerator/"):
            opt_in = "SecretGenerator(allow_plaintext=True)"
        else:
            opt_in = f"Cluster(allow_plaintext=[{self.ref!r}])"
        return (
            f"{self.count} secret value(s) would be written in plain text; keep them out of "
            f"git (SecretGenerator(envs=[...]), a sealed or external secret) or opt in with "
            f"{opt_in}"
        )


@dataclass(frozen=True)
class Allowances:
    generators: frozenset[tuple[str, str]]  # (directory, generator name)
    objects: frozenset[str]  # Secret/namespace/name as written

    @classmethod
    def of(cls, target: Cluster | Fleet) -> Allowances:
        source = as_fleet(target)
        directories = [
            *((base_dir(b), b) for b in source.all_bases()),
            *((install_dir(i), i) for i in source.all_installs()),
            *((component_dir(c), c) for c in source.all_components()),
            # An environment's generators are in the layer holding them.
            *((d, p.overlay) for o in source.overlays for d, p in environment_dirs(o)),
        ]
        return cls(
            generators=frozenset(
                (directory, g.name)
                for directory, holder in directories
                for g in holder.secret_generators
                if g.allow_plaintext
            ),
            objects=frozenset(name for c in source.clusters for name in c.allow_plaintext),
        )


def value_fields(obj: Mapping[str, Any]) -> list[tuple[str, int]]:
    """``(field, number of values)`` for each field of a Secret carrying values."""
    found = []
    for key in _VALUE_FIELDS:
        value = obj.get(key)
        if value:
            found.append((key, len(value) if isinstance(value, (Mapping, list)) else 1))
    metadata = obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    if isinstance(annotations, Mapping) and _LAST_APPLIED in annotations:
        text = str(annotations[_LAST_APPLIED])
        try:
            applied = json.loads(text)
            carries = isinstance(applied, Mapping) and bool(value_fields(applied))
        except ValueError:
            carries = any(f'"{key}"' in text for key in _VALUE_FIELDS)
        if carries:
            found.append((f"metadata.annotations.{_LAST_APPLIED}", 1))
    return found


def scan(tree: Tree, allowed: Allowances) -> list[PlaintextValue]:
    """Every plain-text secret value the files of ``tree`` would carry, minus opt-ins."""
    hits: list[PlaintextValue] = []
    for path in sorted(tree):
        text = tree[path]
        name = path.rpartition("/")[2]
        if name == "kustomization.yaml":
            if "ecret" in text:  # secretGenerator, or a patch target kind: Secret
                hits += _scan_kustomization(path, text, tree, allowed)
        elif name.endswith((".yaml", ".yml", ".json")) and "Secret" in text:
            for document in _documents(path, text):
                hits += _scan_objects(path, document, allowed)
    return sorted(set(hits))


def refuse(cluster: Cluster | Fleet, tree: Tree) -> None:
    """Raise ``PlaintextSecretError`` (one line) when ``tree`` would write secret values."""
    hits = scan(tree, Allowances.of(cluster))
    if not hits:
        return
    first = hits[0]
    more = ""
    if len(hits) > 1:
        others = ", ".join(f"{h.path} ({h.ref})" for h in hits[1:4])
        more = f" (and {len(hits) - 1} more: {others}{', ...' if len(hits) > 4 else ''})"
    raise PlaintextSecretError(first.message() + more, obj=f"{first.path}: {first.ref}",
                               field=first.field)


def _documents(path: str, text: str) -> list[Any]:
    try:
        return [d for d in yamlio.load_file(text, source=path) if d is not None]
    except KustgenError:
        return []  # kustgen wrote it, so this does not happen; nothing to find in it anyway


def _secrets_in(document: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Secrets in a document: itself, or the items of a List (recursively)."""
    if not isinstance(document, Mapping):
        return
    kind = document.get("kind")
    if kind == "Secret":
        yield "", document
    items = document.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        for index, item in enumerate(items):
            for prefix, secret in _secrets_in(item):
                yield f"items[{index}].{prefix}", secret


def _ref(obj: Mapping[str, Any], kind: str = "Secret") -> str:
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    name, namespace = metadata.get("name", "?"), metadata.get("namespace")
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def _scan_objects(path: str, document: Any, allowed: Allowances) -> list[PlaintextValue]:
    hits = []
    for prefix, secret in _secrets_in(document):
        ref = _ref(secret)
        if ref in allowed.objects:
            continue
        for field, count in value_fields(secret):
            hits.append(PlaintextValue(path, ref, prefix + field, count))
    return hits


def _scan_kustomization(
    path: str, text: str, tree: Tree, allowed: Allowances
) -> list[PlaintextValue]:
    directory = path.rpartition("/")[0]
    documents = _documents(path, text)
    kustomization = documents[0] if documents and isinstance(documents[0], Mapping) else {}
    hits = []
    for generator in kustomization.get("secretGenerator") or []:
        if not isinstance(generator, Mapping):
            continue
        name = str(generator.get("name", "?"))
        if (directory, name) in allowed.generators:
            continue
        ref = f"secretGenerator/{name}"
        literals = generator.get("literals")
        if literals:
            hits.append(PlaintextValue(path, ref, "literals", len(literals)))
        for key in ("envs", "files"):
            for entry in generator.get(key) or []:
                source = str(entry).partition("=")[2] or str(entry)
                if f"{directory}/{source}" in tree:  # a generated, committed file
                    hits.append(PlaintextValue(path, ref, key, 1))
    for index, patch in enumerate(kustomization.get("patches") or []):
        if isinstance(patch, Mapping) and _may_target_secret(patch.get("target")):
            hits += _scan_patch(path, index, patch, directory, tree, allowed)
    return hits


def _may_target_secret(target: Any) -> bool:
    """A patch target selecting Secrets: kustomize matches ``kind`` as a regular expression."""
    if not isinstance(target, Mapping):
        return False  # no target: the patch names its object itself (scanned as a file)
    kind = target.get("kind")
    if not kind:
        return True
    try:
        return re.fullmatch(str(kind), "Secret") is not None
    except re.error:
        return True


def _scan_patch(
    path: str, index: int, patch: Mapping[str, Any], directory: str, tree: Tree,
    allowed: Allowances,
) -> list[PlaintextValue]:
    target = patch["target"]
    ref = _ref({"metadata": target})
    if ref in allowed.objects:
        return []
    if "path" in patch:
        where = f"{directory}/{patch['path']}"
        documents = _documents(where, tree.get(where, ""))
    else:
        where = f"{path}: patches[{index}]"
        documents = _documents(where, str(patch.get("patch", "")))
    hits = []
    for document in documents:
        if isinstance(document, list):
            count = sum(1 for op in document if _sets_values(op))
            if count:
                hits.append(PlaintextValue(where, ref, "json6902", count))
        elif isinstance(document, Mapping):
            for field, count in value_fields(document):
                hits.append(PlaintextValue(where, ref, field, count))
    return hits


def _sets_values(op: Any) -> bool:
    """A JSON 6902 operation that puts a value into data, stringData or the whole object."""
    if not isinstance(op, Mapping) or op.get("op") in ("remove", "test"):
        return False
    pointer = str(op.get("path", ""))
    first = pointer.split("/")[1] if pointer.startswith("/") else ""
    return first in ("", *_VALUE_FIELDS) or "last-applied-configuration" in pointer
