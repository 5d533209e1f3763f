"""Hostile repository contents: journal, manifest, state and generated paths.

kustgen runs on branches other people wrote, so a journal, a manifest or a
file at a generated path may have been put there to steer it.  None of these
gets kustgen to touch anything outside its own generated files, follow a
link, or open a FIFO or a device.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from tests.badinput import Entry, Sandbox

JOURNAL = ".kustgen-state/journal.json"


def put(relative: str, content: str | bytes) -> Callable[[Sandbox], None]:
    def setup(sandbox: Sandbox) -> None:
        path = sandbox.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        if path.exists():
            path.unlink()
        path.write_bytes(data)

    return setup


def listed(line: str) -> Callable[[Sandbox], None]:
    def setup(sandbox: Sandbox) -> None:
        manifest = sandbox.root / ".kustgen-manifest"
        manifest.write_text(manifest.read_text() + line + "\n")
        (sandbox.root / ".git").mkdir()
        (sandbox.root / ".git/config").write_text("[core]\n")
        (sandbox.root / "README.md").write_text("# mine\n")

    return setup


def replaced(
    relative: str, make: Callable[[os.PathLike[str]], object]
) -> Callable[[Sandbox], None]:
    def setup(sandbox: Sandbox) -> None:
        path = sandbox.root / relative
        if path.is_dir() and not path.is_symlink():
            for child in path.iterdir():
                child.unlink()
            path.rmdir()
        elif path.exists() or path.is_symlink():
            path.unlink()
        make(path)

    return setup


def legacy_journal(sandbox: Sandbox) -> None:
    (sandbox.root / ".kustgen-journal.json").write_text(
        '{"staging": "../outside/precious", "steps": []}'
    )


def foreign_journal(sandbox: Sandbox) -> None:
    journal = {"format": "kustgen-journal/1", "token": "ab" * 16, "root": [1, 2],
               "staging": [3, 4], "steps": [], "dirs": [], "undo": False}
    (sandbox.root / JOURNAL).write_text(json.dumps(journal))


def state_link(sandbox: Sandbox) -> None:
    state = sandbox.root / ".kustgen-state"
    for child in state.iterdir():
        child.unlink()
    state.rmdir()
    state.symlink_to(sandbox.outside, target_is_directory=True)


def lock_link(sandbox: Sandbox) -> None:
    lock = sandbox.root / ".kustgen-state/lock"
    lock.unlink()
    lock.symlink_to(sandbox.outside / "precious")


def sibling_link(sandbox: Sandbox) -> None:
    """bases/web -> bases/other: a generated directory linking to another one inside."""
    other = sandbox.root / "bases/other"
    other.mkdir()
    replaced("bases/web", lambda p: os.symlink("other", p))(sandbox)


def overlays_outside(sandbox: Sandbox) -> None:
    replaced("overlays/dev", lambda p: None)(sandbox)
    (sandbox.root / "overlays").rmdir()
    (sandbox.root / "overlays").symlink_to(sandbox.outside, target_is_directory=True)


def identical_unlisted(sandbox: Sandbox) -> None:
    (sandbox.root / ".kustgen-manifest").write_text("")


REFUSED_JOURNAL = (
    "kustgen: error: {root}/.kustgen-state/journal.json: not acted on (%s); remove it if no "
    "kustgen build is running"
)
NOT_JOURNAL = "not a kustgen journal: format is not 'kustgen-journal/1'"
MANIFEST_REFUSED = (
    "kustgen: error: .kustgen-manifest: line 6 names %r, which kustgen never generates (only "
    "files below bases/, components/, installs/, overlays/); nothing was touched: restore the "
    "manifest from git"
)
DEV_NULL_CHECK = "kustgen: error: bases/web/configmap-settings.yaml: is %s, not a file kustgen " \
    "wrote; kustgen only reads and replaces regular files (left alone)"

ENTRIES = [
    Entry(
        id="journal-legacy-outside",
        hostile="`.kustgen-journal.json` (where kustgen once kept its journal) naming "
        "`../outside/precious` as its staging directory",
        setup=legacy_journal,
        exit_code=0,
        error="kustgen: warning: .kustgen-journal.json: left by an older kustgen version, which "
        "staged builds here; kustgen never acts on it: remove it (git does not ignore it)",
    ),
    Entry(
        id="journal-staging-outside",
        hostile="a journal whose staging directory is `../outside/precious`",
        setup=put(JOURNAL, '{"staging": "../outside/precious", "steps": []}'),
        error=REFUSED_JOURNAL % NOT_JOURNAL,
    ),
    Entry(
        id="journal-moves-in",
        hostile="a journal step moving `secrets/id_rsa` into `overlays/prod/stolen.yaml`",
        setup=put(JOURNAL, '{"staging": ".", "steps": [{"op": "replace", "from": '
                  '"secrets/id_rsa", "to": "overlays/prod/stolen.yaml"}]}'),
        error=REFUSED_JOURNAL % NOT_JOURNAL,
    ),
    Entry(
        id="journal-absolute",
        hostile="a journal step moving `/etc/passwd` into the tree",
        setup=put(JOURNAL, '{"staging": "/", "steps": [{"op": "replace", "from": "/etc/passwd",'
                  ' "to": "bases/web/passwd.yaml"}]}'),
        error=REFUSED_JOURNAL % NOT_JOURNAL,
    ),
    Entry(
        id="journal-foreign",
        hostile="a well-formed journal made in another checkout (its root's device and inode "
        "differ)",
        setup=foreign_journal,
        error=REFUSED_JOURNAL % "it was made for another directory, not this output root",
    ),
    Entry(
        id="journal-malformed",
        hostile="a journal that is not JSON",
        setup=put(JOURNAL, "{"),
        error=REFUSED_JOURNAL % "not a kustgen journal: Expecting property name enclosed in "
        "double quotes: line 1 column 2 (char 1)",
    ),
    Entry(
        id="journal-binary",
        hostile="a journal of binary bytes",
        setup=put(JOURNAL, b"\xff\xfe\x00"),
        error=REFUSED_JOURNAL % "not a kustgen journal: 'utf-8' codec can't decode byte 0xff in "
        "position 0: invalid start byte",
    ),
    Entry(
        id="journal-fifo",
        hostile="a FIFO as the journal",
        setup=replaced(JOURNAL, os.mkfifo),
        error=REFUSED_JOURNAL % "it is a FIFO",
    ),
    Entry(
        id="journal-link",
        hostile="the journal a symbolic link to `/dev/zero`",
        setup=replaced(JOURNAL, lambda p: os.symlink("/dev/zero", p)),
        error=REFUSED_JOURNAL % "it is a symbolic link",
    ),
    Entry(
        id="state-link",
        hostile="`.kustgen-state` a symbolic link to a directory outside the root",
        setup=state_link,
        error="kustgen: error: {root}/.kustgen-state: is a symbolic link, not the directory "
        "kustgen keeps its working state in; remove it",
    ),
    Entry(
        id="lock-link",
        hostile="`.kustgen-state/lock` a symbolic link to a file outside the root",
        setup=lock_link,
        error="kustgen: error: {root}/.kustgen-state/lock: cannot open the lock: a symbolic "
        "link (kustgen never follows links below the output root)",
    ),
    *(
        Entry(
            id=f"manifest-{key}",
            hostile=f"a manifest listing `{line}`",
            setup=listed(line),
            error=MANIFEST_REFUSED % line,
        )
        for key, line in [
            ("git-config", ".git/config"),
            ("readme", "README.md"),
            ("itself", ".kustgen-manifest"),
            ("state", ".kustgen-state/lock"),
            ("parent", "../outside/precious"),
            ("absolute", "/etc/hostname"),
            ("dot-dot-inside", "bases/web/../../README.md"),
        ]
    ),
    Entry(
        id="manifest-binary",
        hostile="a manifest of binary bytes",
        setup=put(".kustgen-manifest", b"\xff\xfebases/web/x.yaml\n"),
        error="kustgen: error: .kustgen-manifest: is not UTF-8 text; restore it from git",
    ),
    Entry(
        id="manifest-fifo",
        hostile="a FIFO as the manifest",
        setup=replaced(".kustgen-manifest", os.mkfifo),
        error="kustgen: error: .kustgen-manifest: is a FIFO, not a file kustgen wrote; kustgen "
        "only reads and replaces regular files (left alone)",
    ),
    Entry(
        id="manifest-dev-zero",
        hostile="the manifest a symbolic link to `/dev/zero`",
        setup=replaced(".kustgen-manifest", lambda p: os.symlink("/dev/zero", p)),
        error="kustgen: error: .kustgen-manifest: is a symbolic link, not a file kustgen wrote; "
        "kustgen only reads and replaces regular files (left alone)",
    ),
    Entry(
        id="identical-unlisted",
        hostile="a hand-written file (not in the manifest) whose bytes equal the generated ones",
        setup=identical_unlisted,
        exit_code=1,
        error="kustgen: error: output tree: already there with the bytes kustgen would write but "
        "not in .kustgen-manifest, left alone (`kustgen build --adopt` takes them over): "
        "bases/web/configmap-settings.yaml, bases/web/kustomization.yaml, "
        "overlays/dev/kustomization.yaml",
    ),
    Entry(
        id="hand-written",
        hostile="a hand-written file where kustgen wants to write",
        prebuilt=False,
        setup=put("bases/web/configmap-settings.yaml", "mine: true\n"),
        exit_code=1,
        error="kustgen: error: output tree: not generated by kustgen, left alone: "
        "bases/web/configmap-settings.yaml",
    ),
    Entry(
        id="generated-dir-links-to-sibling",
        hostile="`bases/web` a symbolic link to `bases/other`, inside the root",
        setup=sibling_link,
        error="kustgen: error: bases/web: is a symbolic link where kustgen writes a directory; "
        "kustgen never writes through links (replace it with a real directory)",
    ),
    Entry(
        id="generated-dir-links-outside",
        hostile="`overlays` a symbolic link to a directory outside the root",
        setup=overlays_outside,
        error="kustgen: error: overlays: is a symbolic link where kustgen writes a directory; "
        "kustgen never writes through links (replace it with a real directory)",
    ),
    *(
        Entry(
            id=f"{key}-at-generated-path{'-check' if check else ''}",
            hostile=f"{what} at a generated path" + (" (`--check`)" if check else ""),
            args=("build", "--check") if check else ("build",),
            setup=replaced("bases/web/configmap-settings.yaml", make),
            exit_code=1 if check else 2,
            error=DEV_NULL_CHECK % description,
            needs_root=key == "device",
        )
        for key, what, description, make in [
            ("fifo", "a FIFO", "a FIFO", os.mkfifo),
            ("dev-zero", "a symbolic link to `/dev/zero`", "a symbolic link",
             lambda p: os.symlink("/dev/zero", p)),
            ("device", "a character device (`/dev/zero`'s numbers)", "a device",
             lambda p: os.mknod(p, 0o600 | 0o020000, os.makedev(1, 5))),
            ("directory", "a directory", "a directory", os.mkdir),
        ]
        for check in (False, True)
    ),
    Entry(
        id="file-where-directory-needed",
        hostile="a file `bases` where kustgen needs a directory",
        prebuilt=False,
        setup=put("bases", "a file\n"),
        error="kustgen: error: bases: is a regular file where kustgen needs a directory; left "
        "alone",
    ),
    Entry(
        id="out-dangling-link",
        hostile="`--out` a dangling symbolic link",
        prebuilt=False,
        out="dangling",
        setup=lambda s: (s.tmp / "dangling").symlink_to(s.tmp / "nowhere"),
        error="kustgen: error: output directory ../nowhere is a dangling symlink",
    ),
    Entry(
        id="out-through-a-file",
        hostile="`--out` below a file (`afile/sub`)",
        prebuilt=False,
        out="afile/sub",
        setup=lambda s: (s.tmp / "afile").write_text("x\n"),
        error="kustgen: error: output directory ../afile/sub lies below ../afile, which is not "
        "a directory",
    ),
    Entry(
        id="legacy-staging",
        hostile="a `.kustgen-staging-*` directory left in the root by an older kustgen",
        setup=lambda s: (s.root / ".kustgen-staging-x1").mkdir(),
        exit_code=0,
        error="kustgen: warning: .kustgen-staging-x1: left by an older kustgen version, which "
        "staged builds here; kustgen never acts on it: remove it (git does not ignore it)",
    ),
]
