"""Intermediate representation shared by every input of the generator.

The OpenAPI definitions of the Kubernetes API, CustomResourceDefinitions and
plain JSON schema files are all turned into :class:`ModuleDef` values; one
writer (:mod:`kustgen.codegen.writer`) turns those into Python source.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

#: Scalar kinds of :class:`TypeExpr` and their Python annotation.
SCALARS: dict[str, str] = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "Quantity": "Quantity",
    "IntOrString": "IntOrString",
    "object": "dict[str, Any]",
    "any": "Any",
}


@dataclass(frozen=True)
class TypeExpr:
    """A field type: a scalar (see :data:`SCALARS`), ``list``, ``dict`` (map) or ``ref``."""

    kind: str
    item: TypeExpr | None = None
    #: For ``ref``: the module holding the class (``None`` = the module being written).
    module: str | None = None
    name: str | None = None

    def spec(self) -> str:
        """The runtime type spec stored in the field table (see :mod:`kustgen.model`)."""
        if self.kind in ("list", "dict"):
            assert self.item is not None
            return f"{self.kind}[{self.item.spec()}]"
        if self.kind == "ref":
            return f"{self.module or ''}:{self.name}"
        return self.kind

    def annotation(self) -> str:
        """The Python annotation; other modules are named by their last component."""
        if self.kind == "list":
            assert self.item is not None
            return f"list[{self.item.annotation()}]"
        if self.kind == "dict":
            assert self.item is not None
            return f"dict[str, {self.item.annotation()}]"
        if self.kind == "ref":
            if self.module is None:
                return str(self.name)
            return f"{self.module.rsplit('.', 1)[-1]}.{self.name}"
        return SCALARS[self.kind]

    def modules(self) -> set[str]:
        """Other modules this type refers to."""
        if self.item is not None:
            return self.item.modules()
        if self.kind == "ref" and self.module is not None:
            return {self.module}
        return set()

    def scalars(self) -> set[str]:
        if self.item is not None:
            return self.item.scalars()
        return {self.kind} if self.kind in SCALARS else set()


def ref(name: str, module: str | None = None) -> TypeExpr:
    return TypeExpr("ref", module=module, name=name)


def list_of(item: TypeExpr) -> TypeExpr:
    return TypeExpr("list", item=item)


def map_of(item: TypeExpr) -> TypeExpr:
    return TypeExpr("dict", item=item)


@dataclass
class FieldDef:
    wire_name: str
    type: TypeExpr
    required: bool = False
    description: str = ""
    patch_strategy: str | None = None
    patch_merge_key: str | None = None
    list_type: str | None = None
    list_map_keys: tuple[str, ...] | None = None
    #: Filled in by :func:`assign_python_names`.
    py_name: str = ""

    @classmethod
    def from_property(
        cls, wire_name: str, prop: dict[str, Any], type_: TypeExpr, *, required: bool
    ) -> FieldDef:
        """A field of an OpenAPI/JSON-schema property, keeping its merge metadata."""
        keys = prop.get("x-kubernetes-list-map-keys")
        return cls(
            wire_name=wire_name,
            type=type_,
            required=required,
            description=prop.get("description", ""),
            patch_strategy=prop.get("x-kubernetes-patch-strategy"),
            patch_merge_key=prop.get("x-kubernetes-patch-merge-key"),
            list_type=prop.get("x-kubernetes-list-type"),
            list_map_keys=tuple(keys) if keys else None,
        )

    def merge(self) -> tuple[str | None, str | None, str | None, tuple[str, ...] | None] | None:
        values = (self.patch_strategy, self.patch_merge_key, self.list_type, self.list_map_keys)
        return None if values == (None, None, None, None) else values


@dataclass
class ClassDef:
    name: str
    description: str = ""
    fields: list[FieldDef] = field(default_factory=list)
    #: (group, version, kind) for top-level kinds; ``None`` for nested types.
    gvk: tuple[str, str, str] | None = None

    @property
    def api_version(self) -> str:
        assert self.gvk is not None
        group, version, _ = self.gvk
        return f"{group}/{version}" if group else version


@dataclass
class ModuleDef:
    name: str
    #: Comment lines (without ``# ``) at the top of the file.
    header: list[str]
    docstring: str
    classes: list[ClassDef] = field(default_factory=list)
    #: ``alias -> class name`` (e.g. the storage version of a CRD kind).
    aliases: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- names

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"self"}
_PLURAL_ACRONYM = re.compile(r"([A-Z])([A-Z]+)s(?=[A-Z0-9]|$)")
_CAMEL1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(wire_name: str) -> str:
    """``imagePullPolicy`` -> ``image_pull_policy``, ``$ref`` -> ``ref``,
    ``x-kubernetes-list-type`` -> ``x_kubernetes_list_type``, ``from`` -> ``from_``."""
    name = wire_name.lstrip("$")
    name = _PLURAL_ACRONYM.sub(lambda m: m[1] + m[2].lower() + "s", name)  # podIPs -> podIps
    name = _CAMEL1.sub(r"\1_\2", name)
    name = _CAMEL2.sub(r"\1_\2", name)
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", name).strip("_").lower() or "field"
    if name[0].isdigit():
        name = "f_" + name
    if name in _RESERVED:
        name += "_"
    return name


def assign_python_names(fields: list[FieldDef]) -> None:
    """Give every field a unique Python name, deterministically.

    Wire names that map to their snake_case form without dropping characters
    (``continue``, ``hostIPC``) are served first, in wire-name order; the
    others (``$ref``, ``x-kubernetes-...``) get trailing underscores if they
    collide.
    """
    taken: set[str] = set()
    plain = [f for f in fields if f.wire_name.isidentifier()]
    odd = [f for f in fields if not f.wire_name.isidentifier()]
    for group in (plain, odd):
        for f in sorted(group, key=lambda f: f.wire_name):
            name = snake_case(f.wire_name)
            while name in taken:
                name += "_"
            taken.add(name)
            f.py_name = name


def pascal_case(text: str) -> str:
    parts = re.split(r"[^0-9a-zA-Z]+", text)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)
