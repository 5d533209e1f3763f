"""The README's Python examples run, and the clusters they define build with kubectl."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kustgen import Cluster, Fleet
from kustgen.build import verify, write

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_python_examples() -> None:
    assert BLOCKS


@pytest.mark.kubectl
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_builds(index: int, kubectl: str, tmp_path: Path) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(BLOCKS[index], f"README.md python block {index}", "exec"), namespace)
    targets = [v for v in namespace.values() if isinstance(v, Cluster | Fleet)]
    for target in targets:
        out = tmp_path / f"{type(target).__name__.lower()}-{target.name}"
        write(target, out)
        verify(target, out)
