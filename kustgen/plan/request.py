"""What the planner is asked and what it answers, and the tree it renders.

Kept apart from :mod:`kustgen.plan.planner` so that an environment whose
plan is in the cache (:mod:`kustgen.plan.cache`) never imports the planner.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kustgen.errors import CheckFailed
from kustgen.kustomization import (
    ConfigMapGenerator,
    GeneratorOptions,
    NameReference,
    SecretGenerator,
)
from kustgen.tree import Base, Cluster, Component, Overlay


class PlanError(CheckFailed):
    """The planner found no overlay that renders exactly the desired objects."""


class PlanWarning(UserWarning):
    """The planner had to fall back to a larger but exact form."""


@dataclass
class Plan:
    """A planned overlay (or component), the objects it renders to, and what the
    planner fell back on."""

    result: Overlay | Component
    objects: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Request:
    """What an environment asks for: its bases, components, generators, objects."""

    name: str
    bases: list[Base]
    components: list[Component]
    desired: list[dict[str, Any]]
    config_maps: list[ConfigMapGenerator] = field(default_factory=list)
    secrets: list[SecretGenerator] = field(default_factory=list)
    generator_options: GeneratorOptions | None = None
    name_references: list[NameReference] = field(default_factory=list)
    local_files: Mapping[str, str | bytes] = field(default_factory=dict)
    component: bool = False
    #: The rendered bases and components, when the caller has them already.
    start: list[dict[str, Any]] | None = None


def plan_files(overlay: Overlay, local_files: Mapping[str, str | bytes],
               extra: Sequence[Component] = ()) -> dict[str, str | bytes]:
    """The tree the planner renders ``overlay`` from: its layout, the files kept
    by hand that ``local_files`` gives, empty stand-ins for the others."""
    from kustgen.layout import generator_dir, layout, local_inputs

    cluster = Cluster(name="plan", overlays=[overlay], components=list(extra))
    files: dict[str, str | bytes] = dict(layout(cluster))
    values = generator_dir(overlay)  # the layer whose generators read them
    for path, text in local_files.items():
        files[f"{values}/{path}"] = text
    for item in local_inputs(cluster):
        # A file kept by hand only changes generated names' hashes, never the
        # overlay's shape: plan with an empty stand-in.
        files.setdefault(item.path, "")
    return files
