"""kustgen's exceptions.

Each exception owns its exit code and its one-line message, so the CLI never
has to classify an error by reading its text.  A user mistake is reported as
one line naming the object and the field; only bugs in kustgen itself show a
traceback.
"""

from __future__ import annotations


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
