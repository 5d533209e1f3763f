"""The writer: only generated files are touched, writes are atomic, paths stay inside."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kustgen import writer
from kustgen.errors import CheckFailed, CollisionError, PathEscapeError

OLD = {"bases/app/kustomization.yaml": "resources:\n- a.yaml\n", "bases/app/a.yaml": "a: 1\n"}
NEW = {"bases/app/kustomization.yaml": "resources:\n- b.yaml\n", "bases/app/b.yaml": "b: 2\n"}


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_sync_writes_tree_and_manifest(tmp_path: Path) -> None:
    report = writer.sync(tmp_path, OLD)
    assert report.written == sorted(OLD)
    files = snapshot(tmp_path)
    assert {k: v for k, v in files.items() if k != writer.MANIFEST} == OLD
    assert writer.read_manifest(tmp_path) == set(OLD)


def test_second_sync_rewrites_nothing(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    before = {p: os.stat(tmp_path / p).st_mtime_ns for p in OLD}
    report = writer.sync(tmp_path, OLD)
    assert not report.changed
    assert report.unchanged == len(OLD)
    assert {p: os.stat(tmp_path / p).st_mtime_ns for p in OLD} == before


def test_only_changed_files_are_rewritten(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    inode = os.stat(tmp_path / "bases/app/a.yaml").st_ino
    changed = {**OLD, "bases/app/kustomization.yaml": "resources:\n- a.yaml\n- c.yaml\n"}
    report = writer.sync(tmp_path, changed)
    assert report.written == ["bases/app/kustomization.yaml"]
    assert os.stat(tmp_path / "bases/app/a.yaml").st_ino == inode


def test_removes_only_files_it_generated(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    (tmp_path / "bases/app/README.md").write_text("hand-written\n")
    report = writer.sync(tmp_path, NEW)
    assert report.removed == ["bases/app/a.yaml"]
    assert not (tmp_path / "bases/app/a.yaml").exists()
    assert (tmp_path / "bases/app/README.md").read_text() == "hand-written\n"
    assert (tmp_path / "bases/app/b.yaml").read_text() == "b: 2\n"


def test_empty_directories_left_by_removal_go_too(tmp_path: Path) -> None:
    writer.sync(tmp_path, {**OLD, "overlays/dev/kustomization.yaml": "x: 1\n"})
    writer.sync(tmp_path, OLD)
    assert not (tmp_path / "overlays").exists()


def test_collision_with_hand_written_file_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "bases/app").mkdir(parents=True)
    (tmp_path / "bases/app/a.yaml").write_text("mine\n")
    with pytest.raises(CollisionError) as caught:
        writer.sync(tmp_path, OLD)
    assert "bases/app/a.yaml" in caught.value.format()
    assert caught.value.exit_code == 1
    assert snapshot(tmp_path) == {"bases/app/a.yaml": "mine\n"}


def test_identical_unlisted_file_is_adopted(tmp_path: Path) -> None:
    (tmp_path / "bases/app").mkdir(parents=True)
    (tmp_path / "bases/app/a.yaml").write_text(OLD["bases/app/a.yaml"])
    writer.sync(tmp_path, OLD)
    assert writer.read_manifest(tmp_path) == set(OLD)


@pytest.mark.parametrize("bad", ["../evil.yaml", "/etc/passwd", "a/../../b", "a//b", "./a", "a\\b"])
def test_paths_outside_the_root_are_refused(tmp_path: Path, bad: str) -> None:
    root = tmp_path / "out"
    with pytest.raises(PathEscapeError):
        writer.sync(root, {bad: "x\n"})
    assert not (tmp_path / "evil.yaml").exists()
    assert snapshot(tmp_path) == {}


def test_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "bases").symlink_to(outside, target_is_directory=True)
    with pytest.raises(PathEscapeError):
        writer.sync(root, {"bases/x.yaml": "x\n"})
    assert list(outside.iterdir()) == []


def test_check_lists_stale_missing_and_extra(tmp_path: Path) -> None:
    writer.sync(tmp_path, {**OLD, "bases/app/old.yaml": "o: 1\n"})
    (tmp_path / "bases/app/a.yaml").write_text("edited\n")
    tree = {**OLD, "bases/app/new.yaml": "n: 1\n"}
    with pytest.raises(CheckFailed) as caught:
        writer.check(tmp_path, tree)
    assert caught.value.details.splitlines() == [  # one line per file
        "stale: bases/app/a.yaml",
        "missing: bases/app/new.yaml",
        "extra: bases/app/old.yaml",
    ]
    assert caught.value.message.startswith("3 generated file(s) differ")
    assert (tmp_path / "bases/app/a.yaml").read_text() == "edited\n"  # check wrote nothing


def test_check_passes_on_an_up_to_date_tree(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    assert not writer.check(tmp_path, OLD).changed


class Crash(Exception):
    pass


def crash_on_call(monkeypatch: pytest.MonkeyPatch, name: str, after: int) -> None:
    """Make ``os.<name>`` raise on its ``after``-th call, as a crash would stop the run."""
    real = getattr(os, name)
    calls = {"n": 0}

    def flaky(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == after:
            raise Crash(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, flaky)


def test_crash_before_commit_leaves_old_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    crash_on_call(monkeypatch, "fsync", after=2)  # while staging the new files
    with pytest.raises(Crash):
        writer.sync(tmp_path, NEW)
    monkeypatch.undo()
    assert {k: v for k, v in snapshot(tmp_path).items() if ".kustgen-staging" not in k} == before
    writer.sync(tmp_path, OLD)  # the next run cleans up the abandoned staging area
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("after", [2, 3, 4])
def test_crash_after_commit_is_rolled_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, after: int
) -> None:
    writer.sync(tmp_path, OLD)
    crash_on_call(monkeypatch, "replace", after=after)  # 1st replace is the commit
    with pytest.raises(Crash):
        writer.sync(tmp_path, NEW)
    monkeypatch.undo()
    with pytest.raises(CheckFailed, match="interrupted"):
        writer.check(tmp_path, NEW)
    assert writer.recover(tmp_path)
    files = snapshot(tmp_path)
    assert {k: v for k, v in files.items() if k != writer.MANIFEST} == NEW
    assert not writer.check(tmp_path, NEW).changed
