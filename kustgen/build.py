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
from kustgen.errors import CheckFailed
from kustgen.layout import Tree, layout, overlay_dir
from kustgen.tree import Cluster

if TYPE_CHECKING:
    from kustgen.validate.findings import Finding


def tree(cluster: Cluster) -> Tree:
    """The kustomization tree of ``cluster`` (relative path -> file text)."""
    return layout(cluster)


def render_env(cluster: Cluster, env: str, *, files: Tree | None = None) -> str:
    """The final manifests of one environment, byte for byte what
    `kubectl kustomize overlays/ENV` prints for the written tree."""
    from kustgen.render import render

    overlay = cluster.overlay(env)
    return yamlio.dump_all(
        render(files if files is not None else layout(cluster), overlay_dir(overlay))
    )


def validate(cluster: Cluster, *, crd_files: Sequence[Path] = ()) -> list[Finding]:
    """Validate and lint every environment (what `kustgen build` does before writing).

    Raises ``CheckFailed`` listing every finding when any is an error;
    otherwise returns the warnings.
    """
    from kustgen.validate import raise_on_errors
    from kustgen.validate import validate as validate_all

    findings = validate_all(cluster, crd_files=crd_files)
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

    files = layout(cluster)
    expected = {overlay_dir(o): render_env(cluster, o.name, files=files) for o in cluster.overlays}
    mismatches = compare(out, expected)
    if mismatches:
        raise CheckFailed(
            "kubectl kustomize differs from kustgen's rendering for "
            + ", ".join(m.directory for m in mismatches),
            obj="verify",
            details="".join(m.diff for m in mismatches),
        )
