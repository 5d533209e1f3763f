"""A pure-Python renderer that reproduces ``kubectl kustomize`` (Kustomize v5.5.0).

``render(files, directory)`` builds the kustomization at ``directory`` of an
in-memory tree and returns the resources in kubectl's output order;
``render_directory(path)`` is the explicit loader for a real directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kustgen.render.build import build_tree
from kustgen.render.fstree import FileTree, load_tree
from kustgen.render.mergeinfo import MergeInfoFn, default_merge_info
from kustgen.render.ordering import sort_resources

__all__ = ["render", "render_directory", "sort_resources"]


def _finish(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and meta.get("annotations") == {}:
        del meta["annotations"]
    return obj


def render(files: Mapping[str, str | bytes], directory: str, *,
           merge_info: MergeInfoFn | None = None) -> list[dict[str, Any]]:
    """The objects ``kubectl kustomize <directory>`` would print, in its order.

    ``files`` maps POSIX paths relative to the tree root to file text (or bytes).
    ``merge_info`` overrides where strategic-merge list metadata comes from
    (default: ``kustgen.model.list_merge_info``).
    """
    tree = FileTree(files)
    resmap, order = build_tree(tree, directory, merge_info or default_merge_info())
    docs = [_finish(res.obj) for res in resmap]
    return docs if order == "fifo" else sort_resources(docs)


def render_directory(path: Path, *, merge_info: MergeInfoFn | None = None
                     ) -> list[dict[str, Any]]:
    """Load every file below ``path`` (the kustomization directory) and render it.

    The whole directory becomes the tree root, so references that leave it
    (``../base``) need ``render`` with a larger tree instead.
    """
    return render(load_tree(path), "", merge_info=merge_info)
