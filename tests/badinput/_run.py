"""Running one bad-input entry: prepare its sandbox, snapshot it, run kustgen, snapshot again.

Most entries run in this process (click's runner).  Entries that need mounts
(a full or read-only file system) or another user run in a child process in a
private mount namespace (``unshare --mount``), on a tmpfs over ``/mnt`` that
only that child sees: ``python -m tests.badinput._run ENTRY_ID`` is that
child, and prints the outcome as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.badinput import Entry, Sandbox, entries

REPO = Path(__file__).resolve().parents[2]
STATE = ".kustgen-state"
#: How long one entry may take before it counts as hung (a guard, not a timing).
HANG_GUARD = 120


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    traceback: str
    before: dict[str, str]
    after: dict[str, str]
    root: str


def module_name(entry: Entry) -> str:
    return "badinput_" + re.sub(r"\W", "_", entry.id)


def prepare(entry: Entry, sandbox: Sandbox) -> str:
    """Write the target module, build the root if asked, run the entry's setup."""
    project = sandbox.tmp / "project"
    project.mkdir(parents=True, exist_ok=True)
    name = module_name(entry)
    if entry.target or entry.prebuilt:
        (project / f"{name}.py").write_text(entry.cluster, encoding="utf-8")
    for relative, text in entry.files.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sandbox.outside.mkdir(exist_ok=True)
    (sandbox.outside / "precious").write_text("keep me\n")
    if entry.prebuilt:
        _build_quietly(project, name, sandbox.root)
    entry.setup(sandbox)
    return name


def _build_quietly(project: Path, name: str, root: Path) -> None:
    from kustgen.build import write
    from kustgen.config import load_cluster

    write(load_cluster(f"{name}:cluster", search_path=project), root)


def snapshot(sandbox: Sandbox) -> dict[str, str]:
    """Everything below the sandbox, the user's project included, as seen without
    following links; kustgen's own lock and state .gitignore and Python's
    bytecode caches aside."""
    found: dict[str, str] = {}
    for directory, dirs, files in os.walk(sandbox.tmp):
        relative_dir = os.path.relpath(directory, sandbox.tmp)
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in sorted(dirs + files):
            path = os.path.join(directory, name)
            relative = os.path.normpath(os.path.join(relative_dir, name))
            if relative in (f"root/{STATE}", f"root/{STATE}/lock", f"root/{STATE}/.gitignore"):
                continue
            info = os.lstat(path)
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    found[relative] = f"file {mode:o} " + handle.read().hex()
            elif stat.S_ISLNK(info.st_mode):
                found[relative] = "link -> " + os.readlink(path)
            elif stat.S_ISDIR(info.st_mode):
                found[relative] = f"dir {mode:o}"
            else:
                found[relative] = f"special {stat.S_IFMT(info.st_mode):o}"
    return found


@contextlib.contextmanager
def hang_guard() -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"kustgen hung for {HANG_GUARD} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_GUARD)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def arguments(entry: Entry, sandbox: Sandbox, module: str) -> list[str]:
    target = ["--target", f"{module}:cluster"] if entry.target else []
    out = ["--out", str(sandbox.tmp / entry.out)] if entry.out is not None else []
    return [*entry.args, *target, *out]


def workdir(entry: Entry, sandbox: Sandbox) -> Path:
    return sandbox.tmp / "project" / entry.cwd


def run_in_process(entry: Entry, sandbox: Sandbox) -> Outcome:
    import traceback

    from click.testing import CliRunner

    from kustgen.cli import main

    module = prepare(entry, sandbox)
    before = snapshot(sandbox)
    cwd = os.getcwd()
    os.chdir(workdir(entry, sandbox))
    try:
        with hang_guard():
            result = CliRunner().invoke(
                main, arguments(entry, sandbox, module), env=dict(entry.env), catch_exceptions=True
            )
    finally:
        os.chdir(cwd)
        sys.modules.pop(module, None)
    error = result.exception
    trace = ""
    if error is not None and not isinstance(error, SystemExit):
        trace = "".join(traceback.format_exception(error))
    return Outcome(result.exit_code, result.stdout, result.stderr, trace, before,
                   snapshot(sandbox), str(sandbox.root))


def run_own_process(entry: Entry, sandbox: Sandbox) -> Outcome:
    """Run ``python -m kustgen.cli`` in the entry's project: nothing it imports
    stays behind for the next entry."""
    module = prepare(entry, sandbox)
    before = snapshot(sandbox)
    done = subprocess.run([sys.executable, "-m", "kustgen.cli", *arguments(entry, sandbox, module)],
                          cwd=workdir(entry, sandbox), capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **entry.env},
                          timeout=HANG_GUARD)
    trace = done.stderr if "Traceback (most recent call last)" in done.stderr else ""
    return Outcome(done.returncode, done.stdout, done.stderr, trace, before, snapshot(sandbox),
                   str(sandbox.root))


def run_isolated(entry: Entry) -> Outcome:
    """Run the entry in a child in its own mount namespace (see the module docstring)."""
    command = ["unshare", "--mount", "--propagation", "private",
               sys.executable, "-m", "tests.badinput._run", entry.id]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=HANG_GUARD,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode != 0:
        raise RuntimeError(f"isolated run failed: {done.stderr[-2000:]}")
    return Outcome(**json.loads(done.stdout))


def isolation_available() -> str | None:
    """None when mount namespaces work here, else why not."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return "needs root and unshare(1) for private mounts"
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    return None if probe.returncode == 0 else "unshare --mount is not permitted here"


def _isolated_main(entry_id: str) -> None:
    """The child: a private tmpfs over /mnt, the entry's mounts, then the run."""
    entry = next(e for e in entries() if e.id == entry_id)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/mnt"], check=True)
    sandbox = Sandbox(Path("/mnt/sandbox"))
    sandbox.tmp.mkdir()
    (sandbox.tmp / "project").mkdir()
    if entry.mounts is not None:
        for mount in entry.mounts(sandbox):
            subprocess.run(mount, check=True)
    module = prepare(entry, sandbox)
    if entry.user is not None:
        subprocess.run(["chown", "-R", entry.user, str(sandbox.root)], check=True)
    before = snapshot(sandbox)
    command = [sys.executable, "-m", "kustgen.cli", *arguments(entry, sandbox, module)]
    if entry.user is not None:
        command = ["setpriv", f"--reuid={entry.user}", f"--regid={entry.user}",
                   "--clear-groups", *command]
    done = subprocess.run(command, cwd=workdir(entry, sandbox), capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **entry.env},
                          timeout=HANG_GUARD)
    trace = done.stderr if "Traceback (most recent call last)" in done.stderr else ""
    outcome = Outcome(done.returncode, done.stdout, done.stderr, trace, before,
                      snapshot(sandbox), str(sandbox.root))
    print(json.dumps(asdict(outcome)))


def result_summary(outcome: Outcome) -> dict[str, Any]:
    return {"exit": outcome.exit_code, "stderr": outcome.stderr, "stdout": outcome.stdout}


if __name__ == "__main__":
    _isolated_main(sys.argv[1])
