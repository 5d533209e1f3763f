"""Step 6 of `kustgen import`: prove the generated module gives back exactly the input.

The module is executed, each environment rendered with kustgen's renderer (the
output of ``kubectl kustomize``), and the objects compared with the input as
parsed documents, ignoring order.  A difference is a kustgen bug and stops the
import before anything is written.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from kustgen.errors import KustgenError
from kustgen.imports.read import drop_nulls


class RoundTripError(KustgenError):
    """The generated module does not reproduce its input (a bug in kustgen)."""

    exit_code = 1


def _ident(data: Mapping[str, Any]) -> tuple[str, str, str, str]:
    meta = data.get("metadata") or {}
    return (data["apiVersion"], data["kind"], meta.get("namespace") or "", meta["name"])


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two parsed documents first differ, or ``None``."""
    if type(a) is dict and type(b) is dict:
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in b:
                return f"{path}.{key}: only in the input"
            if key not in a:
                return f"{path}.{key}: only in the output"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if type(a) is list and type(b) is list:
        if len(a) != len(b):
            return f"{path}: {len(a)} items in the input, {len(b)} in the output"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b and type(a) is type(b) else f"{path}: {a!r} became {b!r}"


def rendered(module: types.ModuleType, env: str) -> list[dict[str, Any]]:
    from kustgen.layout import layout, overlay_dir
    from kustgen.render import render

    cluster = module.cluster
    return render(layout(cluster), overlay_dir(cluster.overlay(env)))


def compare(expected: Sequence[Mapping[str, Any]], got: Sequence[Mapping[str, Any]],
            env: str) -> Iterator[str]:
    want = {_ident(o): drop_nulls(dict(o)) for o in expected}
    have = {_ident(o): drop_nulls(dict(o)) for o in got}
    for ident in want.keys() - have.keys():
        yield f"{env}: {ident[1]}/{ident[3]} is missing from the output"
    for ident in have.keys() - want.keys():
        yield f"{env}: {ident[1]}/{ident[3]} is in the output but not the input"
    for ident in want.keys() & have.keys():
        found = first_difference(want[ident], have[ident])
        if found:
            yield f"{env}: {ident[1]}/{ident[3]}{found}"


def execute(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = f"<{name}>"
    sys.modules[name] = module
    try:
        exec(compile(source, module.__file__, "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def verify(source: str, expected: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """Raise :class:`RoundTripError` unless every environment renders to its input."""
    module = execute(source, "_kustgen_import_check")
    problems = [p for env, objects in expected.items()
                for p in compare(objects, rendered(module, env), env)]
    if problems:
        raise RoundTripError(
            f"the generated module does not reproduce the input ({problems[0]}); "
            "please report this as a kustgen bug",
            details="\n".join(problems[1:20]),
        )
