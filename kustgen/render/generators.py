"""configMapGenerator and secretGenerator (FACTS §3.5).

Generated objects are marked ``needs_hash``; the suffix itself is added once,
after the whole build, by ``build.render`` (kustomize's addHashesToNames), so
patches and overlays (``behavior: merge``/``replace``) see the plain name and
the hash covers the final data.
"""

from __future__ import annotations

import base64
import posixpath
import re
from typing import Any

from kustgen.errors import ConflictError, InputError
from kustgen.render.fstree import FileTree, is_within, join
from kustgen.render.kustfile import Kustomization, check_string_list, check_string_map
from kustgen.render.resmap import ResMap
from kustgen.render.resource import ResId, Resource

_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_GEN_FIELDS = {
    "name", "namespace", "behavior", "literals", "envs", "env", "files", "options", "type",
    "kvSources",
}


def _remove_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _env_pairs(text: str, where: str) -> list[tuple[str, str]]:
    pairs = []
    for number, raw in enumerate(text.splitlines()):
        line = raw.removeprefix("\ufeff") if number == 0 else raw
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise InputError(f"line {number + 1}: {key!r} has no value", obj=where)
        pairs.append((key, value))
    return pairs


class _Sources:
    """Collects the key/value pairs of one generator."""

    def __init__(self, k: Kustomization, tree: FileTree, field: str):
        self.k, self.tree, self.field = k, tree, field
        self.data: dict[str, str] = {}

    def add(self, key: str, value: str, field: str) -> None:
        if not _KEY.match(key):
            raise self.k.error(f"{key!r} is not a valid ConfigMap/Secret key",
                               f"{self.field}.{field}")
        if key in self.data:
            raise self.k.error(
                f"cannot add key {key!r}, another key by that name already exists",
                f"{self.field}.{field}",
            )
        self.data[key] = value

    def read(self, rel: str, field: str) -> str:
        path = join(self.k.directory, rel)
        if not is_within(path, self.k.directory):
            raise self.k.error(f"security; file {rel!r} is not in or below the kustomization "
                               "directory", f"{self.field}.{field}")
        if not self.tree.is_file(path):
            raise self.k.error(f"file {rel!r} not found", f"{self.field}.{field}")
        return self.tree.read(path)

    def collect(self, gen: dict[str, Any]) -> dict[str, str]:
        path = self.k.path
        literals = check_string_list(path, f"{self.field}.literals", gen.get("literals"))
        for i, lit in enumerate(literals):
            key, sep, value = lit.partition("=")
            if not sep:
                raise self.k.error(f"invalid literal source {lit!r}, expected key=value",
                                   f"{self.field}.literals[{i}]")
            self.add(key, _remove_quotes(value), f"literals[{i}]")
        envs = check_string_list(path, f"{self.field}.envs", gen.get("envs"))
        if isinstance(gen.get("env"), str):
            envs.append(gen["env"])
        for i, env in enumerate(envs):
            for key, value in _env_pairs(self.read(env, f"envs[{i}]"), env):
                self.add(key, value, f"envs[{i}]")
        for i, entry in enumerate(check_string_list(path, f"{self.field}.files", gen.get("files"))):
            key, sep, rel = entry.partition("=")
            if not sep:
                key, rel = posixpath.basename(entry), entry
            self.add(key, self.read(rel, f"files[{i}]"), f"files[{i}]")
        return self.data


def _options(k: Kustomization, gen: dict[str, Any], field: str) -> dict[str, Any]:
    glob = k.data.get("generatorOptions") or {}
    local = gen.get("options") or {}
    if not isinstance(glob, dict) or not isinstance(local, dict):
        raise k.error("options must be a mapping", field)
    labels = check_string_map(k.path, "generatorOptions.labels", glob.get("labels"))
    labels |= check_string_map(k.path, f"{field}.options.labels", local.get("labels"))
    annotations = check_string_map(k.path, "generatorOptions.annotations", glob.get("annotations"))
    annotations |= check_string_map(k.path, f"{field}.options.annotations",
                                    local.get("annotations"))
    return {
        "labels": labels,
        "annotations": annotations,
        "no_hash": bool(glob.get("disableNameSuffixHash"))
        or bool(local.get("disableNameSuffixHash")),
        "immutable": bool(glob.get("immutable")) or bool(local.get("immutable")),
    }


def _build_object(kind: str, gen: dict[str, Any], data: dict[str, str],
                  opts: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": gen["name"]}
    if gen.get("namespace"):
        meta["namespace"] = gen["namespace"]
    if opts["labels"]:
        meta["labels"] = dict(opts["labels"])
    if opts["annotations"]:
        meta["annotations"] = dict(opts["annotations"])
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": kind, "metadata": meta}
    if kind == "Secret":
        obj["type"] = gen.get("type") or "Opaque"
        data = {k: base64.b64encode(v.encode("utf-8")).decode("ascii") for k, v in data.items()}
    if data:
        obj["data"] = data
    if opts["immutable"]:
        obj["immutable"] = True
    return obj


def _merge_into(old: Resource, new: dict[str, Any], behavior: str) -> None:
    meta = old.meta
    for key in ("labels", "annotations"):
        merged = {**old.meta.get(key, {}), **new["metadata"].get(key, {})}
        if merged:
            meta[key] = merged
    if behavior == "replace":
        old.obj.pop("data", None)
    if new.get("data"):
        old.obj["data"] = {**(old.obj.get("data") or {}), **new["data"]}
    if new.get("immutable"):
        old.obj["immutable"] = True


def run_generators(k: Kustomization, tree: FileTree, resmap: ResMap) -> None:
    """Append (or merge/replace into) the generated ConfigMaps and Secrets."""
    for field, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")):
        for index, gen in enumerate(k.list_field(field)):
            where = f"{field}[{index}]"
            if not isinstance(gen, dict):
                raise k.error("generator must be a mapping", where)
            unknown = set(gen) - _GEN_FIELDS
            if unknown:
                raise k.error(f"unknown field {sorted(unknown)[0]!r}", where)
            if not isinstance(gen.get("name"), str) or not gen["name"]:
                raise k.error("generator needs a name", f"{where}.name")
            behavior = gen.get("behavior") or "create"
            if behavior not in ("create", "merge", "replace"):
                raise k.error(f"unknown behavior {behavior!r}", f"{where}.behavior")
            data = _Sources(k, tree, where).collect(gen)
            opts = _options(k, gen, where)
            obj = _build_object(kind, gen, data, opts)
            if behavior == "create":
                try:
                    resmap.append(Resource(obj, f"{k.path}: {where}",
                                           needs_hash=not opts["no_hash"], generated=True))
                except ConflictError as exc:
                    raise ConflictError(exc.message, obj=k.path, field=where) from None
                continue
            rid = ResId("", "v1", kind, gen["name"], gen.get("namespace") or "")
            matches = resmap.by_any_id(rid)
            if len(matches) != 1:
                raise k.error(
                    f"{behavior} needs exactly one existing {kind} named {gen['name']!r}, "
                    f"found {len(matches)}",
                    where,
                )
            _merge_into(matches[0], obj, behavior)
