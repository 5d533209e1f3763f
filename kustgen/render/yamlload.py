"""YAML reading the way kustomize reads it.

Two dialects are needed:

* Resource files are parsed by kustomize with go-yaml v3 and then pass through
  a JSON round trip.  ``load_resources`` reproduces the observable result:
  plain ``yes``/``on``/``y`` stay strings, ``0777`` is octal (511), ``0x1F`` is
  31, ``1e3`` and ``1.0`` become the integers 1000 and 1, ``08`` becomes 8,
  ``2024-01-01`` becomes the string ``"2024-01-01T00:00:00Z"`` and ``~`` is
  null (FACTS §3.6, observations t4-format2 and t12-pyyaml).
* ``kustomization.yaml`` is read with YAML 1.1 rules (PyYAML's safe loader),
  so unquoted ``yes`` is a boolean there; ``kustfile`` rejects such values.

Either way, a text ``kustgen.yamlio.dump_file`` emitted in this process is
read back from the data it was emitted from (``kustgen.render.readback``)
when that gives exactly what parsing would; otherwise it is parsed.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from typing import Any

import yaml

from kustgen.errors import InputError
from kustgen.yamlio import dumped_from

_BaseLoader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}
_INFS = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}
_NEG_INFS = {"-.inf", "-.Inf", "-.INF"}
_NANS = {".nan", ".NaN", ".NAN"}
_GO_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_GO_INT = re.compile(
    r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$"
)
_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?"
    r"(Z|[+-]\d{2}:\d{2})?)?$"
)


def _go_int(text: str) -> int | None:
    plain = text.replace("_", "")
    if not _GO_INT.match(plain):
        return None
    sign = -1 if plain.startswith("-") else 1
    body = plain.lstrip("+-")
    low = body.lower()
    if low.startswith("0x"):
        value = int(body[2:], 16)
    elif low.startswith("0o"):
        value = int(body[2:], 8)
    elif low.startswith("0b"):
        value = int(body[2:], 2)
    elif len(body) > 1 and body.startswith("0"):
        value = int(body, 8)
    else:
        value = int(body)
    return sign * value


def _timestamp(text: str) -> str | None:
    match = _TIMESTAMP.match(text)
    if not match:
        return None
    year, month, day, hour, minute, sec, frac, zone = match.groups()
    try:
        date = _dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None:
        return f"{date.isoformat()}T00:00:00Z"
    if "T" not in text and "t" not in text and zone is not None:
        return None
    stamp = f"{date.isoformat()}T{int(hour):02d}:{int(minute):02d}:{int(sec):02d}"
    if frac:
        digits = frac[1:10].rstrip("0")
        if digits:
            stamp += "." + digits
    return stamp + ("Z" if zone in (None, "Z") else zone)


def resolve_plain(text: str) -> Any:
    """The JSON-level value kustomize ends up with for an unquoted scalar."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if text in _INFS or text in _NEG_INFS or text in _NANS:
        raise ValueError(f"{text} cannot be represented in JSON")
    if text and (text[0].isdigit() or text[0] in "+-."):
        stamp = _timestamp(text) if text[0].isdigit() else None
        if stamp is not None:
            return stamp
        as_int = _go_int(text)
        if as_int is not None:
            return as_int
        plain = text.replace("_", "")
        if _GO_FLOAT.match(plain):
            return normalise_float(float(plain))
    return text


