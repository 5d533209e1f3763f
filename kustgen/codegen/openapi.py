"""Kubernetes built-in API: OpenAPI definitions -> one ModuleDef per group-version.

Input is ``_definitions.json`` of kubernetes-validate's
``kubernetes-json-schema/v<version>-local`` folder (JSON Schema 2020-12,
``$defs`` keyed by Go package path + type name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kustgen.codegen.ir import (
    ClassDef,
    FieldDef,
    ModuleDef,
    TypeExpr,
    assign_python_names,
    list_of,
    map_of,
    ref,
)

PACKAGE = "kustgen.k8s"
KUBERNETES_VERSION = "1.32.0"
KUBERNETES_VALIDATE_VERSION = "1.37.0"
REGENERATE_COMMAND = "python -m kustgen.codegen k8s"

_API_PREFIX = "io.k8s.api."
#: Definition packages outside ``io.k8s.api.`` and the module they go to.
_OTHER_PACKAGES = {
    "io.k8s.apimachinery.pkg.apis.meta.v1": "meta_v1",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1": "apiextensions_v1",
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1": "apiregistration_v1",
}
#: Definitions that are not classes but scalar types.
_SCALAR_DEFS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "object",
}
#: Skipped: not part of any API group-version, and referenced by no type
#: (the ``/version`` endpoint's reply).
_SKIPPED = {"io.k8s.apimachinery.pkg.version.Info"}


def definitions_path(version: str = KUBERNETES_VERSION) -> Path:
    """Where kubernetes-validate keeps the definitions (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "kubernetes-validate is not installed (pip install kustgen[codegen])"
        )
    base = Path(next(iter(spec.submodule_search_locations)))
    return base / "kubernetes-json-schema" / f"v{version}-local" / "_definitions.json"


def module_of(def_name: str) -> str | None:
    package = def_name.rsplit(".", 1)[0]
    if package.startswith(_API_PREFIX):
        return package[len(_API_PREFIX) :].replace(".", "_")
    return _OTHER_PACKAGES.get(package)


def _types(value: Any) -> list[str]:
    if isinstance(value, list):
        return [t for t in value if t != "null"]
    return [value] if isinstance(value, str) else []


def _scalar_for_definition(schema: dict[str, Any]) -> str:
    """Scalar kind of a definition that has no properties."""
    if "oneOf" in schema:
        kinds = {t for alt in schema["oneOf"] for t in _types(alt.get("type"))}
        return "Quantity" if "number" in kinds else "IntOrString"
    types = _types(schema.get("type"))
    if types == ["string"]:
        return "str"
    if types == ["object"]:
        return "object"
    return "any"


class _Converter:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs

    def def_type(self, def_name: str, from_module: str) -> TypeExpr:
        if def_name in _SCALAR_DEFS:
            return TypeExpr(_SCALAR_DEFS[def_name])
        schema = self.defs[def_name]
        if "properties" not in schema:
            return TypeExpr(_scalar_for_definition(schema))
        module = module_of(def_name)
        assert module is not None, def_name
        name = def_name.rsplit(".", 1)[1]
        return ref(name, None if module == from_module else f"{PACKAGE}.{module}")

    def prop_type(self, schema: dict[str, Any], module: str) -> TypeExpr:
        if "$ref" in schema:
            return self.def_type(schema["$ref"].rsplit("/", 1)[1], module)
        types = _types(schema.get("type"))
        kind = types[0] if len(types) == 1 else None
        if kind == "array":
            return list_of(self.prop_type(schema["items"], module))
        if kind == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                return map_of(self.prop_type(extra, module))
            return TypeExpr("object")
        simple = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
        return TypeExpr(simple.get(kind or "", "any"))

    def class_def(self, def_name: str, schema: dict[str, Any], module: str) -> ClassDef:
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        props: dict[str, Any] = schema["properties"]
        is_resource = len(gvks) == 1 and "apiVersion" in props and "kind" in props
        required = set(schema.get("required", ()))
        fields = []
        for wire, prop in props.items():
            if is_resource and wire in ("apiVersion", "kind"):
                continue
            fields.append(
                FieldDef.from_property(
                    wire, prop, self.prop_type(prop, module), required=wire in required
                )
            )
        assign_python_names(fields)
        gvk = None
        if is_resource:
            g = gvks[0]
            gvk = (g["group"], g["version"], g["kind"])
        return ClassDef(
            name=def_name.rsplit(".", 1)[1],
            description=schema.get("description", ""),
            fields=fields,
            gvk=gvk,
        )


