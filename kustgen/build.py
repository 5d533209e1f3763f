"""The library calls behind `kustgen build`, `render` and `envs`.

Each function takes a ``Cluster`` and makes one step of the pipeline
(cluster -> tree -> rendered manifests -> files on disk); the CLI only picks
the cluster and the output directory and calls one of these.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kustgen import writer, yamlio
from kustgen.errors import CheckFailed, InputError
from kustgen.layout import LocalInput, Tree, layout, local_inputs, overlay_dir
from kustgen.tree import Cluster

if TYPE_CHECKING:
    from kustgen.validate.findings import Finding


def tree(cluster: Cluster) -> Tree:
    """The kustomization tree of ``cluster`` (relative path -> file text)."""
    return layout(cluster)


#: The tree as kustomize reads it: generated files plus files kept by hand
#: (bytes for a file that is not UTF-8 text).
InputTree = dict[str, str | bytes]


#: How ``input_tree`` treats secret value files: read them (a missing one is
#: an error), read those that exist, or never read them.
SecretFiles = Literal["read", "if-present", "never"]


def input_tree(cluster: Cluster, root: Path | None = None, *, secrets: SecretFiles = "read"
               ) -> InputTree:
    """The generated files plus the files generators read that kustgen does not
    write, read from ``root``: config files kept beside their kustomization and
    secret value files kept out of git (as ``secrets`` says).  A file not read
    is an empty stand-in (fine for validation; generated names' hashes then
    differ)."""
    files: InputTree = dict(layout(cluster))
    for item in local_inputs(cluster):
        if item.path in files:
            continue
        if root is None or (item.secret and secrets == "never") or (
                item.secret and secrets == "if-present" and not (root / item.path).exists()):
            files[item.path] = ""
        else:
            files[item.path] = _read_local(root, item)
    return files


def _read_local(root: Path, item: LocalInput) -> str | bytes:
    from kustgen.render.fstree import read_file

    path = root / item.path
    what = ("secret values are expected in this file (kept out of git)" if item.secret
            else "this config file is read by a configMapGenerator (keep it beside the "
            "kustomization and commit it, or give its contents with File(path, text))")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{what}; create it first", obj=str(path)) from None
    # kustomize reads only regular files in or below the kustomization directory,
    # links resolved: a file of the repository must not pull in one from elsewhere.
    inside = (root / item.directory).resolve()
    resolved = path.resolve()
    if inside not in resolved.parents:
        raise InputError(f"leads outside {root / item.directory}; refusing to read it",
                         obj=str(path))
    if not stat.S_ISREG(info.st_mode):
        raise InputError("is not a regular file; refusing to read it", obj=str(path))
    return read_file(path)


def render_env(
    cluster: Cluster, env: str, *, files: Mapping[str, str | bytes] | None = None,
    root: Path = Path("."),
) -> str:
    """The final manifests of one environment, byte for byte what
    `kubectl kustomize overlays/ENV` prints for the tree written under ``root``."""
    from kustgen.render import render

    overlay = cluster.overlay(env)
    return yamlio.dump_all(
        render(files if files is not None else input_tree(cluster, root), overlay_dir(overlay))
    )


def validate(cluster: Cluster, *, crd_files: Sequence[Path] = (), root: Path | None = None
             ) -> list[Finding]:
    """Validate and lint every environment (what `kustgen build` does before writing).

    Config files kept by hand are read from ``root`` (the output root); secret
    value files never are (empty stand-ins).  Raises ``CheckFailed`` listing
    every finding when any is an error; otherwise returns the warnings.
    """
    from kustgen.validate import raise_on_errors
    from kustgen.validate import validate as validate_all

    findings = validate_all(cluster, crd_files=crd_files, root=root)
    raise_on_errors(findings)
    return findings


def write(cluster: Cluster, out: Path) -> writer.SyncReport:
    """Write the tree under ``out``, touching only files whose bytes change."""
    return writer.sync(out, layout(cluster))


def check(cluster: Cluster, out: Path) -> writer.SyncReport:
    """Raise ``CheckFailed`` unless the files under ``out`` are exactly the tree."""
    return writer.check(out, layout(cluster))


def verify(cluster: Cluster, out: Path) -> None:
    """Compare `kubectl kustomize` of every written overlay with kustgen's rendering."""
    from kustgen.verify import compare

    files = input_tree(cluster, out)
    expected = {overlay_dir(o): render_env(cluster, o.name, files=files) for o in cluster.overlays}
    mismatches = compare(out, expected)
    if mismatches:
        raise CheckFailed(
            "kubectl kustomize differs from kustgen's rendering for "
            + ", ".join(m.directory for m in mismatches),
            obj="verify",
            details="".join(m.diff for m in mismatches),
        )
