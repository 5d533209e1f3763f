"""Which paths kustgen may touch, and how it looks at them without being steered.

Everything below the output root is untrusted input: a branch someone else
wrote can hold links, FIFOs, devices or a manifest naming ``.git/config``.
So kustgen only ever touches paths it could have generated itself
(:func:`generatable`), walks to them one ``lstat`` at a time refusing any
link or special file on the way (:class:`Root`), and reads an existing file
only after ``lstat`` says it is a regular file, with ``O_NOFOLLOW |
O_NONBLOCK`` and never more bytes than it expects.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

from kustgen.errors import PathEscapeError, WriteError

#: The directories kustgen writes below the output root.  A generated path
#: always starts with one of them; nothing else (``.git/``, ``README.md``,
#: the manifest or the state directory) is ever written or removed by a sync.
GENERATED_DIRS = frozenset({"bases", "gitops", "installs", "components", "overlays"})
#: The record of generated files, committed with the tree.
MANIFEST = ".kustgen-manifest"
#: kustgen's working state (lock, journal, staging); it ignores itself in git.
STATE_DIR = ".kustgen-state"

# A path segment kustgen generates: a DNS label, a resource file name, patches/.
_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_DOTFILES = frozenset({".gitignore"})  # the only dot-file, and only as the file name
_MAX_DEPTH = 8
#: Largest file kustgen reads back from the tree (a generated file is far smaller).
MAX_READ = 64 * 1024 * 1024

_NOFOLLOW_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def generatable(relative: str, *, directory: bool = False) -> bool:
    """Could kustgen have generated ``relative`` (a file, or with ``directory`` a directory)?"""
    if not isinstance(relative, str):
        return False
    parts = relative.split("/")
    if not (1 if directory else 2) <= len(parts) <= _MAX_DEPTH:
        return False
    if parts[0] not in GENERATED_DIRS:
        return False
    *dirs, last = parts
    if not all(_SEGMENT.fullmatch(p) for p in dirs):
        return False
    return bool(_SEGMENT.fullmatch(last)) or (not directory and last in _DOTFILES)


def check_generated_paths(paths: Iterable[str]) -> None:
    """Refuse a tree that would write anywhere kustgen does not generate files."""
    for relative in paths:
        if not generatable(relative):
            raise PathEscapeError(
                "refusing a path outside the output root or outside kustgen's own "
                f"directories ({', '.join(sorted(GENERATED_DIRS))})",
                obj=str(relative),
            )


def parents(relative: str) -> list[str]:
    """``a/b/c.yaml`` -> ``["a", "a/b"]``: the directories above a path, top first."""
    parts = relative.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


class Root:
    """The output root, and what is below it as seen without following links.

    Each directory is looked at once per run (a tree has many files per
    directory).  A directory on the way to a generated path must be a real
    directory: a link (even to another generated directory inside the root),
    a file or a special file there is refused with one line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._text = str(path)
        self._dirs: dict[str, os.stat_result | None] = {"": os.stat(path)}

    @property
    def device(self) -> int:
        stat_result = self._dirs[""]
        assert stat_result is not None
        return stat_result.st_dev

    def identity(self) -> tuple[int, int]:
        stat_result = self._dirs[""]
        assert stat_result is not None
        return (stat_result.st_dev, stat_result.st_ino)

    def abspath(self, relative: str) -> str:
        # A string, not a Path: a check of a large tree calls this per file.
        return f"{self._text}/{relative}" if relative else self._text

    def forget(self, relative_dir: str) -> None:
        """Drop cached knowledge of a directory (after creating or removing it)."""
        for key in [k for k in self._dirs if k == relative_dir or k.startswith(relative_dir + "/")]:
            del self._dirs[key]

    def directory(self, relative: str) -> os.stat_result | None:
        """The directory's stat, or None when it (or a parent) does not exist yet."""
        if relative in self._dirs:
            return self._dirs[relative]
        parent, _, _ = relative.rpartition("/")
        result: os.stat_result | None = None
        if self.directory(parent) is not None:
            try:
                found = os.lstat(self.abspath(relative))
            except FileNotFoundError:
                found = None
            except OSError as error:
                raise os_error(error, relative) from None
            if found is not None:
                if stat.S_ISLNK(found.st_mode):
                    raise WriteError(
                        "is a symbolic link where kustgen writes a directory; kustgen never "
                        "writes through links (replace it with a real directory)",
                        obj=relative,
                    )
                if not stat.S_ISDIR(found.st_mode):
                    raise WriteError(
                        f"is {describe_mode(found.st_mode)} where kustgen needs a directory; "
                        "left alone",
                        obj=relative,
                    )
                result = found
        self._dirs[relative] = result
        return result

    def file(self, relative: str) -> os.stat_result | None:
        """The regular file's stat, None when absent; anything else is refused."""
        parent = relative.rpartition("/")[0]
        if self.directory(parent) is None:
            return None
        try:
            found = os.lstat(self.abspath(relative))
        except FileNotFoundError:
            return None
        except OSError as error:
            raise os_error(error, relative) from None
        if not stat.S_ISREG(found.st_mode):
            raise WriteError(
                f"is {describe_mode(found.st_mode)}, not a file kustgen wrote; kustgen only "
                "reads and replaces regular files (left alone)",
                obj=relative,
            )
        return found

    def read(self, relative: str, expected: os.stat_result, limit: int = MAX_READ) -> bytes:
        """The bytes of a regular file seen by :meth:`file`, never more than ``limit``."""
        if expected.st_size > limit:
            raise WriteError(f"is larger than {limit} bytes; not read", obj=relative)
        try:
            fd = os.open(self.abspath(relative), _NOFOLLOW_READ)
        except OSError as error:
            raise os_error(error, relative) from None
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode) or opened.st_ino != expected.st_ino:
                raise WriteError("changed while kustgen was reading it; run again", obj=relative)
            return read_up_to(fd, expected.st_size + 1)  # one more byte shows a file that grew
        finally:
            os.close(fd)

    def holds(self, relative: str, expected: os.stat_result, data: bytes) -> bool:
        """Does the regular file seen by :meth:`file` hold exactly ``data``?"""
        if expected.st_size != len(data):
            return False
        return self.read(relative, expected) == data


