"""JSON patch (RFC 6902) operations: add, remove, replace, move, copy, test.

A failing ``test`` or a missing path raises ``InputError`` naming the patch and
the target resource.
"""

from __future__ import annotations

import copy
from typing import Any

from kustgen.errors import InputError


class PatchFailed(Exception):
    """One operation could not be applied; the caller adds where and to what."""


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise PatchFailed(f"invalid JSON pointer {pointer!r}")
    if pointer == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, for_add: bool) -> int:
    if token == "-" and for_add:
        return len(container)
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        raise PatchFailed(f"invalid list index {token!r}")
    idx = int(token)
    limit = len(container) if for_add else len(container) - 1
    if idx > limit:
        raise PatchFailed(f"list index {idx} out of range")
    return idx


def _parent(doc: Any, tokens: list[str]) -> Any:
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict):
            if token not in node:
                raise PatchFailed(f"path element {token!r} does not exist")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, for_add=False)]
        else:
            raise PatchFailed(f"cannot descend into a scalar at {token!r}")
    return node


def _get(doc: Any, pointer: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return doc
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchFailed(f"path {pointer!r} does not exist")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, for_add=False)]
    raise PatchFailed(f"path {pointer!r} does not exist")


def _add(doc: Any, pointer: Any, value: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        return value
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_add=True), value)
    else:
        raise PatchFailed(f"cannot add to a scalar at {pointer!r}")
    return doc


def _remove(doc: Any, pointer: Any) -> Any:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchFailed("cannot remove the whole document")
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchFailed(f"path {pointer!r} does not exist")
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, for_add=False)]
    else:
        raise PatchFailed(f"path {pointer!r} does not exist")
    return doc


def _apply_one(doc: Any, op: dict[str, Any]) -> Any:
    name = op.get("op")
    path = op.get("path")
    if name in ("add", "replace", "test") and "value" not in op:
        raise PatchFailed(f"{name} needs a value")
    if name == "add":
        return _add(doc, path, copy.deepcopy(op["value"]))
    if name == "remove":
        return _remove(doc, path)
    if name == "replace":
        _get(doc, path)
        return _add(_remove(doc, path), path, copy.deepcopy(op["value"])) if _tokens(path) \
            else copy.deepcopy(op["value"])
    if name == "move":
        value = _get(doc, op.get("from"))
        return _add(_remove(doc, op.get("from")), path, value)
    if name == "copy":
        return _add(doc, path, copy.deepcopy(_get(doc, op.get("from"))))
    if name == "test":
        if _get(doc, path) != op["value"]:
            raise PatchFailed(f"test failed: {path} is not {op['value']!r}")
        return doc
    raise PatchFailed(f"unknown operation {name!r}")


def apply_json6902(target: dict[str, Any], ops: list[Any], *, patch_name: str,
                   target_name: str) -> dict[str, Any]:
    """``target`` after every operation; errors name the patch and the target."""
    doc: Any = copy.deepcopy(target)
    for index, op in enumerate(ops):
        if not isinstance(op, dict):
            raise InputError("a JSON6902 operation must be a mapping", obj=patch_name,
                             field=f"[{index}]")
        try:
            doc = _apply_one(doc, op)
        except PatchFailed as exc:
            raise InputError(f"{exc} (applying to {target_name})", obj=patch_name,
                             field=f"[{index}] {op.get('op')} {op.get('path')}") from None
    if not isinstance(doc, dict):
        raise InputError(f"patch turned {target_name} into a non-mapping", obj=patch_name)
    return doc
