"""The writer: only generated files are touched, writes are atomic, paths stay inside,
and nothing read from the repository (journal, manifest, files) steers it."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import threading
from pathlib import Path

import pytest

from kustgen import writer
from kustgen.errors import CheckFailed, CollisionError, LockTimeout, PathEscapeError, WriteError
from kustgen.writer import journal

OLD = {"bases/app/kustomization.yaml": "resources:\n- a.yaml\n", "bases/app/a.yaml": "a: 1\n"}
NEW = {
    "bases/app/kustomization.yaml": "resources:\n- b.yaml\n",
    "bases/app/b.yaml": "b: 2\n",
    "overlays/dev/patches/p.yaml": "p: 3\n",
}
STATE = writer.STATE_DIR


def snapshot(root: Path) -> dict[str, str]:
    """Every file and directory below ``root`` except kustgen's lock and .gitignore."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if relative in (STATE, f"{STATE}/lock", f"{STATE}/.gitignore"):
            continue
        if path.is_symlink():
            found[relative] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            found[relative + "/"] = ""
        else:
            found[relative] = path.read_text()
    return found


def files(root: Path) -> dict[str, str]:
    """The generated files alone (no manifest, no directories, no state)."""
    return {
        str(p.relative_to(root)): p.read_text()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != writer.MANIFEST and STATE not in p.parts
    }


def test_sync_writes_tree_and_manifest(tmp_path: Path) -> None:
    report = writer.sync(tmp_path, OLD)
    assert report.written == sorted(OLD)
    assert files(tmp_path) == OLD
    assert writer.read_manifest(tmp_path) == set(OLD)


def test_state_directory_ignores_itself_and_holds_only_the_lock(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    writer.sync(tmp_path, NEW)
    state = tmp_path / STATE
    assert sorted(p.name for p in state.iterdir()) == [".gitignore", "lock"]
    assert (state / ".gitignore").read_text().splitlines()[-1] == "*"


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
    assert snapshot(tmp_path) == {
        "bases/": "", "bases/app/": "", "bases/app/a.yaml": "mine\n"
    }


def test_identical_unlisted_file_is_not_adopted_silently(tmp_path: Path) -> None:
    (tmp_path / "bases/app").mkdir(parents=True)
    (tmp_path / "bases/app/a.yaml").write_text(OLD["bases/app/a.yaml"])
    with pytest.raises(CollisionError, match="--adopt"):
        writer.sync(tmp_path, OLD)
    assert not (tmp_path / writer.MANIFEST).exists()
    report = writer.sync(tmp_path, OLD, adopt=True)
    assert report.adopted == ["bases/app/a.yaml"]
    assert writer.read_manifest(tmp_path) == set(OLD)


def test_a_hand_written_identical_file_is_never_deleted_without_adoption(tmp_path: Path) -> None:
    writer.sync(tmp_path, {"bases/app/kustomization.yaml": "k: 1\n"})
    (tmp_path / "bases/app/a.yaml").write_text("a: 1\n")  # the user's own file
    with pytest.raises(CollisionError):
        writer.sync(tmp_path, OLD)  # kustgen would generate the very same bytes
    writer.sync(tmp_path, {"bases/app/kustomization.yaml": "k: 2\n"})
    assert (tmp_path / "bases/app/a.yaml").read_text() == "a: 1\n"


@pytest.mark.parametrize(
    "bad",
    ["../evil.yaml", "/etc/passwd", "a/../../b", "bases//b", "./a", "a\\b", ".git/config",
     "README.md", "bases/.git/x", "bases/app/../../evil.yaml", writer.MANIFEST,
     f"{STATE}/journal.json", "other/app/x.yaml"],
)
def test_paths_kustgen_does_not_generate_are_refused(tmp_path: Path, bad: str) -> None:
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
    with pytest.raises(WriteError, match="symbolic link"):
        writer.sync(root, {"bases/x/x.yaml": "x\n"})
    assert list(outside.iterdir()) == []


def test_generated_directory_linking_to_another_generated_directory_is_refused(
    tmp_path: Path,
) -> None:
    tree = {"bases/app-001/a.yaml": "a: 1\n", "bases/app-002/b.yaml": "b: 1\n"}
    writer.sync(tmp_path, tree)
    target = tmp_path / "bases/app-001"
    for child in target.iterdir():
        child.unlink()
    target.rmdir()
    target.symlink_to("app-002", target_is_directory=True)
    before = snapshot(tmp_path)
    with pytest.raises(WriteError, match="bases/app-001: is a symbolic link"):
        writer.sync(tmp_path, {**tree, "bases/app-001/a.yaml": "a: 2\n"})
    with pytest.raises(CheckFailed, match="symbolic link"):
        writer.check(tmp_path, tree)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "listed",
    [".git/config", "README.md", writer.MANIFEST, f"{STATE}/lock", "../outside/precious",
     "/etc/hostname", "bases/../../outside/precious", "bases/app/../../README.md"],
)
def test_manifest_naming_what_kustgen_never_generates_is_refused(
    tmp_path: Path, listed: str
) -> None:
    root = tmp_path / "out"
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/precious").write_text("keep\n")
    writer.sync(root, OLD)
    (root / ".git").mkdir()
    (root / ".git/config").write_text("[core]\n")
    (root / "README.md").write_text("# mine\n")
    manifest = root / writer.MANIFEST
    manifest.write_text(manifest.read_text() + listed + "\n")
    before = snapshot(tmp_path)
    with pytest.raises(WriteError, match="never generates") as caught:
        writer.sync(root, NEW)
    assert caught.value.exit_code == 2
    assert snapshot(tmp_path) == before


