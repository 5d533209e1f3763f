"""The input tree: a read-only mapping of POSIX paths to file text.

``render`` never touches the disk; ``load_tree`` is the one explicit loader
that turns a real directory into such a mapping.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path

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
        self._dirs: set[str] = {""}
        for path in self._files:
            parent = posixpath.dirname(path)
            while parent not in self._dirs:
                self._dirs.add(parent)
                parent = posixpath.dirname(parent)

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
