"""Where the cluster definition comes from: ``--target``, ``[tool.kustgen]``, or the default.

Only the CLI calls into this module; the library itself never reads the
environment, the current directory or configuration files.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kustgen.errors import InputError, UsageError

if TYPE_CHECKING:
    from kustgen.fleet import Fleet
    from kustgen.tree import Cluster

#: The embedded default cluster: what `kustgen build` builds with no target.
DEFAULT_TARGET = "kustgen.default:fleet"

_KNOWN_KEYS = {"target", "out", "crds", "repository", "branch", "repository-path"}
#: Keys holding a list of strings; every other key holds one string.
_LIST_KEYS = {"crds"}


@dataclass(frozen=True)
class Settings:
    """``[tool.kustgen]`` of a project; every key is optional."""

    target: str | None = None
    out: str | None = None
    #: CustomResourceDefinition files ``kustgen validate`` and ``build`` validate against,
    #: relative to the pyproject.toml's directory.
    crds: tuple[str, ...] = ()
    #: GitOps defaults for clusters that leave them out (``kustgen.gitops``): the
    #: repository URL, its branch, and where the output tree sits inside it.
    repository: str | None = None
    branch: str | None = None
    repository_path: str | None = None
    source: Path | None = None  # the pyproject.toml they came from

    def crd_paths(self) -> list[Path]:
        base = self.source.parent if self.source is not None else Path()
        return [base / crd for crd in self.crds]


def load_settings(directory: Path) -> Settings:
    """Read ``[tool.kustgen]`` from ``directory/pyproject.toml`` if there is one."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return Settings()
    import tomllib

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read TOML: {error}", obj=str(path)) from None
    table = document.get("tool", {}).get("kustgen")
    if table is None:
        return Settings()
    if not isinstance(table, dict):
        raise UsageError("must be a table", obj=str(path), field="tool.kustgen")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise UsageError(
            f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})",
            obj=str(path),
            field="tool.kustgen",
        )
    for key in _KNOWN_KEYS & set(table):
        value = table[key]
        if key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(
                    "must be a list of strings", obj=str(path), field=f"tool.kustgen.{key}"
                )
        elif not isinstance(value, str):
            raise UsageError("must be a string", obj=str(path), field=f"tool.kustgen.{key}")
    return Settings(
        target=table.get("target"),
        out=table.get("out"),
        crds=tuple(table.get("crds", ())),
        repository=table.get("repository"),
        branch=table.get("branch"),
        repository_path=table.get("repository-path"),
        source=path,
    )


def load_cluster(target: str, *, search_path: Path | None = None) -> Cluster | Fleet:
    """Import ``module:attribute`` and return the cluster (or fleet) it names.

    The attribute may be a ``Cluster`` or a ``Fleet``, or a function returning one.
    ``search_path`` (the project directory) is put first on ``sys.path`` so a
    cluster definition kept in the repository imports without installing it.
    """
    from kustgen.fleet import Fleet
    from kustgen.tree import Cluster

    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError("expected MODULE:ATTRIBUTE, e.g. clusters.home:cluster", obj=target)
    if search_path is not None and str(search_path) not in sys.path:
        sys.path.insert(0, str(search_path))
    try:
        module = importlib.import_module(module_name)
        value: Any = module
        for part in attribute.split("."):
            try:
                value = getattr(value, part)
            except AttributeError:
                raise UsageError(
                    f"{module_name} has no attribute {attribute!r}", obj=target
                ) from None
        if callable(value) and not isinstance(value, Cluster | Fleet):
            value = value()
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise UsageError(f"no module named {error.name!r}", obj=target) from None
        raise
    except TypeError as error:
        # A misspelt keyword of a typed model: say where in the user's code.
        raise InputError(str(error), obj=_user_frame(error)) from None
    if not isinstance(value, Cluster | Fleet):
        raise UsageError(
            f"is a {type(value).__name__}, not a kustgen.Cluster or Fleet", obj=target
        )
    return value


def _user_frame(error: BaseException) -> str:
    """``file:line`` of the innermost frame of ``error`` outside kustgen itself."""
    package_dir = str(Path(__file__).parent)
    location = "cluster definition"
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.startswith("<"):
            continue
        if not filename.startswith(package_dir) or filename.endswith("default.py"):
            location = f"{filename}:{line}"
    return location


def repository_root(directory: Path) -> Path | None:
    """The root of the git repository holding ``directory`` (resolved), or None.

    ``directory`` need not exist yet: its nearest existing parent is searched.
    """
    current = directory.resolve()
    while not current.exists() and current != current.parent:
        current = current.parent
    for candidate in (current, *current.parents):
        if (candidate / ".git").exists():
            return candidate
    return None
