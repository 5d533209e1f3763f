"""What a lint rule sees: one environment's final objects plus the cluster's declarations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kustgen.tree import Base, Cluster, Component, Overlay
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
    _by_kind: dict[str, list[Obj]] = field(default_factory=dict, init=False, repr=False)
    _templates: dict[str, list[Mapping[str, Any]]] | None = field(
        default=None, init=False, repr=False
    )
    _by_label: dict[tuple[str, Any, Any], list[Mapping[str, Any]]] | None = field(
        default=None, init=False, repr=False
    )

    def __post_init__(self) -> None:
        for obj in self.objects:
            self._by_kind.setdefault(str(obj.get("kind")), []).append(obj)

    def external_namespaces(self) -> set[str]:
        """Namespaces the cluster, or a base or component of this environment, declares external."""
        return {
            *self.cluster.external.namespaces,
            *(ns for source in self._sources() for ns in source.external.namespaces),
        }

    def external_storage_classes(self) -> dict[str, list[str] | None]:
        """Storage classes declared external, with the access modes each serves when known."""
        found: dict[str, list[str] | None] = {}
        for external in (self.cluster.external, *(s.external for s in self._sources())):
            declared = external.storage_classes
            if isinstance(declared, Mapping):
                found.update({name: list(modes) for name, modes in declared.items()})
            else:
                found.update({name: found.get(name) for name in declared})
        return found

    def _sources(self) -> list[Base | Component]:
        return [*self.overlay.bases, *self.overlay.components]

    def of_kind(self, kind: str, group: str | None = None) -> list[Obj]:
        """Objects of ``kind``; ``group`` ("" for core) narrows it to one API group."""
        found = self._by_kind.get(kind, [])
        return found if group is None else [o for o in found if api_group(o) == group]

    def pod_templates_in(self, namespace: str) -> list[Mapping[str, Any]]:
        """Every pod template (and Pod) in ``namespace``."""
        if self._templates is None:
            self._templates = {}
            for obj in self.objects:
                for _, template in pod_templates(obj):
                    self._templates.setdefault(namespace_of(obj), []).append(template)
        return self._templates.get(namespace, [])

    def selected(self, namespace: str, selector: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        """Pod templates in ``namespace`` whose labels ``selector`` (a Service's) matches.

        Templates are indexed by namespace and label pair, so matching every
        Service of an environment stays linear in its size."""
        if not selector:
            return list(self.pod_templates_in(namespace))
        if self._by_label is None:
            self._by_label = {}
            for obj in self.objects:
                for _, template in pod_templates(obj):
                    labels = meta(template).get("labels")
                    for pair in labels.items() if isinstance(labels, Mapping) else ():
                        if _hashable(pair[1]):
                            key = (namespace_of(obj), *pair)
                            self._by_label.setdefault(key, []).append(template)
        first = next(iter(selector.items()))
        candidates = (
            self._by_label.get((namespace, *first), [])
            if _hashable(first[1])
            else self.pod_templates_in(namespace)
        )
        return [
            template
            for template in candidates
            if all((meta(template).get("labels") or {}).get(k) == v for k, v in selector.items())
        ]

    def renamed(self, name: str) -> str:
        """``name`` as the overlay's namePrefix/nameSuffix renames objects of the build."""
        return f"{self.overlay.name_prefix or ''}{name}{self.overlay.name_suffix or ''}"


def declarations(cluster: Cluster, overlay: Overlay) -> str:
    """Everything rules read from the Python definition that the tree does not
    say (the validation cache keys an environment's findings by it with the tree):
    the cluster's and the environment's bases' and components' ``External``,
    and ``nodes``.  A rule that reads a new declaration adds it here."""
    sources: list[Base | Component] = [*overlay.bases, *overlay.components]
    return repr((cluster.external, cluster.nodes,
                 [(type(s).__name__, s.name, s.external) for s in sources]))


def _hashable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


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