def normalise_float(value: float) -> int | float:
    """Go's JSON encoding prints integral floats without a fraction."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
        return int(value)
    return value


class _ResourceLoader(_BaseLoader):  # type: ignore[misc]
    """Plain scalars without a tag are resolved later (``_finish``), the way
    kustomize resolves them; quoted ones are strings; a scalar with an explicit
    tag (``!!str 5``) is what its tag says, as go-yaml reads it."""


#: The tag every untagged plain scalar gets: only those are resolved by kustomize's rules.
_PLAIN_TAG = "tag:kustgen,2024:plain"
_ResourceLoader.yaml_implicit_resolvers = {}
_ResourceLoader.add_implicit_resolver(_PLAIN_TAG, re.compile(r".*", re.DOTALL), None)


class _Plain(str):
    """Marks an unquoted scalar until ``_finish`` resolves it."""


def _construct_plain(loader: Any, node: yaml.ScalarNode) -> Any:
    return _Plain(loader.construct_scalar(node))


_ResourceLoader.add_constructor(_PLAIN_TAG, _construct_plain)


def _finish(value: Any) -> Any:
    if isinstance(value, _Plain):
        return resolve_plain(str(value))
    if isinstance(value, dict):
        return {_key(k): _finish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finish(v) for v in value]
    return value


def _key(key: Any) -> str:
    resolved = _finish(key)
    if resolved is None:
        return "null"
    if isinstance(resolved, bool):
        return "true" if resolved else "false"
    return str(resolved)


#: Values one document may hold once its aliases are expanded, and how deep its
#: mappings and sequences may nest: a tree read from disk (``kustgen import`` of
#: a kustomization directory) may hold a billion-laughs document.
MAX_VALUES = 2_000_000
MAX_DEPTH = 100


def _documents(text: str, loader_class: type[Any], source: str,
               build: Callable[[yaml.Node], Any] | None = None) -> list[Any]:
    """Every document of ``text``, each checked against ``MAX_VALUES`` and
    ``MAX_DEPTH`` before it is built (by ``build``, else the loader's
    constructor); a problem is one line."""
    loader = loader_class(text)
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if "&" in text:  # anchors: aliases may repeat a node without bound
                _check_bounded(node, f"{source}: document {len(docs) + 1}")
            docs.append(build(node) if build is not None else loader.construct_document(node))
    except yaml.YAMLError as exc:
        problem = " ".join(str(exc).split()).replace(' in "<unicode string>",', " at")
        raise InputError(f"cannot parse YAML: {problem}", obj=source) from None
    except RecursionError:
        raise InputError(f"nested deeper than {MAX_DEPTH} levels", obj=source) from None
    finally:
        loader.dispose()
    return docs


def _check_bounded(root: yaml.Node, where: str) -> None:
    """Refuse a document whose nodes nest deeper than ``MAX_DEPTH`` or expand,
    aliases repeated, to more than ``MAX_VALUES`` values, or that holds itself.
    Linear in the nodes written: each node is measured once (aliases share nodes)."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in size:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if not children_done:
            if key in open_:
                raise InputError("an alias refers to a node containing it", obj=where)
            open_.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
            continue
        open_.discard(key)
        size[key] = 1 + sum(size[id(child)] for child in children)
        height[key] = 1 + max((height[id(child)] for child in children), default=0)
        if size[key] > MAX_VALUES:
            raise InputError(f"more than {MAX_VALUES} values once aliases are expanded "
                             "(an alias bomb?)", obj=where)
        if height[key] > MAX_DEPTH:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels", obj=where)


