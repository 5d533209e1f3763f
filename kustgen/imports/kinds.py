"""Step 2 of `kustgen import`: the typed class of every object, where one holds it exactly.

Built-in kinds use ``kustgen.k8s``; MetalLB and Longhorn kinds the shipped
``kustgen.crds`` classes; other custom resources classes generated (as
``import-crd`` does) from their CRDs, given with ``--crd`` or found in the
input.  A class is used only if ``to_dict(from_dict(obj)) == obj``; everything
else stays a plain mapping, and the reason is kept for a comment.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kustgen.errors import InputError
from kustgen.imports.read import SourceObject
from kustgen.model import Resource, from_dict, lookup_class, to_dict

SHIPPED_CRD_MODULES = ("kustgen.crds.longhorn_io", "kustgen.crds.metallb_io")


@dataclass
class GeneratedModule:
    """A module generated from CRDs, written next to the imported module."""

    name: str
    source: str
    module: types.ModuleType


@dataclass
class Typing:
    """What class each object gets (by ``id(data)``), and why some get none."""

    classes: dict[int, type[Resource]] = field(default_factory=dict)
    untyped: dict[int, str] = field(default_factory=dict)
    generated: list[GeneratedModule] = field(default_factory=list)

    def class_of(self, data: dict[str, Any]) -> type[Resource] | None:
        return self.classes.get(id(data))


def exact_class(data: dict[str, Any], modules: Sequence[types.ModuleType]) -> tuple[
        type[Resource] | None, str]:
    """The class holding ``data`` exactly, or ``None`` and the reason."""
    cls = lookup_class(data["apiVersion"], data["kind"], modules)
    if cls is None:
        return None, f"no schema for {data['apiVersion']} {data['kind']}"
    try:
        obj = from_dict(data, cls=cls)
    except InputError as error:
        return None, f"{cls.__module__}.{cls.__name__} cannot hold it ({error.format()})"
    if to_dict(obj) != data:
        return None, f"{cls.__module__}.{cls.__name__} does not keep it exactly"
    return cls, ""


def _crd_modules(crds: list[dict[str, Any]], wanted: set[tuple[str, str]], package: str
                 ) -> list[GeneratedModule]:
    """Modules for the CRDs that define a kind in ``wanted`` ((group, kind) pairs)."""
    from kustgen.codegen.crd import build_group_module, module_name_for_group
    from kustgen.codegen.writer import render_module

    by_group: dict[str, list[dict[str, Any]]] = {}
    for crd in crds:
        spec = crd["spec"]
        if (spec["group"], spec["names"]["kind"]) in wanted:
            by_group.setdefault(spec["group"], []).append(crd)
    modules = []
    for group in sorted(by_group):
        module_def = build_group_module(group, by_group[group], ["the imported manifests"])
        source = render_module(module_def)
        name = f"{package}.{module_name_for_group(group)}"
        module = types.ModuleType(name)
        module.__file__ = f"<{name}>"
        sys.modules[name] = module
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        modules.append(GeneratedModule(name, source, module))
    return modules


def choose_classes(objects: Sequence[SourceObject], crds: list[dict[str, Any]],
                   package: str) -> Typing:
    """Pick every object's class; generate modules for custom kinds the CRDs describe."""
    import importlib

    shipped = [importlib.import_module(m) for m in SHIPPED_CRD_MODULES]
    result = Typing()
    missing: set[tuple[str, str]] = set()
    for obj in objects:
        cls, reason = exact_class(obj.data, shipped)
        if cls is not None:
            result.classes[id(obj.data)] = cls
        else:
            result.untyped[id(obj.data)] = reason
            group = obj.data["apiVersion"].rpartition("/")[0]
            missing.add((group, obj.data["kind"]))
    all_crds = crds + [o.data for o in objects if o.data["kind"] == "CustomResourceDefinition"
                       and o.data["apiVersion"].startswith("apiextensions.k8s.io/")]
    usable = _usable_crds(all_crds)
    if not missing or not usable:
        return result
    result.generated = _crd_modules(usable, missing, package)
    generated = [g.module for g in result.generated]
    for obj in objects:
        if id(obj.data) in result.classes:
            continue
        cls, reason = exact_class(obj.data, generated)
        if cls is not None and cls.__module__.startswith(package + "."):
            result.classes[id(obj.data)] = cls
            del result.untyped[id(obj.data)]
    return result


def _usable_crds(crds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CRDs of a shape the generator reads; the first definition of a kind wins."""
    from kustgen.codegen.crdshape import check_crd

    seen: set[tuple[str, str]] = set()
    usable = []
    for crd in crds:
        if check_crd(crd, "crd"):
            continue
        key = (crd["spec"]["group"], crd["spec"]["names"]["kind"])
        if key not in seen:
            seen.add(key)
            usable.append(crd)
    return usable


def unload(typing: Typing) -> None:
    for generated in typing.generated:
        sys.modules.pop(generated.name, None)
