"""The oracle: `kubectl kustomize` on written overlays, compared with kustgen's rendering.

This is the only module that runs an external program.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from kustgen.errors import ExternalToolError


@dataclass(frozen=True)
class Mismatch:
    directory: str
    diff: str  # unified diff, kustgen's rendering -> kubectl's output


def kubectl_kustomize(directory: Path) -> str:
    """Output of `kubectl kustomize DIRECTORY`; errors become ``ExternalToolError``."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise ExternalToolError("kubectl is not on PATH; it is needed for --verify", obj="kubectl")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        first_line = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ExternalToolError(first_line, obj=f"kubectl kustomize {directory}")
    return result.stdout


def compare(root: Path, expected: Mapping[str, str]) -> list[Mismatch]:
    """Run kubectl on every ``root/<dir>`` of ``expected`` (dir -> rendered text).

    Builds run two at a time: kubectl is single-threaded and CI has two cores.
    """
    directories = sorted(expected)
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(lambda d: kubectl_kustomize(root / d), directories))
    mismatches = []
    for directory, actual in zip(directories, outputs, strict=True):
        if actual != expected[directory]:
            diff = "".join(
                difflib.unified_diff(
                    expected[directory].splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    fromfile=f"kustgen render {directory}",
                    tofile=f"kubectl kustomize {directory}",
                )
            )
            mismatches.append(Mismatch(directory, diff))
    return mismatches
