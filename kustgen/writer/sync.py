"""Make the generated files under a root equal a tree: plan, check, stage, commit.

Everything that can fail is done before the commit point: the plan reads
the tree (refusing links, special files and hand-written files), then the
pre-checks look at every directory a step touches (writable, same file
system and mount as the staging area, file names short enough), then the
new directories are made and every new file is written and flushed into the
staging directory.  Any failure up to there removes what was staged and
leaves the tree as it was.  After the journal's rename (the commit point)
only renames and unlinks remain; see :mod:`kustgen.writer.journal`.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from kustgen.errors import CheckFailed, CollisionError, WriteError, display_path
from kustgen.writer import journal, manifest
from kustgen.writer.journal import Journal, Step
from kustgen.writer.paths import (
    MANIFEST,
    STATE_DIR,
    Root,
    check_generated_paths,
    name_max,
    open_root,
    parents,
    reason,
)
from kustgen.writer.state import DEFAULT_TIMEOUT, exclusive, lock_exists, shared, state_dir

#: Names older kustgen versions left in the root itself (never removed: not provably ours).
_LEGACY = re.compile(r"\.kustgen-staging.*|\.kustgen-journal\.json")
_MAX_LISTED = 10


@dataclass
class SyncReport:
    """What a sync did, or (for ``check``) would do."""

    written: list[str] = field(default_factory=list)  # new or changed files
    removed: list[str] = field(default_factory=list)  # generated before, not any more
    unchanged: int = 0
    stale: list[str] = field(default_factory=list)  # subset of written that existed
    missing: list[str] = field(default_factory=list)  # subset of written that did not
    adopted: list[str] = field(default_factory=list)  # identical files taken over (--adopt)
    notes: list[str] = field(default_factory=list)  # recovery done, leftovers found

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed or self.adopted)

    def lines(self) -> list[str]:
        return (
            [f"stale: {p}" for p in self.stale]
            + [f"missing: {p}" for p in self.missing]
            + [f"extra: {p}" for p in self.removed]
        )


@dataclass
class _Plan:
    report: SyncReport
    writes: dict[str, bytes]  # relative path -> new bytes (the manifest included)
    seen: dict[str, os.stat_result]  # files that are replaced or removed, as planned


def sync(
    path: Path,
    tree: Mapping[str, str],
    *,
    adopt: bool = False,
    lock_timeout: float = DEFAULT_TIMEOUT,
) -> SyncReport:
    """Make the generated files under ``path`` equal ``tree``, atomically.

    ``adopt`` lets kustgen take over files that are not in the manifest but
    already hold exactly the bytes it would write; without it they are
    collisions like any other hand-written file.
    """
    check_generated_paths(tree)
    root = open_root(path, create=True)
    assert root is not None
    _check_names(root, tree)
    try:
        with exclusive(root, lock_timeout) as state:
            notes = _recover(root, state)
            plan = _plan(root, tree, adopt=adopt)
            plan.report.notes = notes + _legacy_leftovers(root)
            if plan.writes or plan.report.removed:
                _commit(root, state, plan)
            return plan.report
    except OSError as error:
        raise WriteError(f"{reason(error)}; the tree was left as it was",
                         obj=error.filename or str(path)) from None


def check(
    path: Path, tree: Mapping[str, str], *, lock_timeout: float = DEFAULT_TIMEOUT
) -> SyncReport:
    """Like ``sync`` but writes nothing; raises ``CheckFailed`` listing differences.

    Every problem is reported as a failed check (exit 1), including the ones
    ``sync`` refuses with exit 2 (a link, a FIFO, a journal it cannot trust).
    """
    try:
        return _check(path, tree, lock_timeout)
    except WriteError as error:
        raise CheckFailed(error.message, obj=error.obj) from None
    except OSError as error:
        raise CheckFailed(reason(error), obj=error.filename or str(path)) from None


def recover(path: Path, *, lock_timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Finish (or undo) an interrupted sync, if any.  Returns True when there was one."""
    root = open_root(path, create=False)
    if root is None or state_dir(root, create=False) is None:
        return False
    with exclusive(root, lock_timeout) as state:
        return bool(_recover(root, state))


