"""Plain data -> Python expressions: typed constructors, literals and module constants.

One :class:`ValueWriter` serves a whole generated module, so that the names it
invents (imports, constants) are unique there.  Typed values are written as
``module.Class(field=...)`` calls in the input's key order; free-form values
(``dict[str, Any]`` fields, objects without a class) as literals.  Long
multi-line strings (config files, scripts) become module constants written as
triple-quoted blocks, and a label mapping used more than once becomes one
constant named after the application it labels.
"""

from __future__ import annotations

import builtins
import importlib
import keyword
import sys
from collections.abc import Iterable
from typing import Any

from kustgen.imports.pysource import (
    Atom,
    Call,
    DictExpr,
    Expr,
    ListExpr,
    Text,
    block_string,
    identifier,
    lines,
    literal,
    string,
)
from kustgen.model import Model, Resource, model_fields

_SCALARS = frozenset({"str", "int", "float", "bool", "Quantity", "IntOrString"})
_FREE = frozenset({"object", "any"})
#: Wire keys whose string-to-string mappings are label sets worth naming.
_LABEL_KEYS = frozenset({"labels", "matchLabels", "selector"})
_NAME_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app", "component",
                "name")
#: A string of this many lines (a config file, a script) becomes a module constant.
_BLOCK_LINES = 8


def resolve(spec: str, owner: type[Model]) -> type[Model]:
    module_name, _, class_name = spec.partition(":")
    module = sys.modules.get(module_name or owner.__module__) or importlib.import_module(
        module_name)
    cls: type[Model] = getattr(module, class_name)
    return cls


def split_spec(spec: str) -> tuple[str, str | None]:
    for outer in ("list", "dict"):
        if spec.startswith(outer + "[") and spec.endswith("]"):
            return outer, spec[len(outer) + 1: -1]
    return spec, None


def _label_key(value: Any) -> tuple[tuple[str, str], ...] | None:
    if type(value) is dict and value and all(type(v) is str for v in value.values()):
        return tuple(value.items())
    return None


def count_label_sets(objects: Iterable[dict[str, Any]]) -> dict[tuple[tuple[str, str], ...], int]:
    counts: dict[tuple[tuple[str, str], ...], int] = {}
    stack: list[Any] = list(objects)
    while stack:
        value = stack.pop()
        if type(value) is dict:
            for key, item in value.items():
                found = _label_key(item) if key in _LABEL_KEYS else None
                if found is not None:
                    counts[found] = counts.get(found, 0) + 1
                elif type(item) in (dict, list):
                    stack.append(item)
        elif type(value) is list:
            stack.extend(value)
    return counts


