"""kustgen's working state in the output root, and the lock that lets one writer in.

``.kustgen-state/`` holds the lock file, the journal of a build in progress
and its staging directory.  It ignores itself in git (a ``.gitignore``
holding ``*``, as ``.pytest_cache`` does), so `git add -A` never commits a
half-staged build, and nothing in it acts on its own: a copy of it elsewhere
(or a planted one) fails the journal's proof (:mod:`kustgen.writer.journal`).
It must be a real directory; a link or a file there is refused.

Writers take an exclusive ``flock`` on ``.kustgen-state/lock``; `--check`
takes a shared one, so it never sees a half-applied tree.  The kernel drops
the lock when a process dies, so a killed build never leaves the tree locked
(unlike a lock *file* created with ``O_EXCL``).  A second writer waits up to
``timeout`` seconds, then fails with one line.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kustgen.errors import LockTimeout, WriteError
from kustgen.writer.paths import STATE_DIR, Root, describe_mode, reason

LOCK = "lock"
GITIGNORE = ".gitignore"
GITIGNORE_TEXT = (
    "# kustgen's working state (lock, journal, staging): never committed.\n"
    "*\n"
)
#: How long a writer waits for another one to finish, by default.
DEFAULT_TIMEOUT = 30.0

_OPEN_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def state_dir(root: Root, *, create: bool) -> Path | None:
    """``ROOT/.kustgen-state`` (made, with its ``.gitignore``, when ``create``)."""
    path = root.path / STATE_DIR
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        if not create:
            return None
        try:
            os.mkdir(path, 0o755)
        except FileExistsError:
            pass  # another writer made it first
        except OSError as error:
            raise WriteError(f"cannot create kustgen's state directory: {reason(error)}",
                             obj=str(path)) from None
        found = os.lstat(path)
    if not stat.S_ISDIR(found.st_mode):
        raise WriteError(
            f"is {describe_mode(found.st_mode)}, not the directory kustgen keeps its working "
            "state in; remove it",
            obj=str(path),
        )
    if create:
        _ignore_itself(path)
    return path


def _ignore_itself(path: Path) -> None:
    """Make sure ``.gitignore`` there says ``*`` (replaced, never written through)."""
    target = path / GITIGNORE
    try:
        found = os.lstat(target)
        if stat.S_ISREG(found.st_mode) and found.st_size == len(GITIGNORE_TEXT):
            fd = os.open(target, os.O_RDONLY | _OPEN_FLAGS)
            try:
                if os.read(fd, len(GITIGNORE_TEXT) + 1) == GITIGNORE_TEXT.encode():
                    return
            finally:
                os.close(fd)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise WriteError(f"cannot read it: {reason(error)}", obj=str(target)) from None
    import secrets

    temporary = path / f"gitignore-{secrets.token_hex(8)}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _OPEN_FLAGS, 0o644)
        try:
            os.write(fd, GITIGNORE_TEXT.encode())
        finally:
            os.close(fd)
        os.replace(temporary, target)  # replaces a link itself, never its target
    except OSError as error:
        _unlink_quietly(temporary)
        raise WriteError(f"cannot write it: {reason(error)}", obj=str(target)) from None


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


@contextmanager
def exclusive(root: Root, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Path]:
    """Hold the writers' lock of ``root``; yields the state directory."""
    state = state_dir(root, create=True)
    assert state is not None
    try:
        fd = os.open(state / LOCK, os.O_RDWR | os.O_CREAT | _OPEN_FLAGS, 0o644)
    except OSError as error:
        raise WriteError(f"cannot open the lock: {reason(error)}", obj=str(state / LOCK)) from None
    try:
        _check_regular(fd, state / LOCK)
        _acquire(fd, fcntl.LOCK_EX, timeout, root)
        yield state
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def shared(root: Root, timeout: float = DEFAULT_TIMEOUT) -> Iterator[bool]:
    """Hold a reader's lock of ``root`` when it has one; yields whether it did.

    Readers create nothing: without a lock file no writer has ever run here,
    and the caller looks again afterwards (:func:`lock_exists`).
    """
    state = state_dir(root, create=False)
    if state is None:
        yield False
        return
    try:
        fd = os.open(state / LOCK, os.O_RDONLY | _OPEN_FLAGS)
    except FileNotFoundError:
        yield False
        return
    except OSError as error:
        raise WriteError(f"cannot open the lock: {reason(error)}", obj=str(state / LOCK)) from None
    try:
        _check_regular(fd, state / LOCK)
        _acquire(fd, fcntl.LOCK_SH, timeout, root)
        yield True
    finally:
        os.close(fd)


def lock_exists(root: Root) -> bool:
    return os.path.lexists(root.path / STATE_DIR / LOCK)


def _check_regular(fd: int, path: Path) -> None:
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        raise WriteError(f"is {describe_mode(mode)}, not kustgen's lock file; remove it",
                         obj=str(path))


def _acquire(fd: int, operation: int, timeout: float, root: Root) -> None:
    deadline = time.monotonic() + timeout
    pause = 0.01
    while True:
        try:
            fcntl.flock(fd, operation | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as error:
            raise WriteError(f"cannot lock the output tree: {reason(error)}",
                             obj=str(root.path)) from None
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"another kustgen run is writing this tree (waited {timeout:g} s); "
                "nothing was changed: run again when it has finished",
                obj=str(root.path),
            )
        time.sleep(pause)
        pause = min(pause * 2, 0.2)