def read_manifest(path: Path) -> set[str]:
    root = open_root(path, create=False)
    return set() if root is None else manifest.read(root)


# --- steps ------------------------------------------------------------------------------


def _check(path: Path, tree: Mapping[str, str], lock_timeout: float) -> SyncReport:
    check_generated_paths(tree)
    root = open_root(path, create=False)
    if root is None:
        report = SyncReport(missing=sorted(tree), written=sorted(tree))
        _fail_check(report, [], path)
    _check_names(root, tree)
    for _ in range(2):
        with shared(root, lock_timeout) as locked:
            state = state_dir(root, create=False)
            if state is not None and journal.load(root, state) is not None:
                raise CheckFailed(
                    "an interrupted `kustgen build` is pending: run it again", obj=str(path)
                )
            plan = _plan(root, tree, adopt=False)
            leftovers = _legacy_leftovers(root)
            if state is not None:
                leftovers += [
                    f"{STATE_DIR}/{name}: left by an interrupted build (ignored by git; the "
                    "next `kustgen build` removes it)"
                    for name in journal.abandoned(state)
                ]
        if locked or not lock_exists(root):
            break
        # A writer started while this read without a lock: read again under it.
    plan.report.notes = leftovers
    manifest_stale = MANIFEST in plan.writes
    if plan.report.lines() or manifest_stale:
        _fail_check(plan.report, leftovers, path)
    return plan.report


def _fail_check(report: SyncReport, leftovers: list[str], path: Path) -> NoReturn:
    problems = report.lines() or [f"stale: {MANIFEST}"]
    # One line per file (a person reads them, `grep` filters them); the
    # one-line error after them says how many and what to do.
    raise CheckFailed(
        f"{len(problems)} generated file(s) differ from the cluster definition "
        "(run `kustgen build`)",
        obj=display_path(path),
        details="".join(f"kustgen: warning: {note}\n" for note in leftovers)
        + "".join(f"{line}\n" for line in problems),
    )


def _recover(root: Root, state: Path) -> list[str]:
    import shutil  # noqa: F401  (finishing a build must not fail loading it)

    notes = []
    pending = journal.load(root, state)
    if pending is not None:
        cause = journal.settle(root, state, pending)
        notes.append(
            "finished an interrupted kustgen build"
            if cause is None
            else f"undid an interrupted kustgen build ({cause})"
        )
    journal.remove_abandoned(root, state)
    return notes


def _legacy_leftovers(root: Root) -> list[str]:
    return [
        f"{entry.name}: left by an older kustgen version, which staged builds here; "
        "kustgen never acts on it: remove it (git does not ignore it)"
        for entry in sorted(os.scandir(root.path), key=lambda e: e.name)
        if _LEGACY.fullmatch(entry.name)
    ]


def _plan(root: Root, tree: Mapping[str, str], *, adopt: bool) -> _Plan:
    """Compare ``tree`` with the disk.  Raises ``CollisionError`` listing every
    file in the way that kustgen did not generate."""
    previous = manifest.read(root)
    report = SyncReport()
    writes: dict[str, bytes] = {}
    seen: dict[str, os.stat_result] = {}
    foreign: list[str] = []
    identical: list[str] = []
    for relative in sorted(tree):
        data = tree[relative].encode("utf-8")
        found = root.file(relative)
        if found is None:
            report.missing.append(relative)
            writes[relative] = data
        elif relative in previous:
            if root.holds(relative, found, data):
                report.unchanged += 1
            else:
                report.stale.append(relative)
                writes[relative] = data
                seen[relative] = found
        elif root.holds(relative, found, data):
            if adopt:
                report.adopted.append(relative)
                report.unchanged += 1
            else:
                identical.append(relative)
        else:
            foreign.append(relative)
    if foreign or identical:
        raise CollisionError(_collision_message(foreign, identical), obj="output tree")
    for relative in sorted(previous - tree.keys()):
        found = root.file(relative)
        if found is not None:
            report.removed.append(relative)
            seen[relative] = found
    report.written = sorted(writes)
    text = manifest.text(set(tree)).encode("utf-8")
    found = root.file(MANIFEST)
    if found is None or not root.holds(MANIFEST, found, text):
        writes[MANIFEST] = text
        if found is not None:
            seen[MANIFEST] = found
    return _Plan(report, writes, seen)


