"""The bad-input catalogue: every hostile input kustgen is known to meet, with the
exact line it answers.

Each module of this package is one area and holds a list ``ENTRIES`` of
:class:`Entry`; add a module for a new area (no shared file to edit, so
engineers do not collide).  ``tests/test_bad_input.py`` runs every entry and
checks: exactly the expected line on stderr (nothing on stdout, no
traceback), the expected exit code, nothing written below the sandbox (the
output root and everything beside it byte for byte as before, kustgen's own
self-ignored lock aside).  ``docs/bad-input.md`` is generated from the entries
with ``python -m tests.badinput`` and a test keeps it current.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

#: The cluster an entry builds unless it says otherwise: one base, one overlay.
CLUSTER = '''
from kustgen import Base, Cluster, External, Overlay

settings = {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "web"}, "data": {"mode": "on"}}
cluster = Cluster(
    name="bad",
    overlays=[Overlay(name="dev", bases=[Base(name="web", objects=[settings])])],
    external=External(namespaces=["web"]),
)
'''


#: kustgen's informational stderr lines (which cluster, what a build did): not part
#: of an entry's answer, so they are set aside before the one line is compared.
INFO = re.compile(
    r"kustgen: (cluster|fleet) .*|kustgen: wrote \d+ file\(s\), .*"
    r"|kustgen: \d+ generated files are current"
    r"|kustgen: \(--traceback or KUSTGEN_TRACEBACK=1 shows the full trace\)"
)


def answer(stderr: str) -> str:
    """``stderr`` without kustgen's informational lines."""
    return "".join(line + "\n" for line in stderr.splitlines() if not INFO.fullmatch(line))


@dataclass(frozen=True)
class Sandbox:
    """Where an entry runs: ``root`` is the output root, ``outside`` holds files
    beside it (``precious``) that nothing may touch."""

    tmp: Path

    @property
    def root(self) -> Path:
        return self.tmp / "root"

    @property
    def outside(self) -> Path:
        return self.tmp / "outside"


def _nothing(sandbox: Sandbox) -> None:
    return None


@dataclass(frozen=True)
class Entry:
    id: str
    hostile: str  # what the input is, one sentence
    error: str  # the exact stderr line; {root} is the output root, {tmp} the sandbox
    exit_code: int = 2
    args: tuple[str, ...] = ("build",)  # --target and --out are appended
    setup: Callable[[Sandbox], object] = _nothing
    cluster: str = CLUSTER  # source of the target module
    prebuilt: bool = True  # the root holds the cluster's tree before setup runs
    out: str | None = "root"  # --out, relative to the sandbox (None: no --out)
    #: Files of the user's project (a pyproject.toml, a cluster module, ...),
    #: written below the sandbox's ``project/`` directory, where kustgen runs.
    files: Mapping[str, str] = field(default_factory=dict)
    #: Where below ``project/`` kustgen runs (a subfolder of the repository).
    cwd: str = ""
    #: Run ``python -m kustgen.cli`` as a process of its own: the entry imports
    #: modules of the user's (``files``) that must not be shared between entries.
    own_process: bool = False
    #: Run in a private mount namespace (as root) after these mounts are made.
    mounts: Callable[[Sandbox], list[list[str]]] | None = None
    user: str | None = None  # run kustgen as this user instead
    needs_root: bool = False  # the setup does what only root may (mknod)
    env: Mapping[str, str] = field(default_factory=dict)
    #: Append ``--target MODULE:cluster`` (commands that read no cluster, such as
    #: ``import``, take only ``--out``).
    target: bool = True

    @property
    def isolated(self) -> bool:
        return self.mounts is not None or self.user is not None

    @property
    def privileged(self) -> bool:
        return self.isolated or self.needs_root


def areas() -> list[ModuleType]:
    """The modules of this package, one per area, in name order."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]


def entries() -> list[Entry]:
    found = [entry for module in areas() for entry in module.ENTRIES]
    ids = [entry.id for entry in found]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"bad-input ids used twice: {duplicates}"
    return found


def document() -> str:
    """``docs/bad-input.md``, generated from the entries."""
    lines = [
        "# Bad input: what kustgen answers",
        "",
        "Generated from `tests/badinput/` by `python -m tests.badinput`; do not edit.",
        "`tests/test_bad_input.py` runs every entry below and checks that kustgen",
        "prints exactly this line (and nothing else but its informational lines: the",
        "cluster it works on, the `--traceback` hint; no traceback), exits with this",
        "code, and writes nothing -- the output root and the files beside it stay",
        "byte for byte as they were (kustgen's self-ignored `.kustgen-state/lock`",
        "aside). `<root>` stands for the output root, `<sandbox>` for the directory",
        "holding it, `<site-packages>` for where Python's packages are installed.",
        "To add an entry, add it to the module of its area (or a new module) and",
        "regenerate this file.",
        "",
    ]
    for module in areas():
        title, _, body = (module.__doc__ or module.__name__).strip().partition("\n")
        lines += [f"## {title.rstrip('.')}", "", f"`{module.__name__.replace('.', '/')}.py`", ""]
        if body.strip():
            lines += [body.strip(), ""]
        for entry in module.ENTRIES:
            command = " ".join(("kustgen", *entry.args))
            if entry.cwd:
                command = f"(in {entry.cwd}/) {command}"
            lines += [
                f"- **{entry.id}** -- {entry.hostile}  ",
                f"  `{command}` exits {entry.exit_code}:",
                "",
                "  ```",
                "  " + entry.error.replace("{root}", "<root>").replace("{tmp}", "<sandbox>")
                .replace("{site}", "<site-packages>"),
                "  ```",
                "",
            ]
    return "\n".join(lines).rstrip("\n") + "\n"


DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "bad-input.md"
