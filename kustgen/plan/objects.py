"""``Objects``: the mutable set of objects an environment function edits.

The function receives copies of the objects its bases and components produce
(typed models wherever kustgen has a model, plain dicts otherwise) and
changes them in place, replaces them, adds or removes some.  Lookups by class
are typed: ``objects.get(apps.Deployment, "web")`` is a ``Deployment``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload

from kustgen.errors import InputError
from kustgen.model import Resource
from kustgen.tree import KubeObject, object_id, object_to_dict

if TYPE_CHECKING:
    from kustgen.k8s import core_v1

R = TypeVar("R", bound=Resource)
T = TypeVar("T")

#: Where each workload kind keeps its pod spec (attribute names of the typed models).
_POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "job_template", "spec", "template", "spec"),
}


def present(value: T | None, what: str = "value") -> T:
    """``value`` itself, typed as not None; a clear ``InputError`` naming ``what`` when it is None.

    For change functions: ``present(claim.spec, "data: spec").resources = ...``
    instead of ``assert claim.spec is not None``; mypy --strict accepts both.
    """
    if value is None:
        raise InputError("is not set", obj=what)
    return value

Ident = tuple[str, str, str, str]


def ident_of(obj: KubeObject) -> Ident:
    return object_id(object_to_dict(obj))


def _kind_of(obj: KubeObject) -> str:
    return str(obj["kind"]) if isinstance(obj, Mapping) else type(obj).kind


def _name_of(obj: KubeObject) -> tuple[str, str]:
    if isinstance(obj, Mapping):
        meta = obj.get("metadata") or {}
        return str(meta.get("name") or ""), str(meta.get("namespace") or "")
    meta = getattr(obj, "metadata", None)
    return str(getattr(meta, "name", None) or ""), str(getattr(meta, "namespace", None) or "")


def _wire(attribute: str) -> str:
    head, *rest = attribute.split("_")
    return head + "".join(part.title() for part in rest)


class Objects:
    """The objects of one environment, in the order the bases give them."""

    def __init__(self, items: list[KubeObject]):
        self._items = list(items)
        # (kind, name) -> positions, built on first use; lookups check each hit again.
        self._index: dict[tuple[str, str], list[int]] | None = None

    def __iter__(self) -> Iterator[KubeObject]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def _matches(self, i: int, kind: str, name: str, namespace: str | None) -> bool:
        obj = self._items[i]
        obj_name, obj_ns = _name_of(obj)
        return _kind_of(obj) == kind and obj_name == name and (
            namespace is None or obj_ns == namespace
        )

    def _find(self, kind: str, name: str, namespace: str | None, scan: bool = True
              ) -> list[int]:
        if self._index is None:
            self._index = {}
            for i, obj in enumerate(self._items):
                self._index.setdefault((_kind_of(obj), _name_of(obj)[0]), []).append(i)
        found = [i for i in self._index.get((kind, name), ())
                 if self._matches(i, kind, name, namespace)]
        if found or not scan:
            return found
        # Not where the index says: the function may have renamed objects.
        found = [i for i in range(len(self._items)) if self._matches(i, kind, name, namespace)]
        if found:
            self._index = None
        return found

    def _one(self, kind: str, name: str, namespace: str | None) -> int:
        found = self._find(kind, name, namespace)
        if len(found) != 1:
            problem = "no such object" if not found else "several objects match; give namespace="
            raise InputError(problem, obj=f"{kind}/{name}")
        return found[0]

    @overload
    def get(self, kind: type[R], name: str, namespace: str | None = None) -> R: ...

    @overload
    def get(self, kind: str, name: str, namespace: str | None = None) -> KubeObject: ...

    def get(self, kind: type[R] | str, name: str, namespace: str | None = None) -> Any:
        """The object of this kind (a model class, or the kind's name) and name."""
        kind_name = kind if isinstance(kind, str) else kind.kind
        obj = self._items[self._one(kind_name, name, namespace)]
        if not isinstance(kind, str) and not isinstance(obj, kind):
            raise InputError(f"is not a {kind.__name__}", obj=f"{kind_name}/{name}")
        return obj

    def pod_spec(self, kind: type[R], name: str, namespace: str | None = None) -> core_v1.PodSpec:
        """The pod spec of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
        CronJob or Pod), typed; an ``InputError`` says which part is missing."""
        obj: Any = self.get(kind, name, namespace)
        path = _POD_SPEC_PATHS.get(kind.kind)
        if path is None:
            raise InputError(
                f"has no pod template (workload kinds: {', '.join(_POD_SPEC_PATHS)})",
                obj=f"{kind.kind}/{name}",
            )
        for depth, attribute in enumerate(path):
            obj = getattr(obj, attribute, None)
            if obj is None:
                field = ".".join(_wire(a) for a in path[: depth + 1])
                raise InputError("is not set", obj=f"{kind.kind}/{name}", field=field)
        return obj  # type: ignore[no-any-return]

    def containers(
        self, kind: type[R], name: str, namespace: str | None = None
    ) -> list[core_v1.Container]:
        """The containers of a workload's pod spec (the list itself: edit it in place)."""
        return self.pod_spec(kind, name, namespace).containers

    def container(
        self, kind: type[R], name: str, container: str | None = None, namespace: str | None = None
    ) -> core_v1.Container:
        """One container of a workload: the one named ``container``, or the only one."""
        found = self.containers(kind, name, namespace)
        if container is None:
            if len(found) != 1:
                raise InputError(
                    f"has {len(found)} containers; name the one you mean",
                    obj=f"{kind.kind}/{name}",
                )
            return found[0]
        for candidate in found:
            if candidate.name == container:
                return candidate
        known = ", ".join(str(c.name) for c in found)
        raise InputError(
            f"no container named {container!r} (has: {known})", obj=f"{kind.kind}/{name}"
        )

    def all(self, kind: type[R]) -> list[R]:
        """Every object of one model class."""
        return [obj for obj in self._items if isinstance(obj, kind)]

    def add(self, obj: KubeObject) -> None:
        """An object only this environment has."""
        ident = ident_of(obj)
        same_name = self._find(ident[1], ident[3], None, scan=False)
        if any(ident_of(self._items[i]) == ident for i in same_name):
            raise InputError("already exists; use put() to replace it", obj="/".join(ident[1::2]))
        self._items.append(obj)
        if self._index is not None:
            self._index.setdefault((_kind_of(obj), _name_of(obj)[0]), []).append(
                len(self._items) - 1)

    def put(self, obj: KubeObject) -> None:
        """Replace the object of the same kind, name and namespace (e.g. a ``replace()`` copy)."""
        kind = _kind_of(obj)
        name, namespace = _name_of(obj)
        position = self._one(kind, name, namespace)
        self._items[position] = obj

    def remove(self, obj: KubeObject) -> None:
        """Leave an object of the bases out of this environment."""
        kind = _kind_of(obj)
        name, namespace = _name_of(obj)
        del self._items[self._one(kind, name, namespace)]
        self._index = None  # positions after it moved

    def label(self, pairs: Mapping[str, str]) -> None:
        """Add labels to every object's metadata (not to selectors or templates)."""
        self._metadata_pairs("labels", pairs)

    def annotate(self, pairs: Mapping[str, str]) -> None:
        """Add annotations to every object's metadata."""
        self._metadata_pairs("annotations", pairs)

    def _metadata_pairs(self, field: str, pairs: Mapping[str, str]) -> None:
        for obj in self._items:
            if isinstance(obj, Mapping):
                meta = obj["metadata"]
                meta[field] = {**(meta.get(field) or {}), **pairs}
            else:
                meta = obj.metadata
                setattr(meta, field, {**(getattr(meta, field) or {}), **pairs})

    def plain(self) -> list[dict[str, Any]]:
        return [object_to_dict(obj) for obj in self._items]
