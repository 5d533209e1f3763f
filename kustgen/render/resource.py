"""A resource under construction: its object plus the ids it had before.

kustomize remembers every earlier id of a resource (``PrevIds``) so that patch
targets, ``replicas``, ``images`` and name references written against an
original name still find it after a prefix, suffix, namespace or hash has been
applied (FACTS §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kustgen.errors import InputError

if TYPE_CHECKING:
    from kustgen.render.resmap import ResMap

#: A current id as kustomize compares ids (see ``Resource.key``).
Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class ResId:
    """group/version/kind plus name and namespace ("" when absent)."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str

    def __str__(self) -> str:
        gv = f"{self.group}/{self.version}" if self.group else self.version
        ns = f" (namespace {self.namespace})" if self.namespace else ""
        return f"{self.kind}.{gv}/{self.name}{ns}"


def split_api_version(api_version: str) -> tuple[str, str]:
    """``apps/v1`` → (``apps``, ``v1``); ``v1`` → (``""``, ``v1``)."""
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


def same_namespace(a: str, b: str) -> bool:
    """kustomize treats an empty namespace and ``default`` as equal."""
    return (a or "default") == (b or "default")


@dataclass
class Resource:
    """One object plus its history and generator bookkeeping."""

    obj: dict[str, Any]
    source: str
    prev_ids: list[ResId] = field(default_factory=list)
    needs_hash: bool = False
    generated: bool = False
    #: Places that share one YAML node in kustomize (see ``render.aliases``).
    aliases: list[list[tuple[Any, ...]]] = field(default_factory=list)
    #: The map holding this resource, told when the id may have changed.
    owner: ResMap | None = field(default=None, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        if name == "obj":
            self._moved()

    def _moved(self) -> None:
        owner = self.__dict__.get("owner")
        if owner is not None:
            owner.id_changed(self)

    def __post_init__(self) -> None:
        meta = self.obj.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
            raise InputError("resource has no metadata.name", obj=self.source)
        if not isinstance(self.obj.get("kind"), str):
            raise InputError("resource has no kind", obj=self.source)

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def api_version(self) -> str:
        return str(self.obj.get("apiVersion", ""))

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.obj["metadata"]
        return meta

    @property
    def name(self) -> str:
        return str(self.meta["name"])

    @property
    def namespace(self) -> str:
        ns = self.meta.get("namespace")
        return ns if isinstance(ns, str) else ""

    def cur_id(self) -> ResId:
        group, version = split_api_version(self.api_version)
        return ResId(group, version, self.kind, self.name, self.namespace)

    def key(self) -> Key:
        """The current id as kustomize compares ids ("" and default namespaces alike),
        read straight from the object: this is on every hot path."""
        meta = self.obj["metadata"]
        return (
            str(self.obj.get("apiVersion", "")),
            str(self.obj["kind"]),
            str(meta["name"]),
            meta.get("namespace") or "default",
        )

    def org_id(self) -> ResId:
        return self.prev_ids[0] if self.prev_ids else self.cur_id()

    def all_ids(self) -> list[ResId]:
        return [*self.prev_ids, self.cur_id()]

    def all_names(self) -> set[str]:
        names = {rid.name for rid in self.prev_ids}
        names.add(self.name)
        return names

    def _remember(self) -> None:
        self.prev_ids.append(self.cur_id())

    def set_name(self, name: str) -> None:
        if name != self.name:
            self._remember()
            self.meta["name"] = name
            self._moved()

    def set_namespace(self, namespace: str) -> None:
        if namespace != self.namespace:
            self._remember()
            self.meta["namespace"] = namespace
            self._moved()

    def labels(self) -> dict[str, Any]:
        labels = self.meta.get("labels")
        return labels if isinstance(labels, dict) else {}

    def annotations(self) -> dict[str, Any]:
        annotations = self.meta.get("annotations")
        return annotations if isinstance(annotations, dict) else {}
