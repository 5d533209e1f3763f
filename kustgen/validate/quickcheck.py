"""A fast "surely valid" test in front of jsonschema.

Almost every object kustgen validates is valid, and jsonschema spends most of
its time building error generators for objects that have no error.  A schema
is compiled here into plain closures that answer one question: is the object
*certainly* valid?  Only when the answer is not a sure yes does jsonschema run,
so every finding still comes from jsonschema, word for word.

The compiled test is conservative by construction: it knows the keywords the
Kubernetes and CRD schemas use (``type``, ``properties``,
``additionalProperties``, ``required``, ``items``, ``enum``, ``$ref``,
``oneOf``/``anyOf``/``allOf``, bounds, lengths, ``pattern``) with jsonschema's
exact semantics; a schema using any other asserting keyword of its draft
compiles to "not sure" and goes to jsonschema.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

#: Drafts whose ``$ref`` hides its sibling keywords (jsonschema's legacy behaviour).
_REF_HIDES_SIBLINGS = {"Draft6Validator", "Draft7Validator"}
_SUPPORTED_DRAFTS = {*_REF_HIDES_SIBLINGS, "Draft201909Validator", "Draft202012Validator"}
_HANDLED = {
    "type", "properties", "additionalProperties", "required", "items", "enum", "$ref",
    "oneOf", "anyOf", "allOf", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "maxLength", "minItems", "maxItems", "pattern",
    # Asserts only with a format checker, and kustgen's validators have none.
    "format",
}


def _never(value: Any) -> bool:
    return False


def _always(value: Any) -> bool:
    return True


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}


class _Node:
    """A compiled schema: ``check`` and whether a False from it is a sure "invalid"."""

    __slots__ = ("check", "exact")

    def __init__(self, check: Check, exact: bool) -> None:
        self.check = check
        self.exact = exact


class Compiler:
    """Compiles the schemas of one validator class, following ``$ref`` with its resolver."""

    def __init__(self, validator_class: type[Any], resolver: Any) -> None:
        self.keywords = set(validator_class.VALIDATORS)
        self.supported = validator_class.__name__ in _SUPPORTED_DRAFTS
        self.ref_hides_siblings = validator_class.__name__ in _REF_HIDES_SIBLINGS
        self.resolver = resolver
        self._done: dict[int, _Node] = {}

    def compile(self, schema: Any) -> Check:
        if not self.supported:
            return _never
        return self._node(schema, self.resolver, root=True).check

    def _node(self, schema: Any, resolver: Any, root: bool = False) -> _Node:
        if schema is True:
            return _Node(_always, True)
        if schema is False:
            return _Node(_never, True)
        if not isinstance(schema, dict):
            return _Node(_never, False)
        memo = self._done.get(id(schema))
        if memo is not None:
            return memo
        # Recursive schemas: while compiling, a reference back here checks through
        # the finished node; it counts as inexact, which is only ever more careful.
        slot: list[Check] = []
        self._done[id(schema)] = _Node(lambda v: slot[0](v), False)
        node = self._build(schema, resolver, root)
        slot.append(node.check)
        self._done[id(schema)] = node
        return node

    def _build(self, schema: dict[str, Any], resolver: Any, root: bool) -> _Node:
        asserting = self.keywords & set(schema)
        if "$ref" in schema and self.ref_hides_siblings:
            asserting = {"$ref"}
        if asserting - _HANDLED or ("$id" in schema and not root):
            return _Node(_never, False)
        checks: list[Check] = []
        exact = True
        for keyword in sorted(asserting):
            made = self._keyword(keyword, schema, resolver)
            if made is None:
                continue
            checks.append(made.check)
            exact = exact and made.exact
        if not checks:
            return _Node(_always, exact)
        return _Node(_all_of(checks), exact)

    def _keyword(self, keyword: str, schema: dict[str, Any], resolver: Any) -> _Node | None:
        value = schema[keyword]
        if keyword == "format":
            return None
        if keyword == "$ref":
            resolved = resolver.lookup(value)
            target = self._node(resolved.contents, resolved.resolver)
            return _Node(target.check, target.exact)
        if keyword == "type":
            names = value if isinstance(value, list) else [value]
            if not all(name in _TYPES for name in names):
                return _Node(_never, False)
            return _Node(_any_of([_TYPES[name] for name in names]), True)
        if keyword == "properties":
            return self._properties(schema, resolver)
        if keyword == "additionalProperties":
            return None if "properties" in schema else self._properties(schema, resolver)
        if keyword == "required":
            needed = frozenset(value)
            return _Node(lambda v: not isinstance(v, dict) or v.keys() >= needed, True)
        if keyword == "items":
            if not isinstance(value, dict | bool) or "prefixItems" in schema:
                return _Node(_never, False)
            item = self._node(value, resolver)
            item_check = item.check

            def items(v: Any) -> bool:
                if isinstance(v, list):
                    for i in v:
                        if not item_check(i):
                            return False
                return True

            return _Node(items, item.exact)
        if keyword == "enum":
            return _enum(value)
        if keyword in ("oneOf", "anyOf", "allOf"):
            return self._combined(keyword, value, resolver)
        return _bound(keyword, value)

    def _properties(self, schema: dict[str, Any], resolver: Any) -> _Node:
        """``properties`` and ``additionalProperties`` together: one pass over the keys."""
        props = {name: self._node(sub, resolver) for name, sub in
                 (schema.get("properties") or {}).items()}
        extra_schema = schema.get("additionalProperties", True)
        extra = self._node(extra_schema, resolver)
        exact = extra.exact and all(node.exact for node in props.values())
        checks = {name: node.check for name, node in props.items() if node.check is not _always}
        known = set(props)
        extra_check = extra.check

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                own = checks.get(key)
                if own is not None:
                    if not own(item):
                        return False
                elif key not in known and not extra_check(item):
                    return False
            return True

        return _Node(check, exact)

    def _combined(self, keyword: str, value: Any, resolver: Any) -> _Node:
        if not isinstance(value, list) or not value:
            return _Node(_never, False)
        nodes = [self._node(sub, resolver) for sub in value]
        checks = [node.check for node in nodes]
        exact = all(node.exact for node in nodes)
        if keyword == "allOf":
            return _Node(_all_of(checks), exact)
        if keyword == "anyOf":
            return _Node(_any_of(checks), exact)
        if not exact:  # "exactly one" needs every branch's answer to be sure
            return _Node(_never, False)
        return _Node(lambda v: sum(1 for check in checks if check(v)) == 1, True)


def _all_of(checks: list[Check]) -> Check:
    """True when every check is (a call each, no generator: this runs per value)."""
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)

    def every(v: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop: no generator made per value
            if not check(v):
                return False
        return True

    return every


def _any_of(checks: list[Check]) -> Check:
    """True when some check is."""
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) or second(v)

    def some(v: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop: no generator made per value
            if check(v):
                return True
        return False

    return some


def _enum(values: Any) -> _Node:
    """Strings and null compare as jsonschema compares them; other enums go to jsonschema."""
    if not isinstance(values, list) or not all(v is None or isinstance(v, str) for v in values):
        return _Node(_never, False)
    strings = frozenset(v for v in values if isinstance(v, str))
    null = None in values
    return _Node(lambda v: (isinstance(v, str) and v in strings) or (null and v is None), True)


def _bound(keyword: str, limit: Any) -> _Node:
    if keyword == "pattern":
        try:
            compiled = re.compile(limit)
        except (re.error, TypeError):
            return _Node(_never, False)
        return _Node(lambda v: not isinstance(v, str) or compiled.search(v) is not None, True)
    if isinstance(limit, bool) or not isinstance(limit, int | float):
        return _Node(_never, False)
    tests: dict[str, Check] = {
        "minimum": lambda v: not _is_number(v) or v >= limit,
        "maximum": lambda v: not _is_number(v) or v <= limit,
        "exclusiveMinimum": lambda v: not _is_number(v) or v > limit,
        "exclusiveMaximum": lambda v: not _is_number(v) or v < limit,
        "minLength": lambda v: not isinstance(v, str) or len(v) >= limit,
        "maxLength": lambda v: not isinstance(v, str) or len(v) <= limit,
        "minItems": lambda v: not isinstance(v, list) or len(v) >= limit,
        "maxItems": lambda v: not isinstance(v, list) or len(v) <= limit,
    }
    return _Node(tests[keyword], True)


class QuickValidator:
    """A jsonschema validator whose ``iter_errors`` skips jsonschema for sure-valid objects."""

    def __init__(self, validator: Any) -> None:
        self.validator = validator
        resolver = validator._resolver if hasattr(validator, "_resolver") else None
        self.surely_valid: Check = _never
        # A schema that does not compile (e.g. a $ref that does not resolve) leaves
        # every object of it to jsonschema, which decides and reports.
        if resolver is not None:
            with contextlib.suppress(Exception):
                self.surely_valid = Compiler(type(validator), resolver).compile(validator.schema)

    def iter_errors(self, instance: Any) -> Any:
        if self.surely_valid(instance):
            return iter(())
        return self.validator.iter_errors(instance)