class ValueWriter:
    """Writes values of one module; collects the imports and constants they need."""

    def __init__(self, label_counts: dict[tuple[tuple[str, str], ...], int],
                 module_aliases: dict[str, str] | None = None) -> None:
        self.taken: set[str] = set(dir(builtins)) | set(keyword.kwlist) | {
            "annotations", "Any", "cast", "Base", "Cluster", "Environment", "External", "Objects",
            "Overlay",
            "cluster", "bases"}
        self.imports: dict[str, str] = {}
        self.preset_aliases = dict(module_aliases or {})
        self.constants: list[str] = []
        self._label_names: dict[tuple[tuple[str, str], ...], str] = {}
        self._shared_labels = {k for k, n in label_counts.items() if n > 1}
        self._strings: dict[str, str] = {}
        #: Whether long texts become module constants (not for the schemas inside CRDs).
        self.hoist_texts = True

    # -- names ------------------------------------------------------------------

    def module_alias(self, module: str) -> str:
        alias = self.imports.get(module)
        if alias is None:
            wanted = self.preset_aliases.get(module, module.rsplit(".", 1)[-1])
            alias = wanted if wanted not in self.taken else identifier(wanted + "_types",
                                                                       self.taken)
            self.taken.add(alias)
            self.imports[module] = alias
        return alias

    def class_name(self, cls: type[Model]) -> str:
        name = cls.__name__
        kind = cls.kind if issubclass(cls, Resource) else ""
        if kind and getattr(sys.modules.get(cls.__module__), kind, None) is cls:
            name = kind  # the storage version's plain name (``Widget`` for ``WidgetV1``)
        return f"{self.module_alias(cls.__module__)}.{name}"

    def import_lines(self) -> list[str]:
        by_package: dict[str, list[str]] = {}
        aliased: list[str] = []
        for module, alias in sorted(self.imports.items()):
            package, _, short = module.rpartition(".")
            if alias == short:
                by_package.setdefault(package, []).append(short)
            else:
                aliased.append(f"from {package} import {short} as {alias}")
        out = [f"from {package} import {', '.join(sorted(names))}"
               for package, names in sorted(by_package.items())]
        return sorted(out + aliased)

    # -- values -----------------------------------------------------------------

    def resource(self, cls: type[Resource], data: dict[str, Any], hint: str) -> Expr:
        return self.model(cls, {k: v for k, v in data.items() if k not in ("apiVersion", "kind")},
                          hint)

    def model(self, cls: type[Model], data: dict[str, Any], hint: str) -> Expr:
        by_wire = {f.wire_name: f for f in model_fields(cls)}
        args = []
        for key, value in data.items():
            info = by_wire[key]
            args.append((info.name, self.typed(info.type_spec, cls, value, hint, key)))
        return Call(self.class_name(cls), tuple(args))

    def typed(self, spec: str, owner: type[Model], value: Any, hint: str, key: str) -> Expr:
        if spec in _SCALARS:
            return self.scalar(value, hint, key)
        if spec in _FREE:
            return self.plain(value, hint, key)
        outer, inner = split_spec(spec)
        if inner is None:
            return self.model(resolve(spec, owner), value, hint)
        if outer == "list":
            return ListExpr(tuple(self.typed(inner, owner, v, hint, key) for v in value))
        if key in _LABEL_KEYS and inner == "str":
            named = self.labels(value)
            if named is not None:
                return named
        return DictExpr(tuple((Atom(string(k)), self.typed(inner, owner, v, hint, k))
                              for k, v in value.items()))

    def plain(self, value: Any, hint: str, key: str = "") -> Expr:
        if type(value) is dict:
            if key in _LABEL_KEYS:
                named = self.labels(value)
                if named is not None:
                    return named
            return DictExpr(tuple((Atom(string(k)), self.plain(v, hint, k))
                                  for k, v in value.items()))
        if type(value) is list:
            return ListExpr(tuple(self.plain(v, hint, key) for v in value))
        return self.scalar(value, hint, key)

    def scalar(self, value: Any, hint: str, key: str) -> Expr:
        if isinstance(value, str) and "\n" in value.rstrip("\n"):
            if value.count("\n") >= _BLOCK_LINES - 1 and self.hoist_texts:
                return Atom(self.text_constant(value, f"{hint}_{key}"))
            return Text(value)
        return Atom(literal(value))

    def labels(self, value: Any) -> Expr | None:
        found = _label_key(value)
        if found is None or found not in self._shared_labels:
            return None
        name = self._label_names.get(found)
        if name is None:
            parts = [value[k] for k in _NAME_LABELS if isinstance(value.get(k), str)] or [
                v for k, v in found if not k.endswith("/version")]
            seen: list[str] = []
            for part in parts:
                if any(s in part for s in seen):  # "longhorn" then "longhorn-manager"
                    seen = [s for s in seen if s not in part] + [part]
                elif not any(part in s for s in seen):
                    seen.append(part)
            name = identifier("_".join(seen[:2] or ["common"]) + "_labels", self.taken,
                              upper=True)
            self._label_names[found] = name
            self.constants += lines(DictExpr(tuple((Atom(string(k)), Atom(string(v)))
                                                   for k, v in found)), "", f"{name} = ")
        return Atom(name)

    def text_constant(self, text: str, hint: str) -> str:
        name = self._strings.get(text)
        if name is None:
            name = identifier(hint, self.taken, upper=True)
            self._strings[text] = name
            block = block_string(text)
            if block is not None:
                self.constants.append(f"{name} = {block}")
            else:
                pieces = text.splitlines(keepends=True)
                self.constants.append(f"{name} = (")
                self.constants += [f"    {string(p)}" for p in pieces]
                self.constants.append(")")
        return name
