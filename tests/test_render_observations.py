"""kubectl as the oracle, part 1: the captured observation cases.

Every case under shared/reference/kustomize-observations is rendered with
kustgen and compared with the parsed documents kubectl printed (same objects,
same order); cases where kubectl failed must fail in kustgen too.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from kustgen.errors import KustgenError
from kustgen.render import render
from kustgen.render.fstree import load_tree
from kustgen.render.yamlload import load_resources

OBS = Path(__file__).parents[1].parent / "shared" / "reference" / "kustomize-observations"


def _cases() -> list[str]:
    if not (OBS / "run_all.sh").is_file():
        return []
    script = (OBS / "run_all.sh").read_text()
    block = re.search(r'cases="([^"]*)"', script)
    assert block, "run_all.sh no longer lists its cases"
    return block.group(1).split()


def _skip_if_absent() -> None:
    if not OBS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{OBS} is missing and CI=true")
        pytest.skip(f"observations not found at {OBS}")


@pytest.fixture(scope="module")
def tree() -> dict[str, str]:
    _skip_if_absent()
    return {p: t for p, t in load_tree(OBS).items() if not p.startswith("expected/")}


@pytest.mark.parametrize("case", _cases() or ["<none>"])
def test_observation(case: str, tree: dict[str, str]) -> None:
    out = (OBS / "expected" / (case.replace("/", "_") + ".out")).read_text()
    code = int(re.search(r"^# exit code: (\d+)$", out, re.M).group(1))  # type: ignore[union-attr]
    if code != 0:
        with pytest.raises(KustgenError):
            render(tree, case)
        return
    body = "\n".join(line for line in out.splitlines() if not line.startswith("# "))
    expected = load_resources(body, f"expected/{case}")
    assert render(tree, case) == expected
