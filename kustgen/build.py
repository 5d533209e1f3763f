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
from kustgen.fleet import Fleet, as_fleet
from kustgen.layout import Tree, environment_dirs, layout, local_inputs, overlay_dir
from kustgen.tree import Cluster

if TYPE_CHECKING:
    from kustgen.validate.findings import Finding


def tree(cluster: Cluster | Fleet) -> Tree:
    """The kustomization tree of ``cluster`` (or a fleet): relative path -> file text."""
    return layout(cluster)


def input_tree(cluster: Cluster | Fleet, root: Path | None = None) -> Tree:
    """The tree as kustomize reads it: the generated files plus the secret value
    files kept out of git, read from ``root``.  Without ``root`` those files are
    empty stand-ins (fine for validation; the generated names' hashes differ)."""
    files = layout(cluster)
    for path in local_inputs(cluster):
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
    cluster: Cluster | Fleet, env: str, *, files: Tree | None = None, root: Path = Path(".")
) -> str:
    """The final manifests of one environment, byte for byte what
    `kubectl kustomize overlays/ENV` prints for the tree written under ``root``."""
    overlay = as_fleet(cluster).overlay(env)
    files = files if files is not None else input_tree(cluster, root)
    return render_dir(files, overlay_dir(overlay))


def render_dir(files: Tree, directory: str) -> str:
    """What `kubectl kustomize DIRECTORY` prints for the tree ``files``."""
    from kustgen.render import render

    return yamlio.dump_all(render(files, directory))


def validate(cluster: Cluster | Fleet, *, crd_files: Sequence[Path] = ()) -> list[Finding]:
    """Validate and lint every environment (what `kustgen build` does before writing).

    Raises ``CheckFailed`` listing every finding when any is an error;
    otherwise returns the warnings.
    """
    from kustgen.validate import raise_on_errors
    from kustgen.validate import validate as validate_all

    findings = validate_all(cluster, crd_files=crd_files)
    raise_on_errors(findings)
    return findings


def write(cluster: Cluster | Fleet, out: Path) -> writer.SyncReport:
    """Write the tree under ``out``, touching only files whose bytes change."""
    return writer.sync(out, layout(cluster))


def check(cluster: Cluster | Fleet, out: Path) -> writer.SyncReport:
    """Raise ``CheckFailed`` unless the files under ``out`` are exactly the tree."""
    return writer.check(out, layout(cluster))


def buildable_dirs(cluster: Cluster | Fleet, files: Tree) -> list[str]:
    """Every directory ``kubectl kustomize`` builds on its own: each environment and
    each of its layers, offline installations and GitOps kustomizations (bases and
    components are built through them; installations by URL need the network)."""
    fleet = as_fleet(cluster)
    found = []
    for overlay in fleet.overlays:
        found.append(overlay_dir(overlay))
        found.extend(d for d, _ in environment_dirs(overlay) if d != overlay_dir(overlay))
    found.extend(f"installs/{i.name}" for i in fleet.all_installs() if not i.remote_resources)
    covered = ("bases/", "components/", "overlays/", "installs/")
    found.extend(path.removesuffix("/kustomization.yaml") for path in files
                 if path.endswith("/kustomization.yaml") and not path.startswith(covered))
    return sorted(set(found))


def verify(cluster: Cluster | Fleet, out: Path) -> int:
    """Compare `kubectl kustomize` of every directory it builds (``buildable_dirs``)
    with kustgen's rendering; return how many were compared."""
    from kustgen.verify import compare

    files = input_tree(cluster, out)
    expected = {d: render_dir(files, d) for d in buildable_dirs(cluster, files)}
    mismatches = compare(out, expected)
    if mismatches:
        raise CheckFailed(
            "kubectl kustomize differs from kustgen's rendering for "
            + ", ".join(m.directory for m in mismatches),
            obj="verify",
            details="".join(m.diff for m in mismatches),
        )
    return len(expected)
