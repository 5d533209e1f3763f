"""Results kept between runs in the user's cache directory, keyed by content.

kustgen runs on every commit, and a pre-commit hook's run usually computes
exactly what the last one did.  Four kinds of result are kept here for the
next run: a build's whole outcome with what it read (:mod:`kustgen.replay`),
validation findings (:mod:`kustgen.validate.cache`), the overlays the planner
found (:mod:`kustgen.plan.cache`) and the YAML text of each document written
(:mod:`kustgen.yamlio`).  The rules are the same for all:

* **Where.** ``$KUSTGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/kustgen``, else
  ``~/.cache/kustgen``; ``KUSTGEN_CACHE=off`` disables every cache.  Never
  inside the repository or the output root (``inside``): those are untrusted
  input, and a committed file must not stand in for a result.
* **Keys.** A SHA-256 of the whole input of the computation, starting with the
  *fingerprint*: kustgen's own source and data (so a new or edited kustgen
  never reuses an old result), the Python version and PyYAML's.  An entry is
  only ever what kustgen computed for exactly that input.  (A build's
  outcome is the exception that proves it: its record lists its inputs,
  kustgen's modules among them, and is checked against them.)
* **Files.** Written whole under a temporary name and renamed into place, so
  concurrent runs at worst redo each other's work; an unreadable or malformed
  entry is a miss; entries last written 30 days ago are removed (the next run
  that needs one computes it again).

The CLI opens one :class:`UserCache` per command and makes it the process's
``active()`` cache while the command runs (``activated``), because plans are
made while the user's cluster module is imported, before any library call
could be handed a cache.  A library caller may do the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

#: Entries last written this long ago are removed (checked at most once a day).
MAX_AGE = 30 * 24 * 3600
#: Characters of text kept per many-entry file (``TextMemo``).
MAX_MEMO_CHARS = 128_000_000
_PACKAGE = Path(__file__).resolve().parent


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


def _package_files(directory: str) -> Iterator[os.DirEntry[str]]:
    """kustgen's ``.py`` and ``.json`` files below ``directory`` (not bytecode)."""
    for entry in os.scandir(directory):
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                yield from _package_files(entry.path)
        elif entry.name.endswith((".py", ".json")) and entry.is_file():
            yield entry


_SOURCE_DIGEST: str | None = None


