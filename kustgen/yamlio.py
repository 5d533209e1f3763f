"""The one place kustgen reads and writes YAML.

Why this exists: a generated file is only "done" when ``kubectl kustomize``
prints it back unchanged.  kubectl prints every resource through JSON and
``sigs.k8s.io/yaml`` (a go-yaml **v2** encoder), so ``dump`` writes plain data
exactly as that encoder does: go-yaml's key order, scalar styles, numbers and
folding (the decisions live in :mod:`kustgen.yamlemit`, imported with PyYAML
only when something is really dumped).

``dump_file`` and ``load_file`` are ``dump`` and ``load_all`` for the files
of a tree, which every run of kustgen writes and reads again: with a user
cache active (:mod:`kustgen.usercache`) they remember each text by the exact
content of its document (and each document by the bytes of its text), so a
run that changed nothing does neither again.

A text ``dump_file`` emits is also remembered for the rest of the process
with a snapshot of the data it was emitted from (``dumped_from``): the
renderer reads the files kustgen just laid out, and turning that data into
what a YAML reader would make of the text is several times cheaper than
parsing the text again (see :mod:`kustgen.render.readback`).
"""

from __future__ import annotations

import hashlib
import json
import marshal
import re
from _thread import allocate_lock  # threading's own lock, without importing threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kustgen.errors import InputError

__all__ = ["dump", "dump_all", "dump_file", "dump_list", "dumped_from", "load", "load_all",
           "load_file", "unwritable", "unwritable_path"]

#: Which emitter `dump` uses when PyYAML has libyaml; tests flip it to compare both paths.
use_libyaml: bool = True


