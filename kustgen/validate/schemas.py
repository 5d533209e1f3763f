"""Which JSON schema each object is checked against, with one validator per kind, built once.

* Built-in kinds: the strict ``-local`` schemas of the pinned Kubernetes
  version (1.32.0) that kubernetes-validate ships.  Their ``$ref``s point into
  one ``_definitions.json``, loaded once into a ``referencing`` registry that
  every validator shares (kubernetes-validate reloads both files and builds a
  new validator for every object).
* Custom resources: kustgen's own ``schemas/`` (MetalLB, Longhorn) and the
  CustomResourceDefinitions the user names (``--crd FILE``), converted with
  :func:`kustgen.codegen.crd_schema_to_jsonschema`.  A user CRD wins over the
  shipped schema of the same apiVersion and kind.

An object whose kind has no schema gets ``None``; the caller reports it.
kubernetes-validate is an optional dependency (``pip install 'kustgen[validate]'``);
without it built-in kinds get ``None`` and ``builtin_available`` turns False.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from kustgen.validate.quickcheck import QuickValidator

KUBERNETES_VERSION = "1.32.0"
#: schemas/ bundled as package data (see kustgen.codegen.shipped.schema_bundle).
_BUNDLE = Path(__file__).resolve().parents[1] / "crds" / "schemas.json"
Key = tuple[str, str]  # apiVersion, kind
#: A jsonschema validator instance (jsonschema ships no type stubs).
Validator = Any


def is_builtin(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return "." not in group or group.endswith(".k8s.io")


def _own_schemas() -> dict[Key, dict[str, Any]]:
    """kustgen's schemas/, as bundled into the package by `python -m kustgen.codegen schemas`."""
    bundle = json.loads(_BUNDLE.read_text(encoding="utf-8"))
    found = {}
    for source, schema in sorted(bundle.items()):
        if source.startswith("$"):
            continue
        gvk = schema["x-kubernetes-group-version-kind"]
        found[(f"{gvk['group']}/{gvk['version']}", gvk["kind"])] = schema
    return found


def _crd_schemas(paths: Sequence[Path]) -> dict[Key, dict[str, Any]]:
    from kustgen.codegen.crd import crd_schema_to_jsonschema, read_crds

    found = {}
    for crd in read_crds(list(paths)):
        spec = crd.get("spec") or {}
        shared = (spec.get("validation") or {}).get("openAPIV3Schema")
        for version in spec.get("versions") or []:
            schema = (version.get("schema") or {}).get("openAPIV3Schema") or shared
            if schema is None:
                continue
            key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
            found[key] = crd_schema_to_jsonschema(schema)
    return found


class SchemaSet:
    """Validators by (apiVersion, kind): built on first use, then reused."""

    def __init__(
        self,
        crd_files: Sequence[Path] = (),
        *,
        kubernetes_version: str = KUBERNETES_VERSION,
    ) -> None:
        self.kubernetes_version = kubernetes_version
        crds = _crd_schemas(crd_files) if crd_files else {}
        self.custom = {**_own_schemas(), **crds}
        self._validators: dict[Key, Validator | None] = {}
        self._builtin_dir: Any = None
        self._registry: Any = None
        #: False once built-in schemas were asked for and kubernetes-validate is missing.
        self.builtin_available = True

    def validator(self, api_version: str, kind: str) -> Validator | None:
        key = (api_version, kind)
        if key not in self._validators:
            self._validators[key] = self._build(api_version, kind)
        return self._validators[key]

    def _build(self, api_version: str, kind: str) -> Validator | None:
        import jsonschema  # type: ignore[import-untyped]  # only when an object needs checking

        schema = self.custom.get((api_version, kind))
        if schema is not None:
            cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
            return QuickValidator(cls(schema))
        if not is_builtin(api_version):
            return None
        directory = self._builtin()
        if directory is None:
            return None
        group, _, version = api_version.rpartition("/")
        # kubernetes-validate's file names: deployment-apps-v1, storageclass-storage-v1.
        group_part = f"-{group.split('.')[0]}" if group else ""
        path = directory / f"{kind.lower()}{group_part}-{version}.json"
        if not path.is_file():
            return None
        schema = json.loads(path.read_text(encoding="utf-8"))
        return QuickValidator(jsonschema.Draft202012Validator(schema, registry=self._registry))

    def _builtin(self) -> Any:
        if self._builtin_dir is None:
            from referencing import Registry, Resource

            try:
                package = resources.files("kubernetes_validate")
            except ModuleNotFoundError:
                self.builtin_available = False
                return None
            folder = f"v{self.kubernetes_version}-local-strict"
            directory = package / "kubernetes-json-schema" / folder
            definitions = json.loads((directory / "_definitions.json").read_text(encoding="utf-8"))
            self._registry = Resource.from_contents(definitions) @ Registry()
            self._builtin_dir = directory
        return self._builtin_dir
