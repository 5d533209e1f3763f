"""Overlays that write themselves.

An :class:`Environment` (or a :class:`Feature`, for a Component) states what
differs from its bases as edits of typed objects; the planner emits the
smallest overlay kustomize turns into exactly those objects and proves it by
rendering.  One module per concern: ``objects`` (what the user edits),
``smp`` (patches between two objects), ``transforms`` (overlay-wide fields),
``planner`` (search and self-check), ``environment`` (the user-facing API),
``envdiff`` (differences between two environments).
"""

from __future__ import annotations

from kustgen.plan.environment import Environment, Feature
from kustgen.plan.objects import Objects, present
from kustgen.plan.planner import Plan, PlanError, PlanWarning, Request, plan_overlay

__all__ = [
    "Environment",
    "Feature",
    "Objects",
    "Plan",
    "PlanError",
    "PlanWarning",
    "Request",
    "plan_overlay",
    "present",
]
