"""Python expressions as small trees, printed the way a person would write them.

An expression fits on its line or is broken one argument (item, entry) per
line, with trailing commas, like ruff format would.  Strings are double-quoted
and every character that is not printable is escaped, so no input text can
break out of a literal.
"""

from __future__ import annotations

import json
import keyword
from dataclasses import dataclass

WIDTH = 99
INDENT = "    "


@dataclass(frozen=True)
class Atom:
    text: str


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class DictExpr:
    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Commented:
    """An item preceded by a comment line (only inside a broken list)."""

    comment: str
    expr: Expr


@dataclass(frozen=True)
class Text:
    """A multi-line string: one literal on one line if it fits, else one literal per line."""

    value: str


Expr = Atom | Call | ListExpr | DictExpr | Commented | Text


def string(text: str) -> str:
    """A double-quoted Python literal of ``text``."""
    quoted = json.dumps(text, ensure_ascii=False)
    if quoted[1:-1].isprintable():
        return quoted
    return "".join(
        c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) < 0x10000 else f"\\U{ord(c):08x}"
        for c in quoted
    )


def literal(value: object) -> str:
    """A scalar literal: str, bool, int, float or None."""
    if isinstance(value, str):
        return string(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        return repr(value)
    raise TypeError(f"not a scalar: {value!r}")


def _comment_text(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def flat(expr: Expr) -> str:
    if isinstance(expr, Commented):
        return "\n"  # never fits: a comment needs lines of its own
    if isinstance(expr, Atom):
        return expr.text
    if isinstance(expr, Text):
        return string(expr.value)
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join(f'{k}={flat(v)}' for k, v in expr.args)})"
    if isinstance(expr, ListExpr):
        return f"[{', '.join(flat(i) for i in expr.items)}]"
    return "{" + ", ".join(f"{flat(k)}: {flat(v)}" for k, v in expr.items) + "}"


def lines(expr: Expr, indent: str = "", prefix: str = "", suffix: str = "") -> list[str]:
    """``expr`` printed after ``prefix`` at ``indent``, followed by ``suffix``."""
    if isinstance(expr, Commented):
        return [f"{indent}# {_comment_text(line)}".rstrip()
                for line in expr.comment.splitlines()] + lines(
            expr.expr, indent, prefix, suffix)
    one = flat(expr)
    fits = "\n" not in one and len(indent) + len(prefix) + len(one) + len(suffix) <= WIDTH
    if fits or isinstance(expr, Atom):
        return [f"{indent}{prefix}{one}{suffix}"]
    inner = indent + INDENT
    out: list[str] = []
    if isinstance(expr, Text):
        out.append(f"{indent}{prefix}(")
        out += [f"{inner}{string(part)}" for part in expr.value.splitlines(keepends=True)]
        out.append(f"{indent}){suffix}")
    elif isinstance(expr, Call):
        out.append(f"{indent}{prefix}{expr.func}(")
        for key, value in expr.args:
            out += lines(value, inner, f"{key}=", ",")
        out.append(f"{indent}){suffix}")
    elif isinstance(expr, ListExpr):
        out.append(f"{indent}{prefix}[")
        for item in expr.items:
            out += lines(item, inner, "", ",")
        out.append(f"{indent}]{suffix}")
    elif isinstance(expr, DictExpr):
        out.append(f"{indent}{prefix}{{")
        for key_expr, value in expr.items:
            out += lines(value, inner, f"{flat(key_expr)}: ", ",")
        out.append(f"{indent}}}{suffix}")
    return out


def identifier(text: str, taken: set[str], *, upper: bool = False) -> str:
    """A new Python name made from ``text`` (snake_case, or UPPER_CASE for constants)."""
    import re

    name = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "value"
    if name[0].isdigit():
        name = "n_" + name
    if upper:
        name = name.upper()
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def block_string(text: str) -> str | None:
    """``text`` as a triple-quoted literal starting on its own line, if it reads well so.

    ``None`` when a line has trailing spaces or tabs, or a character that would
    need escaping: those are written as ordinary literals instead.
    """
    body = text.replace("\\", "\\\\").replace('"""', '\\"""')
    for line in body.split("\n"):
        if line != line.rstrip() or not line.isprintable() or "\t" in line:
            return None
    if body.endswith('"'):
        return None
    return '"""\\\n' + body + '"""'
