"""The ordered collection of resources a kustomization accumulates.

Ids must stay unique and patches, replicas and name references look
resources up by any name they ever had, so the map keeps two indexes up to
date: the number of resources per current id, and every name a resource had.
Resources tell the map that holds them when their id may have changed
(``Resource._moved``), which keeps lookups O(1) instead of a scan per patch.
"""

from __future__ import annotations

from collections.abc import Iterator

from kustgen.errors import ConflictError
from kustgen.render.resource import Key, ResId, Resource, same_namespace


def ids_equal(a: ResId, b: ResId) -> bool:
    """kustomize's ResId.Equals: same GVK and name, namespaces "" and default alike."""
    return (
        a.group == b.group
        and a.version == b.version
        and a.kind == b.kind
        and a.name == b.name
        and same_namespace(a.namespace, b.namespace)
    )


class ResMap:
    """Resources in accumulation order; ids are unique."""

    def __init__(self) -> None:
        self._items: dict[int, Resource] = {}  # sequence number -> resource, in order
        self._seq: dict[int, int] = {}  # id(resource) -> its sequence number
        self._next = 0
        self._ids: dict[Key, int] = {}  # current key -> how many resources have it
        self._key_of: dict[int, Key] = {}  # id(resource) -> the key counted for it
        # Every name a resource had (append-only; lookups check the resource again).
        self._names: dict[str, list[Resource]] = {}

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, res: Resource) -> bool:
        return id(res) in self._seq

    def append(self, res: Resource) -> None:
        self._add([res])

    def extend(self, other: ResMap) -> None:
        self._add(list(other._items.values()))

    def _add(self, new: list[Resource]) -> None:
        for res in new:
            key = res.key()
            if self._ids.get(key):
                raise ConflictError(
                    f"may not add resource with an already registered id: {res.cur_id()}",
                    obj=res.source,
                )
            self._ids[key] = 1
            self._key_of[id(res)] = key
            self._seq[id(res)] = self._next
            self._items[self._next] = res
            self._next += 1
            for name in res.all_names():
                self._names.setdefault(name, []).append(res)
            res.owner = self

    def id_changed(self, res: Resource) -> None:
        """Called by ``res`` after its name, namespace, kind or object changed."""
        if id(res) not in self._seq:
            return
        old = self._key_of[id(res)]
        self._ids[old] -= 1
        key = res.key()
        self._ids[key] = self._ids.get(key, 0) + 1
        self._key_of[id(res)] = key
        named = self._names.setdefault(res.name, [])
        if not named or named[-1] is not res:
            named.append(res)

    def remove(self, res: Resource) -> None:
        seq = self._seq.pop(id(res), None)
        if seq is None:
            return
        del self._items[seq]
        self._ids[self._key_of.pop(id(res))] -= 1
        res.owner = None

    def replace(self, old: Resource, new: Resource) -> None:
        seq = self._seq.pop(id(old))
        self._ids[self._key_of.pop(id(old))] -= 1
        old.owner = None
        key = new.key()
        self._ids[key] = self._ids.get(key, 0) + 1
        self._key_of[id(new)] = key
        self._seq[id(new)] = seq
        self._items[seq] = new
        for name in new.all_names():
            self._names.setdefault(name, []).append(new)
        new.owner = self

    def named(self, name: str) -> list[Resource]:
        """Resources (still in the map) whose current or any earlier name is ``name``,
        in accumulation order."""
        found: dict[int, Resource] = {}
        for res in self._names.get(name, ()):
            seq = self._seq.get(id(res))
            if seq is not None and name in res.all_names():
                found[seq] = res
        return [found[seq] for seq in sorted(found)]

    def by_any_id(self, rid: ResId) -> list[Resource]:
        """Resources whose current or any earlier id equals ``rid``."""
        return [r for r in self.named(rid.name) if any(ids_equal(i, rid) for i in r.all_ids())]
