"""mypy --strict is clean on what users copy: the README's Python examples and the
files `kustgen init` writes (the cluster module and its tests)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kustgen.scaffold import files

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_examples_and_scaffold_pass_mypy_strict(tmp_path: Path) -> None:
    if shutil.which("mypy") is None and subprocess.run(
        [sys.executable, "-m", "mypy", "--version"], capture_output=True
    ).returncode != 0:
        pytest.fail("mypy is not installed (it is in the [test] extra)")
    checked = []
    for index, block in enumerate(BLOCKS):
        path = tmp_path / "readme" / f"readme_block_{index}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(block)
        checked.append(path)
    for relative, text in files("lab", ci="none").items():
        if relative.endswith(".py"):
            path = tmp_path / "scaffold" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            if not relative.endswith("__init__.py"):
                checked.append(path)
    # kustgen as an installed, typed package (py.typed): its own modules are checked
    # by the project's mypy run, here only what the examples use of it.
    config = tmp_path / "mypy.ini"
    config.write_text(
        f"[mypy]\nstrict = True\nmypy_path = {ROOT}\n\n[mypy-kustgen.*]\nignore_errors = True\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config),
         "--cache-dir", str(tmp_path / "cache"), "--no-error-summary", *map(str, checked)],
        cwd=tmp_path, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(checked) == len(BLOCKS) + 2