def _listed(paths: list[str]) -> str:
    shown = ", ".join(paths[:_MAX_LISTED])
    return shown + (f" and {len(paths) - _MAX_LISTED} more" if len(paths) > _MAX_LISTED else "")


def _collision_message(foreign: list[str], identical: list[str]) -> str:
    parts = []
    if foreign:
        parts.append(f"not generated by kustgen, left alone: {_listed(foreign)}")
    if identical:
        parts.append(
            "already there with the bytes kustgen would write but not in "
            f"{MANIFEST}, left alone (`kustgen build --adopt` takes them over): "
            + _listed(identical)
        )
    return "; ".join(parts)


# --- commit -----------------------------------------------------------------------------


def _commit(root: Root, state: Path, plan: _Plan) -> None:
    import shutil  # the steps after the commit point use it: nothing is loaded there

    new_dirs = _precheck(root, state, plan)
    token = journal.new_token()
    staging = state / journal.staging_name(token)
    steps = _steps(plan)
    try:
        os.mkdir(staging, 0o700)
        try:
            _stage(root, staging, plan, steps, new_dirs)
            found = os.lstat(staging)
            record = Journal(
                token=token,
                root=root.identity(),
                staging=(found.st_dev, found.st_ino),
                steps=steps,
                dirs=new_dirs,
            )
            journal.write_durably(staging / "journal", record.to_bytes())
            journal.fsync_dir(staging)
            os.replace(staging / "journal", state / journal.JOURNAL)  # the commit point
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            for directory in reversed(new_dirs):
                journal.remove_empty_dirs(root, directory)
            raise
    except OSError as error:
        filename = os.fspath(error.filename) if error.filename else ""
        if not filename or str(filename).startswith(str(state)):
            where, doing = str(root.path), "cannot stage the new files"
        else:
            where, doing = _relative(root, filename), "cannot write"
        raise WriteError(f"{doing}: {reason(error)}; nothing was changed", obj=where) from None
    journal.fsync_dir(state)
    cause = journal.settle(root, state, record)
    if cause is not None:
        raise WriteError(
            f"{cause}; the build could not be finished, so the previous tree was restored",
            obj=str(root.path),
        )


def _relative(root: Root, filename: object) -> str:
    if not isinstance(filename, (str, os.PathLike)):
        return str(root.path)
    path = os.fspath(filename)
    prefix = str(root.path) + os.sep
    return str(path).removeprefix(prefix) if isinstance(path, str) else str(root.path)


def _steps(plan: _Plan) -> list[Step]:
    steps = []
    for index, relative in enumerate(sorted(plan.writes)):
        old = f"old-{index}" if relative in plan.seen else None
        steps.append(Step(op="write", path=relative, new=f"new-{index}", old=old))
    for index, relative in enumerate(plan.report.removed, start=len(steps)):
        steps.append(Step(op="remove", path=relative, old=f"old-{index}"))
    return steps