def open_root(path: Path, *, create: bool) -> Root | None:
    """The output root as a :class:`Root`; None when it is absent and not ``create``.

    The root itself is the user's choice (``--out``), so a link to a directory
    is followed once; a dangling link, a file, or a path through a file is
    one clear error.
    """
    try:
        os.stat(path)
    except FileNotFoundError:
        if os.path.lexists(path):
            raise WriteError(
                "is a symbolic link to nothing; give an output directory that exists or "
                "can be created",
                obj=str(path),
            ) from None
        if not create:
            return None
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as error:
            raise WriteError(
                f"cannot create the output directory: {reason(error)}", obj=str(path)
            ) from None
    except OSError as error:
        raise WriteError(f"cannot use it as the output directory: {reason(error)}",
                         obj=str(path)) from None
    real = Path(os.path.realpath(path))
    try:
        found = os.stat(real)
    except OSError as error:
        raise WriteError(f"cannot use it as the output directory: {reason(error)}",
                         obj=str(path)) from None
    if not stat.S_ISDIR(found.st_mode):
        raise WriteError(
            f"is {describe_mode(found.st_mode)}, not a directory; give an output directory",
            obj=str(path),
        )
    return Root(real)


def name_max(root: Root) -> int:
    try:
        return int(os.pathconf(root.path, "PC_NAME_MAX"))
    except (OSError, ValueError):
        return 255


def describe_mode(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def reason(error: OSError) -> str:
    """``No space left on device`` and the like: the part of an OSError a person reads."""
    if error.errno == errno.ELOOP:
        return "a symbolic link (kustgen never follows links below the output root)"
    return error.strerror or str(error)


def os_error(error: OSError, relative: str, doing: str = "cannot read it") -> WriteError:
    return WriteError(f"{doing}: {reason(error)}", obj=relative or ".")


def read_up_to(fd: int, limit: int) -> bytes:
    """At most ``limit`` bytes of the open file ``fd``: a file kustgen did not write
    is never read whole before its size is known to be sane."""
    chunks, remaining = [], limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
