"""Strategic merge patch as kustomize v5.5.0 (kyaml merge2) applies it.

Verified against kubectl (tests/test_render_kubectl.py):

* maps merge recursively; ``key: null`` deletes the key;
* ``$patch: delete`` on a map or list element removes it, ``$patch: replace``
  on a map replaces it, a ``- $patch: replace`` element replaces the list;
  a top-level ``$patch: delete`` removes the whole resource;
* lists whose schema strategy contains ``merge`` are merged by ``merge_key``:
  the patch's elements come first (in patch order, merged with the
  original element of the same key), then the original elements the patch
  did not name, in their order; primitive lists with strategy ``merge``
  (``finalizers``) are a union with the patch's items first;
* every other list is replaced, including all lists of custom resources;
* ``$retainKeys``, ``$setElementOrder/…`` and ``$deleteFromPrimitiveList/…``
  are NOT honoured by kustomize: they are copied into the result as ordinary
  keys, and so are they here.
"""

from __future__ import annotations

import copy
from typing import Any

from kustgen.render.mergeinfo import MergeInfoFn

PATCH = "$patch"
_DELETE = object()


class _Ctx:
    def __init__(self, api_version: str, kind: str, info: MergeInfoFn):
        self.api_version, self.kind, self.info = api_version, kind, info

    def strategy(self, path: tuple[str, ...]) -> tuple[bool, str | None]:
        found = self.info(self.api_version, self.kind, path)
        if found is None or "merge" not in (found.patch_strategy or "").split(","):
            return False, None
        return True, found.merge_key


def _clean(value: Any) -> Any:
    """A patch value placed where nothing existed: drop deleted parts."""
    if isinstance(value, dict):
        if value.get(PATCH) == "delete":
            return _DELETE
        out = {}
        for key, item in value.items():
            if key == PATCH or item is None:
                continue
            cleaned = _clean(item)
            if cleaned is not _DELETE:
                out[key] = cleaned
        return out
    if isinstance(value, list):
        items = [_clean(item) for item in value if not _is_directive(item)]
        return [item for item in items if item is not _DELETE]
    return value


def _is_directive(item: Any) -> bool:
    return isinstance(item, dict) and set(item) == {PATCH} and item[PATCH] == "replace"


def _merge_map(orig: dict[str, Any], patch: dict[str, Any], path: tuple[str, ...],
               ctx: _Ctx) -> Any:
    directive = patch.get(PATCH)
    if directive == "delete":
        return _DELETE
    if directive == "replace":
        return _clean({k: v for k, v in patch.items() if k != PATCH})
    result = dict(orig)
    for key, value in patch.items():
        if key == PATCH:
            continue
        sub = (*path, key)
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged = _merge_map(current, value, sub, ctx)
        elif isinstance(current, list) and isinstance(value, list):
            merged = _merge_list(current, value, sub, ctx)
        else:
            merged = _clean(value)
        if merged is _DELETE:
            result.pop(key, None)
        else:
            result[key] = merged
    return result


def _merge_list(orig: list[Any], patch: list[Any], path: tuple[str, ...], ctx: _Ctx) -> Any:
    if any(_is_directive(item) for item in patch):
        return _clean(patch)
    merge, key = ctx.strategy(path)
    if not merge:
        return _clean(patch)
    if all(not isinstance(item, dict | list) for item in [*orig, *patch]):
        return [*patch, *(item for item in orig if item not in patch)]
    if key is None:
        return _clean(patch)
    by_key = {item.get(key): item for item in orig if isinstance(item, dict)}
    named: set[Any] = set()
    result: list[Any] = []
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            result.append(_clean(item))
            continue
        named.add(item[key])
        if item[key] in by_key:
            merged = _merge_map(by_key[item[key]], item, path, ctx)
        else:
            merged = _clean(item)
        if merged is not _DELETE:
            result.append(merged)
    result.extend(
        item for item in orig if not (isinstance(item, dict) and item.get(key) in named)
    )
    return result


def apply_smp(target: dict[str, Any], patch: dict[str, Any], info: MergeInfoFn
              ) -> dict[str, Any] | None:
    """``target`` with ``patch`` merged in, or None when the patch deletes it."""
    ctx = _Ctx(str(target.get("apiVersion", "")), str(target.get("kind", "")), info)
    merged = _merge_map(copy.deepcopy(target), copy.deepcopy(patch), (), ctx)
    if merged is _DELETE:
        return None
    assert isinstance(merged, dict)
    return merged
