"""Build results remembered by content, so each kustomization is built once.

Every environment of a cluster includes the same bases, and the planner, the
validation and ``render`` of one run build the same overlays.  A build is a
pure function of the files it reads, so a ``RenderCache`` remembers:

* each directory built as a resource of another (a base, usually), keyed by
  the digest of everything that build reads (``FileTree.digest``), up to
  256 MB of snapshots (least recently used go first);
* the last few whole results (at most 16, 64 MB of snapshots), keyed the same way.

Entries are kept as ``marshal`` snapshots (exact built-in types, several
times cheaper to take and to load than JSON text) and every hit is a fresh
copy, so callers may change what they get; what cannot be snapshotted is not
kept.  An optional ``store`` (see ``kustgen.validate.cache``) keeps directory
builds between runs, as JSON text.  ``built`` lists the directories that were
really built, which is what tests observe.
"""

from __future__ import annotations

import json
import marshal
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

from kustgen.render.resource import ResId, Resource


class BuildStore(Protocol):
    """Somewhere directory builds outlive the process (JSON text by digest)."""

    def get_build(self, digest: str) -> str | None: ...

    def put_build(self, digest: str, text: str) -> None: ...


def _rows(resources: Iterable[Resource]) -> list[list[Any]]:
    return [
        [res.obj, res.source, [list(vars(rid).values()) for rid in res.prev_ids],
         res.needs_hash, res.generated, [[list(p) for p in g] for g in res.aliases]]
        for res in resources
    ]


def _resources(rows: list[list[Any]]) -> list[Resource]:
    """Resources of ``_rows``; the places they share (``render.aliases``) too."""
    return [
        Resource(obj, source, [ResId(*rid) for rid in prev], needs_hash, generated,
                 [[tuple(p) for p in g] for g in shared[0]] if shared else [])
        for obj, source, prev, needs_hash, generated, *shared in rows
    ]


def _snapshot(value: Any) -> bytes | None:
    try:
        return marshal.dumps(value)
    except ValueError:  # not only built-in types: not kept
        return None


class RenderCache:
    """Builds and results by content digest; see the module docstring."""

    def __init__(self, store: BuildStore | None = None, results: int = 16,
                 fallback: RenderCache | None = None,
                 result_chars: int = 64_000_000, build_chars: int = 256_000_000) -> None:
        self.store = store
        #: Consulted (never filled) on a miss: e.g. the process's shared cache.
        self.fallback = fallback
        self._builds: OrderedDict[str, bytes] = OrderedDict()
        self._build_chars = 0
        self._results: OrderedDict[str, bytes] = OrderedDict()
        self._result_limit = results
        self._result_chars = result_chars
        self._build_limit = build_chars
        #: Directories built from their files (cache misses), in order.
        self.built: list[str] = []

    def clear(self) -> None:
        self._builds.clear()
        self._build_chars = 0
        self._results.clear()
        self.built.clear()

    def build(self, digest: str) -> list[Resource] | None:
        snapshot = self._builds.get(digest)
        if snapshot is not None:
            self._builds.move_to_end(digest)
        if snapshot is None and self.fallback is not None:
            snapshot = self.fallback._builds.get(digest)
        if snapshot is not None:
            return _resources(marshal.loads(snapshot))
        if self.store is None:
            return None
        text = self.store.get_build(digest)
        if text is None:
            return None
        try:
            rows = json.loads(text)
            found = _resources(rows)
        except (ValueError, TypeError, KeyError):  # a damaged stored entry: build again
            return None
        snapshot = _snapshot(rows)
        if snapshot is not None:
            self._remember_build(digest, snapshot)
        return found

    def keep_build(self, digest: str, resources: Iterable[Resource]) -> None:
        rows = _rows(resources)
        snapshot = _snapshot(rows)
        if snapshot is not None:
            self._remember_build(digest, snapshot)
        if self.store is not None:
            self.store.put_build(digest, json.dumps(rows, separators=(",", ":")))

    def _remember_build(self, digest: str, snapshot: bytes) -> None:
        """Keep a build; the least recently used go once they pass ``build_chars``
        bytes (a long-lived process renders many trees)."""
        self._build_chars += len(snapshot) - len(self._builds.get(digest, b""))
        self._builds[digest] = snapshot
        self._builds.move_to_end(digest)
        while self._build_chars > self._build_limit and len(self._builds) > 1:
            _, dropped = self._builds.popitem(last=False)
            self._build_chars -= len(dropped)

    def result(self, digest: str) -> list[dict[str, Any]] | None:
        snapshot = self._results.get(digest)
        if snapshot is None:
            return self.fallback.result(digest) if self.fallback is not None else None
        self._results.move_to_end(digest)
        found: list[dict[str, Any]] = marshal.loads(snapshot)
        return found

    def keep_result(self, digest: str, objects: list[dict[str, Any]]) -> None:
        if not self._result_limit:
            return
        snapshot = _snapshot(objects)
        if snapshot is None:
            return
        self._results[digest] = snapshot
        # The last few results, within a size bound (planning a large cluster
        # renders each environment several times).
        while len(self._results) > self._result_limit or (
            len(self._results) > 1
            and sum(map(len, self._results.values())) > self._result_chars
        ):
            self._results.popitem(last=False)

#: The cache ``render`` uses when given none: identical inputs build once per process.
SHARED = RenderCache()
