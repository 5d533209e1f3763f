"""kustgen: typed Python descriptions of Kubernetes workloads, written as Kustomize trees.

The public API is flat and listed in ``__all__``.  Names are loaded on first
use so that ``import kustgen`` stays cheap; the typed Kubernetes models live
in ``kustgen.k8s.<group>_<version>`` (e.g. ``kustgen.k8s.apps_v1``) and are
imported only by the code that uses them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kustgen.build import check, render_env, tree, verify, write
    from kustgen.errors import (
        CheckFailed,
        CollisionError,
        ConflictError,
        InputError,
        KustgenError,
        LockTimeout,
        PathEscapeError,
        PlaintextSecretError,
        UsageError,
        WriteError,
    )
    from kustgen.fleet import Fleet
    from kustgen.kustomization import (
        AnnotationsTransformer,
        ConfigMapGenerator,
        FieldSpec,
        File,
        GeneratorOptions,
        Image,
        Kustomization,
        Label,
        NameReference,
        PatchTarget,
        Replica,
        SecretGenerator,
    )
    from kustgen.layers import Layer
    from kustgen.model import IntOrString, Model, Quantity, Resource, from_dict, replace, to_dict
    from kustgen.plan import Environment, Feature, Objects, PlanError, PlanWarning, present
    from kustgen.tree import Base, Cluster, Component, External, Overlay, Patch

_EXPORTS = {
    "kustgen.build": ("check", "render_env", "tree", "verify", "write"),
    "kustgen.errors": (
        "CheckFailed",
        "CollisionError",
        "ConflictError",
        "InputError",
        "KustgenError",
        "LockTimeout",
        "PathEscapeError",
        "PlaintextSecretError",
        "UsageError",
        "WriteError",
    ),
    "kustgen.fleet": ("Fleet",),
    "kustgen.layers": ("Layer",),
    "kustgen.kustomization": (
        "AnnotationsTransformer",
        "ConfigMapGenerator",
        "FieldSpec",
        "File",
        "GeneratorOptions",
        "Image",
        "Kustomization",
        "Label",
        "NameReference",
        "PatchTarget",
        "Replica",
        "SecretGenerator",
    ),
    "kustgen.model": (
        "IntOrString",
        "Model",
        "Quantity",
        "Resource",
        "from_dict",
        "replace",
        "to_dict",
    ),
    "kustgen.plan": (
        "Environment", "Feature", "Objects", "PlanError", "PlanWarning", "present"
    ),
    "kustgen.tree": ("Base", "Cluster", "Component", "External", "Overlay", "Patch"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "AnnotationsTransformer",
    "Base",
    "CheckFailed",
    "Cluster",
    "CollisionError",
    "Component",
    "ConfigMapGenerator",
    "ConflictError",
    "Environment",
    "External",
    "Feature",
    "FieldSpec",
    "File",
    "Fleet",
    "GeneratorOptions",
    "Image",
    "InputError",
    "IntOrString",
    "KustgenError",
    "Kustomization",
    "Label",
    "Layer",
    "LockTimeout",
    "Model",
    "NameReference",
    "Objects",
    "Overlay",
    "Patch",
    "PatchTarget",
    "PathEscapeError",
    "PlaintextSecretError",
    "PlanError",
    "PlanWarning",
    "Quantity",
    "Replica",
    "Resource",
    "SecretGenerator",
    "UsageError",
    "WriteError",
    "check",
    "from_dict",
    "present",
    "render_env",
    "replace",
    "to_dict",
    "tree",
    "verify",
    "write",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'kustgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
