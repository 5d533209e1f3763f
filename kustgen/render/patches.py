"""``patches`` (plus deprecated ``patchesStrategicMerge``/``patchesJson6902``).

A patch is a strategic-merge document or a JSON6902 op list, inline
(``patch:``) or from a file (``path:``).  With a ``target`` it applies to every
selected resource, and a target matching nothing is silently ignored; a
strategic-merge patch without target applies to the resource with its own
kind/name/namespace (original or current id) and is an error when there is
none (FACTS §3.3).
"""

from __future__ import annotations

from typing import Any

from kustgen.errors import InputError
from kustgen.render import aliases
from kustgen.render.fstree import FileTree, is_within, join
from kustgen.render.json6902 import apply_json6902
from kustgen.render.kustfile import Kustomization
from kustgen.render.mergeinfo import MergeInfoFn
from kustgen.render.resmap import ResMap
from kustgen.render.resource import ResId, Resource, split_api_version
from kustgen.render.selector import select
from kustgen.render.smp import apply_smp
from kustgen.render.yamlload import load_patch_documents

_PATCH_FIELDS = {"path", "patch", "target", "options"}


def _read(k: Kustomization, tree: FileTree, rel: str, field: str) -> str:
    path = join(k.directory, rel)
    if not is_within(path, k.directory):
        raise k.error(f"security; file {rel!r} is not in or below the kustomization directory",
                      field)
    if not tree.is_file(path):
        raise k.error(f"patch file {rel!r} not found", field)
    return tree.read(path)


def _apply_smp_to(res: Resource, patch: dict[str, Any], options: dict[str, Any],
                  info: MergeInfoFn, resmap: ResMap, *, targeted: bool = False) -> None:
    patch = dict(patch)
    meta = dict(patch.get("metadata") or {})
    if targeted:
        # Observed with kubectl: for a patch with a target, kustomize copies the
        # patch's own labels and annotations as strings, so a null there stays
        # as the string "null" instead of deleting the key, and a null for the
        # whole map changes nothing.
        for field in ("labels", "annotations"):
            if isinstance(meta.get(field), dict):
                meta[field] = {k: "null" if v is None else v for k, v in meta[field].items()}
            elif field in meta and meta[field] is None:
                del meta[field]
    if "annotations" in meta and meta["annotations"] is None:
        # kustomize keeps its own bookkeeping in the annotations while it builds
        # (the generator's needs-hash, the previous names references are matched
        # by): a patch that drops the whole map drops those too (observed).
        res.needs_hash = False
        res.prev_ids.clear()
    if not options.get("allowNameChange"):
        meta.pop("name", None)
    meta.pop("namespace", None)
    patch["metadata"] = meta
    if not options.get("allowKindChange"):
        patch.pop("kind", None)
        patch.pop("apiVersion", None)
    before = aliases.snapshot(res.aliases, res.obj)
    merged = apply_smp(res.obj, patch, info)
    if merged is None:
        resmap.remove(res)
        return
    aliases.reconcile(res.aliases, merged, before)
    new_name = merged.get("metadata", {}).get("name")
    merged["metadata"]["name"] = res.name
    res.obj = merged
    if isinstance(new_name, str):
        res.set_name(new_name)


def _apply_ops(res: Resource, ops: list[Any], where: str) -> None:
    """JSON6902 operations on one resource.  A name or namespace they change is
    remembered as kustomize's StorePreviousId does, so references follow."""
    name, namespace = res.name, res.namespace
    obj = apply_json6902(res.obj, ops, patch_name=where, target_name=str(res.cur_id()))
    meta = obj.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise InputError(f"patch left {res.cur_id()} without metadata.name", obj=where)
    new_name, new_namespace = meta["name"], meta.get("namespace")
    meta["name"] = name
    if namespace:
        meta["namespace"] = namespace
    else:
        meta.pop("namespace", None)
    res.obj = obj
    res.aliases.clear()  # kustomize round-trips the resource through JSON: nothing shared
    res.set_name(new_name)
    if new_namespace != (namespace or None):
        if isinstance(new_namespace, str) and new_namespace:
            res.set_namespace(new_namespace)
        else:
            res.set_namespace("")
            res.meta.pop("namespace", None)


