"""Bounded reading of YAML that kustgen did not write (manifests, CRDs, stdin).

Everything a user's repository or a downloaded manifest holds is untrusted:
a billion-laughs document, an alias bomb inside a CRD schema, ten thousand
nested brackets, a 50 MB file, a FIFO or Latin-1 bytes must each end in one
line naming the file and the document, quickly and in bounded memory.

The reader drives libyaml's event parser (PyYAML's C parser when available)
and builds the data itself, so every limit is checked while the document is
read, before anything grows: the total input size, the size and number of
documents, the nesting depth, and the number of values a document holds once
its aliases are expanded (an alias counts as large as the node it repeats;
each use is a copy, so no two places of the result share an object).

Scalars mean what they mean to kustomize (go-yaml v3 followed by a JSON round
trip, see :func:`kustgen.render.yamlload.resolve_plain`): ``yes`` stays a
string, ``0777`` is 511, ``2024-01-01`` is a string, map keys are strings.  A
key given twice in one mapping is an error, as it is for kustomize.
"""

from __future__ import annotations

import copy
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from kustgen.errors import InputError
from kustgen.render.yamlload import resolve_plain

__all__ = ["DEFAULT_LIMITS", "Document", "Limits", "YamlReader", "read_documents"]

_Parser: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one reader accepts, in total over every source it reads."""

    #: Bytes of input over all sources.
    max_input_bytes: int = 16 * _MIB
    #: Bytes of one document.
    max_document_bytes: int = 8 * _MIB
    #: Documents over all sources.
    max_documents: int = 20_000
    #: Nesting of mappings and sequences inside one document.
    max_depth: int = 100
    #: Values (scalars, mappings, sequences) of one document, aliases expanded.
    max_values: int = 2_000_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Document:
    """One non-empty document: its data, where it came from (1-based index and line)."""

    source: str
    index: int
    line: int
    data: Any
    #: Last line of the document (1-based), for finding comments that belong to it.
    end_line: int = 0

    @property
    def where(self) -> str:
        return f"{self.source}: document {self.index}"


def _size(n: int) -> str:
    return f"{n / _MIB:.1f} MiB" if n >= _MIB else f"{n} bytes"


class YamlReader:
    """Reads sources one after another, within one shared set of :class:`Limits`."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self.bytes_read = 0
        self.documents_read = 0

    # -- sources ---------------------------------------------------------------

    def read_path(self, path: Path) -> list[Document]:
        """Every non-empty document of a regular file (never a FIFO or device)."""
        source = str(path)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", obj=source) from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InputError("not a regular file", obj=source)
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = self.take(fh, source)
        finally:
            os.close(fd)
        return self.read_bytes(data, source)

    def read_stdin(self) -> list[Document]:
        return self.read_bytes(self.take(sys.stdin.buffer, "<stdin>"), "<stdin>")

    def take(self, fh: BinaryIO, source: str) -> bytes:
        room = self.limits.max_input_bytes - self.bytes_read
        data = fh.read(room + 1)
        if len(data) > room:
            raise InputError(
                f"input larger than the {_size(self.limits.max_input_bytes)} kustgen reads "
                "in one run; split it",
                obj=source,
            )
        return data

    def read_bytes(self, data: bytes, source: str) -> list[Document]:
        self.bytes_read += len(data)
        if self.bytes_read > self.limits.max_input_bytes:
            raise InputError(
                f"input larger than the {_size(self.limits.max_input_bytes)} kustgen reads "
                "in one run; split it",
                obj=source,
            )
        return self.read_text(_decode(data, source), source)

    def read_text(self, text: str, source: str) -> list[Document]:
        return list(self._documents(text, source))

    # -- parsing ---------------------------------------------------------------

    def _documents(self, text: str, source: str) -> Iterator[Document]:
        parser = _Parser(text)
        index = 0
        try:
            parser.get_event()  # StreamStart
            while not parser.check_event(StreamEndEvent):
                start = parser.get_event()  # DocumentStart
                index += 1
                self.documents_read += 1
                if self.documents_read > self.limits.max_documents:
                    raise InputError(
                        f"more than {self.limits.max_documents} documents", obj=source
                    )
                where = f"{source}: document {index}"
                data = _DocumentBuilder(parser, self.limits, where, start.start_mark.index).build()
                end = parser.get_event()  # DocumentEnd
                if data is not None:
                    yield Document(
                        source, index, start.start_mark.line + 1, data, end.end_mark.line + 1
                    )
        except yaml.YAMLError as exc:
            raise _parse_error(exc, source, index) from None
        except ValueError as exc:  # .inf / .nan, which JSON cannot hold
            raise InputError(f"unreadable YAML: {exc}", obj=f"{source}: document {index}") from None
        finally:
            parser.dispose()


def read_documents(path: Path | str, limits: Limits = DEFAULT_LIMITS) -> list[Document]:
    """Every non-empty document of one file (``-`` is standard input)."""
    reader = YamlReader(limits)
    return reader.read_stdin() if str(path) == "-" else reader.read_path(Path(path))


