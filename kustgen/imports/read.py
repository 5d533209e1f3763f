"""Step 1 of `kustgen import`: sources -> Kubernetes objects, each with where it came from.

A source is a YAML file (several documents), a directory of YAML files, ``-``
(standard input) or a kustomization directory, which is rendered with kustgen's
own renderer (the result of ``kubectl kustomize``).  Everything is read with the
bounded reader of :mod:`kustgen.untrusted_yaml`; every document must be a
Kubernetes object (``List`` kinds are expanded), and no object may appear twice.
Explicit ``null`` values are dropped here (Kubernetes treats them as absent), and
so is an empty ``metadata.annotations`` (``kubectl kustomize`` never prints one).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kustgen.errors import InputError
from kustgen.untrusted_yaml import Document, YamlReader

_KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_YAML_SUFFIXES = (".yaml", ".yml", ".json")
_HELM_SOURCE = re.compile(r"^# Source: (\S+)\s*$", re.MULTILINE)
#: Kustomization directories one import may reach through ``resources`` and the like.
_MAX_KUSTOMIZATIONS = 500

Ident = tuple[str, str, str, str]


@dataclass
class SourceObject:
    """One object of the input and where it was found."""

    data: dict[str, Any]
    where: str
    #: The template path of Helm's ``# Source:`` comment, e.g. ``longhorn/templates/psp.yaml``.
    helm_source: str | None = None

    @property
    def ident(self) -> Ident:
        meta = self.data["metadata"]
        return (self.data["apiVersion"], self.data["kind"], meta.get("namespace") or "",
                meta["name"])

    @property
    def label(self) -> str:
        meta = self.data["metadata"]
        ns = meta.get("namespace")
        return f"{self.data['kind']}/{ns + '/' if ns else ''}{meta['name']}"


def drop_nulls(value: Any) -> Any:
    """``value`` without mapping entries whose value is ``null`` (at any depth)."""
    if type(value) is dict:
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if type(value) is list:
        return [drop_nulls(v) for v in value]
    return value


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as kustomize prints it: no ``null`` values, no empty ``metadata.annotations``."""
    data = drop_nulls(data)
    meta = data.get("metadata")
    if type(meta) is dict and meta.get("annotations") == {}:
        del meta["annotations"]
    return data


def _helm_sources(text: str, docs: Sequence[Document]) -> list[str | None]:
    """The ``# Source:`` comment inside each document's lines, if any."""
    comments = [(text.count("\n", 0, m.start()) + 1, m.group(1))
                for m in _HELM_SOURCE.finditer(text)]
    found: list[str | None] = []
    previous_end = 0
    for doc in docs:
        inside = [src for line, src in comments if previous_end < line <= doc.end_line]
        found.append(inside[-1] if inside else None)
        previous_end = doc.end_line
    return found


def _check_object(data: Any, where: str) -> dict[str, Any]:
    if type(data) is not dict:
        kind = "a list" if type(data) is list else f"the value {str(data)[:40]!r}"
        raise InputError(f"not a Kubernetes object (found {kind})", obj=where)
    for key in ("apiVersion", "kind"):
        value = data.get(key)
        if not isinstance(value, str) or not value:
            raise InputError(f"not a Kubernetes object: {key} is missing or not a string",
                             obj=where)
    meta = data.get("metadata")
    if type(meta) is not dict or not isinstance(meta.get("name"), str) or not meta["name"]:
        raise InputError("not a Kubernetes object: metadata.name is missing or not a string",
                         obj=where)
    namespace = meta.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        raise InputError("metadata.namespace is not a string", obj=where)
    return data


