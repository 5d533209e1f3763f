"""The input tree: a read-only mapping of POSIX paths to file text.

``render`` never touches the disk; ``load_tree`` is the one explicit loader
that turns a real directory into such a mapping.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kustgen.errors import InputError

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def normalise(path: str) -> str:
    """A clean relative POSIX path; ``..`` above the root is refused."""
    norm = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if norm == ".":
        return ""
    if norm == ".." or norm.startswith("../"):
        raise InputError("path leaves the tree root", obj=path)
    return norm


def join(directory: str, relative: str) -> str:
    return normalise(posixpath.join(directory, relative))


def is_within(path: str, directory: str) -> bool:
    return directory == "" or path == directory or path.startswith(directory + "/")


class FileTree:
    """Answers file and directory questions about the mapping."""

    def __init__(self, files: Mapping[str, str]):
        self._files = {normalise(path): text for path, text in files.items()}
        self._subtrees: dict[str, list[str]] | None = None
        self._digests: dict[str, str] = {}
        self._digesting: set[str] = set()
        self._kustomizations: dict[str, dict[str, Any]] = {}
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
                digest.update(b"\0f" + path.encode() + b"\0" + self._files[path].encode())
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
        for key in ("bases", "resources", "components", "configurations"):
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
                    found.append(f"{key}:{entry}:{self._files[path]}")
        return found

    def is_file(self, path: str) -> bool:
        return path in self._files

    def is_dir(self, path: str) -> bool:
        return path in self._dirs

    def read(self, path: str) -> str:
        try:
            return self._files[path]
        except KeyError:
            raise InputError("file not found", obj=path) from None

    def kustomization_file(self, directory: str) -> str:
        """The one kustomization file of ``directory`` (kustomize's three names)."""
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
        return found[0]


def load_tree(root: Path) -> dict[str, str]:
    """Every regular file below ``root`` as ``{relative posix path: text}``."""
    files: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            try:
                files[path.relative_to(root).as_posix()] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return files
