"""Where SMP gets list merge metadata from.

kustgen's generated models provide
``kustgen.model.list_merge_info(api_version, kind, path) -> ListMergeInfo | None``
(``patch_strategy``, ``merge_key``, ``list_type``, ``list_map_keys``).  The
renderer only needs that shape, so it is typed as a Protocol and looked up
lazily; callers (and tests) may inject their own function.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol


class ListMergeInfo(Protocol):
    @property
    def patch_strategy(self) -> str | None: ...

    @property
    def merge_key(self) -> str | None: ...

    @property
    def list_type(self) -> str | None: ...

    @property
    def list_map_keys(self) -> tuple[str, ...] | list[str] | None: ...


MergeInfoFn = Callable[[str, str, tuple[str, ...]], "ListMergeInfo | None"]


def no_schema(api_version: str, kind: str, path: tuple[str, ...]) -> ListMergeInfo | None:
    """No merge metadata at all: every list is replaced (custom resources)."""
    return None


NEWER_THAN_KUSTOMIZE: frozenset[str] = frozenset(
    {"schedulingGates", "resourceClaims", "resizePolicy", "claims"}
)
"""List fields the Kubernetes 1.32 schema merges by key but Kustomize v5.5.0's
embedded (older) schema does not know, so kubectl replaces them (verified for
``schedulingGates``)."""


def kustomize_view(info: MergeInfoFn) -> MergeInfoFn:
    """``info`` minus the fields kustomize's embedded schema lacks."""

    def view(api_version: str, kind: str, path: tuple[str, ...]) -> ListMergeInfo | None:
        if path and path[-1] in NEWER_THAN_KUSTOMIZE:
            return None
        return info(api_version, kind, path)

    return view


def default_merge_info() -> MergeInfoFn:
    """``kustgen.model.list_merge_info`` as kustomize sees it, else ``no_schema``."""
    try:
        module = importlib.import_module("kustgen.model")
    except ImportError:
        return no_schema
    found = getattr(module, "list_merge_info", None)
    return kustomize_view(found) if callable(found) else no_schema
