"""Validation results kept between runs, keyed by content, outside the repository.

A no-op ``kustgen build`` (the pre-commit hook) validates exactly what the
last run validated; a run after one app changed validates that app's objects
again and nothing else.  Three kinds of entry, every key a SHA-256 that starts
with the *fingerprint* of what decides a finding besides the objects -- kustgen's
own source and schemas, the CRD files named, the versions of
kubernetes-validate and jsonschema:

* per environment: the whole input tree, the environment's name and the lint
  configuration (``External``, ``nodes``) -> every finding of the environment,
  before ``lint_ignore`` (applied afresh each run).  A hit renders nothing.
* per object: the object's content -> its schema and field findings.
* per directory build: the renderer's ``RenderCache`` store (``BuildStore``).

The cache lives in the user's cache directory (``$KUSTGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/kustgen``, else ``~/.cache/kustgen``), never in the output
root: the repository is untrusted input and nothing committed to it can add
an entry, and since an entry is only ever what kustgen computed for exactly
that content, no entry can hide a finding.  Every file is written whole to a
temporary name and renamed into place, so concurrent runs at worst redo work;
an unreadable entry is a miss.  ``KUSTGEN_CACHE=off`` disables it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kustgen.usercache import (
    cache_dir_from_env,
    digest,
    inside,
    prune,
    source_digest,
    tree_digest,
    write_atomic,
)

__all__ = ["Row", "Stats", "ValidationCache", "cache_dir_from_env", "fingerprint", "inside",
           "source_digest", "tree_digest"]

#: Object entries kept per fingerprint.
MAX_OBJECTS = 200_000
#: Directory builds kept per fingerprint, in characters of JSON.
MAX_BUILD_CHARS = 256_000_000


def _distribution(module: str) -> str:
    """The installed distribution of ``module`` (its dist-info name, with the
    version), found without importing it or importlib.metadata."""
    from importlib.util import find_spec

    try:
        spec = find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return f"{module}: absent"
    package = Path(spec.origin).parent
    try:
        infos = sorted(n for n in os.listdir(package.parent)
                       if n.lower().startswith(module.lower() + "-") and n.endswith("-info"))
    except OSError:
        infos = []
    return f"{module}: {package} {' '.join(infos)}"


def fingerprint(crd_files: Sequence[Path] = (), directory: Path | None = None) -> str:
    """Everything besides the objects that decides their findings: kustgen's
    fingerprint (``kustgen.usercache``), the schema libraries, the CRD files."""
    from kustgen.usercache import fingerprint as kustgen_fingerprint

    found = hashlib.sha256(kustgen_fingerprint(directory).encode())
    for module in ("kubernetes_validate", "jsonschema", "referencing"):
        found.update(f"\0{_distribution(module)}".encode())
    for path in crd_files:
        found.update(b"\0crd\0" + str(path).encode() + b"\0" + Path(path).read_bytes())
    return found.hexdigest()


def _hash(*parts: str) -> str:
    return digest(*parts)


def _row(row: Any, length: int) -> bool:
    return isinstance(row, list) and len(row) == length and all(isinstance(v, str) for v in row)


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


#: A finding as stored: (rule, severity, field, message) or, per environment,
#: (env, obj, field, rule, severity, message).
Row = list[str]


@dataclass
class Stats:
    """What a run really computed (the rest came from the cache)."""

    envs: list[str] = field(default_factory=list)  # environments rendered and validated
    rendered: list[str] = field(default_factory=list)  # directories built from their files
    checked: int = 0  # objects checked against schemas and field rules


class ValidationCache:
    """The cache in ``directory`` for one fingerprint (see the module docstring)."""

    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self.stats = Stats()
        self._objects: dict[str, list[Any]] | None = None
        self._used: set[str] = set()
        self._added = False
        self._builds: dict[str, str] | None = None
        self._used_builds: set[str] = set()
        self._builds_added = False

    @classmethod
    def open(cls, directory: Path, crd_files: Sequence[Path] = ()) -> ValidationCache:
        return cls(directory, fingerprint(crd_files, directory))

    # -- files ------------------------------------------------------------------------

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / f"{key}.json"

    def _read(self, path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, path: Path, text: str) -> None:
        write_atomic(path, text)

    # -- environments -------------------------------------------------------------------

    def env_key(self, tree: str, env: str, config: str) -> str:
        return _hash(self.fingerprint, "env", tree, env, config)

    def env_findings(self, key: str) -> list[Row] | None:
        found = self._read(self._path("envs", key))
        if not isinstance(found, list) or not all(_row(row, 6) for row in found):
            return None
        return found

    def keep_env(self, key: str, rows: Iterable[Row]) -> None:
        self._write(self._path("envs", key), _dumps(list(rows)))

    # -- objects ----------------------------------------------------------------------

    def object_key(self, obj: Mapping[str, Any]) -> str:
        # repr of plain data (str, int, float, bool, None, lists, dicts) says its
        # content and types exactly, and costs half of json.dumps.
        return _hash(repr(obj))

    def object_findings(self, key: str) -> tuple[bool, list[Row]] | None:
        if self._objects is None:
            found = self._read(self._path("objects", self.fingerprint))
            self._objects = found if isinstance(found, dict) else {}
        entry = self._objects.get(key)
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], list)
                and all(_row(row, 4) for row in entry[1])):
            return None
        self._used.add(key)
        return bool(entry[0]), [list(row) for row in entry[1]]

    def keep_object(self, key: str, unchecked: bool, rows: list[Row]) -> None:
        if self._objects is None:
            self.object_findings(key)
        assert self._objects is not None
        self._objects[key] = [unchecked, rows]
        self._used.add(key)
        self._added = True

    # -- directory builds (kustgen.render.cache.BuildStore) --------------------------
    # One file per fingerprint, a line per build ("digest TAB json"): a cold run
    # of 2,000 apps writes one file instead of 2,000.

    def _load_builds(self) -> dict[str, str]:
        if self._builds is None:
            self._builds = {}
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = self._path("builds", self.fingerprint).with_suffix(".jsonl").read_text(
                    encoding="utf-8")
                for line in text.splitlines():
                    digest, tab, build = line.partition("\t")
                    if tab and len(digest) == 64:
                        self._builds[digest] = build
        return self._builds

    def get_build(self, digest: str) -> str | None:
        found = self._load_builds().get(digest)
        if found is not None:
            self._used_builds.add(digest)
        return found

    def put_build(self, digest: str, text: str) -> None:
        self._load_builds()[digest] = text
        self._used_builds.add(digest)
        self._builds_added = True

    # -- end of a run -----------------------------------------------------------------

    def save(self) -> None:
        """Write the entries added in this run, drop stale ones."""
        if self._added and self._objects is not None:
            # Recently used entries last, so the oldest go first when trimming.
            kept = {k: v for k, v in self._objects.items() if k not in self._used}
            kept.update((k, self._objects[k]) for k in self._objects if k in self._used)
            items = list(kept.items())[-MAX_OBJECTS:]
            self._write(self._path("objects", self.fingerprint), _dumps(dict(items)))
            self._added = False
        if self._builds_added and self._builds is not None:
            builds = self._builds
            order = [d for d in builds if d not in self._used_builds] + [
                d for d in builds if d in self._used_builds]
            lines, size = [], 0
            for digest in reversed(order):  # the most recently used first, up to the bound
                size += len(builds[digest]) + 66
                if size > MAX_BUILD_CHARS:
                    break
                lines.append(f"{digest}\t{builds[digest]}\n")
            path = self._path("builds", self.fingerprint).with_suffix(".jsonl")
            self._write(path, "".join(reversed(lines)))
            self._builds_added = False
        self._prune()

    def _prune(self) -> None:
        prune(self.directory)