def _decode(data: bytes, source: str) -> str:
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
            "(convert the file to UTF-8)",
            obj=source,
        ) from None


def _parse_error(exc: yaml.YAMLError, source: str, index: int) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"{source}: document {max(index, 1)}"
    if mark is not None:
        where += f" (line {mark.line + 1})"
    return InputError(f"unreadable YAML: {problem}", obj=where)


_NO_KEY = object()
_MERGE = "<<"
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = (None, "!")


class _Frame:
    __slots__ = ("anchor", "container", "explicit", "key", "key_line", "merges", "size")

    def __init__(self, container: Any, anchor: str | None) -> None:
        self.container = container
        self.anchor = anchor
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_line = 0
        self.merges: list[dict[str, Any]] = []
        self.explicit: set[str] = set()


class _DocumentBuilder:
    """Builds one document from parser events, checking the limits as it goes."""

    def __init__(self, parser: Any, limits: Limits, where: str, start: int) -> None:
        self.parser = parser
        self.limits = limits
        self.where = where
        self.start = start
        self.values = 0
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Frame] = []

    def fail(self, message: str, event: Any = None) -> InputError:
        where = self.where
        if event is not None:
            where += f" (line {event.start_mark.line + 1})"
        return InputError(message, obj=where)

    def build(self) -> Any:
        parser = self.parser
        limits = self.limits
        stack = self.stack
        while True:
            event = parser.get_event()
            kind = type(event)
            if event.end_mark.index - self.start > limits.max_document_bytes:
                raise self.fail(f"document larger than {_size(limits.max_document_bytes)}")
            if kind is ScalarEvent:
                value = self.scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                done, result = self.add(value, 1, event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if len(stack) >= limits.max_depth:
                    raise self.fail(f"nested deeper than {limits.max_depth} levels", event)
                container: Any = {} if kind is MappingStartEvent else []
                stack.append(_Frame(container, event.anchor))
                if event.anchor:
                    self.open_anchors.add(event.anchor)
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                if frame.merges:
                    self.merge(frame)
                if frame.anchor:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (frame.container, frame.size)
                done, result = self.add(frame.container, frame.size, event, counted=True)
            elif kind is AliasEvent:
                if event.anchor in self.open_anchors:
                    raise self.fail(f"alias *{event.anchor} refers to a node containing it", event)
                found = self.anchors.get(event.anchor)
                if found is None:
                    raise self.fail(f"alias *{event.anchor} names no anchor", event)
                value, size = found
                self.count(size, event)
                if isinstance(value, dict | list):
                    value = copy.deepcopy(value)
                done, result = self.add(value, size, event, counted=True)
            else:  # pragma: no cover - libyaml only sends the events above here
                raise self.fail(f"unexpected YAML event {kind.__name__}", event)
            if done:
                return result

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        if tag in _PLAIN_TAGS:
            return event.value if event.style else resolve_plain(event.value)
        if tag == _STR_TAG or not tag.startswith("tag:yaml.org,2002:"):
            return event.value
        return resolve_plain(event.value)

    def count(self, size: int, event: Any) -> None:
        self.values += size
        if self.values > self.limits.max_values:
            raise self.fail(
                f"more than {self.limits.max_values} values once aliases are expanded "
                "(an alias bomb?)",
                event,
            )

    def add(self, value: Any, size: int, event: Any, counted: bool = False) -> tuple[bool, Any]:
        """Put ``value`` into the open container; ``(True, value)`` when it is the root."""
        if not counted:
            self.count(size, event)
        if not self.stack:
            return True, value
        frame = self.stack[-1]
        frame.size += size
        if type(frame.container) is list:
            frame.container.append(value)
            return False, None
        if frame.key is _NO_KEY:
            if isinstance(value, dict | list):
                raise self.fail("a mapping key must be a scalar", event)
            frame.key = value
            frame.key_line = event.start_mark.line + 1
            return False, None
        key, frame.key = frame.key, _NO_KEY
        if key == _MERGE and type(event) in (AliasEvent, MappingEndEvent, SequenceEndEvent):
            frame.merges.extend(self.merge_sources(value, event))
            return False, None
        text = _key_text(key)
        if text in frame.explicit:
            raise self.fail(f"key {text!r} is given twice", event)
        frame.explicit.add(text)
        frame.container[text] = value
        return False, None

    def merge_sources(self, value: Any, event: Any) -> list[dict[str, Any]]:
        sources = value if type(value) is list else [value]
        if not all(type(s) is dict for s in sources):
            raise self.fail("a merge key (<<) needs a mapping or a list of mappings", event)
        return sources

    def merge(self, frame: _Frame) -> None:
        """``<<`` merges: keys of the mapping itself win, then earlier sources."""
        merged: dict[str, Any] = {}
        for source in frame.merges:
            for key, value in source.items():
                merged.setdefault(key, value)
        for key, value in frame.container.items():
            merged[key] = value
        frame.container.clear()
        frame.container.update(merged)


def _key_text(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)
