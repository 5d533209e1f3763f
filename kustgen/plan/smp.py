"""The strategic-merge patch (plus JSON6902 operations) that turns one object into another.

``object_patch(original, desired, info)`` compares two plain objects of the
same kind and returns the smallest patch kustomize v5.5.0 applies exactly:

* maps: changed keys, removed keys as ``key: null``;
* lists merged by key (containers by ``name``, env by ``name``, volumes by
  ``name``, ...): only the elements that change, removals as
  ``{name: x, $patch: delete}``.  kustomize puts the patch's elements first
  and the untouched originals after them in their order, so the elements
  that must precede a changed one are named in the patch (key only) to keep
  the order the user asked for;
* every other list is replaced whole.

What a strategic merge cannot say exactly goes into JSON6902 operations,
which kustomize applies after the strategic merge: lists with several map
keys (container and Service ports: kubectl drops a patch entry without its
``protocol``), primitive lists merged as sets (finalizers), empty maps and
lists, explicit ``null`` values, and a removed ``metadata.annotations`` map (a
strategic merge's null there also drops kustomize's bookkeeping annotations:
a generator's hash, the previous names references are matched by).  JSON6902
paths index a list as it is after the strategic merge, which is the desired
order.  ``$retainKeys`` and
``$setElementOrder`` are never written: kustomize copies them into the output.

The strategic-merge document must be listed without a ``target`` (the planner
does so): with a target, kustomize v5.5.0 writes a ``null`` under
``metadata.labels``/``annotations`` as the string "null" instead of removing
the key.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kustgen.render.mergeinfo import MergeInfoFn

_NOTHING: Any = object()


@dataclass
class ObjectPatch:
    """A strategic-merge document (``None`` if not needed) and JSON6902 operations."""

    strategic: dict[str, Any] | None = None
    operations: list[dict[str, Any]] = field(default_factory=list)
    #: The name the object gets (a JSON6902 ``replace /metadata/name``, with
    #: which kustomize renames the object and the references to it), or None.
    rename: str | None = None
    #: Per operation, a comment naming list elements its path indexes at a new
    #: position (after a reorder the index differs from the bases'), or None.
    comments: list[str | None] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.strategic) or bool(self.operations) or bool(self.rename)


def pointer_segment(key: str | int) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _has_null(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return any(_has_null(v) for v in value.values()) or any(
            isinstance(k, str) and k.startswith("$") for k in value
        )
    if isinstance(value, list):
        return any(_has_null(v) for v in value)
    return False


def _has_empty(value: Any) -> bool:
    """An empty map or list anywhere: a strategic merge may drop or merge it away."""
    if isinstance(value, dict):
        return not value or any(_has_empty(v) for v in value.values())
    if isinstance(value, list):
        return not value or any(_has_empty(v) for v in value)
    return False


def same(a: Any, b: Any) -> bool:
    """Equality that tells ``1`` from ``True`` and ``1`` from ``1.0`` (YAML does)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


