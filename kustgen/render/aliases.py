"""Values kustomize shares between places of one resource (observed with kubectl).

When a labels or annotations transformer (``commonLabels``, ``labels``,
``commonAnnotations``, a builtin transformer of ``transformers:``) creates a
key in several places of one resource (``metadata.labels``, the selector,
the pod template), kustomize v5.5.0 inserts *one* YAML node in all of them.
A later in-place write to any of those places (a strategic-merge patch, a
label or annotation transformer of an overlay setting the key again, even
on ``metadata`` only) changes every place, in this kustomization or any
kustomization above it.  A JSON6902 patch round-trips the resource through
JSON and so ends the sharing.  ``Resource.aliases`` holds those groups as
paths from the resource root (keys and list indices).
"""

from __future__ import annotations

from typing import Any

Path = tuple[Any, ...]

_MISSING: Any = object()


def get(obj: Any, path: Path) -> Any:
    """The value at ``path``, or ``_MISSING``."""
    node = obj
    for step in path:
        if isinstance(step, int):
            if not isinstance(node, list) or step >= len(node):
                return _MISSING
            node = node[step]
        elif isinstance(node, dict) and step in node:
            node = node[step]
        else:
            return _MISSING
    return node


def put(obj: Any, path: Path, value: Any) -> None:
    """Set the value at ``path`` when its parent exists."""
    parent = get(obj, path[:-1])
    if isinstance(parent, dict) or (isinstance(parent, list) and isinstance(path[-1], int)):
        parent[path[-1]] = value


def write(aliases: list[list[Path]], obj: Any, path: Path, value: Any) -> None:
    """An in-place write at ``path``: every place sharing its node gets ``value``."""
    put(obj, path, value)
    for group in aliases:
        if path in group:
            for other in group:
                if other != path and get(obj, other) is not _MISSING:
                    put(obj, other, value)


def snapshot(aliases: list[list[Path]], obj: Any) -> dict[Path, Any]:
    return {path: get(obj, path) for group in aliases for path in group}


def reconcile(aliases: list[list[Path]], obj: Any, before: dict[Path, Any]) -> None:
    """After a strategic merge: a shared place the patch changed changes the
    others; places the patch removed leave their group."""
    for group in aliases:
        alive = [path for path in group if get(obj, path) is not _MISSING]
        changed = [path for path in alive if get(obj, path) != before.get(path)]
        if changed:
            value = get(obj, changed[-1])
            for path in alive:
                put(obj, path, value)
        group[:] = alive
    aliases[:] = [group for group in aliases if len(group) > 1]
