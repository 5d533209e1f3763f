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
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Entries unused for this long are removed (checked at most once a day).
MAX_AGE = 30 * 24 * 3600
#: Object entries kept per fingerprint.
MAX_OBJECTS = 200_000
#: Directory builds kept per fingerprint, in characters of JSON.
MAX_BUILD_CHARS = 256_000_000
_PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir_from_env(environ: Mapping[str, str]) -> Path | None:
    """Where the cache lives for a process with ``environ``; None when it is disabled."""
    if environ.get("KUSTGEN_CACHE", "").lower() in ("0", "off", "no", "false"):
        return None
    if environ.get("KUSTGEN_CACHE_DIR"):
        return Path(environ["KUSTGEN_CACHE_DIR"])
    if environ.get("XDG_CACHE_HOME"):
        return Path(environ["XDG_CACHE_HOME"]) / "kustgen"
    home = environ.get("HOME")
    return Path(home) / ".cache" / "kustgen" if home else None


def inside(directory: Path, untrusted: Sequence[Path]) -> Path | None:
    """The first of ``untrusted`` (the repository, the output root) that holds
    ``directory``: a cache there could be committed and read back, so it is not used."""
    where = directory.resolve()
    for root in untrusted:
        resolved = root.resolve()
        if where == resolved or resolved in where.parents:
            return root
    return None


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


_SOURCE_DIGEST: str | None = None


def _package_files() -> list[Path]:
    return sorted(p for p in _PACKAGE.rglob("*") if p.suffix in (".py", ".json") and p.is_file())


def source_digest(directory: Path | None = None) -> str:
    """A digest of kustgen's own code and data (models, renderer, rules, schemas).

    With ``directory``, the digest of the files' contents is remembered there
    under a digest of their names, sizes and modification times, so a run
    reads the ~2 MB of sources only after kustgen itself changed."""
    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is not None:
        return _SOURCE_DIGEST
    files = _package_files()
    memo = None
    if directory is not None:
        stats = hashlib.sha256()
        for path in files:
            info = path.stat()
            stats.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        memo = directory / "source" / stats.hexdigest()
        with contextlib.suppress(OSError, UnicodeDecodeError):
            known = memo.read_text(encoding="ascii")
            if len(known) == 64:
                _SOURCE_DIGEST = known
                return known
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    _SOURCE_DIGEST = digest.hexdigest()
    if memo is not None:
        _write_text(memo, _SOURCE_DIGEST)
    return _SOURCE_DIGEST


def fingerprint(crd_files: Sequence[Path] = (), directory: Path | None = None) -> str:
    """Everything besides the objects that decides their findings."""
    digest = hashlib.sha256(source_digest(directory).encode())
    digest.update(f"{sys.version_info[:2]}".encode())
    for module in ("kubernetes_validate", "jsonschema", "referencing"):
        digest.update(f"\0{_distribution(module)}".encode())
    for path in crd_files:
        digest.update(b"\0crd\0" + str(path).encode() + b"\0" + Path(path).read_bytes())
    return digest.hexdigest()


def _write_text(path: Path, text: str) -> None:
    """Whole file under a temporary name, then one rename: readers never see half.
    A cache that cannot be written is no error: the next run computes again."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _row(row: Any, length: int) -> bool:
    return isinstance(row, list) and len(row) == length and all(isinstance(v, str) for v in row)


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def tree_digest(files: Mapping[str, str | bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        content = files[path]
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
        digest.update(path.encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


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
        _write_text(path, text)

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
        marker = self.directory / "pruned"
        now = time.time()
        try:
            if now - marker.stat().st_mtime < 24 * 3600:
                return
        except OSError:
            pass
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            marker.touch()
        for kind in ("envs", "objects", "builds", "source"):
            with contextlib.suppress(OSError):
                for entry in os.scandir(self.directory / kind):
                    with contextlib.suppress(OSError):
                        if now - entry.stat().st_mtime > MAX_AGE:
                            os.unlink(entry.path)
