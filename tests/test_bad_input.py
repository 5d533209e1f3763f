"""Every entry of the bad-input catalogue (tests/badinput/): one line, the right
exit code, no traceback, nothing written, nothing outside the root touched."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from tests.badinput import DOCUMENT, Entry, Sandbox, answer, document, entries
from tests.badinput._run import (
    Outcome,
    isolation_available,
    run_in_process,
    run_isolated,
    run_own_process,
)

ENTRIES = entries()


def run(entry: Entry, tmp_path: Path) -> Outcome:
    if entry.privileged:
        why_not = isolation_available()
        if why_not is not None:  # CI runs as root: there it must run
            if os.environ.get("CI"):
                pytest.fail(f"{entry.id}: {why_not}")
            pytest.skip(why_not)
    if entry.own_process:
        return run_own_process(entry, Sandbox(tmp_path))
    if not entry.isolated:
        return run_in_process(entry, Sandbox(tmp_path))
    return run_isolated(entry)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_bad_input_gets_one_line_and_changes_nothing(entry: Entry, tmp_path: Path) -> None:
    outcome = run(entry, tmp_path)
    assert not outcome.traceback, outcome.traceback
    expected = entry.error.replace("{root}", outcome.root).replace(
        "{tmp}", str(Path(outcome.root).parent)
    ).replace("{site}", sysconfig.get_paths()["purelib"])
    assert answer(outcome.stderr) == expected + "\n", outcome.stderr
    assert outcome.stdout == ""
    assert outcome.exit_code == entry.exit_code
    changed = sorted(set(outcome.before.items()) ^ set(outcome.after.items()))
    assert not changed, f"written or touched: {changed[:6]}"


def test_document_is_current() -> None:
    assert DOCUMENT.read_text(encoding="utf-8") == document(), (
        "docs/bad-input.md is stale: run `python -m tests.badinput`"
    )
