"""What a lint rule sees: one environment's final objects plus the cluster's declarations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kustgen.tree import Cluster, Overlay
from kustgen.validate.walk import containers, pod_templates

Obj = dict[str, Any]
#: What a rule reports: the object, the field path inside it, the message.
Hit = tuple[Mapping[str, Any], str, str]

__all__ = ["Context", "Hit", "Obj", "containers", "pod_templates"]


@dataclass
class Context:
    env: str
    overlay: Overlay
    objects: list[Obj]
    cluster: Cluster

    def of_kind(self, kind: str, group: str | None = None) -> list[Obj]:
        """Objects of ``kind``; ``group`` ("" for core) narrows it to one API group."""
        return [
            o
            for o in self.objects
            if o.get("kind") == kind and (group is None or api_group(o) == group)
        ]

    def renamed(self, name: str) -> str:
        """``name`` as the overlay's namePrefix/nameSuffix renames objects of the build."""
        return f"{self.overlay.name_prefix or ''}{name}{self.overlay.name_suffix or ''}"


def api_group(obj: Mapping[str, Any]) -> str:
    api_version = str(obj.get("apiVersion", ""))
    return api_version.rpartition("/")[0]


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    value = obj.get("metadata")
    return value if isinstance(value, Mapping) else {}


def name_of(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("name", ""))


def namespace_of(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("namespace") or "")


def annotations_of(obj: Mapping[str, Any]) -> Mapping[str, str]:
    value = meta(obj).get("annotations")
    return value if isinstance(value, Mapping) else {}


def spec(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    value = obj.get("spec")
    return value if isinstance(value, Mapping) else {}
