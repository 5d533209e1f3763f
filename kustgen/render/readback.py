"""Reading back a file kustgen dumped itself: from its data, not its text.

The renderer mostly reads files the layout has just dumped in the same
process (``kustgen.yamlio.dump_file`` keeps a snapshot of each document it
emits).  What ``yamlload.load_resources`` would make of such a text follows
from the data and the emitter's decisions, without parsing:

* mapping keys come back in the order the emitter wrote them (go-yaml's);
* a string comes back as itself when it was quoted or written as a block; a
  string written plain comes back as the resolver reads it, which the emitter
  makes the string itself (else it would have quoted it) -- checked anyway;
* numbers come back as the resolver reads the text the emitter wrote for
  them (``1.0`` is written ``1`` and read as the int 1), booleans and null as
  themselves.

Anything else (a key that is not a string, an integer beyond 64 bits, a
plain string the resolver would read otherwise) is not taken this way: the
caller parses the text, as for any file.  The result is a fresh structure
(the renderer changes what it loads).

``read_back_kustomization`` does the same for a ``kustomization.yaml``, read
with YAML 1.1 rules (``yamlload.load_kustomization``): strings, booleans,
null, integers and mappings and lists of them; a float is parsed.
"""

from __future__ import annotations

from typing import Any

import yaml

from kustgen.render.yamlload import _KustomizationLoader, _resolved
from kustgen.yamlemit import (
    _INT64_MIN,
    _SCALAR_CACHE,
    _UINT64_MAX,
    _format_float,
    _sorted_keys,
    _str_event,
)


class _NotExact(Exception):
    """The data cannot be read back without parsing the text."""


def read_back(doc: Any) -> list[Any] | None:
    """The documents ``load_resources``'s parser gives (before it drops empty
    ones) for the text ``dump_file`` emitted from ``doc`` (``yamlio.dumped_from``),
    when ``doc`` reads back exactly; else None (parse the text)."""
    try:
        return [_value(doc)]
    except (_NotExact, RecursionError):  # parsing says what is wrong with it
        return None


def _value(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        keys = tuple(value)
        order = _ORDERS.get(keys)
        if order is None:
            order = _order(keys)
        # Strings, most values, are checked here rather than in a call each.
        return {key: item if type(item) is str and (_READS_BACK.get(item) or _reads_back(item))
                else _value(item) for key in order for item in (value[key],)}
    if kind is str:
        return value if _reads_back(value) else _not_exact()
    if kind is list or kind is tuple:
        return [_value(item) for item in value]
    if value is None or kind is bool:
        return value
    if kind is int:
        return value if _INT64_MIN <= value <= _UINT64_MAX else _not_exact()
    if kind is float:
        return _resolved(_format_float(value))
    return _not_exact()


def _not_exact() -> Any:
    raise _NotExact


#: Strings by whether they read back as themselves; keys of a mapping by the
#: order the emitter writes them in (when every key reads back); bounded.
_READS_BACK: dict[str, bool] = {}
_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}
_MEMO_LIMIT = 200_000


def _order(keys: tuple[Any, ...]) -> tuple[str, ...]:
    for key in keys:
        if type(key) is not str or not _reads_back(key):
            _not_exact()
    order = _sorted_keys(keys)
    if len(_ORDERS) > _MEMO_LIMIT:
        _ORDERS.clear()
    _ORDERS[keys] = order
    return order


def _reads_back(text: str) -> bool:
    found = _READS_BACK.get(text)
    if found is None:
        style = (_SCALAR_CACHE.get(text) or _str_event(text)).style
        if style:  # quoted, or a literal block: read as written
            found = True
        else:
            resolved = _resolved(text)
            found = type(resolved) is str and resolved == text
        if len(_READS_BACK) > _MEMO_LIMIT:
            _READS_BACK.clear()
        _READS_BACK[text] = found
    return found


def read_back_kustomization(doc: Any) -> dict[str, Any] | None:
    """What ``load_kustomization`` gives for the text ``dump_file`` emitted from
    ``doc`` (comment lines before it aside), when ``doc`` reads back exactly
    under YAML 1.1 rules; else None (parse the text)."""
    if type(doc) is not dict:
        return None
    try:
        found: dict[str, Any] = _yaml11(doc)
        return found
    except (_NotExact, RecursionError):
        return None


def _yaml11(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value if _reads_back_yaml11(value) else _not_exact()
    if kind is dict:
        keys = tuple(value)
        if not all(type(key) is str and _reads_back_yaml11(key) for key in keys):
            _not_exact()
        return {key: _yaml11(value[key]) for key in _sorted_keys(keys)}
    if kind is list or kind is tuple:
        return [_yaml11(item) for item in value]
    if value is None or kind is bool:
        return value
    if kind is int and _INT64_MIN <= value <= _UINT64_MAX:
        return value  # written in decimal, read back by YAML 1.1 as the same int
    return _not_exact()  # a float's text may read back as a string in YAML 1.1


_YAML11_READS_BACK: dict[str, bool] = {}
_RESOLVER: list[Any] = []


def _reads_back_yaml11(text: str) -> bool:
    found = _YAML11_READS_BACK.get(text)
    if found is None:
        style = (_SCALAR_CACHE.get(text) or _str_event(text)).style
        if not _RESOLVER:
            _RESOLVER.append(_KustomizationLoader(""))
        found = bool(style) or _RESOLVER[0].resolve(
            yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"
        if len(_YAML11_READS_BACK) > _MEMO_LIMIT:
            _YAML11_READS_BACK.clear()
        _YAML11_READS_BACK[text] = found
    return found
