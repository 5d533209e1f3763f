"""Inline (``$ref``-free) OpenAPI v3 / JSON schemas -> ClassDefs.

Used for the ``openAPIV3Schema`` of CustomResourceDefinitions and for plain
JSON schema files that carry ``x-kubernetes-group-version-kind``: both are one
self-contained schema per kind whose nested objects become nested classes
named after their path (``BGPPeerV1beta2Spec``, ``BGPPeerV1beta2SpecNodeSelectors``).
"""

from __future__ import annotations

from typing import Any

from kustgen.codegen.ir import (
    ClassDef,
    FieldDef,
    TypeExpr,
    assign_python_names,
    list_of,
    map_of,
    pascal_case,
    ref,
)

#: ``metadata`` of every top-level kind is the real ObjectMeta, whatever the schema says.
OBJECT_META = ref("ObjectMeta", "kustgen.k8s.meta_v1")

_SIMPLE = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}


def _is_int_or_string(schema: dict[str, Any]) -> bool:
    if schema.get("x-kubernetes-int-or-string") or schema.get("format") == "int-or-string":
        return True
    for key in ("anyOf", "oneOf"):
        alternatives = schema.get(key)
        if alternatives and not schema.get("type"):
            kinds = {a.get("type") for a in alternatives}
            if kinds == {"integer", "string"}:
                return True
    return False


class SchemaClasses:
    """Collects the classes of one module; class names are unique inside it."""

    def __init__(self, reserved: set[str] | None = None) -> None:
        self.classes: list[ClassDef] = []
        self.taken: set[str] = set(reserved or ())

    def unique_name(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.taken:
            name, n = f"{wanted}{n}", n + 1
        self.taken.add(name)
        return name

    def type_of(self, schema: dict[str, Any], name_hint: str) -> TypeExpr:
        if _is_int_or_string(schema):
            return TypeExpr("IntOrString")
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return (
                TypeExpr("object") if schema.get("type", "object") == "object" else TypeExpr("any")
            )
        kind = schema.get("type")
        if kind == "object" or (kind is None and "properties" in schema):
            if schema.get("properties"):
                name = self.unique_name(name_hint)
                self.add_class(schema, name)
                return ref(name)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                return map_of(self.type_of(extra, name_hint + "Value"))
            return TypeExpr("object")
        if kind == "array":
            items = schema.get("items")
            return list_of(
                self.type_of(items, name_hint) if isinstance(items, dict) else TypeExpr("any")
            )
        return TypeExpr(_SIMPLE.get(kind, "any") if isinstance(kind, str) else "any")

    def add_class(
        self,
        schema: dict[str, Any],
        name: str,
        gvk: tuple[str, str, str] | None = None,
    ) -> ClassDef:
        """Add the class ``name`` (already reserved) for an object schema."""
        cls = ClassDef(name=name, description=schema.get("description", ""), gvk=gvk)
        self.classes.append(cls)
        required = set(schema.get("required", ()))
        for wire, prop in (schema.get("properties") or {}).items():
            if gvk is not None and wire in ("apiVersion", "kind"):
                continue
            if gvk is not None and wire == "metadata":
                type_ = OBJECT_META
            else:
                type_ = self.type_of(prop, name + pascal_case(wire))
            cls.fields.append(FieldDef.from_property(wire, prop, type_, required=wire in required))
        if gvk is not None and not any(f.wire_name == "metadata" for f in cls.fields):
            # Many CRDs leave metadata out of their schema; every custom resource has it.
            cls.fields.insert(0, FieldDef.from_property(
                "metadata", {"description": "Standard object's metadata."}, OBJECT_META,
                required=False,
            ))
        assign_python_names(cls.fields)
        return cls


def gvk_of(schema: dict[str, Any]) -> tuple[str, str, str] | None:
    """The single ``x-kubernetes-group-version-kind`` of a hand-written schema file."""
    gvks = schema.get("x-kubernetes-group-version-kind")
    if isinstance(gvks, dict):
        gvks = [gvks]
    if not gvks or len(gvks) != 1:
        return None
    g = gvks[0]
    return (g.get("group", ""), g["version"], g["kind"])
