"""The tree as kustomize reads it: kustgen's generated files plus the files kept
by hand beside them that generators read.

Those are config files committed with the tree (a ``ConfigMapGenerator``'s
``files``/``envs`` given as paths) and secret value files kept out of git (a
``SecretGenerator``'s).  ``input_tree`` reads them from the output root where
asked, through the writer's reader (regular files, no link followed: a file
of the repository must not pull in one from elsewhere), and otherwise puts an
empty stand-in in their place: the overlay's shape does not depend on them,
only generated names' hashes do.  Render and ``--verify`` read everything,
validation never reads secret values, ``diff`` reads those that exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kustgen.errors import InputError, WriteError
from kustgen.layout import LocalInput, Tree, layout, local_inputs
from kustgen.tree import Cluster

if TYPE_CHECKING:
    from kustgen.fleet import Fleet

#: Generated files plus files kept by hand (bytes for a file that is not UTF-8).
InputTree = dict[str, str | bytes]

#: How ``input_tree`` treats secret value files: read them (a missing one is
#: an error), read those that exist, or never read them.
SecretFiles = Literal["read", "if-present", "never"]


def input_tree(cluster: Cluster | Fleet, root: Path | None = None, *, secrets: SecretFiles = "read",
               files: Tree | None = None) -> InputTree:
    """``files`` (default: the cluster's layout) plus every file kept by hand,
    read from ``root`` as ``secrets`` says; an empty stand-in where not read
    (always without ``root``)."""
    found: InputTree = dict(files if files is not None else layout(cluster))
    for item in local_inputs(cluster):
        if item.path in found:
            continue
        if root is None or (item.secret and secrets == "never") or (
                item.secret and secrets == "if-present" and not (root / item.path).exists()):
            found[item.path] = ""
        else:
            found[item.path] = read_local(root, item)
    return found


def read_local(root: Path, item: LocalInput) -> str | bytes:
    """One file kept by hand below ``root``: its text, or its bytes when it is not UTF-8."""
    from kustgen.writer.paths import MAX_READ, open_root

    where = root / item.path
    what = ("secret values are expected in this file (kept out of git)" if item.secret
            else "this config file is read by a configMapGenerator (keep it beside the "
            "kustomization and commit it, or give its contents with File(path, text))")
    base = open_root(root, create=False)
    if base is None or any(p in ("", ".", "..") for p in item.path.split("/")):
        raise InputError(f"{what}, inside the output root; create it first", obj=str(where))
    try:
        found = base.file(item.path)
        if found is None:
            raise InputError(f"{what}; create it first", obj=str(where))
        data = base.read(item.path, found, MAX_READ)
    except WriteError as error:
        raise InputError(error.message, obj=str(where)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data
