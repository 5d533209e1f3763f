"""Build results remembered by content, so each kustomization is built once.

Every environment of a cluster includes the same bases, and the planner, the
validation and ``render`` of one run build the same overlays.  A build is a
pure function of the files it reads, so a ``RenderCache`` remembers:

* each directory built as a resource of another (a base, usually), keyed by
  the digest of everything that build reads (``FileTree.digest``), up to
  256 MB of JSON (least recently used go first);
* the last few whole results (at most 16, 64 MB of JSON), keyed the same way.

Entries are stored as JSON text and every hit is a fresh copy, so callers may
change what they get.  An optional ``store`` (see ``kustgen.validate.cache``)
keeps directory builds between runs.  ``built`` lists the directories that
were really built, which is what tests observe.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Protocol

from kustgen.render.resource import ResId, Resource


class BuildStore(Protocol):
    """Somewhere directory builds outlive the process (JSON text by digest)."""

    def get_build(self, digest: str) -> str | None: ...

    def put_build(self, digest: str, text: str) -> None: ...


def dumps(resources: Iterable[Resource]) -> str:
    return json.dumps(
        [
            [res.obj, res.source, [list(vars(rid).values()) for rid in res.prev_ids],
             res.needs_hash, res.generated, [[list(p) for p in g] for g in res.aliases]]
            for res in resources
        ],
        separators=(",", ":"),
    )


def loads(text: str) -> list[Resource]:
    """Resources of ``dumps``; the places they share (``render.aliases``) too."""
    return [
        Resource(obj, source, [ResId(*rid) for rid in prev], needs_hash, generated,
                 [[tuple(p) for p in g] for g in shared[0]] if shared else [])
        for obj, source, prev, needs_hash, generated, *shared in json.loads(text)
    ]


class RenderCache:
    """Builds and results by content digest; see the module docstring."""

    def __init__(self, store: BuildStore | None = None, results: int = 16,
                 fallback: RenderCache | None = None,
                 result_chars: int = 64_000_000, build_chars: int = 256_000_000) -> None:
        self.store = store
        #: Consulted (never filled) on a miss: e.g. the process's shared cache.
        self.fallback = fallback
        self._builds: OrderedDict[str, str] = OrderedDict()
        self._build_chars = 0
        self._results: OrderedDict[str, str] = OrderedDict()
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
        text = self._builds.get(digest)
        if text is not None:
            self._builds.move_to_end(digest)
        if text is None and self.fallback is not None:
            text = self.fallback._builds.get(digest)
        if text is None and self.store is not None:
            text = self.store.get_build(digest)
            if text is not None:
                self._remember_build(digest, text)
        if text is None:
            return None
        try:
            return loads(text)
        except (ValueError, TypeError, KeyError):  # a damaged stored entry: build again
            damaged = self._builds.pop(digest, None)
            self._build_chars -= len(damaged or "")
            return None

    def keep_build(self, digest: str, resources: Iterable[Resource]) -> None:
        text = dumps(resources)
        self._remember_build(digest, text)
        if self.store is not None:
            self.store.put_build(digest, text)

    def _remember_build(self, digest: str, text: str) -> None:
        """Keep a build; the least recently used go once they pass ``build_chars``
        (a long-lived process renders many trees)."""
        self._build_chars += len(text) - len(self._builds.get(digest, ""))
        self._builds[digest] = text
        self._builds.move_to_end(digest)
        while self._build_chars > self._build_limit and len(self._builds) > 1:
            _, dropped = self._builds.popitem(last=False)
            self._build_chars -= len(dropped)

    def result(self, digest: str) -> list[dict[str, Any]] | None:
        text = self._results.get(digest)
        if text is None:
            return self.fallback.result(digest) if self.fallback is not None else None
        self._results.move_to_end(digest)
        found: list[dict[str, Any]] = json.loads(text)
        return found

    def keep_result(self, digest: str, objects: list[dict[str, Any]]) -> None:
        if not self._result_limit:
            return
        self._results[digest] = json.dumps(objects, separators=(",", ":"))
        # The last few results, within a size bound (planning a large cluster
        # renders each environment several times).
        while len(self._results) > self._result_limit or (
            len(self._results) > 1
            and sum(map(len, self._results.values())) > self._result_chars
        ):
            self._results.popitem(last=False)


#: The cache ``render`` uses when given none: identical inputs build once per process.
SHARED = RenderCache()