class _UntaggedLoader(_ResourceLoader):
    """For a text without tags (``!``) or anchors (``&``): every node's tag is its
    kind's default, as ``_ResourceLoader``'s resolver (which has no implicit
    resolvers) would say, without asking it for each scalar."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


#: Plain scalars as resolved (keys and values recur in every object); bounded.
_RESOLVED: dict[str, Any] = {}
_KEYS: dict[str, str] = {}
_MEMO_LIMIT = 100_000


def _resolved(text: str) -> Any:
    found = _RESOLVED.get(text, _RESOLVED)
    if found is _RESOLVED:
        found = resolve_plain(text)  # a ValueError is not remembered
        if len(_RESOLVED) > _MEMO_LIMIT:
            _RESOLVED.clear()
        _RESOLVED[text] = found
    return found


def _built(node: yaml.Node) -> Any:
    """What ``_finish(construct_document(node))`` gives, straight from the nodes of
    a document without tags or anchors: plain scalars resolved, quoted ones
    strings; of keys written twice (as strings) the first is kept with the last
    value, as PyYAML's constructor keeps them."""
    if isinstance(node, yaml.ScalarNode):
        return _resolved(node.value) if not node.style else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_built(item) for item in node.value]
    raw: dict[str, tuple[bool, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key",
                key.start_mark)
        first = raw.get(key.value)
        raw[key.value] = (first[0] if first else not key.style, value)
    return {_key_text(text, plain): _built(value) for text, (plain, value) in raw.items()}


def _key_text(text: str, plain: bool) -> str:
    if not plain:
        return text
    found = _KEYS.get(text)
    if found is None:
        found = _key(_Plain(text))
        if len(_KEYS) > _MEMO_LIMIT:
            _KEYS.clear()
        _KEYS[text] = found
    return found


def load_resources(text: str, source: str) -> list[dict[str, Any]]:
    """All non-empty documents of a resource file, as kustomize sees them."""
    docs = _read_back(text)
    if docs is None:
        try:
            if "!" in text or "&" in text:
                docs = [_finish(doc) for doc in _documents(text, _ResourceLoader, source)]
            else:  # what kustgen writes: the same values, built without PyYAML's constructor
                docs = _documents(text, _UntaggedLoader, source, _built)
        except ValueError as exc:
            raise InputError(f"cannot parse YAML: {exc}", obj=source) from None
    result: list[dict[str, Any]] = []
    for index, doc in enumerate(docs):
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise InputError("a resource document must be a mapping", obj=f"{source}[{index}]")
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            result.extend(item for item in doc["items"] if isinstance(item, dict))
            continue
        if doc:
            result.append(doc)
    return result


class _KustomizationLoader(_BaseLoader):  # type: ignore[misc]
    """YAML 1.1 as go-yaml v2 reads it: ``y``/``n`` are booleans too."""


_KustomizationLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN")
)


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    value = str(loader.construct_scalar(node)).lower()
    return value in ("y", "yes", "true", "on")


_KustomizationLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def _read_back(text: str) -> list[Any] | None:
    """The documents of a text kustgen dumped in this process, from its data
    (``kustgen.render.readback``); None when the text must be parsed."""
    written = dumped_from(text)
    if written is None:
        return None
    from kustgen.render.readback import read_back

    return read_back(written)


def _after_comments(text: str) -> str:
    """``text`` without the comment lines it starts with (kustgen's header)."""
    start = 0
    while text.startswith("#", start):
        end = text.find("\n", start)
        if end < 0:
            return ""
        start = end + 1
    return text[start:] if start else text


def load_kustomization(text: str, source: str) -> dict[str, Any]:
    """The kustomization file, read with YAML 1.1 rules like kustomize."""
    written = dumped_from(_after_comments(text))
    if written is not None:  # kustgen dumped it in this process (below its header)
        from kustgen.render.readback import read_back_kustomization

        found = read_back_kustomization(written)
        if found is not None:
            return found
    docs = _documents(text, _KustomizationLoader, source)
    if len(docs) > 1:
        raise InputError("a kustomization is one YAML document", obj=source)
    data = docs[0] if docs else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("a kustomization must be a mapping", obj=source)
    return data


def load_plain_yaml(text: str, source: str) -> Any:
    """A single YAML document with resource semantics (patch files)."""
    docs = load_patch_documents(text, source)
    return docs[0] if docs else None


def load_patch_documents(text: str, source: str) -> list[Any]:
    """Every document of a patch, which may also be a JSON6902 op list."""
    docs = _read_back(text)
    if docs is not None:
        return [doc for doc in docs if doc is not None]
    try:
        return [_finish(doc) for doc in _documents(text, _ResourceLoader, source)
                if doc is not None]
    except ValueError as exc:
        raise InputError(f"cannot parse YAML: {exc}", obj=source) from None
