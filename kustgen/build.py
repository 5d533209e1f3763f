"""The library calls behind `kustgen build`, `render` and `envs`.

Each function takes a ``Cluster`` and makes one step of the pipeline
(cluster -> tree -> rendered manifests -> files on disk); the CLI only picks
the cluster and the output directory and calls one of these.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kustgen import writer, yamlio
from kustgen.errors import CheckFailed, InputError
from kustgen.layout import Tree, layout, local_inputs, overlay_dir
from kustgen.tree import Cluster

if TYPE_CHECKING:
    from kustgen.validate.cache import ValidationCache
    from kustgen.validate.findings import Finding


def tree(cluster: Cluster) -> Tree:
    """The kustomization tree of ``cluster`` (relative path -> file text)."""
    return layout(cluster)


def input_tree(cluster: Cluster, root: Path | None = None) -> Tree:
    """The tree as kustomize reads it: the generated files plus the secret value
    files kept out of git, read from ``root``.  Without ``root`` those files are
    empty stand-ins (fine for validation; the generated names' hashes differ)."""
    files = layout(cluster)
    for path in local_inputs(cluster):  # with_stand_ins, but read from root
        if root is None:
            files[path] = ""
            continue
        try:
            files[path] = (root / path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(
                "secret values are expected in this file (kept out of git); create it first",
                obj=str(root / path),
            ) from None
    return files


def render_env(
    cluster: Cluster, env: str, *, files: Tree | None = None, root: Path = Path(".")
) -> str:
    """The final manifests of one environment, byte for byte what
    `kubectl kustomize overlays/ENV` prints for the tree written under ``root``."""
    from kustgen.render import render

    overlay = cluster.overlay(env)
    return yamlio.dump_all(
        render(files if files is not None else input_tree(cluster, root), overlay_dir(overlay))
    )


def validate(
    cluster: Cluster,
    *,
    crd_files: Sequence[Path] = (),
    files: Tree | None = None,
    cache: ValidationCache | None = None,
) -> list[Finding]:
    """Validate and lint every environment (what `kustgen build` does before writing).

    Raises ``CheckFailed`` listing every finding when any is an error;
    otherwise returns the warnings.  ``files`` is ``tree(cluster)`` when the
    caller has it; ``cache`` keeps results between runs (``kustgen.validate.cache``).
    """
    from kustgen.validate import raise_on_errors
    from kustgen.validate import validate as validate_all

    findings = validate_all(cluster, crd_files=crd_files, files=files, cache=cache)
    raise_on_errors(findings)
    return findings


def write(cluster: Cluster, out: Path, *, files: Tree | None = None) -> writer.SyncReport:
    """Write the tree under ``out`` (``files``: ``tree(cluster)`` if already computed),
    touching only files whose bytes change."""
    return writer.sync(out, files if files is not None else layout(cluster))


def check(cluster: Cluster, out: Path, *, files: Tree | None = None) -> writer.SyncReport:
    """Raise ``CheckFailed`` unless the files under ``out`` are exactly the tree."""
    return writer.check(out, files if files is not None else layout(cluster))


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