def test_manifest_that_is_not_text_is_refused(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    (tmp_path / writer.MANIFEST).write_bytes(b"\xff\xfe bases/app/a.yaml\n")
    with pytest.raises(WriteError, match="not UTF-8"):
        writer.sync(tmp_path, NEW)


def _special_files(tmp_path: Path) -> list[tuple[str, object]]:
    return [
        ("fifo", lambda p: os.mkfifo(p)),
        ("link to /dev/zero", lambda p: p.symlink_to("/dev/zero")),
        ("device", lambda p: os.mknod(p, 0o600 | 0o020000, os.makedev(1, 5))),
        ("directory", lambda p: p.mkdir()),
    ]


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "device", "directory"])
@pytest.mark.parametrize("listed", [True, False])
def test_special_file_at_a_generated_path_is_refused_without_reading_it(
    tmp_path: Path, kind: str, listed: bool
) -> None:
    if kind == "device" and os.geteuid() != 0:
        pytest.skip("mknod of a device needs root")
    writer.sync(tmp_path, OLD)
    target = tmp_path / "bases/app/a.yaml"
    target.unlink()
    dict(_special_files(tmp_path))[kind](target)  # type: ignore[operator]
    if not listed:
        (tmp_path / writer.MANIFEST).write_text("")
    with pytest.raises(WriteError, match=r"bases/app/a\.yaml: is a"):
        writer.sync(tmp_path, OLD)  # would hang or run out of memory if it opened it
    with pytest.raises(CheckFailed, match=r"bases/app/a\.yaml: is a") as caught:
        writer.check(tmp_path, OLD)
    assert caught.value.exit_code == 1


def test_special_file_at_a_path_to_remove_is_left_alone(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    (tmp_path / "bases/app/a.yaml").unlink()
    os.mkfifo(tmp_path / "bases/app/a.yaml")
    with pytest.raises(WriteError, match="FIFO"):
        writer.sync(tmp_path, NEW)
    assert (tmp_path / "bases/app/a.yaml").is_fifo()


def test_file_where_a_directory_is_needed(tmp_path: Path) -> None:
    (tmp_path / "bases").write_text("a file\n")
    with pytest.raises(WriteError, match="bases: is a regular file where kustgen needs a dir"):
        writer.sync(tmp_path, OLD)
    assert (tmp_path / "bases").read_text() == "a file\n"


@pytest.mark.parametrize("out", ["dangling", "afile", "afile/sub"])
def test_unusable_output_root_is_one_error(tmp_path: Path, out: str) -> None:
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "afile").write_text("x\n")
    with pytest.raises(WriteError) as caught:
        writer.sync(tmp_path / out, OLD)
    assert caught.value.exit_code == 2
    assert not (tmp_path / "nowhere").exists()


