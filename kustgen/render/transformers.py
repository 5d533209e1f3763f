"""``transformers:``: builtin transformer configurations a kustomization lists.

Kustomize runs them after the kustomization's own transformer fields
(patches, namespace, prefix/suffix, labels, annotations, JSON6902 patches,
replicas, images).  An entry is a file (or inline YAML) of configuration
objects; kustgen renders the builtin ``AnnotationsTransformer`` and
``LabelTransformer`` with the field specs they name, e.g. annotations on
``metadata/annotations`` only, which ``commonAnnotations`` cannot say (it
also writes pod templates).
"""

from __future__ import annotations

from typing import Any

from kustgen.errors import InputError
from kustgen.render.fieldspec import FieldSpec
from kustgen.render.fstree import FileTree, is_within, join
from kustgen.render.kustfile import Kustomization, check_string_map
from kustgen.render.labels import add_pairs
from kustgen.render.resmap import ResMap
from kustgen.render.yamlload import load_resources

#: Builtin transformer kind -> the field of its configuration holding the pairs.
_PAIRS = {"AnnotationsTransformer": "annotations", "LabelTransformer": "labels"}


def _field_specs(config: dict[str, Any], where: str) -> list[FieldSpec]:
    specs = []
    for i, entry in enumerate(config.get("fieldSpecs") or []):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise InputError("a field spec needs a path", obj=where, field=f"fieldSpecs[{i}]")
        specs.append(FieldSpec(entry["path"], kind=entry.get("kind"), group=entry.get("group"),
                               version=entry.get("version"), create=bool(entry.get("create"))))
    return specs


def _configs(k: Kustomization, tree: FileTree, entry: str, field: str
             ) -> list[tuple[str, dict[str, Any]]]:
    if "\n" in entry:
        return [(f"{k.path}: {field}", doc) for doc in load_resources(entry, k.path)]
    try:
        path = join(k.directory, entry)
    except InputError:
        raise k.error(f"{entry!r} leaves the tree root", field) from None
    if not tree.is_file(path):
        raise k.error(f"{entry!r} is not a transformer configuration file kustgen can read "
                      "(directories are not supported)", field)
    if not is_within(path, k.directory):
        raise k.error(f"security; file {entry!r} is not in or below {k.directory or '.'}", field)
    return [(path, doc) for doc in load_resources(tree.read(path), path)]


def run_transformers(k: Kustomization, tree: FileTree, resmap: ResMap) -> None:
    for i, entry in enumerate(k.list_field("transformers")):
        for where, config in _configs(k, tree, entry, f"transformers[{i}]"):
            kind = config.get("kind")
            if config.get("apiVersion") != "builtin" or kind not in _PAIRS:
                raise InputError(f"{config.get('apiVersion')}/{kind} is not supported by "
                                 "kustgen's renderer (builtin AnnotationsTransformer and "
                                 "LabelTransformer are)", obj=where)
            pairs = check_string_map(where, _PAIRS[kind], config.get(_PAIRS[kind]))
            add_pairs(_field_specs(config, where), pairs, resmap)
