"""The README's examples, through the path a user takes.

Every Python block runs; every cluster one defines is built by `kustgen build
--verify` (validation and lint first, then `kubectl kustomize` of every
overlay against kustgen's rendering), with no error and no warning.  Every
kustgen command of a shell block runs, in README order, in one scratch
directory (the set-up block from the repository root).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kustgen import Cluster
from tests.test_cli import kustgen

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TEXT = README.read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, re.S)
SHELL_BLOCKS = re.findall(r"```sh\n(.*?)```", TEXT, re.S)


def cluster_names(index: int) -> list[str]:
    namespace: dict[str, Any] = {}
    exec(compile(BLOCKS[index], f"README.md python block {index}", "exec"), namespace)
    return [name for name, value in namespace.items() if isinstance(value, Cluster)]


def test_readme_has_python_examples() -> None:
    assert BLOCKS
    assert sum(bool(cluster_names(i)) for i in range(len(BLOCKS))) >= 4


@pytest.mark.kubectl
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_builds_with_kustgen_build(index: int, kubectl: str, tmp_path: Path) -> None:
    names = cluster_names(index)
    if not names:
        return  # a fragment (no cluster): running it is the test
    module = f"readme_block_{index}"
    (tmp_path / f"{module}.py").write_text(BLOCKS[index])
    for name in names:
        out = tmp_path / "out" / name
        result = kustgen("build", "--target", f"{module}:{name}", "--out", str(out), "--verify",
                         cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "error" not in result.stderr
        assert "warning" not in result.stderr, result.stderr
        assert result.stdout.splitlines()[-1].startswith("verified ")


def kustgen_commands(block: str) -> list[list[str]]:
    """Each `kustgen ...` (or `cd DIR`) segment of the block's lines, comments dropped."""
    commands = []
    for line in block.splitlines():
        code = line.split(" #", 1)[0].strip()
        for segment in (s.strip() for s in code.split("&&")):
            words = shlex.split(segment) if segment else []
            if not words:
                continue
            program = words[0].rsplit("/", 1)[-1]
            if program == "kustgen" or words[0] == "cd" or "_KUSTGEN_COMPLETE=" in segment:
                commands.append(words)
    return commands


def run_shell_block(block: str, cwd: Path, scratch: Path) -> Path:
    for words in kustgen_commands(block):
        if words[0] == "cd":
            cwd = cwd / words[1]
            continue
        if words[0] == "eval":  # eval "$(_KUSTGEN_COMPLETE=bash_source kustgen)"
            shell, _, program = words[1].strip("$()").partition(" ")
            assert program == "kustgen"
            variable, _, value = shell.partition("=")
            result = subprocess.run(
                [sys.executable, "-m", "kustgen.cli"], cwd=cwd, capture_output=True, text=True,
                env={**os.environ, "PYTHONPATH": str(ROOT), variable: value},
            )
            assert result.returncode == 0 and "_KUSTGEN_COMPLETE" in result.stdout, result
            continue
        args = words[1:]
        if "--out" in args:  # the set-up command's demo tree goes to the scratch directory
            args[args.index("--out") + 1] = str(scratch / "demo")
        result = kustgen(*args, cwd=cwd)
        allowed = (0, 1) if args[0] == "diff" else (0,)
        assert result.returncode in allowed, (words, result.stderr)
        assert "Traceback" not in result.stderr
    return cwd


@pytest.mark.kubectl
def test_readme_shell_commands_run(kubectl: str, tmp_path: Path) -> None:
    assert any("kustgen init" in block for block in SHELL_BLOCKS)
    cwd = tmp_path
    ran = 0
    for block in SHELL_BLOCKS:
        if not kustgen_commands(block):
            continue
        ran += 1
        if "pip install" in block:  # the set-up block: from the repository root
            run_shell_block(block, ROOT, tmp_path)
        else:
            cwd = run_shell_block(block, cwd, tmp_path)
    assert ran >= 3
    assert (tmp_path / "demo/overlays/production/kustomization.yaml").is_file()
    assert (tmp_path / "my-cluster/overlays/staging/kustomization.yaml").is_file()
