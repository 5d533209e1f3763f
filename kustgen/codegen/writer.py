"""Render a :class:`~kustgen.codegen.ir.ModuleDef` as Python source.

The output is deterministic: classes are written in name order, fields in
schema order with required fields first, and nothing depends on hashing.
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

from kustgen.codegen.ir import ClassDef, FieldDef, ModuleDef

_WIDTH = 99


def _py(value: Any) -> str:
    """Python literal of a constant, with double-quoted strings (as ruff format writes them)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        inner = ", ".join(_py(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _printable(text: str) -> str:
    """Control and other unprintable characters as escapes: a docstring or comment
    made from untrusted text (a CRD's description) never breaks the source."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == " " else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    end = text.find(". ")
    sentence = text if end == -1 else text[: end + 1]
    if len(sentence) > 300:
        sentence = sentence[:297].rstrip() + "..."
    return sentence


def _docstring(text: str, indent: str) -> list[str]:
    text = _printable(text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"'))
    if text.endswith('"'):
        text += " "
    if not text:
        return []
    one = f'{indent}"""{text}"""'
    if len(one) <= _WIDTH:
        return [one]
    wrapped = _wrap(text, _WIDTH - len(indent))
    return [f'{indent}"""{wrapped[0]}', *(indent + w for w in wrapped[1:]), f'{indent}"""']


def _comment(text: str, indent: str) -> list[str]:
    text = _printable(" ".join(text.split()))
    if not text:
        return []
    prefix = f"{indent}#: "
    return [prefix + line for line in _wrap(text, _WIDTH - len(prefix))]


def _ordered(cls: ClassDef) -> list[FieldDef]:
    return [f for f in cls.fields if f.required] + [f for f in cls.fields if not f.required]


def _annotation(f: FieldDef) -> str:
    ann = f.type.annotation()
    return ann if f.required else f"{ann} | None"


def _class_lines(cls: ClassDef) -> list[str]:
    base = "Resource" if cls.gvk else "Model"
    out = [f"class {cls.name}({base}):"]
    out += _docstring(_first_sentence(cls.description) or f"{cls.name}.", "    ")
    out.append("")
    if cls.gvk:
        out.append(f"    api_version: ClassVar[str] = {_py(cls.api_version)}")
        out.append(f"    kind: ClassVar[str] = {_py(cls.gvk[2])}")
        out.append("")
    fields = _ordered(cls)
    if fields:
        names = ", ".join(_py(f.py_name) for f in fields)
        comma = "," if len(fields) == 1 else ""
        slots = f"    __slots__ = ({names}{comma})"
        if len(slots) <= _WIDTH:
            out.append(slots)
        else:
            out.append("    __slots__ = (")
            out += [f"        {_py(f.py_name)}," for f in fields]
            out.append("    )")
        out.append("    __kustgen_fields__ = (")
        for f in fields:
            row = (f.py_name, f.wire_name, f.type.spec(), f.required, f.merge())
            out.append(f"        {_py(row)},")
        out.append("    )")
    else:
        out.append("    __slots__ = ()")
    out.append("")
    for f in fields:
        out += _comment(f.description, "    ")
        out.append(f"    {f.py_name}: {_annotation(f)}")
    if fields:
        out.append("")
        out.append("    def __init__(")
        out.append("        self,")
        out.append("        *,")
        for f in fields:
            default = "" if f.required else " = None"
            out.append(f"        {f.py_name}: {_annotation(f)}{default},")
        out.append("    ) -> None:")
        out += [f"        self.{f.py_name} = {f.py_name}" for f in fields]
    else:
        out.append("    def __init__(self) -> None:")
        out.append("        pass")
    return out


def render_module(module: ModuleDef) -> str:
    """Python source of one generated module."""
    classes = sorted(module.classes, key=lambda c: c.name)
    scalars: set[str] = set()
    imports: set[str] = set()
    for cls in classes:
        for f in cls.fields:
            scalars |= f.type.scalars()
            imports |= f.type.modules()
    imports.discard(module.name)
    has_resources = any(c.gvk for c in classes)

    lines = [f"# {_printable(h)}" if h else "#" for h in module.header]
    lines += _docstring(module.docstring, "")
    lines += ["", "from __future__ import annotations", ""]
    typing_names = ["TYPE_CHECKING"]
    if scalars & {"object", "any"}:
        typing_names.append("Any")
    if has_resources:
        typing_names.append("ClassVar")
    lines.append(f"from typing import {', '.join(typing_names)}")
    lines.append("")
    model_names = ["Model"]
    if has_resources:
        model_names.append("Resource")
    lines.append(f"from kustgen.model import {', '.join(sorted(model_names))}")
    lines.append("")
    lines.append("if TYPE_CHECKING:")
    type_only = sorted(n for n in ("IntOrString", "Quantity") if n in scalars)
    for mod in sorted(imports):
        package, _, short = mod.rpartition(".")
        lines.append(f"    from {package} import {short}" if package else f"    import {short}")
    if type_only:
        lines.append(f"    from kustgen.model import {', '.join(type_only)}")
    if not type_only and not imports:
        lines.append("    pass")
    for cls in classes:
        lines += ["", "", *_class_lines(cls)]
    if module.aliases:
        lines += ["", "", "# The storage version of each kind, under the plain kind name."]
        lines += [f"{alias} = {target}" for alias, target in sorted(module.aliases.items())]
    lines += ["", "", "#: ``(apiVersion, kind) -> class`` of every top-level kind in this module."]
    resources = sorted((c.api_version, c.gvk[2], c.name) for c in classes if c.gvk)
    if resources:
        lines.append("RESOURCES: dict[tuple[str, str], type[Resource]] = {")
        lines += [f"    ({_py(av)}, {_py(kind)}): {name}," for av, kind, name in resources]
        lines.append("}")
    else:
        lines.append("RESOURCES: dict[tuple[str, str], type[Model]] = {}")
    return "\n".join(lines) + "\n"