def _apply(k: Kustomization, resmap: ResMap, docs: list[Any], target: dict[str, Any] | None,
           options: dict[str, Any], field: str, info: MergeInfoFn) -> None:
    where = f"{k.path}: {field}"
    if len(docs) == 1 and isinstance(docs[0], list):
        if target is None:
            raise k.error("a JSON6902 patch needs a target", field)
        for res in select(resmap, target, where):
            _apply_ops(res, docs[0], where)
        return
    for doc in docs:
        if not isinstance(doc, dict):
            raise k.error("a patch must be a mapping or a list of JSON6902 operations", field)
        if target is not None:
            for res in select(resmap, target, where):
                _apply_smp_to(res, doc, options, info, resmap, targeted=True)
            continue
        meta = doc.get("metadata") or {}
        group, version = split_api_version(str(doc.get("apiVersion", "")))
        rid = ResId(group, version, str(doc.get("kind", "")), str(meta.get("name", "")),
                    str(meta.get("namespace", "") or ""))
        found = resmap.by_any_id(rid)
        if len(found) != 1:
            raise k.error(
                f"no resource matches strategic merge patch {rid}" if not found
                else f"strategic merge patch {rid} matches {len(found)} resources",
                field,
            )
        _apply_smp_to(found[0], doc, options, info, resmap)


def run_patches(k: Kustomization, tree: FileTree, resmap: ResMap, info: MergeInfoFn) -> None:
    """``patchesStrategicMerge`` then ``patches`` (kustomize's order)."""
    for i, rel in enumerate(k.list_field("patchesStrategicMerge")):
        field = f"patchesStrategicMerge[{i}]"
        text = _read(k, tree, rel, field) if "\n" not in rel and tree.is_file(
            join(k.directory, rel)) else rel
        _apply(k, resmap, load_patch_documents(text, f"{k.path}: {field}"), None, {}, field,
               info)
    for i, entry in enumerate(k.list_field("patches")):
        field = f"patches[{i}]"
        if not isinstance(entry, dict) or set(entry) - _PATCH_FIELDS:
            raise k.error("a patch needs 'path' or 'patch' and optional target/options", field)
        if ("path" in entry) == ("patch" in entry):
            raise k.error("exactly one of 'path' and 'patch' is required", field)
        text = entry["patch"] if "patch" in entry else _read(k, tree, entry["path"], field)
        if not isinstance(text, str):
            raise k.error("patch must be a string", field)
        target = entry.get("target")
        if target is not None and not isinstance(target, dict):
            raise k.error("target must be a mapping", f"{field}.target")
        options = entry.get("options") or {}
        _apply(k, resmap, load_patch_documents(text, f"{k.path}: {field}"), target, options,
               field, info)


def run_json6902(k: Kustomization, tree: FileTree, resmap: ResMap) -> None:
    """Deprecated ``patchesJson6902`` entries (run after labels/annotations)."""
    for i, entry in enumerate(k.list_field("patchesJson6902")):
        field = f"patchesJson6902[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("target"), dict):
            raise k.error("needs a target and a path or patch", field)
        text = entry["patch"] if "patch" in entry else _read(k, tree, entry.get("path", ""), field)
        docs = load_patch_documents(text, f"{k.path}: {field}")
        if len(docs) != 1 or not isinstance(docs[0], list):
            raise InputError("patchesJson6902 needs a list of operations", obj=k.path, field=field)
        for res in select(resmap, entry["target"], f"{k.path}: {field}"):
            _apply_ops(res, docs[0], f"{k.path}: {field}")