def test_long_file_name_fails_before_anything_is_written(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    long_name = "bases/app/" + "c" * 300 + ".yaml"
    with pytest.raises(WriteError, match="longer than this file system allows"):
        writer.sync(tmp_path, {**NEW, long_name: "x\n"})
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO])
def test_failure_while_staging_leaves_old_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(WriteError, match=f"{os.strerror(code)}; nothing was changed"):
        writer.sync(tmp_path, NEW)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before  # no staging left, no new directory


def test_unwritable_directory_is_found_before_the_commit_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    real_access = os.access
    app = str(tmp_path / "bases/app")
    monkeypatch.setattr(os, "access", lambda p, m: False if str(p) == app else real_access(p, m))
    with pytest.raises(WriteError, match="bases/app: cannot write there"):
        writer.sync(tmp_path, NEW)
    assert snapshot(tmp_path) == before


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
    assert snapshot(tmp_path) == before


def test_killed_staging_is_reported_by_check_and_removed_by_the_next_build(
    tmp_path: Path,
) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    staging = tmp_path / STATE / journal.staging_name("ab" * 16)
    staging.mkdir()
    (staging / "new-0").write_text("half\n")
    (staging / journal.DIRS_RECORD).write_text('["overlays", "overlays/dev"]')
    (tmp_path / "overlays/dev").mkdir(parents=True)  # made before the kill
    report = writer.check(tmp_path, OLD)
    assert any("left by an interrupted build" in note for note in report.notes)
    writer.sync(tmp_path, OLD)
    assert snapshot(tmp_path) == before


