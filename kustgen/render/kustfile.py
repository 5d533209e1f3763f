"""Reading and checking one kustomization file.

Values are checked the way kustomize's strict Go unmarshalling checks them:
``commonAnnotations: {a: yes}`` is a boolean under YAML 1.1 and is refused
(observation t9-misc/yaml11-fail-yes), as are unknown fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kustgen.errors import InputError
from kustgen.render.yamlload import load_kustomization

KUSTOMIZATION_KIND = "Kustomization"
COMPONENT_KIND = "Component"

_STRING_FIELDS = ("apiVersion", "kind", "namespace", "namePrefix", "nameSuffix")
_STRING_LISTS = (
    "resources",
    "bases",
    "components",
    "configurations",
    "transformers",
    "patchesStrategicMerge",
    "crds",
)
_STRING_MAPS = ("commonLabels", "commonAnnotations")
_LISTS = (
    "labels",
    "images",
    "replicas",
    "patches",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
)
_UNSUPPORTED = (
    "replacements",
    "vars",
    "generators",
    "validators",
    "openapi",
    "helmGlobals",
    "helmChartInflationGenerator",
)
_IGNORED = ("metadata", "buildMetadata", "crds")
_KNOWN = {
    *_STRING_FIELDS,
    *_STRING_LISTS,
    *_STRING_MAPS,
    *_LISTS,
    *_UNSUPPORTED,
    *_IGNORED,
    "generatorOptions",
    "sortOptions",
    "helmCharts",
}


@dataclass
class Kustomization:
    """A checked kustomization: ``data`` is the parsed mapping, ``path`` its file."""

    path: str
    directory: str
    data: dict[str, Any]

    def error(self, message: str, field: str | None = None) -> InputError:
        return InputError(message, obj=self.path, field=field)

    @property
    def is_component(self) -> bool:
        return self.data.get("kind") == COMPONENT_KIND

    def str_field(self, name: str) -> str:
        value = self.data.get(name)
        return value if isinstance(value, str) else ""

    def list_field(self, name: str) -> list[Any]:
        value = self.data.get(name)
        return list(value) if isinstance(value, list) else []

    def map_field(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        return dict(value) if isinstance(value, dict) else {}


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else "string"


def check_string(path: str, field: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InputError(f"cannot read {_go_type(value)} as string", obj=path, field=field)
    return value


def check_string_map(path: str, field: str, value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"cannot read {_go_type(value)} as map", obj=path, field=field)
    return {
        check_string(path, f"{field} key", k): check_string(path, f"{field}.{k}", v)
        for k, v in value.items()
    }


def check_string_list(path: str, field: str, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"cannot read {_go_type(value)} as list", obj=path, field=field)
    return [check_string(path, f"{field}[{i}]", item) for i, item in enumerate(value)]


def parse_kustomization(text: str, path: str, directory: str,
                        loaded: dict[str, Any] | None = None) -> Kustomization:
    """Check a kustomization file; ``loaded`` is its YAML already read (it is not changed)."""
    data = dict(loaded) if loaded is not None else load_kustomization(text, path)
    for key in data:
        if key not in _KNOWN:
            raise InputError(f"unknown field {key!r}", obj=path, field=str(key))
    for key in _STRING_FIELDS:
        if key in data and data[key] is not None:
            check_string(path, key, data[key])
    for key in _STRING_LISTS:
        data[key] = check_string_list(path, key, data.get(key))
    for key in _STRING_MAPS:
        data[key] = check_string_map(path, key, data.get(key))
    for key in _LISTS:
        value = data.get(key)
        if value is not None and not isinstance(value, list):
            raise InputError(f"cannot read {_go_type(value)} as list", obj=path, field=key)
    for key in _UNSUPPORTED:
        if data.get(key):
            raise InputError("not supported by kustgen's renderer", obj=path, field=key)
    if data.get("helmCharts"):
        raise InputError(
            "helmCharts needs 'kubectl kustomize --enable-helm'; must specify --enable-helm",
            obj=path,
            field="helmCharts",
        )
    kind = data.get("kind")
    if kind not in (None, "", KUSTOMIZATION_KIND, COMPONENT_KIND):
        raise InputError(f"unknown kind {kind!r}", obj=path, field="kind")
    return Kustomization(path=path, directory=directory, data=data)
