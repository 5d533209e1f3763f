"""Python statements that turn one object of the base into an environment's version.

Only what differs is written: a changed value is assigned, a key that is
gone is deleted (``= None`` for a typed field), list elements are inserted,
deleted or replaced in place (lists of named elements are matched by name, so
an edited container stays an edit of that container).  Typed objects are
edited through their attributes, with an ``assert ... is not None`` before
the first step through an optional field, so that ``mypy --strict`` accepts
the result; plain mappings are edited by key.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from kustgen.imports.pysource import Expr, ListExpr, lines, string
from kustgen.imports.values import ValueWriter, resolve, split_spec
from kustgen.model import Model, model_fields

_FREE = frozenset({"object", "any"})


def _element_key(value: Any) -> str:
    if type(value) is dict and isinstance(value.get("name"), str):
        return "name:" + str(value["name"])
    return json.dumps(value, sort_keys=True)


class EditWriter:
    """Statements editing one object, held in variable ``var`` of the change function."""

    def __init__(self, values: ValueWriter, var: str, hint: str) -> None:
        self.values = values
        self.var = var
        self.hint = hint
        self.out: list[str] = []
        self._guarded: set[str] = set()

    def guard(self, expr: str, optional: bool) -> None:
        if optional and expr not in self._guarded:
            self.out.append(f"assert {expr} is not None")
            self._guarded.add(expr)

    def assign(self, target: str, value: Expr) -> None:
        self.out += lines(value, "", f"{target} = ")

    # -- typed ------------------------------------------------------------------

    def model(self, expr: str, optional: bool, cls: type[Model], base: dict[str, Any],
              env: dict[str, Any], top: bool = False) -> None:
        by_wire = {f.wire_name: f for f in model_fields(cls)}
        for key in [*env, *(k for k in base if k not in env)]:
            if top and key in ("apiVersion", "kind"):
                continue
            old, new = base.get(key), env.get(key)
            if old == new:
                continue
            info = by_wire[key]
            target = f"{expr}.{info.name}"
            self.guard(expr, optional)
            if new is None:
                self.out.append(f"{target} = None")
            elif old is None:
                self.assign(target, self.values.typed(info.type_spec, cls, new, self.hint, key))
            else:
                self.typed(target, not info.required, info.type_spec, cls, old, new, key)

    def typed(self, expr: str, optional: bool, spec: str, owner: type[Model], old: Any,
              new: Any, key: str) -> None:
        """``expr`` (whose value is ``old``) becomes ``new``."""
        if spec in _FREE:
            self.plain(expr, optional, old, new, key)
            return
        outer, inner = split_spec(spec)
        if inner is None and ":" in spec and type(old) is dict and type(new) is dict:
            self.model(expr, optional, resolve(spec, owner), old, new)
        elif outer == "list" and inner is not None and type(old) is list and type(new) is list:
            self.sequence(expr, optional, old, new,
                          lambda v: self.values.typed(inner, owner, v, self.hint, key),
                          lambda e, o, n: self.typed(e, False, inner, owner, o, n, key))
        elif outer == "dict" and inner is not None and type(old) is dict and type(new) is dict:
            self.mapping(expr, optional, old, new,
                         lambda k, v: self.values.typed(inner, owner, v, self.hint, k),
                         lambda e, k, o, n: self.typed(e, False, inner, owner, o, n, k))
        else:
            self.assign(expr, self.values.typed(spec, owner, new, self.hint, key))

    # -- free-form --------------------------------------------------------------

    def plain(self, expr: str, optional: bool, old: Any, new: Any, key: str = "") -> None:
        if type(old) is dict and type(new) is dict:
            self.mapping(expr, optional, old, new,
                         lambda k, v: self.values.plain(v, self.hint, k),
                         lambda e, k, o, n: self.plain(e, False, o, n, k))
        elif type(old) is list and type(new) is list:
            self.sequence(expr, optional, old, new,
                          lambda v: self.values.plain(v, self.hint, key),
                          lambda e, o, n: self.plain(e, False, o, n, key))
        else:
            self.assign(expr, self.values.plain(new, self.hint, key))

    # -- containers -------------------------------------------------------------

    def mapping(self, expr: str, optional: bool, old: dict[str, Any], new: dict[str, Any],
                value_of: Any, edit: Any) -> None:
        changed = [k for k in new if k not in old or old[k] != new[k]]
        removed = [k for k in old if k not in new]
        if len(changed) + len(removed) > max(len(new), 1) or not new:
            self.assign(expr, self.values_of_mapping(new, value_of))
            return
        self.guard(expr, optional)
        for key in removed:
            self.out.append(f"del {expr}[{string(key)}]")
        for key in changed:
            target = f"{expr}[{string(key)}]"
            if key not in old:
                self.out += lines(value_of(key, new[key]), "", f"{target} = ")
            else:
                edit(target, key, old[key], new[key])

    def values_of_mapping(self, new: dict[str, Any], value_of: Any) -> Expr:
        from kustgen.imports.pysource import Atom, DictExpr

        return DictExpr(tuple((Atom(string(k)), value_of(k, v)) for k, v in new.items()))

    def sequence(self, expr: str, optional: bool, old: list[Any], new: list[Any],
                 value_of: Any, edit: Any) -> None:
        old_keys = [_element_key(v) for v in old]
        new_keys = [_element_key(v) for v in new]
        matcher = difflib.SequenceMatcher(a=old_keys, b=new_keys, autojunk=False)
        opcodes = matcher.get_opcodes()
        kept = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "equal")
        if not kept or len(set(old_keys)) != len(old_keys):
            self.assign(expr, ListExpr(tuple(value_of(v) for v in new)))
            return
        self.guard(expr, optional)
        for tag, i1, i2, j1, j2 in reversed(opcodes):
            if tag == "equal":
                continue
            where = f"{i1}" if i2 == i1 + 1 else f"{i1}:{i2}"
            if tag == "delete":
                self.out.append(f"del {expr}[{where}]")
                continue
            items = ListExpr(tuple(value_of(v) for v in new[j1:j2]))
            self.out += lines(items, "", f"{expr}[{i1}:{i2}] = ")
        for tag, i1, i2, j1, _ in opcodes:
            if tag != "equal":
                continue
            for offset in range(i2 - i1):
                before, after = old[i1 + offset], new[j1 + offset]
                if before != after:
                    edit(f"{expr}[{j1 + offset}]", before, after)
