"""Step 3 of `kustgen import`: objects -> bases, one per application.

An object's application is, in this order: the Helm chart of its ``# Source:``
comment (a sub-chart's own name for ``chart/charts/sub/templates/...``), its
``app.kubernetes.io/part-of``, ``app.kubernetes.io/instance`` or
``app.kubernetes.io/name`` label, its ``app`` label.  Objects without any of
these join the application of their namespace (a namespaced object) or, for a
cluster-scoped one, an application whose name is part of its name
(``bgppeers.metallb.io`` joins ``metallb``); the rest share one base.
Bases keep the input's order of objects and are ordered by first appearance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kustgen.imports.read import SourceObject

_LABELS = ("app.kubernetes.io/part-of", "app.kubernetes.io/instance", "app.kubernetes.io/name",
           "app")
#: Name of the base holding objects that belong to no application.
SHARED = "shared"


@dataclass
class Group:
    name: str
    objects: list[SourceObject] = field(default_factory=list)
    #: Why these objects belong together, for the base's docstring.
    reason: str = ""


def base_name(text: str) -> str:
    """A DNS-1123 label made from ``text`` (the directory name of a base)."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:63].strip("-")
    if not name or not name[0].isalnum():
        name = "app-" + name
    return name or "app"


def _helm_chart(source: str) -> str | None:
    parts = source.split("/")
    if "templates" not in parts:
        return parts[0] if len(parts) > 1 else None
    before = parts[: parts.index("templates")]
    # chart/charts/sub/templates/x.yaml -> sub
    return before[-1] if before else None


def _own_application(obj: SourceObject) -> tuple[str, str] | None:
    if obj.helm_source:
        chart = _helm_chart(obj.helm_source)
        if chart:
            return chart, f"Helm chart {chart}"
    meta: dict[str, Any] = obj.data["metadata"]
    labels = meta.get("labels")
    if isinstance(labels, dict):
        for key in _LABELS:
            value = labels.get(key)
            if isinstance(value, str) and value:
                return value, f"label {key}={value}"
    return None


def group_objects(objects: Sequence[SourceObject]) -> list[Group]:
    """The objects split into applications, each a future base."""
    assigned: list[tuple[str, str] | None] = [_own_application(o) for o in objects]
    by_namespace: dict[str, str] = {}
    for obj, app in zip(objects, assigned, strict=True):
        if app is None:
            continue
        namespace = obj.data["metadata"].get("namespace")
        if namespace:
            by_namespace.setdefault(namespace, app[0])
        if obj.data["kind"] == "Namespace":
            by_namespace.setdefault(obj.data["metadata"]["name"], app[0])
    apps = sorted({a[0] for a in assigned if a}, key=len, reverse=True)
    for i, obj in enumerate(objects):
        if assigned[i] is not None:
            continue
        meta = obj.data["metadata"]
        namespace = meta.get("namespace") or (
            meta["name"] if obj.data["kind"] == "Namespace" else None)
        if namespace and namespace in by_namespace:
            assigned[i] = (by_namespace[namespace], f"namespace {namespace}")
            continue
        tokens = set(re.split(r"[^a-z0-9]+", meta["name"].lower()))
        match = next((a for a in apps if base_name(a) in tokens or a.lower() in tokens), None)
        if match is not None:
            assigned[i] = (match, f"name {meta['name']}")
        elif namespace:
            assigned[i] = (namespace, f"namespace {namespace}")
    groups: dict[str, Group] = {}
    for obj, app in zip(objects, assigned, strict=True):
        name = base_name(app[0]) if app else SHARED
        group = groups.setdefault(name, Group(name, reason=app[1] if app else ""))
        group.objects.append(obj)
    return list(groups.values())