# encoding/json passes these through raw and go-yaml then refuses to parse them
# ("control characters are not allowed"); surrogates are not even UTF-8.
_UNWRITABLE = re.compile("[\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _char_name(char: str) -> str:
    code = ord(char)
    if code == 0x7F:
        return "DEL, the delete control character"
    if code == 0x85:
        return "NEL, next line: a C1 control character"
    if 0x80 <= code <= 0x9F:
        return "a C1 control character"
    if 0xD800 <= code <= 0xDFFF:
        return "a lone surrogate"
    return "a Unicode noncharacter"


def unwritable(s: str) -> str | None:
    """What in ``s`` kubectl cannot read back, e.g. ``U+0085 (NEL, next line: a C1
    control character) at character 4``; None when ``s`` can be written."""
    found = _UNWRITABLE.search(s)
    if found is None:
        return None
    return f"U+{ord(found.group()):04X} ({_char_name(found.group())}) at character " \
        f"{found.start() + 1}"


def unwritable_path(value: Any, path: str = "") -> tuple[str, str] | None:
    """(field path, description) of the first string in ``value`` (keys included)
    that kubectl cannot read back, or None."""
    if isinstance(value, str):
        problem = unwritable(value)
        return (path, problem) if problem else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            found = unwritable_path(key, sub) if isinstance(key, str) else None
            found = found or unwritable_path(item, sub)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = unwritable_path(item, f"{path}[{i}]")
            if found:
                return found
    return None


# ---------------------------------------------------------------------------
# Dumping.

def _check_mapping(doc: Any) -> Any:
    if not isinstance(doc, Mapping):
        raise InputError(f"a YAML document must be a mapping, not {type(doc).__name__}")
    return doc


def _emitter() -> bool:
    """Whether libyaml's C emitter is used (PyYAML has it and ``use_libyaml``)."""
    from kustgen.yamlemit import _CEmitter

    return use_libyaml and _CEmitter is not None


def dump(doc: Mapping[str, Any]) -> str:
    """One document, exactly as ``kubectl kustomize`` would print it."""
    from kustgen.yamlemit import _dump_one

    return _dump_one(_check_mapping(doc), _emitter())


def dump_all(docs: Iterable[Mapping[str, Any]]) -> str:
    """Several documents separated by ``---`` lines, in the order given."""
    from kustgen.yamlemit import _dump_one

    c = _emitter()
    return "---\n".join([_dump_one(_check_mapping(d), c) for d in docs])


def dump_list(items: Sequence[Any]) -> str:
    """One document whose root is a sequence (e.g. a JSON6902 patch file),
    formatted by the same rules."""
    from kustgen.yamlemit import _dump_one

    if isinstance(items, (str, bytes, Mapping)) or not isinstance(items, Sequence):
        raise InputError(f"expected a list of items, not {type(items).__name__}")
    return _dump_one(list(items), _emitter())


def _plain(value: Any) -> bool:
    """Plain data whose ``repr`` says every value and type: dicts with string
    keys, lists, strings, numbers, booleans and None."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(item) for item in value)
    return kind is str or kind is int or kind is float or kind is bool or value is None


def dump_file(doc: Mapping[str, Any] | list[Any]) -> str:
    """``dump(doc)`` (``dump_list`` for a list), remembered between runs in the
    active user cache: the text is looked up by the exact content of ``doc``."""
    from kustgen.usercache import active

    write = dump_list if isinstance(doc, list) else dump
    cache = active()
    if cache is None or not _plain(doc):
        text: str = write(doc)  # type: ignore[arg-type]
        _remember(text, doc)
        return text
    memo = cache.memo("yaml-dump")
    key = hashlib.sha256(repr(doc).encode("utf-8", "surrogatepass")).hexdigest()
    found = memo.get(key)
    if found is None:
        found = write(doc)  # type: ignore[arg-type]
        memo.put(key, found)
        _remember(found, doc)
    return found


# Texts emitted by ``dump_file`` in this process -> marshal snapshot of the
# document.  Only texts really emitted here: one answered from the user's cache
# was written by another run, and its bytes are all that is known of it.
_DUMPED: OrderedDict[str, bytes] = OrderedDict()
_dumped_size = 0
_dumped_lock = allocate_lock()
#: Characters of text plus bytes of snapshots kept (the oldest go first).
DUMPED_LIMIT = 48_000_000


def _remember(text: str, doc: Any) -> None:
    global _dumped_size
    try:
        # marshal takes exactly the built-in types (no subclasses), keeps int,
        # float, bool and key order, and gives a fresh copy each time it loads.
        snapshot = marshal.dumps(doc)
    except ValueError:
        return  # a value of another type: the text is parsed when read
    with _dumped_lock:
        old = _DUMPED.pop(text, None)
        if old is not None:
            _dumped_size -= len(text) + len(old)
        _DUMPED[text] = snapshot
        _dumped_size += len(text) + len(snapshot)
        while _dumped_size > DUMPED_LIMIT and _DUMPED:
            dropped_text, dropped = _DUMPED.popitem(last=False)
            _dumped_size -= len(dropped_text) + len(dropped)


def dumped_from(text: str) -> Any:
    """A fresh copy of the document ``dump_file`` emitted ``text`` from in this
    process (as it was then), or None when it did not (or forgot: the memory
    is bounded)."""
    snapshot = _DUMPED.get(text)
    return None if snapshot is None else marshal.loads(snapshot)


def forget_dumped() -> None:
    """Forget every text ``dumped_from`` knows (tests compare with parsing)."""
    global _dumped_size
    with _dumped_lock:
        _DUMPED.clear()
        _dumped_size = 0


# ---------------------------------------------------------------------------
# Loading.

_LOADER: Any = None


def _loader() -> Any:
    """The safe loader.  A ``<<`` that is not a merge key and a bare ``=`` stay
    strings: go-yaml prints both unquoted (e.g. in ConfigMap data)."""
    global _LOADER
    if _LOADER is None:
        import yaml

        class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
            pass

        for tag in ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"):
            Loader.add_constructor(tag, lambda loader, node: loader.construct_scalar(node))
        _LOADER = Loader
    return _LOADER


def _load_error(exc: Exception, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{source}:{mark.line + 1}" if mark is not None else source
    problem = getattr(exc, "problem", None) or str(exc)
    return InputError(f"unreadable YAML: {problem}", obj=where)


def load(text: str, *, source: str = "<string>") -> Any:
    """Parse one YAML document into plain data (safe loader)."""
    import yaml

    try:
        return yaml.load(text, Loader=_loader())
    except yaml.YAMLError as exc:
        raise _load_error(exc, source) from None


def load_all(text: str, *, source: str = "<string>") -> list[Any]:
    """Parse every document of a YAML stream into plain data."""
    import yaml

    try:
        return list(yaml.load_all(text, Loader=_loader()))
    except yaml.YAMLError as exc:
        raise _load_error(exc, source) from None


def load_file(text: str, *, source: str = "<string>") -> list[Any]:
    """``load_all(text)``, remembered between runs in the active user cache by
    the bytes of ``text`` (documents JSON keeps exactly; others are parsed
    each time)."""
    from kustgen.usercache import active

    cache = active()
    if cache is None:
        return load_all(text, source=source)
    memo = cache.memo("yaml-load")
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    found = memo.get(key)
    if found is not None:
        try:
            docs: list[Any] = json.loads(found)
            return docs
        except ValueError:
            pass
    docs = load_all(text, source=source)
    stored = json.dumps(docs, ensure_ascii=False, separators=(",", ":"), default=_no_json)
    if json.loads(stored) == docs:
        memo.put(key, stored)
    return docs


def _no_json(value: Any) -> Any:
    return {"not JSON": repr(value)}  # never equal to what was loaded: not remembered