def test_legacy_leftovers_are_reported_and_never_acted_on(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep\n")
    root = tmp_path / "out"
    writer.sync(root, OLD)
    (root / ".kustgen-journal.json").write_text(
        '{"staging": "../outside", "steps": [{"op": "remove", "path": "../outside/precious"}]}'
    )
    (root / ".kustgen-staging-x").mkdir()
    report = writer.sync(root, NEW)
    assert (outside / "precious").read_text() == "keep\n"
    assert (root / ".kustgen-staging-x").is_dir()
    assert [n.split(":")[0] for n in report.notes] == [".kustgen-journal.json",
                                                        ".kustgen-staging-x"]


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
    assert files(tmp_path) == NEW
    assert not writer.check(tmp_path, NEW).changed


def test_step_that_fails_after_the_commit_point_undoes_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    real = os.replace
    calls = {"n": 0}

    def flaky(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 4:  # the commit, two steps, then a directory turned read-only
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(WriteError, match="previous tree was restored"):
        writer.sync(tmp_path, NEW)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before
    assert not writer.check(tmp_path, OLD).changed


def test_undo_that_fails_keeps_the_journal_and_the_next_run_settles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer.sync(tmp_path, OLD)
    before = snapshot(tmp_path)
    real = os.replace
    calls = {"n": 0}

    def flaky(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] >= 4 and not str(dst).endswith(".json"):
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", flaky)
    with pytest.raises(WriteError, match="undoing the build failed too"):
        writer.sync(tmp_path, NEW)
    monkeypatch.undo()
    with pytest.raises(CheckFailed, match="interrupted"):
        writer.check(tmp_path, OLD)
    assert writer.recover(tmp_path)
    assert snapshot(tmp_path) == before


def _pending_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A root with a genuine journal of an interrupted build (OLD -> NEW)."""
    root = tmp_path / "out"
    writer.sync(root, OLD)
    crash_on_call(monkeypatch, "replace", after=2)
    with pytest.raises(Crash):
        writer.sync(root, NEW)
    monkeypatch.undo()
    return root


def test_journal_copied_to_another_checkout_is_never_acted_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    root = _pending_journal(tmp_path, monkeypatch)
    copy = tmp_path / "copy"
    shutil.copytree(root, copy, symlinks=True)
    before = snapshot(copy)
    with pytest.raises(WriteError, match="made for another directory") as caught:
        writer.sync(copy, OLD)
    assert caught.value.exit_code == 2
    with pytest.raises(CheckFailed, match="not acted on"):
        writer.check(copy, OLD)
    assert snapshot(copy) == before
    assert writer.recover(root)  # the original is still finished by its own journal
    assert files(root) == NEW


@pytest.mark.parametrize(
    "change",
    [
        lambda j: j.update(staging=[0, 0]),
        lambda j: j.update(token="0" * 32),
        lambda j: j["steps"][0].update(path="../outside/precious"),
        lambda j: j["steps"][0].update(path=".git/config"),
        lambda j: j["steps"][0].update(new="../../outside/precious"),
        lambda j: j["steps"][0].update(op="rmtree"),
        lambda j: j.update(dirs=["../outside"]),
        lambda j: j.update(extra=1),
        lambda j: j.pop("steps"),
    ],
    ids=["staging", "token", "escape", "git", "staged-name", "op", "dirs", "extra", "missing"],
)
def test_tampered_journal_is_refused_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: object
) -> None:
    root = _pending_journal(tmp_path, monkeypatch)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/precious").write_text("keep\n")
    path = root / STATE / journal.JOURNAL
    data = json.loads(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    before = snapshot(tmp_path)
    with pytest.raises(WriteError, match=r"journal\.json: not acted on"):
        writer.sync(root, OLD)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b"\xff", b'{"format": 1}', b"null"])
def test_malformed_journal_is_one_line(tmp_path: Path, content: bytes) -> None:
    writer.sync(tmp_path, OLD)
    (tmp_path / STATE / journal.JOURNAL).write_bytes(content)
    with pytest.raises(WriteError) as caught:
        writer.sync(tmp_path, NEW)
    assert "\n" not in caught.value.format()
    assert files(tmp_path) == OLD


@pytest.mark.parametrize("what", ["state", "lock", "journal", "gitignore"])
def test_links_in_the_state_directory_are_not_followed(tmp_path: Path, what: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious").write_text("keep\n")
    root = tmp_path / "out"
    root.mkdir()
    if what == "state":
        (root / STATE).symlink_to(outside, target_is_directory=True)
    else:
        (root / STATE).mkdir()
        name = {"lock": "lock", "journal": journal.JOURNAL, "gitignore": ".gitignore"}[what]
        (root / STATE / name).symlink_to(outside / "precious")
    try:
        writer.sync(root, OLD)
    except WriteError as error:
        assert "\n" not in error.format()
    assert (outside / "precious").read_text() == "keep\n"
    assert sorted(p.name for p in outside.iterdir()) == ["precious"]


def test_second_writer_waits_then_fails_with_one_line(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    fd = os.open(tmp_path / STATE / "lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(LockTimeout, match="another kustgen run is writing") as caught:
            writer.sync(tmp_path, NEW, lock_timeout=0.1)
        assert caught.value.exit_code == 2
        with pytest.raises(CheckFailed, match="another kustgen run"):
            writer.check(tmp_path, OLD, lock_timeout=0.1)
    finally:
        os.close(fd)
    assert files(tmp_path) == OLD


def test_waiting_writer_goes_on_when_the_lock_is_released(tmp_path: Path) -> None:
    writer.sync(tmp_path, OLD)
    fd = os.open(tmp_path / STATE / "lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    threading.Timer(0.2, os.close, [fd]).start()
    writer.sync(tmp_path, NEW, lock_timeout=30)
    assert files(tmp_path) == NEW


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


def test_check_of_a_missing_root_lists_every_file_and_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(CheckFailed) as caught:
        writer.check(tmp_path / "absent", OLD)
    assert "missing: bases/app/a.yaml" in caught.value.details.splitlines()
    assert not (tmp_path / "absent").exists()