class _Planner:
    def __init__(self, api_version: str, kind: str, info: MergeInfoFn,
                 literal_metadata: bool = False):
        self.api_version, self.kind, self.info = api_version, kind, info
        self.literal_metadata = literal_metadata
        self.operations: list[dict[str, Any]] = []
        #: Pointer of a keyed list element that sits at another index than in
        #: the original -> how to name it.
        self.moved: dict[str, str] = {}

    def replace(self, pointer: str, value: Any, existed: bool) -> Any:
        op = "replace" if existed else "add"
        self.operations.append({"op": op, "path": pointer, "value": copy.deepcopy(value)})
        return _NOTHING

    def new_value(self, value: Any, pointer: str, existed: bool) -> Any:
        """``value`` placed where nothing comparable was."""
        if _has_null(value) or _has_empty(value):
            return self.replace(pointer, value, existed)
        return copy.deepcopy(value)

    def map(self, orig: dict[str, Any], want: dict[str, Any], path: tuple[str, ...],
            pointer: str) -> dict[str, Any]:
        patch: dict[str, Any] = {}
        if self.literal_metadata and path == ("metadata",):
            orig, want = self.literal_pairs(orig, want, pointer)
        for key in orig:
            if key not in want:
                if path == ("metadata",) and key == "annotations":
                    # A strategic merge's null would also drop kustomize's own
                    # bookkeeping annotations (a generator's hash, previous names).
                    self.operations.append({"op": "remove", "path": f"{pointer}/{key}"})
                else:
                    patch[key] = None
        for key, value in want.items():
            sub_pointer = f"{pointer}/{pointer_segment(key)}"
            if key not in orig:
                placed = self.new_value(value, sub_pointer, existed=False)
                if placed is not _NOTHING:
                    patch[key] = placed
                continue
            old = orig[key]
            if same(old, value):
                continue
            placed = self.value(old, value, (*path, key), sub_pointer)
            if placed is not _NOTHING:
                patch[key] = placed
        return patch

    def literal_pairs(self, orig: dict[str, Any], want: dict[str, Any], pointer: str
                      ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Labels and annotations as JSON6902 operations, key by key: kustomize
        applies those to a copy of the object, so a value a transformer shared
        with the pod template or selector changes only here, and removing the
        whole map keeps kustomize's own annotations."""
        for name in ("labels", "annotations"):
            old, new = orig.get(name, _NOTHING), want.get(name, _NOTHING)
            at = f"{pointer}/{name}"
            if isinstance(old, dict) and new is _NOTHING:
                # A strategic merge's null here would also drop kustomize's own
                # bookkeeping annotations (a generator's hash, previous names).
                self.operations.append({"op": "remove", "path": at})
                orig = {k: v for k, v in orig.items() if k != name}
                continue
            if same(old, new) or not isinstance(old, dict) or not isinstance(new, dict):
                continue
            for key in old:
                if key not in new:
                    self.operations.append({"op": "remove", "path": f"{at}/{pointer_segment(key)}"})
            for key, value in new.items():
                if not same(old.get(key, _NOTHING), value):
                    self.operations.append({"op": "add", "path": f"{at}/{pointer_segment(key)}",
                                            "value": value})
            orig, want = {**orig, name: new}, {**want, name: new}
        return orig, want

    def value(self, old: Any, new: Any, path: tuple[str, ...], pointer: str) -> Any:
        if isinstance(old, dict) and isinstance(new, dict) and new:
            sub = self.map(old, new, path, pointer)
            return sub if sub else _NOTHING
        if isinstance(old, list) and isinstance(new, list) and new:
            return self.sequence(old, new, path, pointer)
        return self.new_value(new, pointer, existed=True)

    def sequence(self, old: list[Any], new: list[Any], path: tuple[str, ...], pointer: str) -> Any:
        found = self.info(self.api_version, self.kind, path)
        strategy = (found.patch_strategy or "") if found is not None else ""
        if "merge" not in strategy.split(","):
            return self.new_value(new, pointer, existed=True)  # replaced whole by kustomize
        key = found.merge_key if found is not None else None
        map_keys = list(found.list_map_keys or ()) if found is not None else []
        if key is None or len(map_keys) > 1 or not _keyed(old, key) or not _keyed(new, key):
            return self.replace(pointer, new, existed=True)
        return self.keyed_list(old, new, key, path, pointer)

    def keyed_list(self, old: list[dict[str, Any]], new: list[dict[str, Any]], key: str,
                   path: tuple[str, ...], pointer: str) -> Any:
        position = {item[key]: i for i, item in enumerate(old)}
        by_key = {item[key]: item for item in old}
        # The longest tail of the desired list that is unchanged and in the
        # original order: kustomize appends exactly those (the untouched originals).
        tail = len(new)
        last = len(old)
        while tail > 0:
            item = new[tail - 1]
            index = position.get(item[key])
            if index is None or index >= last or not same(by_key[item[key]], item):
                break
            last = index
            tail -= 1
        wanted = {item[key] for item in new}
        elements: list[Any] = []
        mark = len(self.operations)
        for i, item in enumerate(new[:tail]):
            item_pointer = f"{pointer}/{i}"
            if position.get(item[key]) != i:
                where = position.get(item[key])
                was = "new" if where is None else f"index {where} in the bases"
                self.moved[item_pointer] = f"{item_pointer}: {key} {item[key]!r} ({was})"
            if item[key] not in by_key:
                if _has_null(item) or _has_empty(item):
                    del self.operations[mark:]
                    return self.replace(pointer, new, existed=True)
                elements.append(copy.deepcopy(item))
                continue
            sub = self.map(by_key[item[key]], item, path, item_pointer)
            elements.append({key: item[key], **sub})
        _drop_idle_tail(elements, key, [k for k in by_key if k in wanted])
        elements.extend({key: k, "$patch": "delete"} for k in by_key if k not in wanted)
        return elements if elements else _NOTHING


def _merged_order(named: list[Any], kept: list[Any]) -> list[Any]:
    """Keys in the order kustomize leaves them: the patch's, then the others'."""
    return [*named, *(k for k in kept if k not in named)]


def _drop_idle_tail(elements: list[dict[str, Any]], key: str, kept: list[Any]) -> None:
    """Drop trailing elements that only name themselves where kustomize would put
    them in the same place anyway (so a patch is not a bare ``- name: x`` when
    the change itself is in a JSON6902 operation)."""
    order = _merged_order([e[key] for e in elements], kept)
    while elements and set(elements[-1]) == {key}:
        shorter = [e[key] for e in elements[:-1]]
        if _merged_order(shorter, kept) != order:
            break
        elements.pop()


def _keyed(items: list[Any], key: str) -> bool:
    if not all(isinstance(item, dict) and key in item for item in items):
        return False
    keys = [item[key] for item in items]
    return len(set(map(repr, keys))) == len(keys)


def object_patch(original: dict[str, Any], desired: dict[str, Any], info: MergeInfoFn,
                 *, literal_metadata: bool = False) -> ObjectPatch:
    """The patch that turns ``original`` into ``desired`` (same kind and name);
    with ``literal_metadata`` label and annotation changes are JSON6902
    operations."""
    planner = _Planner(str(desired.get("apiVersion", "")), str(desired.get("kind", "")), info,
                       literal_metadata)
    body = planner.map(original, desired, (), "")
    return ObjectPatch(strategic=body or None, operations=planner.operations,
                       comments=[_comment(op["path"], planner.moved)
                                 for op in planner.operations])


def _comment(path: str, moved: dict[str, str]) -> str | None:
    """Names the moved list elements ``path`` indexes, outermost first."""
    names = [text for pointer, text in moved.items()
             if path == pointer or path.startswith(pointer + "/")]
    return "; ".join(sorted(names, key=len)) or None


def replace_patch(original: dict[str, Any], desired: dict[str, Any]) -> ObjectPatch:
    """The safe form: JSON6902 operations replacing every differing top-level field
    (``add`` replaces an existing member and creates a missing one)."""
    ops: list[dict[str, Any]] = []
    for key in original:
        if key not in desired and key not in ("apiVersion", "kind"):
            ops.append({"op": "remove", "path": f"/{pointer_segment(key)}"})
    for key, value in desired.items():
        if key in ("apiVersion", "kind") or same(original.get(key, _NOTHING), value):
            continue
        if key == "metadata" and isinstance(value, dict):
            old_meta = original.get("metadata") or {}
            for mkey in old_meta:
                if mkey not in value:
                    ops.append({"op": "remove", "path": f"/metadata/{pointer_segment(mkey)}"})
            for mkey, mvalue in value.items():
                if mkey in ("name", "namespace") or same(old_meta.get(mkey, _NOTHING), mvalue):
                    continue
                ops.append({"op": "add", "path": f"/metadata/{pointer_segment(mkey)}",
                            "value": copy.deepcopy(mvalue)})
            continue
        ops.append({"op": "add", "path": f"/{pointer_segment(key)}", "value": copy.deepcopy(value)})
    return ObjectPatch(operations=ops)


Rewrite = Callable[[Any], Any]


def rewrite_strings(value: Any, mapping: dict[str, str]) -> Any:
    """``value`` with every string equal to a key of ``mapping`` replaced."""
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        return {k: rewrite_strings(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [rewrite_strings(v, mapping) for v in value]
    return value
