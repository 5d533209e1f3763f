"""kustomize field specs: a kind/group filter plus a slash path.

Lists met on the way are walked element by element (``ports[]`` or plain
``ports`` alike); ``create`` makes missing maps along the path, as
kustomize's ``create: true`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kustgen.render.resource import Resource, split_api_version


@dataclass(frozen=True)
class FieldSpec:
    path: str
    kind: str | None = None
    group: str | None = None
    version: str | None = None
    create: bool = False

    @cached_property
    def parts(self) -> list[str]:
        """The path's steps (split once: specs are applied to every resource)."""
        return split_path(self.path)

    @cached_property
    def keys(self) -> list[str]:
        """The steps as mapping keys (``ports[]`` is ``ports``: lists are walked anyway)."""
        return [part.removesuffix("[]") for part in self.parts]

    def applies_to(self, res: Resource) -> bool:
        if self.kind is not None and self.kind != res.obj["kind"]:
            return False  # the common, cheap answer: no id needed
        if self.group is None and self.version is None:
            return True
        group, version = split_api_version(res.api_version)
        return (self.group is None or self.group == group) and (
            self.version is None or self.version == version
        )


Visitor = Callable[[dict[str, Any], str], None]


def visit(node: Any, parts: list[str], create: bool, fn: Visitor) -> None:
    """Call ``fn(parent, key)`` for every place ``parts`` reaches in ``node``."""
    _walk(node, [part.removesuffix("[]") for part in parts], 0, create, fn)


def _walk(node: Any, keys: list[str], at: int, create: bool, fn: Visitor) -> None:
    last = len(keys) - 1
    while True:
        if isinstance(node, list):
            for item in node:
                _walk(item, keys, at, create, fn)
            return
        if not isinstance(node, dict) or at > last:
            return
        key = keys[at]
        if at == last:
            fn(node, key)
            return
        child = node.get(key)
        if child is None:
            if not create:
                return
            child = node[key] = {}
        node, at = child, at + 1


def split_path(path: str) -> list[str]:
    """kustomize's PathSplitter: ``/`` separates, ``\\/`` is a slash inside a key
    (``metadata/annotations/metallb.io\\/address-pool``); a leading ``/`` is dropped."""
    parts = path.split("/")
    if len(parts) > 1 and parts[0] == "":
        parts = parts[1:]
    joined = [parts[0]]
    for part in parts[1:]:
        if joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + "/" + part
        else:
            joined.append(part)
    return joined


def places(node: Any, parts: list[str], create: bool, path: tuple[Any, ...] = ()
           ) -> list[tuple[dict[str, Any], str, tuple[Any, ...]]]:
    """(parent, key, path of parent) of every place ``parts`` reaches, as
    ``visit`` walks them, with the path from the root."""
    if isinstance(node, list):
        return [found for i, item in enumerate(node)
                for found in places(item, parts, create, (*path, i))]
    if not isinstance(node, dict) or not parts:
        return []
    key = parts[0].removesuffix("[]")
    if len(parts) == 1:
        return [(node, key, path)]
    if key not in node or node[key] is None:
        if not create:
            return []
        node[key] = {}
    return places(node[key], parts[1:], create, (*path, key))


def apply_specs(res: Resource, specs: list[FieldSpec], fn: Visitor) -> None:
    for spec in specs:
        if spec.applies_to(res):
            _walk(res.obj, spec.keys, 0, spec.create, fn)


POD_SPEC_PATHS: dict[str, str] = {
    "Pod": "spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "ReplicationController": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}
"""Where each built-in workload kind keeps its pod spec."""


def pod_specs(suffix: str) -> list[FieldSpec]:
    """``suffix`` below the pod spec of every built-in workload kind."""
    return [FieldSpec(f"{base}/{suffix}", kind=kind) for kind, base in POD_SPEC_PATHS.items()]
