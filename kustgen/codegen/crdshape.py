"""Reading CustomResourceDefinition files that kustgen did not write.

Every file is read with the bounded reader (:mod:`kustgen.untrusted_yaml`),
every CRD's shape is checked before the generator touches it, and each
problem is one line naming the file, the document and the field, e.g.
``crds.yaml: document 2: spec.names: is missing``.  Names that end up as
Python identifiers (kinds, versions) must be what Kubernetes itself accepts,
so a ``kind`` holding code never reaches a generated module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from kustgen.errors import InputError
from kustgen.untrusted_yaml import Document, YamlReader

CRD_KIND = "CustomResourceDefinition"

# What the API server accepts (apiextensions validation): a group is a DNS-1123
# subdomain with a dot, a version a DNS-1035 label; kustgen also needs a kind to
# be a Python identifier (Kubernetes requires a DNS-1035 label once lower-cased).
_GROUP = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")
_VERSION = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")

_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf")


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else f"a {type(value).__name__}"
    )


class _Problems:
    def __init__(self, where: str) -> None:
        self.where = where
        self.lines: list[str] = []

    def add(self, field: str, message: str) -> None:
        self.lines.append(f"{self.where}: {field}: {message}")

    def expect(self, value: Any, kind: type, field: str, *, required: bool = True) -> bool:
        """Record a problem unless ``value`` is a ``kind`` (or absent, when optional)."""
        if value is None and not required:
            return False
        if value is None:
            self.add(field, "is missing")
            return False
        if type(value) is not kind or (kind is str and not value):
            wanted: dict[type, str] = {dict: "a mapping", list: "a list", str: "a non-empty string"}
            want = wanted[kind]
            self.add(field, f"expected {want}, got {_type_name(value)}")
            return False
        return True


def _check_name(problems: _Problems, value: Any, field: str, pattern: re.Pattern[str],
                rule: str) -> None:
    if problems.expect(value, str, field) and (len(value) > 253 or not pattern.match(value)):
        shown = value if len(value) <= 60 else value[:57] + "..."
        problems.add(field, f"{shown!r} is not a valid name ({rule})")


def _check_schema(problems: _Problems, schema: Any, field: str) -> None:
    """Every node of an OpenAPI schema is a mapping of the shape the generator reads."""
    stack = [(schema, field)]
    while stack:
        node, at = stack.pop()
        if not problems.expect(node, dict, at):
            continue
        for key in ("type", "description", "format"):
            if key in node and type(node[key]) is not str:
                problems.add(f"{at}.{key}", f"expected a string, got {_type_name(node[key])}")
        required = node.get("required")
        if required is not None and not (
            type(required) is list and all(type(r) is str for r in required)
        ):
            problems.add(f"{at}.required", "expected a list of strings")
        for key in _SCHEMA_MAPS:
            if key in node and problems.expect(node[key], dict, f"{at}.{key}"):
                stack.extend((sub, f"{at}.{key}.{name}") for name, sub in node[key].items())
        for key in _SCHEMA_LISTS:
            if key in node and problems.expect(node[key], list, f"{at}.{key}"):
                stack.extend((sub, f"{at}.{key}[{i}]") for i, sub in enumerate(node[key]))
        if "items" in node:
            stack.append((node["items"], f"{at}.items"))
        extra = node.get("additionalProperties")
        if extra is not None and type(extra) is not bool:
            stack.append((extra, f"{at}.additionalProperties"))


def check_crd(crd: dict[str, Any], where: str) -> list[str]:
    """One line per problem of a CRD's shape; empty when the generator can read it."""
    problems = _Problems(where)
    spec: Any = crd.get("spec")
    if not problems.expect(spec, dict, "spec"):
        return problems.lines
    _check_name(problems, spec.get("group"), "spec.group", _GROUP,
                "a DNS subdomain such as example.com")
    names: Any = spec.get("names")
    if problems.expect(names, dict, "spec.names"):
        _check_name(problems, names.get("kind"), "spec.names.kind", _KIND,
                    "letters and digits, starting with a letter")
    shared: Any = spec.get("validation")
    if problems.expect(shared, dict, "spec.validation", required=False) and (
        "openAPIV3Schema" in shared
    ):
        _check_schema(problems, shared["openAPIV3Schema"], "spec.validation.openAPIV3Schema")
    versions: Any = spec.get("versions")
    if not problems.expect(versions, list, "spec.versions"):
        return problems.lines
    if not versions:
        problems.add("spec.versions", "is empty")
    for i, version in enumerate(versions):
        at = f"spec.versions[{i}]"
        if not problems.expect(version, dict, at):
            continue
        _check_name(problems, version.get("name"), f"{at}.name", _VERSION,
                    "a DNS-1035 label such as v1beta1")
        for flag in ("served", "storage"):
            if flag in version and type(version[flag]) is not bool:
                problems.add(f"{at}.{flag}", f"expected a boolean, got {_type_name(version[flag])}")
        schema = version.get("schema")
        if problems.expect(schema, dict, f"{at}.schema", required=False) and (
            "openAPIV3Schema" in schema
        ):
            _check_schema(problems, schema["openAPIV3Schema"], f"{at}.schema.openAPIV3Schema")
    return problems.lines


def _expanded(doc: Document) -> Iterator[tuple[str, Any]]:
    """``(where, object)`` of a document; a ``List``'s items one by one."""
    data = doc.data
    if type(data) is dict and str(data.get("kind", "")).endswith("List") and (
        type(data.get("items")) is list
    ):
        for i, item in enumerate(data["items"]):
            yield f"{doc.where}: items[{i}]", item
    else:
        yield doc.where, data


def read_crd_files(
    paths: Sequence[Path], reader: YamlReader | None = None, *, require: bool = True
) -> list[tuple[str, dict[str, Any]]]:
    """``(where, crd)`` of every CustomResourceDefinition in the files.

    Documents of other kinds are skipped; with ``require`` a file holding no
    CRD at all is an error.  Every shape problem of every CRD is reported
    together, one line each; the first is the error's message.
    """
    reader = reader or YamlReader()
    found: list[tuple[str, dict[str, Any]]] = []
    lines: list[str] = []
    for path in paths:
        docs = reader.read_path(Path(path))
        kinds: list[str] = []
        before = len(found)
        for doc in docs:
            for where, obj in _expanded(doc):
                if type(obj) is not dict:
                    kinds.append(_type_name(obj))
                    continue
                kind = obj.get("kind")
                if kind != CRD_KIND:
                    kinds.append(str(kind) if isinstance(kind, str) and kind else "no kind")
                    continue
                problems = check_crd(obj, where)
                lines += problems
                if not problems:
                    found.append((where, obj))
        reported = any(line.startswith(str(path)) for line in lines)
        if require and len(found) == before and not reported:
            held = ", ".join(sorted(set(kinds))[:5]) if kinds else "nothing (empty)"
            lines.append(f"{path}: holds no {CRD_KIND} (found {held})")
    if lines:
        details = "\n".join(lines[1:]) if len(lines) > 1 else ""
        suffix = f" (and {len(lines) - 1} more problems, listed above)" if len(lines) > 1 else ""
        raise InputError(lines[0] + suffix, details=details)
    return found
