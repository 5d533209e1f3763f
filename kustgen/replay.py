"""A build's outcome reused when nothing it read has changed.

The pre-commit hook runs ``kustgen build`` on every commit, and almost every
run computes exactly what the last one did.  The expensive part is not the
writer but what comes before it: importing the user's cluster module (and
kustgen's models, catalog and vendored installations with it), planning,
laying out and validating.  A definition is arbitrary Python, so it cannot be
skipped on a guess; it can be skipped on evidence.  While a build computes its
tree, a :class:`Recorder` watches what the process consults:

* every module loaded (its file, whatever imported it) and every file opened
  for reading (CPython's audit hook, :pep:`578`), by content -- the files of
  the interpreter and installed packages by size, time, inode and device;
* every directory listed (``os.listdir``, ``os.scandir``, and so ``glob``,
  ``Path.iterdir``, ``os.walk``), by the names in it and their kinds;
* every path tested with ``os.stat``/``os.lstat``/``os.access``
  (``Path.exists``, ``os.path.isfile`` ...), by what it is;
* every environment variable looked up, by value (iterating over the whole
  environment, or any use of ``os.environb``, keys the outcome on all of it);
* the names the import system could load from each directory it searched.

A later run with the same command, project and interpreter first checks
those: when every one is unchanged it prints what the recorded run printed and
hands the recorded tree to the writer, without importing the definition.  The
writer always runs: the output root is never taken from a record.

An outcome is *not* recorded when the computation did something whose result
cannot be checked this way: started a process, opened a socket, looked up the
host name, opened a database, changed directory, wrote, renamed or removed a
file outside kustgen's cache, set an environment variable, read a file that
changed while the run used it or was modified just before (within the file
system's timestamp resolution), or ran in a process that had evaluated a
definition before (its modules would not be loaded, nor its files read,
again).  What stays unseen is what no
build should depend on anyway: the clock and random numbers (the tree would
differ on every run, which the pre-commit hook already refuses).
``KUSTGEN_REPLAY=explain`` says why a run was not replayed or recorded;
``KUSTGEN_REPLAY=off`` turns records off (``KUSTGEN_CACHE=off`` turns off
every cache).

Records live in the user's cache (``kustgen.usercache``: never in the
repository, written whole and renamed into place), one per command: the
interpreter and its search path, the working directory and everything the
command was asked.  kustgen's own modules are among the files checked, so an
edited or upgraded kustgen evaluates again.  An unreadable or malformed
record is a miss.
"""

from __future__ import annotations

import binascii
import contextlib
import json
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib.machinery import all_suffixes
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from kustgen.usercache import UserCache

__all__ = ["Outcome", "Reads", "Recorder", "Run", "command_key", "enabled", "evaluated",
           "explaining", "lookup", "recording_allowed", "run", "store"]