def _header(module: str, kv_version: str) -> list[str]:
    return [
        "Generated by kustgen.codegen -- do not edit by hand.",
        f"Source: Kubernetes v{KUBERNETES_VERSION} OpenAPI definitions"
        f" (kubernetes-json-schema/v{KUBERNETES_VERSION}-local/_definitions.json)",
        f"via kubernetes-validate {kv_version}.",
        f"Regenerate: {REGENERATE_COMMAND}",
    ]


def build_modules(defs: dict[str, Any], kv_version: str) -> list[ModuleDef]:
    """One ModuleDef per group-version found in the definitions."""
    conv = _Converter(defs)
    modules: dict[str, ModuleDef] = {}
    for def_name in sorted(defs):
        schema = defs[def_name]
        if def_name in _SKIPPED or def_name in _SCALAR_DEFS or "properties" not in schema:
            continue
        module = module_of(def_name)
        if module is None:
            raise ValueError(f"no module for definition {def_name}")
        if module not in modules:
            package = def_name.rsplit(".", 1)[0]
            modules[module] = ModuleDef(
                name=f"{PACKAGE}.{module}",
                header=_header(module, kv_version),
                docstring=f"Kubernetes {package} types (API v{KUBERNETES_VERSION}).",
            )
        modules[module].classes.append(conv.class_def(def_name, schema, module))
    return [modules[m] for m in sorted(modules)]


def resource_index(modules: list[ModuleDef]) -> dict[tuple[str, str], tuple[str, str]]:
    index = {}
    for module in modules:
        for cls in module.classes:
            if cls.gvk:
                index[(cls.api_version, cls.gvk[2])] = (module.name, cls.name)
    return dict(sorted(index.items()))


def render_index(modules: list[ModuleDef], kv_version: str) -> str:
    from kustgen.codegen.writer import _py

    lines = [f"# {h}" for h in _header("_index", kv_version)]
    lines += [
        '"""Static index of the built-in kinds: ``(apiVersion, kind) -> (module, class)``.',
        "",
        "Used by :func:`kustgen.model.lookup_class` to import only the module it needs.",
        '"""',
        "",
        "INDEX: dict[tuple[str, str], tuple[str, str]] = {",
    ]
    for (av, kind), (mod, name) in resource_index(modules).items():
        lines.append(f"    ({_py(av)}, {_py(kind)}): ({_py(mod)}, {_py(name)}),")
    lines.append("}")
    return "\n".join(lines) + "\n"


INIT_SOURCE = '''\
# Generated by kustgen.codegen -- do not edit by hand.
# Regenerate: {command}
"""Typed models of the Kubernetes v{version} API, one module per group-version.

Import the module you need (``from kustgen.k8s import apps_v1``); this package
deliberately imports none of them.
"""
'''


def generate_k8s(out_dir: Path, definitions: Path | None = None) -> list[Path]:
    """Write ``kustgen/k8s`` (or ``out_dir``) from the OpenAPI definitions."""
    from importlib.metadata import version

    from kustgen.codegen.shipped import shipped_modules
    from kustgen.codegen.writer import render_module

    kv_version = version("kubernetes-validate")
    path = definitions or definitions_path()
    defs = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    modules = build_modules(defs, kv_version)
    files: dict[str, str] = {
        "__init__.py": INIT_SOURCE.format(command=REGENERATE_COMMAND, version=KUBERNETES_VERSION),
        # The index also lists the shipped custom kinds of kustgen/crds.
        "_index.py": render_index([*modules, *shipped_modules()], kv_version),
    }
    for module in modules:
        files[module.name.rsplit(".", 1)[1] + ".py"] = render_module(module)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(files):
        target = out_dir / name
        target.write_text(files[name], encoding="utf-8", newline="\n")
        written.append(target)
    return written