class Reader:
    """Collects the objects of several sources, refusing duplicates across all of them."""

    def __init__(self, yaml_reader: YamlReader | None = None) -> None:
        self.yaml = yaml_reader or YamlReader()
        self.objects: list[SourceObject] = []
        self._seen: dict[Ident, str] = {}

    def add_source(self, source: str) -> None:
        if source == "-":
            data = self.yaml.take(sys.stdin.buffer, "<stdin>")
            self._add_text(data, "<stdin>")
            return
        path = Path(source)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", obj=source) from None
        if stat.S_ISDIR(mode):
            if any((path / name).is_file() for name in _KUSTOMIZATION_FILES):
                self._add_kustomization(path)
            else:
                files = sorted(p for p in path.rglob("*")
                               if p.suffix in _YAML_SUFFIXES and p.is_file())
                if not files:
                    raise InputError("holds no YAML files (*.yaml, *.yml, *.json)", obj=source)
                for file in files:
                    self._add_file(file)
        else:
            self._add_file(path)

    def _add_file(self, path: Path) -> None:
        docs = self.yaml.read_path(path)
        text = path.read_text(encoding="utf-8", errors="replace") if docs else ""
        self._add_docs(docs, _helm_sources(text, docs))

    def _add_text(self, data: bytes, source: str) -> None:
        docs = self.yaml.read_bytes(data, source)
        self._add_docs(docs, _helm_sources(data.decode("utf-8", "replace"), docs))

    def _add_docs(self, docs: Sequence[Document], helm: Sequence[str | None]) -> None:
        for doc, helm_source in zip(docs, helm, strict=True):
            data = doc.data
            if type(data) is dict and str(data.get("kind", "")).endswith("List") and (
                "items" in data and data.get("metadata", {}).get("name") is None
            ):
                items = data["items"]
                if type(items) is not list:
                    raise InputError("a List's items must be a list", obj=doc.where)
                for i, item in enumerate(items):
                    self._add(item, f"{doc.where}: items[{i}]", helm_source)
            else:
                self._add(data, doc.where, helm_source)

    def _add(self, data: Any, where: str, helm_source: str | None) -> None:
        obj = SourceObject(normalise(_check_object(data, where)), where, helm_source)
        first = self._seen.get(obj.ident)
        if first is not None:
            raise InputError(f"{obj.label} is defined twice (first in {first})", obj=where)
        self._seen[obj.ident] = where
        self.objects.append(obj)

    def _add_kustomization(self, path: Path) -> None:
        from kustgen.render import render

        directory = path.resolve()
        root = Path(os.path.commonpath([str(d) for d in self._reach(directory)]))
        files = self._load_tree(root, str(path))
        relative = directory.relative_to(root).as_posix()
        for index, data in enumerate(render(files, relative if relative != "." else ""),
                                     start=1):
            self._add(data, f"{path}: rendered object {index}", None)

    def _reach(self, directory: Path) -> list[Path]:
        """Every local path the kustomization at ``directory`` refers to, transitively."""
        seen = [directory]
        queue = [directory]
        while queue:
            current = queue.pop()
            found = [current / n for n in _KUSTOMIZATION_FILES if (current / n).is_file()]
            if not found:
                continue
            docs = self.yaml.read_path(found[0])
            self.yaml.bytes_read -= found[0].stat().st_size  # read again with the tree
            for ref in _local_paths(docs[0].data if docs else None):
                target = (current / ref).resolve()
                if target.is_dir() and target not in seen:
                    if len(seen) >= _MAX_KUSTOMIZATIONS:
                        raise InputError("refers to too many kustomizations", obj=str(directory))
                    seen.append(target)
                    queue.append(target)
                elif target.is_file():
                    seen.append(target.parent)
        return seen

    def _load_tree(self, root: Path, shown: str) -> dict[str, str]:
        """Text files below ``root`` (skipping hidden directories), within the input budget."""
        files: dict[str, str] = {}
        seen = 0
        limits = self.yaml.limits
        for current, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                seen += 1
                path = Path(current, name)
                if seen > limits.max_documents:
                    raise InputError(f"the kustomization's files (below {root}) are more than "
                                     f"{limits.max_documents}", obj=shown)
                try:
                    info = path.stat()
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode) or not path.resolve().is_relative_to(root):
                    continue
                if self.yaml.bytes_read + info.st_size > limits.max_input_bytes:
                    raise InputError(
                        f"the kustomization's files (below {root}) are larger than the "
                        f"{limits.max_input_bytes // (1024 * 1024)} MiB kustgen reads",
                        obj=shown,
                    )
                try:
                    text = path.read_text(encoding="utf-8")
                except (UnicodeDecodeError, OSError):
                    continue
                self.yaml.bytes_read += info.st_size
                files[path.relative_to(root).as_posix()] = text
        return files


def _local_paths(kustomization: Any) -> list[str]:
    """Relative paths a kustomization names (resources, bases, components, files)."""
    found: list[str] = []
    stack = [kustomization]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            stack.extend(value.values())
        elif type(value) is list:
            stack.extend(value)
        elif isinstance(value, str) and "://" not in value and "\n" not in value and (
            value.startswith("..") or "/" in value or value in (".",)
        ):
            found.append(value.split("=", 1)[-1] if "=" in value else value)
    return found


def read_sources(sources: Sequence[str], reader: Reader | None = None) -> list[SourceObject]:
    """Every object of the sources, in order."""
    reader = reader or Reader()
    for source in sources:
        reader.add_source(source)
    if not reader.objects:
        raise InputError("no Kubernetes objects found", obj=", ".join(sources))
    return reader.objects
