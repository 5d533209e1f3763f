"""The ordered collection of resources a kustomization accumulates."""

from __future__ import annotations

from collections.abc import Iterator

from kustgen.errors import ConflictError
from kustgen.render.resource import ResId, Resource, same_namespace


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
        self.items: list[Resource] = []

    def __iter__(self) -> Iterator[Resource]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def append(self, res: Resource) -> None:
        self._add([res])

    def extend(self, other: ResMap) -> None:
        self._add(other.items)

    def _add(self, new: list[Resource]) -> None:
        # Ids can change between calls (patches, prefixes), so the index is
        # rebuilt per call; within one call nothing is renamed.
        seen = {res.key() for res in self.items}
        for res in new:
            key = res.key()
            if key in seen:
                raise ConflictError(
                    f"may not add resource with an already registered id: {res.cur_id()}",
                    obj=res.source,
                )
            seen.add(key)
            self.items.append(res)

    def remove(self, res: Resource) -> None:
        self.items = [r for r in self.items if r is not res]

    def replace(self, old: Resource, new: Resource) -> None:
        self.items = [new if r is old else r for r in self.items]

    def by_any_id(self, rid: ResId) -> list[Resource]:
        """Resources whose current or any earlier id equals ``rid``."""
        return [
            r
            for r in self.items
            # The kind test is a cheap filter before building every id.
            if (r.obj["kind"] == rid.kind or r.prev_ids)
            and any(ids_equal(i, rid) for i in r.all_ids())
        ]
