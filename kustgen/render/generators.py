"""configMapGenerator and secretGenerator, as Kustomize v5.5.0 builds them (FACTS §3.5).

The rules follow kustomize's source (``api/kv``, ``api/internal/generators``
and kyaml's ``datamap.go``):

* sources are read in the order env files, literals, files; a key given twice
  is an error;
* env files are split into lines as Go's ``bufio.ScanLines`` does (at ``\\n``
  only, one trailing ``\\r`` dropped), a BOM is dropped from the first line,
  leading white space (Go's ``unicode.IsSpace``) is trimmed, empty and ``#``
  lines are skipped, and a line without ``=`` is a key with an empty value;
* a file's bytes are its value: a ConfigMap keeps UTF-8 text under ``data``
  and anything else base64-encoded under ``binaryData``; a Secret
  base64-encodes every value;
* base64 is wrapped at 70 columns once it is longer than that: every line,
  the last included, then ends in ``\\n`` (kyaml's ``encodeBase64``), which
  also changes the name hash;
* a Secret always has ``data`` (``{}`` when empty); a ConfigMap only when a
  key is there.

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
from kustgen.yamlio import unwritable

_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_GEN_FIELDS = {
    "name", "namespace", "behavior", "literals", "envs", "env", "files", "options", "type",
    "kvSources",
}
#: kyaml's encodeBase64 line length.
BASE64_LINE = 70
#: bufio.Scanner's default token limit: kustomize stops reading an env file at a
#: longer line (it ignores the scanner's error), so kustgen refuses such a file.
_MAX_ENV_LINE = 64 * 1024
#: Go's unicode.IsSpace for Latin-1; above it, the White_Space property (Python's
#: isspace() agrees there, but calls U+001C..U+001F white space too).
_LATIN1_SPACE = frozenset("\t\n\v\f\r \x85\xa0")


def go_is_space(char: str) -> bool:
    return char in _LATIN1_SPACE if char <= "\xff" else char.isspace()


def encode_base64(value: bytes) -> str:
    """kyaml's encodeBase64: base64, in lines of 70 each ending in a newline
    once the encoding is longer than one line."""
    encoded = base64.b64encode(value).decode("ascii")
    if len(encoded) < BASE64_LINE:
        return encoded
    return "".join(encoded[i:i + BASE64_LINE] + "\n"
                   for i in range(0, len(encoded), BASE64_LINE))


def _remove_quotes(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def env_lines(data: bytes) -> list[bytes]:
    """The lines Go's bufio.ScanLines yields: split at ``\\n``, one trailing
    ``\\r`` dropped, no empty last line after a final newline."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def env_pairs(data: bytes, where: str) -> list[tuple[str, str]]:
    """``KEY=VALUE`` pairs of an env file, as kustomize's kv loader reads them."""
    pairs = []
    for number, raw in enumerate(env_lines(data)):
        if len(raw) + 1 > _MAX_ENV_LINE:
            raise InputError(f"line {number + 1} is {len(raw)} bytes long; kustomize stops "
                             "reading an env file at a line of 64 KiB or more", obj=where)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"line {number + 1} is not UTF-8; kustomize refuses it "
                             "(read binary values with files=)", obj=where) from None
        if number == 0:
            line = line.removeprefix("\ufeff")
        start = 0
        while start < len(line) and go_is_space(line[start]):
            start += 1
        line = line[start:]
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        if key:  # kustomize skips a line starting with '=' like a comment
            pairs.append((key, value))
    return pairs


def parse_file_source(source: str) -> tuple[str, str] | str:
    """(key, path) of a ``files`` entry, or the reason kustomize refuses it."""
    separators = source.count("=")
    if separators == 0:
        return posixpath.basename(source.rstrip("/")) or ".", source
    if separators > 1:
        return f"source {source!r}: a key name or file path contains '='"
    key, _, path = source.partition("=")
    if not key:
        return f"missing key name for file path {path!r} in source {source!r}"
    if not path:
        return f"missing file path for key name {key!r} in source {source!r}"
    return key, path


