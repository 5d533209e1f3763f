"""File systems that refuse the write: read-only, full, out of inodes, another user.

Each of these runs in a private mount namespace (a tmpfs only the run sees).
Everything that can fail is tried before the commit point, so each is one
line and the old tree stays exactly as it was.
"""

from __future__ import annotations

import os
import subprocess

from tests.badinput import CLUSTER, Entry, Sandbox

#: A cluster much larger than the default entry cluster: 120 ConfigMaps of 4 KiB.
LARGE = CLUSTER.replace(
    "overlays=[Overlay(name=\"dev\", bases=[Base(name=\"web\", objects=[settings])])],",
    "overlays=[Overlay(name=\"dev\", bases=[Base(name=\"web\", objects=[settings, *big])])],",
).replace(
    "cluster = Cluster(",
    "big = [{**settings, 'metadata': {'name': f'big-{i}', 'namespace': 'web'},\n"
    "        'data': {'blob': 'x' * 4096}} for i in range(120)]\ncluster = Cluster(",
)


def small_tmpfs(options: str):  # type: ignore[no-untyped-def]
    def mounts(sandbox: Sandbox) -> list[list[str]]:
        sandbox.root.mkdir()
        return [["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(sandbox.root)]]

    return mounts


def grow(sandbox: Sandbox) -> None:
    """The root holds the small tree; the build then asks for the large one."""
    module = next((sandbox.tmp / "project").glob("*.py"))
    module.write_text(LARGE)


def read_only(relative: str):  # type: ignore[no-untyped-def]
    def setup(sandbox: Sandbox) -> None:
        path = str(sandbox.root / relative)
        subprocess.run(["mount", "--bind", path, path], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", path], check=True)

    return setup


def change_the_cluster(sandbox: Sandbox) -> None:
    module = next((sandbox.tmp / "project").glob("*.py"))
    module.write_text(module.read_text().replace('"mode": "on"', '"mode": "off"'))


def not_writable(sandbox: Sandbox) -> None:
    change_the_cluster(sandbox)
    os.chmod(sandbox.root / "bases/web", 0o555)


ENTRIES = [
    Entry(
        id="full-disk",
        hostile="a build that does not fit on the file system (a 256 KiB tmpfs)",
        mounts=small_tmpfs("size=256k"),
        setup=grow,
        error="kustgen: error: {root}: cannot stage the new files: No space left on device; "
        "nothing was changed",
    ),
    Entry(
        id="no-inodes",
        hostile="a file system out of inodes (a tmpfs of 24 inodes)",
        mounts=small_tmpfs("nr_inodes=24"),
        setup=grow,
        error="kustgen: error: {root}: cannot stage the new files: No space left on device; "
        "nothing was changed",
    ),
    Entry(
        id="read-only-root",
        hostile="the output root on a read-only mount",
        mounts=lambda s: [],
        setup=lambda s: (change_the_cluster(s), read_only(".")(s)),
        error="kustgen: error: {root}/.kustgen-state/lock: cannot open the lock: Read-only file "
        "system",
    ),
    Entry(
        id="read-only-subdirectory",
        hostile="`bases/web` on a read-only mount inside the root",
        mounts=lambda s: [],
        setup=lambda s: (change_the_cluster(s), read_only("bases/web")(s)),
        error="kustgen: error: bases/web: cannot write there: Read-only file system; nothing "
        "was changed",
    ),
    Entry(
        id="unwritable-subdirectory",
        hostile="`bases/web` not writable by the user running kustgen (mode 555, not root)",
        user="65534",
        setup=not_writable,
        error="kustgen: error: bases/web: cannot write there: Permission denied; nothing was "
        "changed",
    ),
]
