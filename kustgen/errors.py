"""kustgen's exceptions.

Each exception owns its exit code and its one-line message, so the CLI never
has to classify an error by reading its text.  A user mistake is reported as
one line naming the object and the field; only bugs in kustgen itself show a
traceback.
"""

from __future__ import annotations

import os
from pathlib import Path


class KustgenError(Exception):
    """Base of every error kustgen raises on purpose."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        obj: str | None = None,
        field: str | None = None,
        details: str = "",
    ):
        self.message = message
        self.obj = obj
        self.field = field
        #: Optional longer text (a diff, a list) shown after the one-line message.
        self.details = details
        super().__init__(self.format())

    def format(self) -> str:
        """The one line shown to the user: ``Kind/name: field.path: message``."""
        parts = [p for p in (self.obj, self.field) if p]
        parts.append(self.message)
        return ": ".join(parts)

    def at(self, obj: str | None = None, field_prefix: str | None = None) -> KustgenError:
        """Return a copy located inside ``obj`` and below ``field_prefix``."""
        field = self.field
        if field_prefix:
            if not field:
                field = field_prefix
            elif field.startswith("["):
                field = field_prefix + field
            else:
                field = f"{field_prefix}.{field}"
        located = type(self).__new__(type(self))
        located.__dict__.update(self.__dict__)
        KustgenError.__init__(
            located, self.message, obj=obj or self.obj, field=field, details=self.details
        )
        return located


class InputError(KustgenError):
    """Bad input: unknown field, wrong type, unreadable YAML, invalid name."""

    exit_code = 2


class UsageError(KustgenError):
    """The command line or configuration asks for something impossible."""

    exit_code = 2


class PathEscapeError(InputError):
    """A generated path would land outside the output root."""


class ConflictError(InputError):
    """Two things claim the same place: duplicate objects, conflicting patches."""


class CollisionError(KustgenError):
    """A generated file would overwrite a file kustgen did not generate."""

    exit_code = 1


class CheckFailed(KustgenError):
    """`--check` or `--verify` found differences; the message lists them."""

    exit_code = 1


class ExternalToolError(KustgenError):
    """An external tool kustgen relies on (kubectl) failed or is missing."""

    exit_code = 1


class WriteError(KustgenError):
    """The output tree cannot be read or written safely: a link, a special file, a
    read-only or full file system, a journal or manifest kustgen cannot trust.
    Raised before anything is changed, or after the change was undone."""

    exit_code = 2


class LockTimeout(WriteError):
    """Another kustgen run held the output tree's lock for longer than we wait."""


class PlaintextSecretError(InputError):
    """Secret values would be written to a file in plain text without an opt-in."""

def display_path(path: Path | str | None) -> str:
    """``path`` as a person reads it: relative to the current directory when inside it
    (or its ancestor, as ``..``), else absolute."""
    if path is None:
        return "."
    path = Path(path)
    try:
        absolute = path.resolve()
        cwd = Path.cwd().resolve()
    except OSError:
        return str(path)
    if absolute == cwd:
        return "."
    relative = os.path.relpath(absolute, cwd)
    ups = relative.split(os.sep).count("..")
    common = Path(os.path.commonpath([absolute, cwd]))
    # Inside the current directory, or near it in the same tree (a repository run
    # from a subfolder): relative reads best; across the file system, absolute.
    near = ups <= 3 and common != Path(common.anchor) and len(common.parts) > 2
    return relative if ups == 0 or near else str(absolute)


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
#: The embedded example is kustgen's own file but user code in every other sense.
_EXAMPLE = os.path.join(_PACKAGE_DIR, "default.py")


def _library_dirs() -> tuple[str, ...]:
    import sysconfig

    paths = sysconfig.get_paths()
    keys = ("stdlib", "platstdlib", "purelib", "platlib")
    return tuple({os.path.abspath(paths[key]) for key in keys})


def user_location(error: BaseException) -> str | None:
    """``file:LINE`` of the innermost frame of ``error`` in the user's own code.

    kustgen's own frames and the standard library's and installed packages'
    are passed over; a ``SyntaxError`` names the line that does not parse.
    """
    if isinstance(error, SyntaxError) and error.filename:
        return f"{display_path(error.filename)}:{error.lineno}"
    import traceback

    libraries = _library_dirs()
    user = library = None
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith("<"):
            continue
        absolute = os.path.abspath(filename)
        if absolute.startswith(_PACKAGE_DIR + os.sep) and absolute != _EXAMPLE:
            continue
        if absolute.startswith(libraries) and absolute != _EXAMPLE:
            library = f"{display_path(filename)}:{line}"
            continue
        user = f"{display_path(filename)}:{line}"
    return user or library


def _message_of(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        text = error.msg
    elif isinstance(error, RecursionError):
        # Python names what it was doing ("in comparison", "while calling a Python
        # object"), which depends on kustgen's internals, not on the user's mistake.
        text = "maximum recursion depth exceeded (does an object contain itself?)"
    else:
        text = str(error)
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


class UserCodeError(KustgenError):
    """An exception raised by the user's own code: the cluster module or a change function.

    Shown as one line naming the environment (when there is one), the user's
    ``file:LINE`` and the exception; ``error`` keeps the original for
    ``--traceback``.
    """

    exit_code = 2

    def __init__(self, error: BaseException, *, context: str | None = None):
        self.error = error
        super().__init__(_message_of(error), obj=context, field=user_location(error))
