"""Each environment's final objects, as they land in the cluster.

Validation and lint look at what `kubectl kustomize overlays/ENV` prints, so
overlay effects (namespace, name prefix, patches) are seen.  Two resources
with the same id stop a kustomize build; when rendering an environment fails
that way, its bases are rendered one by one to find the copies, each is
reported as a ``duplicate-id`` finding and the later copy is left out, so the
rest of the environment is still checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kustgen.errors import ConflictError
from kustgen.layout import included_dir, overlay_dir
from kustgen.tree import Base, Cluster, Overlay, object_to_dict
from kustgen.validate.findings import Finding, finding

Key = tuple[str, str, str, str]  # apiVersion, kind, namespace ("" for default), name


@dataclass
class EnvObjects:
    """One environment: its overlay, its final objects, and duplicate ids found on the way."""

    env: str
    overlay: Overlay
    objects: list[dict[str, Any]]
    duplicates: list[Finding] = field(default_factory=list)


def _key(data: Mapping[str, Any], namespace: str | None = None) -> Key:
    meta = data.get("metadata") or {}
    ns = namespace or meta.get("namespace") or ""
    return (data["apiVersion"], data["kind"], "" if ns == "default" else ns, meta.get("name", ""))


def environments(cluster: Cluster, envs: Sequence[str] | None = None,
                 root: Path | None = None) -> list[EnvObjects]:
    """The final objects of ``envs`` (default: every environment) of ``cluster``;
    config files kept by hand are read from ``root``."""
    from kustgen.build import input_tree
    from kustgen.render import render

    # Secret values do not matter here and are never read: stand-ins.
    files = input_tree(cluster, root, secrets="never")
    result = []
    for env in envs if envs is not None else cluster.envs():
        overlay = cluster.overlay(env)
        try:
            objects = render(files, overlay_dir(overlay))
            result.append(EnvObjects(env, overlay, objects))
            continue
        except ConflictError:
            duplicates, trimmed = _without_duplicates(env, overlay, files)
            if not duplicates:
                raise
        tree = input_tree(Cluster(name=cluster.name, overlays=[trimmed]), root, secrets="never")
        objects = render(tree, overlay_dir(overlay))
        result.append(EnvObjects(env, overlay, objects, duplicates))
    return result


def _without_duplicates(env: str, overlay: Overlay, files: Mapping[str, str | bytes]
                        ) -> tuple[list[Finding], Overlay]:
    """Duplicate-id findings of ``overlay`` and the overlay with later copies left out."""
    from kustgen.render import render

    seen: dict[Key, str] = {}
    findings: list[Finding] = []
    bases: list[Base] = []
    for base in overlay.bases:
        dropped: set[Key] = set()
        for data in render(files, included_dir(overlay, base)):
            key = _key(data)
            if key in seen:
                findings.append(_duplicate(env, data, seen[key], f"base {base.name}"))
                dropped.add(key)
            else:
                seen[key] = f"base {base.name}"
        kept = [o for o in base.objects if _key(object_to_dict(o), base.namespace) not in dropped]
        bases.append(base if not dropped else replace(base, objects=kept))
    own = []
    for obj in overlay.objects:
        data = object_to_dict(obj)
        key = _key(data)
        if key in seen:
            findings.append(_duplicate(env, data, seen[key], f"overlay {overlay.name}"))
        else:
            seen[key] = f"overlay {overlay.name}"
            own.append(obj)
    return findings, replace(overlay, bases=bases, objects=own)


def _duplicate(env: str, data: Mapping[str, Any], first: str, second: str) -> Finding:
    return finding(
        "duplicate-id",
        "error",
        env,
        data,
        "metadata.name",
        f"defined in {first} and again in {second}; kustomize refuses two resources with one id",
    )
