"""Where pod templates and containers sit inside workload objects."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

_TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def pod_templates(obj: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(field path, template)`` of the pod template a workload carries (a Pod is its own)."""
    kind = obj.get("kind")
    if kind == "Pod":
        yield "", obj
        return
    path = _TEMPLATE_PATHS.get(str(kind))
    if path is None:
        return
    node: Any = obj
    for key in path:
        node = node.get(key) if isinstance(node, Mapping) else None
    if isinstance(node, Mapping):
        yield ".".join(path) + ".", node


def containers(obj: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(field path, container)`` of every container and init container of a workload."""
    for prefix, template in pod_templates(obj):
        pod_spec = template.get("spec")
        if not isinstance(pod_spec, Mapping):
            continue
        for key in ("initContainers", "containers"):
            for i, container in enumerate(pod_spec.get(key) or []):
                if isinstance(container, Mapping):
                    yield f"{prefix}spec.{key}[{i}]", container
