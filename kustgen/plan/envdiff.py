"""``kustgen diff ENV_A ENV_B``: how two environments' final objects differ.

Both environments are rendered (the bytes `kubectl kustomize` prints) and
their objects paired, in kubectl's output order, by apiVersion, kind,
namespace and name; a generated ConfigMap or Secret is paired across its
content hash.  Each changed object
gets a unified diff of its YAML; objects only one side has are listed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kustgen import yamlio
from kustgen.fleet import Fleet
from kustgen.tree import Cluster

_HASH = re.compile(r"-[2456789bcdfghkmt]{10}$")

Key = tuple[str, str, str, str]


def _key(obj: dict[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    name = str(meta.get("name", ""))
    if obj.get("kind") in ("ConfigMap", "Secret"):
        name = _HASH.sub("", name)
    return (str(obj.get("apiVersion")), str(obj.get("kind")), str(meta.get("namespace") or ""),
            name)


def _label(obj: dict[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{obj.get('kind')}/{where}{meta.get('name')}"


def _objects(cluster: Cluster | Fleet, env: str, files: Mapping[str, str | bytes]
             ) -> dict[Key, dict[str, Any]]:
    from kustgen.layout import overlay_dir
    from kustgen.render import render

    found: dict[Key, dict[str, Any]] = {}
    for obj in render(files, overlay_dir(cluster.overlay(env))):
        found.setdefault(_key(obj), _redacted(obj))
    return found


def _redacted(obj: dict[str, Any]) -> dict[str, Any]:
    if obj.get("kind") != "Secret" or obj.get("apiVersion") != "v1":
        return obj
    shown = dict(obj)
    for field in ("data", "stringData"):
        if isinstance(obj.get(field), dict):
            shown[field] = {key: "<redacted>" for key in obj[field]}
    return shown


def diff_envs(cluster: Cluster | Fleet, env_a: str, env_b: str, root: Path | None = None) -> str:
    """Per-object unified diffs from ``env_a`` to ``env_b``; empty when they are equal.

    Files kept by hand are read from ``root`` (secret value files where they
    exist, so generated names carry kubectl's hash), and a Secret's values are
    printed as ``<redacted>``: a diff never prints secret values."""
    from kustgen.build import input_tree

    files = input_tree(cluster, root, secrets="if-present")
    a, b = _objects(cluster, env_a, files), _objects(cluster, env_b, files)
    out: list[str] = []
    out.extend(f"only in {env_a}: {_label(obj)}\n" for key, obj in a.items() if key not in b)
    out.extend(f"only in {env_b}: {_label(obj)}\n" for key, obj in b.items() if key not in a)
    for key in (key for key in b if key in a):  # in kubectl's output order
        old, new = yamlio.dump(a[key]), yamlio.dump(b[key])
        if old != new:
            out.extend(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"{env_a}/{_label(a[key])}", tofile=f"{env_b}/{_label(b[key])}",
            ))
    return "".join(out)
