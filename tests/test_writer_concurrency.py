"""Two and three writers into one tree at once, with a reader checking meanwhile.

The lock must serialise them: every writer succeeds, each one's report is
exactly the change from the tree before it to its own tree (so no writer
reported success for a mixture), the final tree is exactly the last
writer's tree with nothing stray, and the reader -- which holds a shared
lock -- never sees a build half-applied.  ``KUSTGEN_CONCURRENCY_RUNS`` sets
the number of rounds per writer count (default 3).
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kustgen import writer
from kustgen.errors import CheckFailed
from tests.writer_harness import (
    STATE_KEPT,
    expected_report,
    in_child,
    report_of,
    snapshot,
    state_entries,
    tree,
)

RUNS = int(os.environ.get("KUSTGEN_CONCURRENCY_RUNS", "3"))
APPS = int(os.environ.get("KUSTGEN_CONCURRENCY_APPS", "12"))
START = tree("start", APPS)
TREES = [
    tree("a", APPS, drop=range(0, 2)),
    tree("b", APPS, add=range(APPS, APPS + 3)),
    tree("c", APPS, drop=range(APPS - 3, APPS), add=range(APPS + 5, APPS + 7)),
]


def reader(root: Path, checks: int) -> dict[str, int]:
    """``check`` against every tree, repeatedly: what it saw."""
    seen = {"passed": 0, "differs": 0, "pending": 0, "other": 0}
    for _ in range(checks):
        for files in (START, *TREES):
            try:
                writer.check(root, files)
                seen["passed"] += 1
            except CheckFailed as error:
                key = "pending" if "interrupted" in error.message else "differs"
                if "another kustgen run" in error.message:
                    key = "other"
                seen[key] += 1
    return seen


def order_of(results: list[dict[str, Any]], trees: list[dict[str, str]]) -> list[int] | None:
    """An order of the writers in which each report is its change from the tree before."""
    for order in itertools.permutations(range(len(trees))):
        before = START
        for index in order:
            if results[index] != expected_report(before, trees[index]):
                break
            before = trees[index]
        else:
            return list(order)
    return None


@pytest.mark.parametrize("round_", range(RUNS))
@pytest.mark.parametrize("writers", [2, 3])
def test_writers_take_turns(tmp_path: Path, writers: int, round_: int) -> None:
    root = tmp_path / "root"
    writer.sync(root, START)
    trees = TREES[:writers]
    start_read, start_write = os.pipe()  # every child waits for one byte of it
    outcomes: dict[str, tuple[int, Any]] = {}

    def child(key: str, action: Callable[[], Any]) -> threading.Thread:
        def run() -> None:
            outcomes[key] = in_child(action, start=start_read)

        return threading.Thread(target=run)

    threads = [child(str(i), lambda f=files: report_of(root, f, lock_timeout=120))
               for i, files in enumerate(trees)]
    threads.append(child("reader", lambda: reader(root, 6)))
    for thread in threads:
        thread.start()
    os.write(start_write, b"x" * len(threads))
    for thread in threads:
        thread.join()
    os.close(start_read)
    os.close(start_write)

    reports = []
    for i in range(writers):
        killed, result = outcomes[str(i)]
        assert killed == 0 and result is not None and result["ok"], result
        reports.append(result["result"])
    order = order_of(reports, trees)
    assert order is not None, f"a writer reported a change that was not its own: {reports}"
    assert snapshot(root) == snapshot_of(tmp_path / "reference", trees[order[-1]])
    assert state_entries(root) <= STATE_KEPT
    _, seen = outcomes["reader"]
    assert seen is not None and seen["ok"], seen
    assert seen["result"]["pending"] == 0 and seen["result"]["other"] == 0, seen


def snapshot_of(root: Path, files: dict[str, str]) -> dict[str, str]:
    writer.sync(root, files)
    return snapshot(root)