def source_digest(directory: Path | None = None) -> str:
    """A digest of kustgen's own code and data (models, planner, renderer, rules, schemas).

    With ``directory``, the digest of the files' contents is remembered there
    under a digest of their names, sizes and modification times, so a run
    reads the ~2 MB of sources only after kustgen itself changed."""
    import hashlib  # only when a digest is made: a replayed build makes none

    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is not None:
        return _SOURCE_DIGEST
    files = sorted(_package_files(str(_PACKAGE)), key=lambda entry: entry.path)
    memo = None
    if directory is not None:
        stats = hashlib.sha256()
        for entry in files:
            info = entry.stat()
            stats.update(f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
        memo = directory / "source" / stats.hexdigest()
        with contextlib.suppress(OSError, UnicodeDecodeError):
            known = memo.read_text(encoding="ascii")
            if len(known) == 64:
                _SOURCE_DIGEST = known
                return known
    digest = hashlib.sha256()
    for entry in files:
        path = Path(entry.path)
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    _SOURCE_DIGEST = digest.hexdigest()
    if memo is not None:
        write_atomic(memo, _SOURCE_DIGEST)
    return _SOURCE_DIGEST


def _pyyaml() -> str:
    """PyYAML's version and whether it has libyaml, read without importing it."""
    from importlib.machinery import PathFinder

    try:
        spec = PathFinder.find_spec("yaml")
    except (ImportError, ValueError):
        spec = None
    origin = spec.origin if spec is not None and spec.origin else ""
    found = [origin]
    if origin:
        package = Path(origin).parent
        with contextlib.suppress(OSError):
            found += sorted(n for n in os.listdir(package.parent)
                            if n.lower().startswith("pyyaml-") and n.endswith("-info"))
            found += sorted(n for n in os.listdir(package) if n.startswith("_yaml"))
    return " ".join(found)


def fingerprint(directory: Path | None = None) -> str:
    """What besides its input decides any result kustgen computes: its own source,
    the Python version and PyYAML's (whose emitter writes the YAML)."""
    import hashlib

    digest = hashlib.sha256(source_digest(directory).encode())
    digest.update(f"\0{sys.version_info[:3]}\0{_pyyaml()}".encode())
    return digest.hexdigest()


def write_atomic(path: Path, text: str | bytes) -> None:
    """Whole file under a temporary name, then one rename: readers never see half.
    A cache that cannot be written is no error: the next run computes again."""
    import tempfile

    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def digest(*parts: str) -> str:
    """SHA-256 of ``parts``, each ended by a NUL (so the split points count too)."""
    import hashlib

    found = hashlib.sha256()
    for part in parts:
        found.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return found.hexdigest()


def tree_digest(files: Mapping[str, str | bytes]) -> str:
    """SHA-256 of a tree of files: every path and its content, in path order."""
    import hashlib

    found = hashlib.sha256()
    for path in sorted(files):
        content = files[path]
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
        found.update(path.encode("utf-8", "surrogatepass") + b"\0" + data + b"\0")
    return found.hexdigest()


#: Every kind of entry (a subdirectory), the validation cache's too: one run a
#: day prunes them all.
KINDS = ("envs", "objects", "builds", "source", "plans", "renders", "memo", "runs")


def prune(directory: Path) -> None:
    """Remove entries last written ``MAX_AGE`` ago (at most once a day)."""
    marker = directory / "pruned"
    now = time.time()
    try:
        if now - marker.stat().st_mtime < 24 * 3600:
            return
    except OSError:
        pass
    with contextlib.suppress(OSError):
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        marker.touch()
    for kind in KINDS:
        with contextlib.suppress(OSError):
            for entry in os.scandir(directory / kind):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime > MAX_AGE:
                        os.unlink(entry.path)


class TextMemo:
    """Many small texts by key, one file per fingerprint: read on first use,
    written back by ``save`` when something was added (the entries used in the
    run last, so the least recently used go first past ``MAX_MEMO_CHARS``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._texts: dict[str, str] | None = None
        self._used: set[str] = set()
        self.added = 0

    def _load(self) -> dict[str, str]:
        if self._texts is None:
            found: Any = None
            with contextlib.suppress(OSError, ValueError):
                found = json.loads(self.path.read_text(encoding="utf-8"))
            self._texts = found if isinstance(found, dict) else {}
        return self._texts

    def get(self, key: str) -> str | None:
        text = self._load().get(key)
        if not isinstance(text, str):
            return None
        self._used.add(key)
        return text

    def put(self, key: str, text: str) -> None:
        self._load()[key] = text
        self._used.add(key)
        self.added += 1

    def save(self) -> None:
        if not self.added or self._texts is None:
            return
        texts = self._texts
        order = [k for k in texts if k not in self._used] + [k for k in texts if k in self._used]
        kept: dict[str, str] = {}
        size = 0
        for key in reversed(order):
            value = texts[key]
            if not isinstance(value, str):
                continue
            size += len(value) + len(key)
            if size > MAX_MEMO_CHARS:
                break
            kept[key] = value
        write_atomic(self.path, json.dumps(dict(reversed(kept.items())), ensure_ascii=False,
                                           separators=(",", ":")))
        self.added = 0


class UserCache:
    """Entries of one fingerprint in ``directory``: one file per entry
    (``read``/``write``), or many small ones in one file (``memo``)."""

    def __init__(self, directory: Path, fingerprint: str | None = None) -> None:
        self.directory = directory
        self._fingerprint = fingerprint
        self._memos: dict[str, TextMemo] = {}
        #: What was computed in this run because no entry had it (tests read it).
        self.misses: list[str] = []

    @classmethod
    def open(cls, directory: Path) -> UserCache:
        return cls(directory)

    @property
    def fingerprint(self) -> str:
        """kustgen's ``fingerprint``, computed on first use: a replayed build
        (``kustgen.replay``) checks the files it recorded instead."""
        if self._fingerprint is None:
            self._fingerprint = fingerprint(self.directory)
        return self._fingerprint

    def key(self, *parts: str) -> str:
        """The key of an entry: the fingerprint and every part of the input."""
        return digest(self.fingerprint, *parts)

    def _path(self, kind: str, key: str) -> Path:
        return self.directory / kind / f"{key}.json"

    def read(self, kind: str, key: str) -> str | None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            # Bytes decoded, not read_text: no newline translation, which costs
            # a millisecond on a no-op's record, and entries are written with \n.
            return self._path(kind, key).read_bytes().decode("utf-8")
        return None

    def write(self, kind: str, key: str, text: str) -> None:
        write_atomic(self._path(kind, key), text)

    def read_bytes(self, kind: str, key: str) -> bytes | None:
        with contextlib.suppress(OSError):
            return self._path(kind, key).with_suffix(".bin").read_bytes()
        return None

    def write_bytes(self, kind: str, key: str, data: bytes) -> None:
        write_atomic(self._path(kind, key).with_suffix(".bin"), data)

    def memo(self, kind: str) -> TextMemo:
        found = self._memos.get(kind)
        if found is None:
            found = self._memos[kind] = TextMemo(self.directory / "memo" / f"{kind}-"
                                                 f"{self.fingerprint}.json")
        return found

    def save(self) -> None:
        for memo in self._memos.values():
            memo.save()
        prune(self.directory)


_ACTIVE: UserCache | None = None


def active() -> UserCache | None:
    """The cache of the running command, if any (see ``activated``)."""
    return _ACTIVE


@contextlib.contextmanager
def activated(cache: UserCache | None) -> Iterator[UserCache | None]:
    """Make ``cache`` the process's cache (plans, YAML texts) while the block runs;
    what was added is saved at the end, whatever happened."""
    global _ACTIVE
    saved = _ACTIVE
    _ACTIVE = cache
    try:
        yield cache
    finally:
        _ACTIVE = saved
        if cache is not None:
            cache.save()
