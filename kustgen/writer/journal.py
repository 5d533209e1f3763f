"""The journal of a build: what it changes, and the proof that kustgen made it here.

A build stages every new file in ``.kustgen-state/staging-<token>/`` (with a
hard link to every file it replaces or removes, so it can be undone), then
renames the journal to ``.kustgen-state/journal.json``: that rename is the
commit point.  Each step after it is one ``os.replace`` or unlink, and
running the steps again is harmless, so a build killed at any point is
finished by the next kustgen run that takes the lock.  A step that cannot be
done (a directory made read-only meanwhile, a disk error) undoes the steps
already done from the hard links, so the tree is the old one or the new one,
never a mixture that stays.

A journal is only ever acted on when it proves it was made by a build in
this very root: it records the device and inode of the root and of its
staging directory, whose name carries the journal's random token.  A journal
copied from another checkout, committed by someone, or written by hand
fails that proof and is refused with one line, untouched; one that is not
even well-formed is refused the same way.  Every path in it must also be a
path kustgen could have generated, and every staged name exactly the one
its step would use, so even a journal that passed the proof cannot reach
outside the generated directories.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kustgen.errors import KustgenError, WriteError
from kustgen.writer.paths import (
    MANIFEST,
    STATE_DIR,
    Root,
    describe_mode,
    generatable,
    parents,
    read_up_to,
    reason,
)

JOURNAL = "journal.json"
FORMAT = "kustgen-journal/1"
STAGING_PREFIX = "staging-"
#: The staging directory's record of the directories a build created before its commit point.
DIRS_RECORD = "dirs.json"
_TOKEN = re.compile(r"[0-9a-f]{32}")
_TEMPORARY = re.compile(r"(gitignore|journal)-[0-9a-f]+\.tmp")
_MAX_JOURNAL = 256 * 1024 * 1024
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def new_token() -> str:
    import secrets

    return secrets.token_hex(16)


def staging_name(token: str) -> str:
    return STAGING_PREFIX + token


def is_staging_name(name: str) -> bool:
    return name.startswith(STAGING_PREFIX) and bool(_TOKEN.fullmatch(name[len(STAGING_PREFIX):]))


@dataclass
class Step:
    """One change: ``write`` puts staged file ``new`` at ``path``; ``remove`` unlinks
    ``path``.  ``old`` is the staged hard link to the file that was there."""

    op: str
    path: str
    new: str | None = None
    new_ino: int | None = None
    old: str | None = None
    old_ino: int | None = None


@dataclass
class Journal:
    token: str
    root: tuple[int, int]  # (st_dev, st_ino) of the output root
    staging: tuple[int, int]  # (st_dev, st_ino) of staging-<token>/
    steps: list[Step]
    dirs: list[str] = field(default_factory=list)  # created before the commit point
    undo: bool = False  # the build is being undone, not finished

    @property
    def staging_name(self) -> str:
        return staging_name(self.token)

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, **asdict(self)}
        return json.dumps(data, indent=0, sort_keys=True).encode()


def _location(state: Path) -> str:
    return f"{state.parent}/{STATE_DIR}/{JOURNAL}"


def load(root: Root, state: Path) -> Journal | None:
    """The journal of an interrupted build, proven to be this root's, or None.

    Raises ``WriteError`` (one line, nothing touched) for a journal that is
    malformed or fails the proof.
    """
    path = state / JOURNAL
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise WriteError(f"cannot read it: {reason(error)}", obj=_location(state)) from None
    if not stat.S_ISREG(found.st_mode):
        raise _refused(state, f"it is {describe_mode(found.st_mode)}")
    if found.st_size > _MAX_JOURNAL:
        raise _refused(state, f"it is larger than {_MAX_JOURNAL} bytes")
    raw = _read(path, found.st_size)
    try:
        data = json.loads(raw.decode("utf-8"))
        journal = _parse(data)
    except (UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        raise _refused(state, f"not a kustgen journal: {str(error)[:120]}") from None
    _prove(root, state, journal)
    return journal


def _refused(state: Path, why: str) -> WriteError:
    return WriteError(
        f"not acted on ({why}); remove it if no kustgen build is running",
        obj=_location(state),
    )


def _read(path: Path, size: int) -> bytes:
    fd = os.open(path, _READ_FLAGS)
    try:
        return read_up_to(fd, size + 1)
    finally:
        os.close(fd)


def _pair(value: Any) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"expected [device, inode], got {value!r}")
    return (value[0], value[1])


def _optional_int(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"expected an inode number, got {value!r}")


def _parse(data: Any) -> Journal:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"format is not {FORMAT!r}")
    expected = {"format", "token", "root", "staging", "steps", "dirs", "undo"}
    if set(data) != expected:
        raise ValueError(f"keys {sorted(data)} instead of {sorted(expected)}")
    token = data["token"]
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise ValueError("bad token")
    if not isinstance(data["undo"], bool):
        raise ValueError("bad undo flag")
    dirs = data["dirs"]
    if not isinstance(dirs, list) or not all(generatable(d, directory=True) for d in dirs):
        raise ValueError("a directory kustgen never generates")
    if not isinstance(data["steps"], list):
        raise ValueError("steps is not a list")
    steps = [_parse_step(index, raw) for index, raw in enumerate(data["steps"])]
    return Journal(
        token=token,
        root=_pair(data["root"]),
        staging=_pair(data["staging"]),
        steps=steps,
        dirs=list(dirs),
        undo=data["undo"],
    )


def _parse_step(index: int, raw: Any) -> Step:
    if not isinstance(raw, dict) or set(raw) != {"op", "path", "new", "new_ino", "old", "old_ino"}:
        raise ValueError(f"step {index} is malformed")
    step = Step(
        op=raw["op"],
        path=raw["path"],
        new=raw["new"],
        new_ino=_optional_int(raw["new_ino"]),
        old=raw["old"],
        old_ino=_optional_int(raw["old_ino"]),
    )
    if not isinstance(step.path, str) or not (step.path == MANIFEST or generatable(step.path)):
        raise ValueError(f"step {index} names a path kustgen never generates")
    if step.op == "write":
        if step.new != f"new-{index}" or step.new_ino is None:
            raise ValueError(f"step {index} names a staged file kustgen never makes")
    elif step.op == "remove":
        if step.new is not None or step.new_ino is not None or step.old is None:
            raise ValueError(f"step {index} is malformed")
    else:
        raise ValueError(f"step {index} has an unknown op")
    if step.old is not None and (step.old != f"old-{index}" or step.old_ino is None):
        raise ValueError(f"step {index} names a staged file kustgen never makes")
    return step


def _prove(root: Root, state: Path, journal: Journal) -> None:
    if journal.root != root.identity():
        raise _refused(state, "it was made for another directory, not this output root")
    staging = state / journal.staging_name
    try:
        found = os.lstat(staging)
    except FileNotFoundError:
        raise _refused(state, "its staging directory is missing") from None
    if not stat.S_ISDIR(found.st_mode) or (found.st_dev, found.st_ino) != journal.staging:
        raise _refused(state, "its staging directory is not the one it was made with")


# --- carrying a journal out -------------------------------------------------------------


def ensure_dir(root: Root, relative: str) -> None:
    """``mkdir -p`` below the root, through real directories only."""
    if not relative:
        return
    for directory in parents(relative + "/x"):
        if root.directory(directory) is None:
            os.mkdir(root.abspath(directory))
            root.forget(directory)
            root.directory(directory)


def remove_empty_dirs(root: Root, relative: str) -> None:
    """Remove ``relative`` and its parents while they are empty (never the root)."""
    while relative:
        try:
            os.rmdir(root.abspath(relative))
        except OSError:
            return
        root.forget(relative)
        relative = relative.rpartition("/")[0]


def roll_forward(root: Root, state: Path, journal: Journal) -> None:
    """Do every step not yet done; each step is idempotent."""
    staging = state / journal.staging_name
    touched: set[str] = set()
    for step in journal.steps:
        parent = step.path.rpartition("/")[0]
        touched.add(parent)  # fsynced even when an earlier run did the step
        if step.op == "write":
            assert step.new is not None
            source = staging / step.new
            if not os.path.lexists(source):
                continue  # done before the interruption
            ensure_dir(root, parent)
            os.replace(source, root.abspath(step.path))
        else:
            if root.file(step.path) is None:
                continue
            os.unlink(root.abspath(step.path))
            remove_empty_dirs(root, parent)
    _fsync_dirs(root, touched)


def roll_back(root: Root, state: Path, journal: Journal) -> None:
    """Undo every step already done, newest first, from the staged hard links."""
    staging = state / journal.staging_name
    touched: set[str] = set()
    for step in reversed(journal.steps):
        parent = step.path.rpartition("/")[0]
        if step.new is not None and os.path.lexists(staging / step.new):
            continue  # this write never happened
        if step.old is not None and os.path.lexists(staging / step.old):
            ensure_dir(root, parent)
            os.replace(staging / step.old, root.abspath(step.path))
        elif step.op == "write":
            try:
                found = os.lstat(root.abspath(step.path))
            except FileNotFoundError:
                continue
            if stat.S_ISREG(found.st_mode) and found.st_ino == step.new_ino:
                os.unlink(root.abspath(step.path))
        touched.add(parent)
    for directory in sorted(journal.dirs, key=lambda d: d.count("/"), reverse=True):
        remove_empty_dirs(root, directory)
    _fsync_dirs(root, touched)


def settle(root: Root, state: Path, journal: Journal) -> str | None:
    """Carry the journal out.  Returns None when the build was finished, or the
    reason it had to be undone (the old tree is then back in place).

    Raises ``WriteError`` only when neither finishing nor undoing was possible;
    the journal then stays, and the next run tries again.
    """
    if not journal.undo:
        try:
            roll_forward(root, state, journal)
        except (OSError, KustgenError) as error:
            cause = _cause(error)
            _mark_undo(state, journal)
            _undo(root, state, journal, cause)
            return cause
        finish(state, journal)
        return None
    _undo(root, state, journal, "an earlier run was undoing it")
    return "an earlier run was undoing it"


def _undo(root: Root, state: Path, journal: Journal, cause: str) -> None:
    try:
        roll_back(root, state, journal)
    except (OSError, KustgenError) as error:
        raise WriteError(
            f"{cause}; undoing the build failed too ({_cause(error)}): the journal is kept "
            "and the next kustgen run tries again",
            obj=str(root.path),
        ) from None
    finish(state, journal)


def _mark_undo(state: Path, journal: Journal) -> None:
    """Make the decision to undo durable before undoing anything."""
    journal.undo = True
    temporary = state / f"journal-{journal.token}.tmp"
    write_durably(temporary, journal.to_bytes())
    os.replace(temporary, state / JOURNAL)
    fsync_dir(state)


def _cause(error: BaseException) -> str:
    if isinstance(error, KustgenError):
        return error.format()
    if isinstance(error, OSError):
        where = error.filename or ""
        return f"{where}: {reason(error)}" if where else reason(error)
    return str(error)


def finish(state: Path, journal: Journal) -> None:
    os.unlink(state / JOURNAL)
    fsync_dir(state)
    import shutil

    shutil.rmtree(state / journal.staging_name, ignore_errors=True)


def abandoned(state: Path) -> list[str]:
    """Staging directories (and temporary files) of builds that never reached their
    commit point: nothing refers to them once no journal is pending."""
    found = []
    for entry in os.scandir(state):
        staging = is_staging_name(entry.name) and entry.is_dir(follow_symlinks=False)
        if staging or _TEMPORARY.fullmatch(entry.name):
            found.append(entry.name)
    return sorted(found)


def remove_abandoned(root: Root, state: Path) -> None:
    """Remove what :func:`abandoned` lists, and the empty directories those builds made."""
    for name in abandoned(state):
        path = state / name
        if not is_staging_name(name):
            os.unlink(path)
            continue
        for directory in sorted(_dirs_record(path), key=lambda d: d.count("/"), reverse=True):
            remove_empty_dirs(root, directory)
        import shutil

        shutil.rmtree(path, ignore_errors=True)


def _dirs_record(staging: Path) -> list[str]:
    record = staging / DIRS_RECORD
    try:
        found = os.lstat(record)
        if not stat.S_ISREG(found.st_mode) or found.st_size > _MAX_JOURNAL:
            return []
        dirs = json.loads(_read(record, found.st_size).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return []
    if not isinstance(dirs, list):
        return []
    return [d for d in dirs if generatable(d, directory=True)]


# --- durable writes ---------------------------------------------------------------------


def write_durably(path: Path, data: bytes) -> int:
    """Write a new file and flush it to disk; returns its inode number."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        return os.fstat(fd).st_ino
    finally:
        os.close(fd)


def fsync_dir(directory: Path | str) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dirs(root: Root, relatives: set[str]) -> None:
    for relative in relatives:
        with contextlib.suppress(FileNotFoundError):  # removed because it became empty
            fsync_dir(root.abspath(relative))
