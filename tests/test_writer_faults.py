"""SIGKILL a large build over an existing tree at random points, and its recovery too.

After every kill, ``check`` must tell the truth (it passes only for the tree
that is really there, and reports a pending build as such); after recovery
the tree is exactly the old one or exactly the new one -- every file and
directory, nothing stray, kustgen's state directory holding only its lock.

Kills land either at a random disk-changing call of the writer (every
boundary between steps is equally likely) or after a random delay.  A third
kind makes a step after the commit point fail (so the build is undone) and
kills the undo.  ``KUSTGEN_FAULT_RUNS`` sets the number of runs of each kind
(default 4); the README gives the result of a large run.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import time
from pathlib import Path

import pytest

from kustgen import writer
from kustgen.errors import CheckFailed
from tests.writer_harness import (
    STATE,
    STATE_KEPT,
    count_calls,
    in_child,
    kill_at_call,
    rng,
    snapshot,
    state_entries,
    tree,
)

RUNS = int(os.environ.get("KUSTGEN_FAULT_RUNS", "4"))
#: When set, each run appends which tree it settled on (and how) to this file.
LOG = os.environ.get("KUSTGEN_FAULT_LOG")
APPS = int(os.environ.get("KUSTGEN_FAULT_APPS", "16"))  # 6 files each, 2 overlays
OLD = tree("old", APPS)
NEW = tree("new", APPS, drop=range(APPS * 3 // 4, APPS), add=range(APPS, APPS * 5 // 4 + 1))


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("references")
    writer.sync(base / "old", OLD)
    writer.sync(base / "new", NEW)
    work = base / "measure"
    shutil.copytree(base / "old", work)
    started = time.monotonic()
    calls = count_calls(lambda: writer.sync(work, NEW))
    return {
        "old": snapshot(base / "old"),
        "new": snapshot(base / "new"),
        "old_root": base / "old",
        "calls": calls,
        "seconds": time.monotonic() - started,
    }


def fresh(root: Path, references: dict[str, object]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(references["old_root"], root)  # type: ignore[arg-type]
    return root


def settled(root: Path, references: dict[str, object]) -> str:
    """Which tree is there ('old' or 'new'), asserting it is exactly that one."""
    found = snapshot(root)
    which = [name for name in ("old", "new") if found == references[name]]
    assert which, f"mixed or stray tree: {sorted(set(found) ^ set(references['new']))[:5]}"  # type: ignore[arg-type]
    assert state_entries(root) <= STATE_KEPT
    if LOG:
        with open(LOG, "a", encoding="utf-8") as handle:
            handle.write(f"{os.environ.get('PYTEST_CURRENT_TEST', '?').split(' ')[0]} "
                         f"{which[0]}\n")
    return which[0]


def generated(found: dict[str, str]) -> dict[str, str]:
    """The files of a snapshot that ``check`` speaks for (no directories, no state)."""
    return {k: v for k, v in found.items() if not k.endswith("/") and not k.startswith(STATE)}


def check_is_truthful(root: Path, references: dict[str, object]) -> None:
    for name, files in (("old", OLD), ("new", NEW)):
        try:
            report = writer.check(root, files)
        except CheckFailed:
            continue
        found = snapshot(root)
        assert generated(found) == generated(references[name]), f"check passed for {name} wrongly"  # type: ignore[arg-type]
        if found != references[name]:  # a killed build's staging: check must say so
            assert any("interrupted build" in note for note in report.notes)


def kill_recovery(root: Path, seed: int, references: dict[str, object]) -> None:
    """Recover in a child killed at a random call, a random number of times."""
    chance = rng(seed)
    calls = int(references["calls"])  # type: ignore[call-overload]
    for _ in range(chance.randint(0, 2)):
        number = chance.randint(1, calls // 2 + 1)
        in_child(lambda: writer.recover(root), before=functools.partial(kill_at_call, number))
        check_is_truthful(root, references)


@pytest.mark.parametrize("seed", range(RUNS))
def test_kill_at_a_random_call_then_recover(
    tmp_path: Path, references: dict[str, object], seed: int
) -> None:
    root = fresh(tmp_path / "root", references)
    number = rng(seed).randint(1, int(references["calls"]))  # type: ignore[call-overload]
    killed, result = in_child(lambda: writer.sync(root, NEW) and None,
                              before=lambda: kill_at_call(number))
    assert killed or (result and result["ok"])
    check_is_truthful(root, references)
    kill_recovery(root, seed, references)
    writer.recover(root)
    which = settled(root, references)
    check_is_truthful(root, references)
    assert not writer.check(root, OLD if which == "old" else NEW).changed


@pytest.mark.parametrize("seed", range(RUNS))
def test_kill_after_a_random_delay_then_recover(
    tmp_path: Path, references: dict[str, object], seed: int
) -> None:
    root = fresh(tmp_path / "root", references)
    delay = rng(seed).uniform(0, float(references["seconds"]))  # type: ignore[arg-type]
    in_child(lambda: writer.sync(root, NEW) and None, kill_after=delay)
    check_is_truthful(root, references)
    kill_recovery(root, seed + 1000, references)
    writer.recover(root)
    settled(root, references)


@pytest.mark.parametrize("seed", range(RUNS))
def test_kill_while_a_failed_build_is_undone(
    tmp_path: Path, references: dict[str, object], seed: int
) -> None:
    root = fresh(tmp_path / "root", references)
    chance = rng(seed)
    failing = chance.randint(2, 60)  # the replace that fails (the first one is the commit)
    kill = chance.randint(1, 200)  # then a kill, counted from the failure

    def fail_then_kill() -> None:
        real = os.replace
        calls = {"n": 0}

        def flaky(src: object, dst: object) -> None:
            calls["n"] += 1
            if calls["n"] == failing:
                kill_at_call(kill)
                raise PermissionError(errno.EACCES, "Permission denied", str(dst))
            real(src, dst)  # type: ignore[arg-type]

        os.replace = flaky  # type: ignore[assignment]

    killed, result = in_child(lambda: writer.sync(root, NEW) and None, before=fail_then_kill)
    if not killed:
        assert result is not None and ("restored" in result.get("error", "") or result["ok"])
    check_is_truthful(root, references)
    writer.recover(root)
    settled(root, references)
