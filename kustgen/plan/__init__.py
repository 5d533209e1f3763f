"""Overlays that write themselves.

An :class:`Environment` (or a :class:`Feature`, for a Component) states what
differs from its bases as edits of typed objects; the planner emits the
smallest overlay kustomize turns into exactly those objects and proves it by
rendering.  One module per concern: ``objects`` (what the user edits),
``smp`` (patches between two objects), ``transforms`` (overlay-wide fields),
``planner`` (search and self-check), ``request`` (what it is asked and
answers), ``cache`` (plans kept between runs), ``environment`` (the
user-facing API), ``envdiff`` (differences between two environments).

The planner itself is imported only when something is planned: a plan in
the cache needs none of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kustgen.plan.environment import Environment, Feature
from kustgen.plan.objects import Objects, present
from kustgen.plan.request import Plan, PlanError, PlanWarning, Request

if TYPE_CHECKING:
    from kustgen.plan.planner import plan_overlay

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


def __getattr__(name: str) -> Any:
    if name == "plan_overlay":
        from kustgen.plan.planner import plan_overlay

        return plan_overlay
    raise AttributeError(f"module 'kustgen.plan' has no attribute {name!r}")
