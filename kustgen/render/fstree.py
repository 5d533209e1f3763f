"""The input tree: a read-only mapping of POSIX paths to file contents.

Contents are text, or bytes for files that are not UTF-8 (a generator may
read binary files).  ``render`` never touches the disk; ``load_tree`` is the
one explicit loader that turns a real directory into such a mapping.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kustgen.errors import InputError

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@functools.lru_cache(maxsize=65536)  # the same paths recur in every build of a tree
def normalise(path: str) -> str:
    """A clean relative POSIX path; ``..`` above the root is refused."""
    norm = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if norm == ".":
        return ""
    if norm == ".." or norm.startswith("../"):
        raise InputError("path leaves the tree root", obj=path)
    return norm


@functools.lru_cache(maxsize=65536)
def join(directory: str, relative: str) -> str:
    return normalise(posixpath.join(directory, relative))


def is_within(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory + "/")


class FileTree:
    """Answers file and directory questions about the mapping."""

    def __init__(self, files: Mapping[str, str | bytes]):
        self._files = {normalise(path): text for path, text in files.items()}
        self._subtrees: dict[str, list[str]] | None = None
        self._digests: dict[str, str] = {}
        self._digesting: set[str] = set()
        self._kustomizations: dict[str, dict[str, Any]] = {}
        self._kustomization_files: dict[str, str] = {}
        self._dirs: set[str] = {""}
        for path in self._files:
            parent = posixpath.dirname(path)
            while parent not in self._dirs:
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)

    def _under(self, directory: str) -> list[str]:
        """Every file in or below ``directory``, sorted."""
        if self._subtrees is None:
            self._subtrees = {}
            for path in sorted(self._files):
                parent = posixpath.dirname(path)
                while True:
                    self._subtrees.setdefault(parent, []).append(path)
                    if not parent:
                        break
                    parent = posixpath.dirname(parent)
        return self._subtrees.get(directory, [])

    def digest(self, directory: str) -> str:
        """A digest of everything a build of ``directory`` reads: the files in and
        below it, the directories its resources and components name elsewhere
        (recursively) and its configuration files.  Equal digests, equal builds."""
        found = self._digests.get(directory)
        if found is not None:
            return found
        if directory in self._digesting:
            return "cycle"  # the build refuses it; nothing is cached for it
        self._digesting.add(directory)
        try:
            digest = hashlib.sha256(directory.encode())
            for path in self._under(directory):
                content = self._files[path]
                data = content if isinstance(content, bytes) else content.encode()
                digest.update(b"\0f" + path.encode() + b"\0" + data)
            for reference in self._references(directory):
                digest.update(b"\0r" + reference.encode())
            found = digest.hexdigest()
        finally:
            self._digesting.discard(directory)
        self._digests[directory] = found
        return found

    def kustomization_data(self, directory: str) -> dict[str, Any]:
        """The YAML of ``directory``'s kustomization file, read once per tree (do not change it)."""
        from kustgen.render.yamlload import load_kustomization

        found = self._kustomizations.get(directory)
        if found is None:
            path = self.kustomization_file(directory)
            found = self._kustomizations[directory] = load_kustomization(self.read(path), path)
        return found

    def _references(self, directory: str) -> list[str]:
        """What a build of ``directory`` reads from outside it, as digest input."""
        try:
            data = self.kustomization_data(directory)
        except InputError:
            return ["unreadable"]  # the build fails the same way
        found = []
        for key in ("bases", "resources", "components", "configurations", "transformers"):
            entries = data.get(key)
            for entry in entries if isinstance(entries, list) else []:
                if not isinstance(entry, str):
                    continue
                try:
                    path = join(directory, entry)
                except InputError:
                    continue
                if is_within(path, directory):
                    continue  # its files are part of the digest already
                if self.is_dir(path):
                    found.append(f"{key}:{entry}:{self.digest(path)}")
                elif self.is_file(path):
                    found.append(f"{key}:{entry}:{self._files[path]!r}")
        return found

    def is_file(self, path: str) -> bool:
        return path in self._files

    def is_dir(self, path: str) -> bool:
        return path in self._dirs

    def read(self, path: str) -> str:
        """The file as text (kustomization, resource and patch files)."""
        content = self._content(path)
        if isinstance(content, str):
            return content
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("is not UTF-8 text", obj=path) from None

    def read_bytes(self, path: str) -> bytes:
        """The file's bytes, as a generator reads them."""
        content = self._content(path)
        return content.encode("utf-8") if isinstance(content, str) else content

    def _content(self, path: str) -> str | bytes:
        try:
            return self._files[path]
        except KeyError:
            raise InputError("file not found", obj=path) from None

    def kustomization_file(self, directory: str) -> str:
        """The one kustomization file of ``directory`` (kustomize's three names)."""
        known = self._kustomization_files.get(directory)
        if known is not None:
            return known
        found = [
            join(directory, name)
            for name in KUSTOMIZATION_NAMES
            if self.is_file(join(directory, name))
        ]
        if not found:
            raise InputError(
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                "'Kustomization' in directory",
                obj=directory or ".",
            )
        if len(found) > 1:
            raise InputError("found multiple kustomization files", obj=directory or ".")
        self._kustomization_files[directory] = found[0]
        return found[0]


def read_file(path: Path) -> str | bytes:
    """A file's exact contents: text when it is UTF-8 (no newline translation,
    kustomize reads bytes), else the bytes."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def load_tree(root: Path) -> dict[str, str | bytes]:
    """Every regular file below ``root`` as ``{relative posix path: contents}``."""
    return {
        path.relative_to(root).as_posix(): read_file(path)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