_FORMAT = 1
#: A file modified this close to the moment a run read it may have changed again
#: within the file system's timestamp resolution (as git's "racily clean"
#: entries): such a run is not recorded.
_RACY_NS = 2_000_000_000
_stat = os.stat
_lstat = os.lstat
_access = os.access
#: When this module was loaded: modules loaded before a recording began (and so
#: not seen being read) must be older than this to be recorded.
_LOADED_NS = time.time_ns()
#: Where the interpreter and installed packages live (a project's own files,
#: editable installs included, are elsewhere and compared by content).
_INSTALLED = tuple(sorted({os.path.join(os.path.abspath(p), "") for p in
                           (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}))

#: Audit events whose outcome a record could not check: the run is not recorded.
_OPAQUE = {
    "subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
    "os.forkpty", "os.startfile", "pty.spawn", "socket.connect", "socket.getaddrinfo",
    "socket.gethostname", "socket.gethostbyname", "socket.gethostbyaddr", "socket.bind",
    "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
    "sqlite3.connect", "dbm.open", "shelve.open", "os.chdir", "os.fchdir", "os.chroot",
    "os.putenv", "os.unsetenv",
}
#: Audit events that change the file system: fine in kustgen's cache, not elsewhere.
_CHANGES = {
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.link", "os.symlink", "os.truncate",
    "os.chmod", "os.chown", "os.utime", "os.chflags", "os.lchflags", "os.lchmod", "os.mkfifo",
    "os.mknod", "os.setxattr", "os.removexattr", "shutil.copyfile", "shutil.copymode",
    "shutil.copystat", "shutil.copytree", "shutil.move", "shutil.rmtree",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _bytecode(path: str) -> bool:
    """A cached ``.pyc`` (or importlib's temporary for one, or its directory): its
    module's source is what a record checks."""
    return (f"{os.sep}__pycache__{os.sep}" in path and ".pyc" in os.path.basename(path)) or (
        os.path.basename(path) == "__pycache__")


def _file_signature(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev]


def _content_digest(path: str) -> str | None:
    import hashlib  # only when a file's signature changed, or when recording

    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def _listing(path: str) -> str:
    """The names in directory ``path``, each with its kind (a directory, a link,
    anything else), as ``Path.iterdir`` or ``os.scandir`` callers see them."""
    try:
        with os.scandir(path) as entries:
            names = sorted(
                e.name + ("/" if e.is_dir(follow_symlinks=False) else
                          "@" if e.is_symlink() else "") for e in entries)
    except OSError as error:
        return f"error {error.errno}"
    return "\0".join(names)


def _importable(path: str) -> str:
    """What ``import`` could find in the directory ``path``: its packages and modules."""
    suffixes = tuple(all_suffixes())
    try:
        with os.scandir(path) as entries:
            names = sorted(e.name for e in entries
                           if e.name.endswith(suffixes) or e.is_dir())
    except OSError as error:
        return f"error {error.errno}"
    return "\0".join(names)


def _by_import_system() -> bool:
    """Is the directory listing under way the import system's (a path finder
    filling its cache), rather than the program's own?"""
    frame: FrameType | None = sys._getframe(2)
    for _ in range(6):
        if frame is None:
            return False
        code = frame.f_code
        if code.co_name == "_fill_cache" and code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _answer(info: os.stat_result | None, error: OSError | None) -> str:
    """What a stat told a program: absent, a directory, a file of a size."""
    if info is None:
        if isinstance(error, FileNotFoundError | NotADirectoryError):
            return "absent"
        return f"error {getattr(error, 'errno', None)}"
    if stat.S_ISREG(info.st_mode):
        return f"file {info.st_size}"
    if stat.S_ISDIR(info.st_mode):
        return "directory"
    return f"mode {stat.S_IFMT(info.st_mode):o}"


def _probe(path: str, follow: bool) -> str:
    try:
        return _answer(_stat(path) if follow else _lstat(path), None)
    except OSError as error:
        return _answer(None, error)


def _whole_environment(environ: Mapping[str, str]) -> str:
    import hashlib

    found = hashlib.sha256()
    for name in sorted(environ):
        found.update(f"{name}\0{environ[name]}\0".encode("utf-8", "surrogateescape"))
    return found.hexdigest()


class Reads:
    """What a recorded computation consulted, as it was when the recording ended.

    (Plain classes here, not dataclasses: this module is loaded by every no-op
    run, and each dataclass costs start-up time.)"""

    __slots__ = ("environment", "files", "importable", "listings", "probes",
                 "whole_environment")

    def __init__(
        self,
        *,
        files: dict[str, tuple[list[int], str | None]] | None = None,
        listings: dict[str, str] | None = None,
        importable: dict[str, str] | None = None,
        probes: dict[tuple[str, bool], str] | None = None,
        environment: dict[str, str | None] | None = None,
        whole_environment: str | None = None,
    ) -> None:
        #: path -> ([size, mtime_ns, inode, device], sha256 of the content (None:
        #: any other signature is a change); else the same content is no change)
        self.files = files if files is not None else {}
        #: directory -> the names in it with their kinds (``_listing``)
        self.listings = listings if listings is not None else {}
        #: directory the import system searched -> what it could import there
        self.importable = importable if importable is not None else {}
        #: (path, followed links) -> what a stat told
        self.probes = probes if probes is not None else {}
        #: environment variable -> value (None: unset)
        self.environment = environment if environment is not None else {}
        #: digest of the whole environment, when the computation iterated over it
        self.whole_environment = whole_environment

    def changed(self) -> str | None:
        """The first input that differs now (a short description), or None."""
        for name, value in self.environment.items():
            if os.environ.get(name) != value:
                return f"environment variable {name}"
        if (self.whole_environment is not None
                and _whole_environment(os.environ) != self.whole_environment):
            return "the environment"
        for directory, names in self.importable.items():
            if _importable(directory) != names:
                return f"modules in {directory}"
        for directory, names in self.listings.items():
            if _listing(directory) != names:
                return f"directory {directory}"
        for (path, follow), seen in self.probes.items():
            if _probe(path, follow) != seen:
                return f"path {path}"
        for path, (signature, digest) in self.files.items():
            try:
                info = _stat(path)
            except OSError:
                return f"file {path}"
            if _file_signature(info) == signature:
                continue
            if digest is None or _content_digest(path) != digest:
                return f"file {path}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [[p, s, d] for p, (s, d) in sorted(self.files.items())],
            "listings": sorted(self.listings.items()),
            "importable": sorted(self.importable.items()),
            "probes": [[p, f, s] for (p, f), s in sorted(self.probes.items())],
            "environment": sorted(self.environment.items()),
            "whole_environment": self.whole_environment,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reads:
        """Read back ``to_json``.  Values are not converted (a record is read on
        every no-op run): one of a wrong type compares unequal, or raises in
        ``changed``, and either is a miss."""
        return cls(
            files={p: (s, d) for p, s, d in data["files"]},
            listings=dict(data["listings"]),
            importable=dict(data["importable"]),
            probes={(p, f): s for p, f, s in data["probes"]},
            environment=dict(data["environment"]),
            whole_environment=data["whole_environment"],
        )


class _Tee:
    """A text stream that keeps a copy of what is written to it."""

    def __init__(self, stream: TextIO, number: int, transcript: list[tuple[int, str]]) -> None:
        self._stream = stream
        self._number = number
        self._transcript = transcript

    def write(self, text: str) -> int:
        if isinstance(text, str) and text:
            self._transcript.append((self._number, text))
        return self._stream.write(text)

    @property
    def buffer(self) -> Any:
        return _BinaryTee(self._stream, self._number, self._transcript)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _BinaryTee:
    def __init__(self, stream: TextIO, number: int, transcript: list[tuple[int, str]]) -> None:
        self._stream = stream
        self._buffer = stream.buffer
        self._number = number
        self._transcript = transcript

    def write(self, data: bytes) -> int:
        if data:
            self._stream.flush()
            encoding = getattr(self._stream, "encoding", None) or "utf-8"
            self._transcript.append((self._number, bytes(data).decode(encoding, "replace")))
        return int(self._buffer.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._buffer, name)


_RECORDER: Recorder | None = None
_HOOKED = False


_HANDLING = threading.local()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    recorder = _RECORDER
    if recorder is not None and not getattr(_HANDLING, "active", False):
        _HANDLING.active = True  # what the recorder itself lists is no input
        try:
            recorder.event(event, args)
        finally:
            _HANDLING.active = False


class _RecordingEnviron(os._Environ[str]):
    """``os.environ`` while a recorder runs: every lookup is noted."""

    def __getitem__(self, key: str) -> str:
        recorder = _RECORDER
        try:
            value: str = super().__getitem__(key)
        except KeyError:
            if recorder is not None:
                recorder.environment.setdefault(key, None)
            raise
        if recorder is not None:
            recorder.environment.setdefault(key, value)
        return value

    def __iter__(self) -> Iterator[str]:
        recorder = _RECORDER
        if recorder is not None:
            recorder.iterated_environment = True
        return super().__iter__()

    def __len__(self) -> int:
        recorder = _RECORDER
        if recorder is not None:
            recorder.iterated_environment = True
        return super().__len__()

    def __setitem__(self, key: str, value: str) -> None:
        recorder = _RECORDER
        if recorder is not None:
            recorder.opaque = recorder.opaque or f"set environment variable {key}"
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        recorder = _RECORDER
        if recorder is not None:
            recorder.opaque = recorder.opaque or f"removed environment variable {key}"
        super().__delitem__(key)


class _RecordingEnvironBytes(os._Environ[bytes]):
    """``os.environb`` while a recorder runs: any use keys on the whole environment."""

    def __getitem__(self, key: bytes) -> bytes:
        recorder = _RECORDER
        if recorder is not None:
            recorder.iterated_environment = True
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[bytes]:
        recorder = _RECORDER
        if recorder is not None:
            recorder.iterated_environment = True
        return super().__iter__()

    def __setitem__(self, key: bytes, value: bytes) -> None:
        recorder = _RECORDER
        if recorder is not None:
            recorder.opaque = recorder.opaque or "set an environment variable"
        super().__setitem__(key, value)


_PLAIN_ENVIRON = type(os.environ)
_PLAIN_ENVIRON_BYTES = type(os.environb)


class Recorder:
    """Watches what the process consults while it is active (``with recorder:``).

    Each input is captured when it is consulted (a file's signature when it is
    opened, a directory's names when it is listed, a stat's answer) and again
    by ``finish``: an input that changed in between, or a file modified just
    before the run read it (within the file system's timestamp resolution),
    makes the run unrecordable rather than recorded with the wrong state."""

    def __init__(self, ignored: Sequence[Path] = ()) -> None:
        self.transcript: list[tuple[int, str]] = []
        #: What the run did that a record could not check (it is not recorded).
        self.opaque: str | None = None
        #: Why ``finish`` found nothing to record (``opaque``, or an input's state).
        self.unrecordable: str | None = None
        self.environment: dict[str, str | None] = {}
        self.iterated_environment = False
        self._ignored = tuple(os.path.abspath(p) for p in ignored)
        self._ignored_below = tuple(os.path.join(p, "") for p in self._ignored)
        self._opened: dict[str, list[int] | None] = {}
        self._listed: dict[str, str] = {}
        self._probed: dict[tuple[str, bool], str] = {}
        self._importable: dict[str, str] = {}
        self._saved: dict[str, Any] = {}
        self._started_ns = 0

    # -- while recording ---------------------------------------------------

    def _absolute(self, path: Any) -> str | None:
        if isinstance(path, int) or path is None:
            return None
        try:
            text = os.fsdecode(os.fspath(path))
        except TypeError:
            return None
        absolute = os.path.abspath(text)
        return None if self._is_ignored(absolute) else absolute

    def _is_ignored(self, absolute: str) -> bool:
        return absolute in self._ignored or absolute.startswith(self._ignored_below)

    def _search_path(self, entries: Iterable[Any]) -> None:
        for entry in entries:
            if isinstance(entry, str):
                directory = os.path.abspath(entry or ".")
                if directory not in self._importable and not self._is_ignored(directory):
                    self._importable[directory] = _importable(directory)

    def event(self, event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = args
            if isinstance(path, int):
                return
            writes = (mode is not None and any(c in str(mode) for c in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & _WRITE_FLAGS)
            absolute = self._absolute(path)
            if absolute is None or (writes and _bytecode(absolute)):
                return  # importlib caching bytecode changes no outcome
            if writes:
                self.opaque = self.opaque or f"wrote {absolute}"
                return
            if _bytecode(absolute):
                # A module loaded from its cached bytecode: what counts is its source.
                name = os.path.basename(absolute).split(".", 1)[0]
                absolute = os.path.join(os.path.dirname(os.path.dirname(absolute)), name + ".py")
            if absolute not in self._opened:
                try:
                    self._opened[absolute] = _file_signature(_stat(absolute))
                except OSError:
                    self._opened[absolute] = None
        elif event == "import":
            if len(args) > 2 and isinstance(args[2], list):
                self._search_path(args[2])
        elif event in ("os.listdir", "os.scandir"):
            absolute = self._absolute(args[0] if args and args[0] is not None else ".")
            if absolute is None:
                return
            if _by_import_system():
                # Import decides by the names it can import, not by every file there.
                if absolute not in self._importable:
                    self._importable[absolute] = _importable(absolute)
            elif absolute not in self._listed:
                self._listed[absolute] = _listing(absolute)
        elif event in _OPAQUE:
            self.opaque = self.opaque or f"audit event {event}"
        elif event in _CHANGES:
            paths = [self._absolute(a) for a in args if isinstance(a, str | bytes | os.PathLike)]
            if not paths or any(p is not None and not _bytecode(p) for p in paths):
                self.opaque = self.opaque or f"audit event {event}"

    def _recording_stat(self, follow: bool) -> Callable[..., os.stat_result]:
        original = _stat if follow else _lstat

        def recorded(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
            absolute = None
            if not args and kwargs.get("dir_fd") is None:
                absolute = self._absolute(path)
            if absolute is None:
                return original(path, *args, **kwargs)
            key = (absolute, follow and bool(kwargs.get("follow_symlinks", True)))
            try:
                info = original(path, *args, **kwargs)
            except OSError as error:
                self._probed.setdefault(key, _answer(None, error))
                raise
            self._probed.setdefault(key, _answer(info, None))
            return info

        return recorded

    def _recording_access(self, path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        """``os.access``: what a stat of the path tells stands for its answer."""
        if not args and kwargs.get("dir_fd") is None:
            absolute = self._absolute(path)
            if absolute is not None:
                self._probed.setdefault((absolute, True), _probe(absolute, True))
        return _access(path, mode, *args, **kwargs)

    def __enter__(self) -> Recorder:
        global _RECORDER, _HOOKED
        if not _HOOKED:
            sys.addaudithook(_audit)
            _HOOKED = True
        self._started_ns = time.time_ns()
        self._search_path(sys.path)
        self._saved = {"stdout": sys.stdout, "stderr": sys.stderr, "stat": os.stat,
                       "lstat": os.lstat, "access": os.access}
        sys.stdout = _Tee(sys.stdout, 1, self.transcript)
        sys.stderr = _Tee(sys.stderr, 2, self.transcript)
        os.stat = self._recording_stat(True)
        os.lstat = self._recording_stat(False)
        if type(os.environ) is _PLAIN_ENVIRON:
            os.environ.__class__ = _RecordingEnviron
        if type(os.environb) is _PLAIN_ENVIRON_BYTES:
            os.environb.__class__ = _RecordingEnvironBytes
        os.access = self._recording_access
        _RECORDER = self
        return self

    def __exit__(self, *exc: object) -> None:
        global _RECORDER
        _RECORDER = None
        if type(os.environ) is _RecordingEnviron:
            os.environ.__class__ = _PLAIN_ENVIRON  # type: ignore[assignment]
        if type(os.environb) is _RecordingEnvironBytes:
            os.environb.__class__ = _PLAIN_ENVIRON_BYTES  # type: ignore[assignment]
        os.access = self._saved["access"]
        os.stat = self._saved["stat"]
        os.lstat = self._saved["lstat"]
        sys.stdout = self._saved["stdout"]
        sys.stderr = self._saved["stderr"]

    # -- after recording ---------------------------------------------------

    def _refuse(self, why: str) -> None:
        self.unrecordable = why

    def finish(self, modules: Iterable[str] | None = None) -> Reads | None:
        """What was read, checked as it is now; None when it cannot be recorded
        (``unrecordable`` says why).  ``modules`` are the files of the modules the
        computation could use: by default those of every module loaded."""
        if self.opaque is not None:
            self.unrecordable = self.opaque
            return None
        reads = Reads(environment=dict(self.environment))
        if self.iterated_environment:
            reads.whole_environment = _whole_environment(os.environ)
        if modules is None:
            modules = [file for m in list(sys.modules.values())
                       if isinstance(file := getattr(m, "__file__", None), str)]
        modules = {os.path.abspath(file) for file in modules}
        for path in sorted(modules | self._opened.keys()):
            if self._is_ignored(path):
                continue
            try:
                info = _stat(path)
            except OSError:
                if path in modules:  # a module from a zip, or a file since removed
                    self.unrecordable = f"module file {path} is not a file"
                    return None
                if self._opened[path] is not None:
                    self.unrecordable = f"{path} was removed while the run used it"
                    return None
                reads.probes[(path, True)] = "absent"
                continue
            if not stat.S_ISREG(info.st_mode):
                self.unrecordable = f"{path} is not a regular file"
                return None
            signature = _file_signature(info)
            if path in self._opened:
                if self._opened[path] != signature:
                    self.unrecordable = f"{path} changed while the run used it"
                    return None
                if info.st_mtime_ns >= self._started_ns - _RACY_NS:
                    self.unrecordable = f"{path} was modified just before the run read it"
                    return None
            elif info.st_mtime_ns >= _LOADED_NS - _RACY_NS:
                self.unrecordable = f"{path} was loaded before the recording and is as new"
                return None
            if path.startswith(_INSTALLED):
                # The interpreter's and installed packages' files change by being
                # replaced: any new signature is a miss, and none is read now.
                reads.files[path] = (signature, None)
                continue
            digest = _content_digest(path)
            if digest is None:
                self.unrecordable = f"{path} cannot be read"
                return None
            reads.files[path] = (signature, digest)
        self._search_path(sys.path)
        for kind, seen, now in (
            ("directory", self._listed, _listing),
            ("modules in", self._importable, _importable),
        ):
            for directory, names in sorted(seen.items()):
                if now(directory) != names:
                    self.unrecordable = f"{kind} {directory} changed while the run used it"
                    return None
        reads.listings = dict(sorted(self._listed.items()))
        reads.importable = dict(sorted(self._importable.items()))
        for (path, follow), answer in sorted(self._probed.items()):
            if _probe(path, follow) != answer:
                self.unrecordable = f"path {path} changed while the run used it"
                return None
            reads.probes[(path, follow)] = answer
        return reads


def enabled(environ: Mapping[str, str]) -> bool:
    """Records are kept unless ``KUSTGEN_REPLAY=off`` (or ``KUSTGEN_CACHE=off``,
    which turns off every cache) -- for a definition that depends on something
    a recorder cannot see."""
    return environ.get("KUSTGEN_REPLAY", "").lower() not in ("0", "off", "no", "false")


def explaining(environ: Mapping[str, str]) -> bool:
    """``KUSTGEN_REPLAY=explain``: say why a run was not replayed (``Run.why``)."""
    return environ.get("KUSTGEN_REPLAY", "").lower() == "explain"


_EVALUATED = False


def recording_allowed(module: str) -> bool:
    """Whether this process can record the evaluation of ``module``: neither it
    nor any other definition was loaded before (their modules would not run
    again, nor read their files again)."""
    return not _EVALUATED and module not in sys.modules


def evaluated() -> None:
    """Say that this process has loaded a user's definition."""
    global _EVALUATED
    _EVALUATED = True


class Outcome:
    """What a recorded run printed before the writer, and the tree it handed it."""

    __slots__ = ("files", "transcript")

    def __init__(self, transcript: list[tuple[int, str]], files: dict[str, str]) -> None:
        self.transcript = transcript
        self.files = files

    def replay(self) -> None:
        for number, text in self.transcript:
            stream = sys.stdout if number == 1 else sys.stderr
            stream.write(text)
        sys.stdout.flush()
        sys.stderr.flush()


def command_key(parts: Mapping[str, object]) -> tuple[str, str]:
    """The name of a command's record and the request it must hold: the
    interpreter and its search path, the working directory and every part of
    the request.  kustgen's own version is not part of it: its modules are among
    the files a record checks.  The name is a checksum (no digest library is
    loaded on the fast path); the record holds the request, so a clash of names
    is a miss, never another command's outcome."""
    terminal = [_isatty(sys.stdout), _isatty(sys.stderr)]
    request = json.dumps({"format": _FORMAT, "executable": sys.executable,
                          "version": sys.version, "path": sys.path, "cwd": os.getcwd(),
                          "flags": repr(sys.flags), "warnings": sys.warnoptions,
                          "terminal": terminal, **parts}, sort_keys=True, default=str)
    data = request.encode("utf-8", "surrogateescape")
    name = f"{binascii.crc32(data):08x}{binascii.crc32(data[::-1]):08x}"
    return name, request


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def lookup(cache: UserCache, key: tuple[str, str],
           why: list[str] | None = None) -> Outcome | None:
    """The outcome recorded under ``key`` when nothing it read has changed
    (otherwise None, and what changed appended to ``why``)."""
    name, request = key
    text = cache.read("runs", name)
    if text is None:
        return _miss(why, "no record of this command")
    try:
        data = json.loads(text)
        if data.get("format") != _FORMAT or data.get("request") != request:
            return _miss(why, "the record is of another command or format")
        reads = Reads.from_json(data["reads"])
        transcript = [(1 if n == 1 else 2, str(t)) for n, t in data["transcript"]]
        files = {str(p): str(t) for p, t in data["files"].items()}
        changed = reads.changed()
    except (ValueError, TypeError, KeyError, AttributeError, OSError):
        return _miss(why, "the record is damaged")
    if changed is not None:
        return _miss(why, f"{changed} changed")
    return Outcome(transcript, files)


def _miss(why: list[str] | None, reason: str) -> Outcome | None:
    if why is not None:
        why.append(reason)
    return None


def store(cache: UserCache, key: tuple[str, str], recorder: Recorder,
          files: Mapping[str, str], *, modules: Iterable[str] | None = None) -> bool:
    """Record what ``recorder`` saw and the tree under ``key``; False when it
    cannot be (``modules``: as for ``Recorder.finish``)."""
    name, request = key
    reads = recorder.finish(modules)
    if reads is None:
        return False
    record = {"format": _FORMAT, "request": request, "reads": reads.to_json(),
              "transcript": [list(t) for t in recorder.transcript], "files": dict(files)}
    with contextlib.suppress(ValueError, TypeError):
        cache.write("runs", name, json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        return True
    return False


class Run:
    """The tree a command hands to the writer, and how it came to be."""

    __slots__ = ("files", "replayed", "why")

    def __init__(self, files: dict[str, str], *, replayed: bool, why: list[str]) -> None:
        self.files = files
        #: True when the recorded outcome was replayed (nothing was computed).
        self.replayed = replayed
        #: Why it was not replayed, or not recorded (``KUSTGEN_REPLAY=explain``).
        self.why = why


def run(
    cache: UserCache | None,
    request: Mapping[str, object],
    compute: Callable[[], dict[str, str]],
    *,
    module: str,
    reuse: bool = True,
) -> Run:
    """The recorded outcome of ``request`` when nothing it read has changed
    (printed as it was printed), else ``compute()`` run under a recorder and
    recorded.  ``module`` is the definition's module (a process that loaded it
    before cannot record it); ``reuse=False`` computes in any case."""
    if cache is None:
        return Run(compute(), replayed=False, why=[])
    key = command_key(request)
    why: list[str] = []
    outcome = lookup(cache, key, why) if reuse else None
    if outcome is not None:
        outcome.replay()
        return Run(outcome.files, replayed=True, why=[])
    if not recording_allowed(module):
        why.append("not recorded: this process loaded a definition before")
        return Run(compute(), replayed=False, why=why)
    with Recorder(ignored=[cache.directory]) as recorder:
        files = compute()
    if not store(cache, key, recorder, files):
        why.append(f"not recorded: {recorder.unrecordable}")
    return Run(files, replayed=False, why=why)
