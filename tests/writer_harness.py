"""Shared by the writer's fault-injection and concurrency tests: synthetic trees,
exact snapshots, and running a writer in a forked child that may be killed."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kustgen import writer

STATE = writer.STATE_DIR
STATE_KEPT = {".gitignore", "lock"}  # what a settled state directory may hold

#: The os functions the writer changes the disk with: a kill can land at any of them.
HOOKED = ("open", "write", "fsync", "mkdir", "link", "replace", "unlink", "rmdir")


def tree(
    variant: str, apps: int, *, drop: range = range(0), add: range = range(0)
) -> dict[str, str]:
    """A tree of ``apps`` bases and two overlays; ``variant`` changes every third file."""
    files: dict[str, str] = {}
    names = [i for i in range(apps) if i not in drop] + list(add)
    for i in names:
        base = f"bases/app-{i:03d}"
        text = variant if i % 3 == 0 else "v0"
        files[f"{base}/kustomization.yaml"] = f"resources:\n- configmap-app-{i:03d}.yaml\n"
        files[f"{base}/configmap-app-{i:03d}.yaml"] = f"data:\n  variant: {text}\n  i: '{i}'\n"
        for env in ("dev", "prod"):
            files[f"overlays/{env}/patches/configmap-app-{i:03d}.yaml"] = f"{env}: {text}\n"
    for env in ("dev", "prod"):
        resources = "".join(f"- ../../bases/app-{i:03d}\n" for i in names)
        files[f"overlays/{env}/kustomization.yaml"] = f"resources:\n{resources}"
    return files


def snapshot(root: Path) -> dict[str, str]:
    """Every file (with its text) and directory below ``root``, kustgen's settled
    state directory aside: anything more is a stray file."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = str(path.relative_to(root))
        if relative == STATE or (path.parent.name == STATE and path.name in STATE_KEPT):
            continue
        if path.is_symlink():
            found[relative] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[relative + "/"] = ""
        else:
            found[relative] = path.read_bytes().decode("utf-8", "replace")
    return found


def state_entries(root: Path) -> set[str]:
    state = root / STATE
    return {p.name for p in state.iterdir()} if state.is_dir() else set()


def kill_at_call(number: int) -> None:
    """From now on in this process, SIGKILL it at the ``number``-th disk-changing call."""
    counter = itertools.count(1)
    for name in HOOKED:
        real = getattr(os, name)

        def hooked(*args: Any, __real: Callable[..., Any] = real, **kwargs: Any) -> Any:
            if next(counter) == number:
                os.kill(os.getpid(), signal.SIGKILL)
            return __real(*args, **kwargs)

        setattr(os, name, hooked)


def count_calls(action: Callable[[], object]) -> int:
    """How many disk-changing calls ``action`` makes (run in a child; the count comes back)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            counter = itertools.count(1)
            last = [0]
            lock = threading.Lock()
            for name in HOOKED:
                real = getattr(os, name)

                def hooked(*args: Any, __real: Callable[..., Any] = real, **kwargs: Any) -> Any:
                    with lock:
                        last[0] = next(counter)
                    return __real(*args, **kwargs)

                setattr(os, name, hooked)
            action()
            os.write(write, str(last[0]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as handle:
        text = handle.read()
    os.waitpid(pid, 0)
    return int(text)


def in_child(action: Callable[[], Any], *, before: Callable[[], None] | None = None,
             kill_after: float | None = None, start: int | None = None) -> tuple[int, Any]:
    """Run ``action`` in a forked child; returns (signal or 0, its JSON result or None).

    ``before`` runs first in the child (e.g. :func:`kill_at_call`); ``kill_after``
    sends SIGKILL from here after that many seconds; ``start`` is a pipe end the
    child waits on before it starts (for starting several at once).
    """
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read)
            if start is not None:
                os.read(start, 1)
            if before is not None:
                before()
            result = action()
            os.write(write, json.dumps({"ok": True, "result": result}).encode())
        except BaseException as error:  # reported to the parent, never raised in the child
            os.write(write, json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"})
                     .encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write)
    if kill_after is not None:
        timer = threading.Timer(kill_after, _kill_quietly, [pid])
        timer.start()
    with os.fdopen(read) as handle:
        text = handle.read()
    _, status = os.waitpid(pid, 0)
    if kill_after is not None:
        timer.cancel()
    killed = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    return killed, json.loads(text) if text else None


def _kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def report_of(root: Path, files: Mapping[str, str], **options: Any) -> dict[str, list[str]]:
    report = writer.sync(root, files, **options)
    return {"written": report.written, "removed": report.removed}


def expected_report(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, list[str]]:
    return {
        "written": sorted(p for p in after if before.get(p) != after[p]),
        "removed": sorted(p for p in before if p not in after),
    }


def rng(seed: int) -> random.Random:
    return random.Random(seed)
