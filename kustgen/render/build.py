"""Accumulation and the per-kustomization step order (FACTS §3.1).

For each kustomization: ``resources`` (files and directories, recursively
built), generators, ``components``, then the transformers in kustomize's
order: patches, namespace, prefix/suffix, labels, annotations,
patchesJson6902, replicas, images, then the ``transformers:`` configurations.
After the top-level build the hash suffixes are added and name references
fixed, once, as kustomize does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kustgen.errors import InputError
from kustgen.render.annotations import run_annotations
from kustgen.render.cache import RenderCache
from kustgen.render.fstree import FileTree, is_within, join, normalise
from kustgen.render.generators import run_generators
from kustgen.render.hashing import hash_suffix
from kustgen.render.images import run_images
from kustgen.render.kustfile import COMPONENT_KIND, Kustomization, parse_kustomization
from kustgen.render.labels import run_labels
from kustgen.render.mergeinfo import MergeInfoFn
from kustgen.render.nameprefix import run_prefix_suffix
from kustgen.render.namerefs import NameRef, fix_back_references, parse_configuration
from kustgen.render.namespace import run_namespace
from kustgen.render.patches import run_json6902, run_patches
from kustgen.render.replicas import run_replicas
from kustgen.render.resmap import ResMap
from kustgen.render.resource import Resource
from kustgen.render.transformers import run_transformers
from kustgen.render.yamlload import load_resources


@dataclass
class Builder:
    tree: FileTree
    merge_info: MergeInfoFn
    cache: RenderCache | None = None
    name_refs: list[NameRef] = field(default_factory=list)
    _stack: list[str] = field(default_factory=list)

    def load(self, directory: str) -> Kustomization:
        path = self.tree.kustomization_file(directory)
        return parse_kustomization(self.tree.read(path), path, directory,
                                   self.tree.kustomization_data(directory))

    def build(self, directory: str, resmap: ResMap | None = None,
              component: bool = False) -> tuple[ResMap, Kustomization]:
        if directory in self._stack:
            raise InputError("cycle in kustomization references", obj=directory)
        self._stack.append(directory)
        if self.cache is not None:
            self.cache.built.append(directory)
        k = self.load(directory)
        if component != k.is_component:
            want = "a Component" if component else "a Kustomization"
            raise k.error(f"expected {want}", "kind")
        resmap = resmap if resmap is not None else ResMap()
        self._accumulate(k, resmap)
        self._stack.pop()
        return resmap, k

    def _accumulate(self, k: Kustomization, resmap: ResMap) -> None:
        entries = [*k.list_field("bases"), *k.list_field("resources")]
        for i, entry in enumerate(entries):
            self._resource(k, entry, f"resources[{i}]", resmap)
        for i, rel in enumerate(k.list_field("configurations")):
            path = join(k.directory, rel)
            if not self.tree.is_file(path):
                raise k.error(f"configuration file {rel!r} not found", f"configurations[{i}]")
            self.name_refs.extend(parse_configuration(self.tree.read(path), path))
        # Kustomize runs a kustomization's own generators before its components,
        # so a component's transformers reach the generated objects too.
        run_generators(k, self.tree, resmap)
        for i, entry in enumerate(k.list_field("components")):
            path = join(k.directory, entry)
            if not self.tree.is_dir(path):
                raise k.error(f"component {entry!r} is not a directory", f"components[{i}]")
            self.build(path, resmap, component=True)
        run_patches(k, self.tree, resmap, self.merge_info)
        run_namespace(k.str_field("namespace"), resmap)
        run_prefix_suffix(k.str_field("namePrefix"), k.str_field("nameSuffix"), resmap)
        run_labels(k, resmap)
        run_annotations(k, resmap)
        run_json6902(k, self.tree, resmap)
        run_replicas(k, resmap)
        run_images(k, resmap)
        run_transformers(k, self.tree, resmap)

    def _resource(self, k: Kustomization, entry: str, where: str, resmap: ResMap) -> None:
        if "://" in entry or entry.startswith("git@"):
            raise k.error(f"remote resource {entry!r} is not supported offline", where)
        try:
            path = join(k.directory, entry)
        except InputError:
            raise k.error(f"{entry!r} leaves the tree root", where) from None
        if self.tree.is_dir(path):
            sub = self._sub_build(path)
            try:
                resmap.extend(sub)
            except InputError as exc:
                raise exc.at(obj=k.path, field_prefix=where) from None
            return
        if not self.tree.is_file(path):
            raise k.error(f"{entry!r} must resolve to a file or a directory", where)
        if not is_within(path, k.directory):
            raise k.error(f"security; file {entry!r} is not in or below {k.directory or '.'}",
                          where)
        for doc in load_resources(self.tree.read(path), path):
            try:
                resmap.append(Resource(doc, path))
            except InputError as exc:
                raise exc.at(obj=k.path, field_prefix=where) from None


    def _sub_build(self, path: str) -> ResMap:
        """A directory named in ``resources``: built once per content (see ``RenderCache``)."""
        digest = self.tree.digest(path) if self.cache is not None else None
        if self.cache is not None and digest is not None and path not in self._stack:
            found = self.cache.build(digest)
            if found is not None:
                resmap = ResMap()
                for res in found:
                    resmap.append(res)
                return resmap
        references = len(self.name_refs)
        sub, _ = self.build(path)
        # A build that read `configurations` changes how the whole build fixes
        # references; it is not reused on its own.
        if self.cache is not None and digest is not None and len(self.name_refs) == references:
            self.cache.keep_build(digest, sub)
        return sub


def build_tree(tree: FileTree, directory: str, merge_info: MergeInfoFn,
               cache: RenderCache | None = None) -> tuple[ResMap, str]:
    """The finished resources of ``directory`` plus its sort order."""
    builder = Builder(tree, merge_info, cache)
    resmap, k = builder.build(normalise(directory))
    if k.data.get("kind") == COMPONENT_KIND:
        raise k.error("a Component cannot be built on its own", "kind")
    for res in resmap:
        if res.needs_hash:
            res.set_name(f"{res.name}-{hash_suffix(res.obj)}")
    fix_back_references(resmap, builder.name_refs)
    order = (k.data.get("sortOptions") or {}).get("order") or "legacy"
    if order not in ("legacy", "fifo"):
        raise k.error(f"unknown sort order {order!r}", "sortOptions.order")
    return resmap, order