def _stage(
    root: Root, staging: Path, plan: _Plan, steps: list[Step], new_dirs: list[str]
) -> None:
    """Make the new directories, write and flush every new file, link every old one."""
    if new_dirs:  # recorded first, so a killed build's directories can be removed again
        journal.write_durably(staging / journal.DIRS_RECORD, json.dumps(new_dirs).encode())
    for directory in new_dirs:
        os.mkdir(root.abspath(directory))
        root.forget(directory)
    writes = [s for s in steps if s.op == "write"]
    targets = [staging / str(s.new) for s in writes]
    data = [plan.writes[s.path] for s in writes]
    if len(writes) > 1:
        # fsync waits on the disk, not the interpreter: overlap those waits.
        from concurrent.futures import ThreadPoolExecutor  # only when writing

        with ThreadPoolExecutor(max_workers=8) as pool:
            inodes = list(pool.map(journal.write_durably, targets, data))
    else:
        inodes = [journal.write_durably(t, d) for t, d in zip(targets, data, strict=True)]
    for step, inode in zip(writes, inodes, strict=True):
        step.new_ino = inode
    for step in steps:
        if step.old is not None:
            step.old_ino = _keep_old(root, step.path, plan.seen[step.path], staging / step.old)


def _keep_old(root: Root, relative: str, seen: os.stat_result, backup: Path) -> int:
    """A hard link to the file a step replaces or removes, so the step can be undone."""
    try:
        os.link(root.abspath(relative), backup, follow_symlinks=False)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        return journal.write_durably(backup, root.read(relative, seen))  # no hard links here
    if os.lstat(backup).st_ino != seen.st_ino:
        raise WriteError("changed while kustgen was writing; run again", obj=relative)
    return seen.st_ino


def _check_names(root: Root, tree: Mapping[str, str]) -> None:
    """File names this file system can hold (a 253-character object name may not fit)."""
    limit = name_max(root)
    for relative in tree:
        for part in relative.split("/"):
            if len(part.encode()) > limit:
                raise WriteError(
                    f"a file name of {len(part.encode())} bytes, longer than this file "
                    f"system allows ({limit}); nothing was changed",
                    obj=relative,
                )


def _precheck(root: Root, state: Path, plan: _Plan) -> list[str]:
    """Everything that could make a step after the commit point fail, checked
    before it.  Returns the directories to create, parents first."""
    new_dirs: list[str] = []
    touched: set[str] = set()
    for relative in [*plan.writes, *plan.report.removed]:
        directory = relative.rpartition("/")[0]
        for parent in [*parents(relative)] or [""]:
            if root.directory(parent) is None and parent not in new_dirs:
                new_dirs.append(parent)
        while directory and root.directory(directory) is None:
            directory = directory.rpartition("/")[0]
        touched.add(directory)
    state_device = os.lstat(state).st_dev
    mounts = _mounts_below(root)
    state_mount = _mount_of(STATE_DIR, mounts)
    for directory in sorted(touched):
        found = root.directory(directory)
        assert found is not None
        if not os.access(root.abspath(directory), os.W_OK | os.X_OK):
            raise WriteError(f"cannot write there: {_why_not_writable(root.abspath(directory))}"
                             "; nothing was changed", obj=directory or ".")
        if found.st_dev != state_device or _mount_of(directory, mounts) != state_mount:
            raise WriteError(
                f"is on another file system or mount than {STATE_DIR}/, so kustgen cannot "
                "replace files there atomically; nothing was changed",
                obj=directory or ".",
            )
    return sorted(new_dirs, key=lambda d: (d.count("/"), d))


def _why_not_writable(path: Path | str) -> str:
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return os.strerror(errno.EROFS)
    except OSError:
        pass
    return os.strerror(errno.EACCES)


def _mounts_below(root: Root) -> list[str]:
    """Mount points strictly inside the root, relative to it (Linux; else none)."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    prefix = str(root.path).rstrip("/") + "/"
    found = []
    for line in lines:
        fields = line.split(" ")
        if len(fields) > 4:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            if point.startswith(prefix):
                found.append(point[len(prefix):])
    return found


def _mount_of(relative: str, mounts: list[str]) -> str:
    return max(
        (m for m in mounts if relative == m or relative.startswith(m + "/")), key=len, default=""
    )

