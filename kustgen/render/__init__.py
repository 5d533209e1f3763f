"""A pure-Python renderer that reproduces ``kubectl kustomize`` (Kustomize v5.5.0).

``render(files, directory)`` builds the kustomization at ``directory`` of an
in-memory tree and returns the resources in kubectl's output order;
``render_directory(path)`` is the explicit loader for a real directory.

The renderer's modules are imported on first use, so that importing a light
part of the package (``kustgen.render.scope``) does not load them all.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kustgen.render.cache import RenderCache
    from kustgen.render.fstree import FileTree
    from kustgen.render.mergeinfo import MergeInfoFn
    from kustgen.render.ordering import sort_resources

__all__ = ["FileTree", "RenderCache", "render", "render_directory", "render_sources",
           "sort_resources"]


def _finish(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and meta.get("annotations") == {}:
        del meta["annotations"]
    return obj


def render(files: Mapping[str, str | bytes] | FileTree, directory: str, *,
           merge_info: MergeInfoFn | None = None,
           cache: RenderCache | None = None) -> list[dict[str, Any]]:
    """The objects ``kubectl kustomize <directory>`` would print, in its order.

    ``files`` maps POSIX paths relative to the tree root to file text or bytes (or is a
    ``FileTree`` of them, reused to render several directories of one tree).
    ``merge_info`` overrides where strategic-merge list metadata comes from
    (default: ``kustgen.model.list_merge_info``).  Builds are remembered by
    content in ``cache`` (default: one shared by the process), so the same
    bases and overlays are built once; a custom ``merge_info`` builds afresh.
    """
    from kustgen.render.build import build_tree
    from kustgen.render.cache import SHARED
    from kustgen.render.fstree import FileTree, normalise
    from kustgen.render.mergeinfo import default_merge_info
    from kustgen.render.ordering import sort_resources

    tree = files if isinstance(files, FileTree) else FileTree(files)
    if merge_info is not None:
        cache = None
    elif cache is None:
        cache = SHARED
    digest = tree.digest(normalise(directory)) if cache is not None else ""
    if cache is not None:
        found = cache.result(digest)
        if found is not None:
            return found
    resmap, order = build_tree(tree, directory, merge_info or default_merge_info(), cache)
    docs = [_finish(res.obj) for res in resmap]
    docs = docs if order == "fifo" else sort_resources(docs)
    if cache is not None:
        cache.keep_result(digest, docs)
    return docs


def render_sources(files: Mapping[str, str | bytes] | FileTree, directory: str
                   ) -> list[tuple[dict[str, Any], str]]:
    """Like :func:`render`, each object with the file it was read from (for a
    generated object, the kustomization that generated it); never cached."""
    from kustgen.render.build import build_tree
    from kustgen.render.fstree import FileTree
    from kustgen.render.mergeinfo import default_merge_info
    from kustgen.render.ordering import sort_key

    tree = files if isinstance(files, FileTree) else FileTree(files)
    resmap, order = build_tree(tree, directory, default_merge_info())
    pairs = [(_finish(res.obj), res.source) for res in resmap]
    return pairs if order == "fifo" else sorted(pairs, key=lambda pair: sort_key(pair[0]))


def render_directory(path: Path, *, merge_info: MergeInfoFn | None = None
                     ) -> list[dict[str, Any]]:
    """Load every file below ``path`` (the kustomization directory) and render it.

    The whole directory becomes the tree root, so references that leave it
    (``../base``) need ``render`` with a larger tree instead.
    """
    from kustgen.render.fstree import load_tree

    return render(load_tree(path), "", merge_info=merge_info)


_LAZY = {"FileTree": "fstree", "RenderCache": "cache", "sort_resources": "ordering"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kustgen.render' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"kustgen.render.{module}"), name)
