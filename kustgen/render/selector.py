"""Patch ``target`` selection: group/version/kind, name and namespace regexes,
label and annotation selectors.  Names and namespaces match the original or
the current value (kustomize's resWrangler.Select, FACTS §3.3)."""

from __future__ import annotations

import re
from typing import Any

from kustgen.errors import InputError
from kustgen.render.resmap import ResMap
from kustgen.render.resource import Resource

_TARGET_FIELDS = {"group", "version", "kind", "name", "namespace", "labelSelector",
                  "annotationSelector"}
_SET_EXPR = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def _split_requirements(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def matches_selector(selector: str, labels: dict[str, Any]) -> bool:
    """Kubernetes label-selector syntax: =, ==, !=, in, notin, exists, !exists."""
    for req in _split_requirements(selector):
        set_match = _SET_EXPR.match(req)
        if set_match:
            key, op, values = set_match.groups()
            wanted = {v.strip() for v in values.split(",")}
            present = key in labels and str(labels[key]) in wanted
            if present != (op == "in"):
                return False
        elif "!=" in req:
            key, value = (s.strip() for s in req.split("!=", 1))
            if key in labels and str(labels[key]) == value:
                return False
        elif "=" in req:
            key, value = (s.strip() for s in req.replace("==", "=").split("=", 1))
            if str(labels.get(key)) != value or key not in labels:
                return False
        elif req.startswith("!"):
            if req[1:].strip() in labels:
                return False
        elif req not in labels:
            return False
    return True


def _full(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return pattern == value


_REGEX_CHARS = set(".^$*+?{}[]\\|()")


def select(resmap: ResMap, target: dict[str, Any], where: str) -> list[Resource]:
    """Resources matched by a ``target`` block, in accumulation order."""
    unknown = set(target) - _TARGET_FIELDS
    if unknown:
        raise InputError(f"unknown target field {sorted(unknown)[0]!r}", obj=where)
    found = []
    kind = target.get("kind")
    name = target.get("name")
    literal = name if isinstance(name, str) and name and not _REGEX_CHARS & set(name) else None
    # A plain name matches only resources that had it: look them up instead of
    # scanning the map once per patch.
    candidates = resmap.named(literal) if literal is not None else resmap
    for res in candidates:
        if not res.prev_ids and kind not in (None, "") and kind != res.obj["kind"]:
            continue  # a cheap filter; the full test below decides
        org, cur = res.org_id(), res.cur_id()
        if target.get("group") not in (None, "") and target["group"] != cur.group:
            continue
        if target.get("version") not in (None, "") and target["version"] != cur.version:
            continue
        if target.get("kind") not in (None, "") and target["kind"] != cur.kind:
            continue
        name = target.get("name")
        if name and not (_full(name, org.name) or _full(name, cur.name)):
            continue
        ns = target.get("namespace")
        if ns and not (_full(ns, org.namespace) or _full(ns, cur.namespace)):
            continue
        labels = target.get("labelSelector")
        if labels and not matches_selector(labels, res.labels()):
            continue
        annotations = target.get("annotationSelector")
        if annotations and not matches_selector(annotations, res.annotations()):
            continue
        found.append(res)
    return found