class _Sources:
    """Collects the key/value pairs of one generator, in kustomize's order."""

    def __init__(self, k: Kustomization, tree: FileTree, field: str, name: str):
        self.k, self.tree, self.field, self.name = k, tree, field, name
        self.data: dict[str, bytes] = {}

    def add(self, key: str, value: bytes, field: str) -> None:
        if not _KEY.match(key) or key in (".", "..") or key.startswith(".."):
            raise self.k.error(f"{key!r} is not a valid ConfigMap/Secret key (letters, "
                               "digits, '-', '_' and '.'; not '.' or starting with '..')",
                               f"{self.field}.{field}")
        if key in self.data:
            raise self.k.error(f"{self.name} illegally repeats the key {key!r}",
                               f"{self.field}.{field}")
        self.data[key] = value

    def read(self, rel: str, field: str) -> bytes:
        try:
            path = join(self.k.directory, rel)
        except InputError:
            raise self.k.error(f"file {rel!r} leaves the tree root",
                               f"{self.field}.{field}") from None
        if not is_within(path, self.k.directory):
            raise self.k.error(f"security; file {rel!r} is not in or below the kustomization "
                               "directory", f"{self.field}.{field}")
        if not self.tree.is_file(path):
            raise self.k.error(f"file {rel!r} not found", f"{self.field}.{field}")
        return self.tree.read_bytes(path)

    def collect(self, gen: dict[str, Any]) -> dict[str, bytes]:
        path = self.k.path
        envs = check_string_list(path, f"{self.field}.envs", gen.get("envs"))
        if isinstance(gen.get("env"), str) and gen["env"]:
            envs.append(gen["env"])
        for i, env in enumerate(envs):
            where = f"{self.k.directory}/{env}" if self.k.directory else env
            for key, value in env_pairs(self.read(env, f"envs[{i}]"), where):
                self.add(key, value.encode("utf-8"), f"envs[{i}]")
        literals = check_string_list(path, f"{self.field}.literals", gen.get("literals"))
        for i, lit in enumerate(literals):
            key, sep, value = lit.partition("=")
            if not sep or not key:
                raise self.k.error(f"invalid literal source {lit!r}, expected key=value",
                                   f"{self.field}.literals[{i}]")
            self.add(key, _remove_quotes(value).encode("utf-8"), f"literals[{i}]")
        for i, entry in enumerate(check_string_list(path, f"{self.field}.files", gen.get("files"))):
            parsed = parse_file_source(entry)
            if isinstance(parsed, str):
                raise self.k.error(parsed, f"{self.field}.files[{i}]")
            key, rel = parsed
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


def _text(value: bytes) -> str | None:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _build_object(kind: str, gen: dict[str, Any], data: dict[str, bytes],
                  opts: dict[str, Any], where: str) -> dict[str, Any]:
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
        obj["data"] = {k: encode_base64(v) for k, v in sorted(data.items())}
    else:
        for key, value in sorted(data.items()):
            text = _text(value)
            if text is not None:
                problem = unwritable(text)
                if problem:
                    raise InputError(f"the value of key {key!r} contains {problem}, which "
                                     "kubectl cannot read back from YAML", obj=where)
                obj.setdefault("data", {})[key] = text
            else:
                obj.setdefault("binaryData", {})[key] = encode_base64(value)
    if opts["immutable"]:
        obj["immutable"] = True
    return obj


def _merge_into(old: Resource, new: dict[str, Any], behavior: str, needs_hash: bool) -> None:
    """kustomize's merge/replace of a generated object into an existing one: the
    new object wins, keeping the old one's name, namespace, labels and
    annotations (new ones on top); ``merge`` also keeps the old data keys."""
    meta = new["metadata"]
    for key in ("labels", "annotations"):
        merged = {**old.meta.get(key, {}), **meta.get(key, {})}
        meta.pop(key, None)
        if merged:
            meta[key] = merged
    meta["name"] = old.name
    if old.namespace:
        meta["namespace"] = old.namespace
    else:
        meta.pop("namespace", None)
    if behavior == "merge":
        for field in ("data", "binaryData"):
            merged = {**(old.obj.get(field) or {}), **(new.get(field) or {})}
            new.pop(field, None)
            if merged:  # kustomize's SetDataMap drops an empty map
                new[field] = dict(sorted(merged.items()))
    old.obj.clear()
    old.obj.update(new)
    old.needs_hash = needs_hash


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
            data = _Sources(k, tree, where, f"{kind.lower()} {gen['name']}").collect(gen)
            opts = _options(k, gen, where)
            obj = _build_object(kind, gen, data, opts, f"{k.path}: {where}")
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
            _merge_into(matches[0], obj, behavior, needs_hash=not opts["no_hash"])
