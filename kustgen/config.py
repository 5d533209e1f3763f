"""Which cluster a command works on, and where its tree lives.

``--target``, else ``[tool.kustgen]`` of the nearest ``pyproject.toml``
walking up from the current directory (as ruff and pytest find theirs), else
the embedded example cluster.  Relative paths in the configuration (``out``,
``crds``) are relative to the ``pyproject.toml`` that holds them, so a command
run from a subfolder works on the repository's tree.

The API is small on purpose: ``find_settings`` reads the configuration,
``resolve`` turns it and the command line into a ``Project``, and
``load_target``/``load_cluster`` import the definition it names, turning
exceptions raised by the user's own code into one-line ``UserCodeError``s.
Only the CLI (and ``kustgen.testing``) call into this module; the library
itself never reads the environment, the current directory or configuration.
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kustgen.errors import InputError, KustgenError, UsageError, UserCodeError, display_path

if TYPE_CHECKING:
    from kustgen.fleet import Fleet
    from kustgen.tree import Cluster

#: The embedded example cluster: used when nothing names another one.
DEFAULT_TARGET = "kustgen.default:cluster"
CONFIG_FILE = "pyproject.toml"

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

    @property
    def root(self) -> Path | None:
        """The directory of the pyproject.toml: relative paths start here."""
        return self.source.parent if self.source is not None else None

    def inside_project(self, path: Path, key: str, value: str) -> None:
        """Refuse a configured path that leads out of the project (the directory of
        the pyproject.toml), links followed: the repository's own configuration is
        untrusted input (a branch someone else wrote) and must not send kustgen to
        read or write elsewhere.  ``--out`` on the command line may go anywhere."""
        if self.root is None:
            return
        project = self.root.resolve()
        resolved = path.resolve()
        if resolved != project and project not in resolved.parents:
            raise UsageError(
                f"{value!r} leads out of the project ({display_path(self.root)}/); "
                "configured paths stay inside it (give --out to write elsewhere)",
                obj=display_path(self.source or Path(CONFIG_FILE)),
                field=f"tool.kustgen.{key}",
            )

    def crd_paths(self) -> list[Path]:
        """The configured CRD files, each checked to be a readable file."""
        base = self.root or Path()
        paths = []
        for crd in self.crds:
            path = base / crd
            self.inside_project(path, "crds", crd)
            if not path.is_file():
                problem = "is a directory" if path.is_dir() else "does not exist"
                raise UsageError(
                    f"{display_path(path)} {problem} (a CRD file is expected)",
                    obj=display_path(self.source or Path(CONFIG_FILE)),
                    field="tool.kustgen.crds",
                )
            paths.append(path)
        return paths


def read_settings(path: Path) -> Settings | None:
    """``[tool.kustgen]`` of one pyproject.toml, or None when it has no such table."""
    import tomllib

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise InputError(f"cannot read TOML: {error}", obj=display_path(path)) from None
    tool = document.get("tool")
    table = tool.get("kustgen") if isinstance(tool, dict) else None
    if table is None:
        return None
    where = display_path(path)
    if not isinstance(table, dict):
        raise UsageError("must be a table", obj=where, field="tool.kustgen")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise UsageError(
            f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KNOWN_KEYS))})",
            obj=where,
            field="tool.kustgen",
        )
    for key in _KNOWN_KEYS & set(table):
        value = table[key]
        if key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(
                    "must be a list of strings", obj=where, field=f"tool.kustgen.{key}"
                )
        elif not isinstance(value, str) or not value:
            raise UsageError("must be a non-empty string", obj=where, field=f"tool.kustgen.{key}")
    return Settings(
        target=table.get("target"),
        out=table.get("out"),
        crds=tuple(table.get("crds", ())),
        repository=table.get("repository"),
        branch=table.get("branch"),
        repository_path=table.get("repository-path"),
        source=path,
    )


def find_settings(start: Path) -> Settings:
    """``[tool.kustgen]`` of the nearest pyproject.toml holding one, walking up from ``start``.

    A pyproject.toml without the table is passed over, as ruff does; no
    configuration at all gives empty ``Settings`` (``source`` is None).
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            settings = read_settings(candidate)
            if settings is not None:
                return settings
    return Settings()


# Kept for callers of the first API: the configuration found from ``directory``.
load_settings = find_settings


@dataclass(frozen=True)
class Project:
    """What one command works on: the definition, where it comes from, where its tree is."""

    target: str
    #: Put first on ``sys.path``: the configuration's directory (else the current one).
    root: Path
    #: The output root holding bases/ and overlays/.
    out: Path
    settings: Settings = field(default_factory=Settings)
    #: Where ``target`` was named: "--target", "[tool.kustgen]" or "default".
    origin: str = "default"

    @property
    def is_example(self) -> bool:
        return self.origin == "default"

    def crd_files(self, given: tuple[Path, ...] | list[Path] = ()) -> list[Path]:
        """CRD files from ``[tool.kustgen] crds`` followed by the ones given on the command line."""
        return [*self.settings.crd_paths(), *given]

    def describe(self, cluster_name: str | None = None, *, with_tree: bool = False,
                 what: str = "cluster") -> str:
        """One line for stderr: which cluster (or fleet), named where, and (optionally)
        which tree."""
        name = f"{what} {cluster_name!r}" if cluster_name else what
        if self.origin == "--target":
            source = f"--target {self.target}"
        elif self.origin == "[tool.kustgen]":
            assert self.settings.source is not None
            source = f"{self.target} from {display_path(self.settings.source)}"
        else:
            source = (
                f"the embedded example, {self.target}: no [tool.kustgen] in a "
                f"{CONFIG_FILE} here or above"
            )
        tree = f", tree in {display_path(self.out)}" if with_tree else ""
        return f"{name} ({source}){tree}"


def resolve(
    target: str | None = None, out: Path | None = None, *, cwd: Path | None = None
) -> Project:
    """The project a command works on, from its ``--target``/``--out`` and the configuration."""
    cwd = cwd or Path.cwd()
    settings = find_settings(cwd)
    root = settings.root or cwd
    if target:
        origin = "--target"
    elif settings.target:
        origin, target = "[tool.kustgen]", settings.target
    else:
        origin, target = "default", DEFAULT_TARGET
    if out is not None:
        output = out
    elif settings.out is not None:
        output = root / settings.out
        settings.inside_project(output, "out", settings.out)
    else:
        output = root
    return Project(target=target, root=root, out=output, settings=settings, origin=origin)


def check_output_dir(path: Path, *, what: str = "output directory") -> None:
    """Refuse an output root that is, or lies below, something other than a directory."""
    for candidate in (path, *path.parents):
        if candidate.is_symlink() and not candidate.exists():
            raise UsageError(f"{what} {display_path(candidate)} is a dangling symlink")
        if candidate.exists():
            if not candidate.is_dir():
                where = (
                    "is" if candidate == path else f"lies below {display_path(candidate)}, which is"
                )
                raise UsageError(f"{what} {display_path(path)} {where} not a directory")
            return


def _looks_like_a_path(module_name: str) -> bool:
    return any(c in module_name for c in "/\\") or module_name.endswith(".py")


def _as_module(module_name: str) -> str:
    """``clusters/home.py`` -> ``clusters.home``: what the user probably meant."""
    stem = module_name.replace("\\", "/").removesuffix(".py").strip("./")
    return ".".join(part for part in stem.split("/") if part)


def _check_target_syntax(target: str) -> tuple[str, str]:
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        hint = f"{_as_module(module_name or target)}:cluster"
        raise UsageError(f"expected MODULE:ATTRIBUTE, e.g. {hint}", obj=f"target {target!r}")
    if _looks_like_a_path(module_name):
        raise UsageError(
            f"names a file; name the module instead: {_as_module(module_name)}:{attribute}",
            obj=f"target {target!r}",
        )
    parts = [*module_name.split("."), *attribute.split(".")]
    if not all(part.isidentifier() for part in parts):
        raise UsageError(
            "module and attribute must be Python names (e.g. clusters.home:cluster)",
            obj=f"target {target!r}",
        )
    return module_name, attribute


def _own_module_file(root: Path, top: str) -> Path | None:
    for candidate in (root / f"{top}.py", root / top / "__init__.py", root / top):
        if candidate.exists():
            return candidate
    return None


def _check_not_shadowed(module_name: str, root: Path, target: str) -> None:
    """Refuse a cluster module named like a library (``yaml.py``): one of them would lose."""
    from importlib.machinery import PathFinder

    top = module_name.split(".")[0]
    own = _own_module_file(root, top)
    if own is None:
        return
    library: str | None = None
    if top in sys.builtin_module_names or top in sys.stdlib_module_names:
        library = "Python's standard library"
    else:
        elsewhere = [p for p in sys.path if Path(p or ".").resolve() != root.resolve()]
        spec = PathFinder.find_spec(top, elsewhere)
        if spec is not None:
            library = f"an installed package ({display_path(Path(spec.origin or top))})"
    if library is not None:
        raise UsageError(
            f"{display_path(own)} has the name of a module of {library}; "
            f"rename it (e.g. clusters/{top}_cluster.py)",
            obj=f"target {target!r}",
        )


def load_target(target: str, *, search_path: Path | None = None) -> Any:
    """Import ``module:attribute`` and return what it names (called when it is a function).

    ``search_path`` (the project directory) is put first on ``sys.path`` so a
    definition kept in the repository imports without installing it.  An
    exception raised by the user's module or function becomes a
    ``UserCodeError`` naming the user's ``file:line``.
    """
    module_name, attribute = _check_target_syntax(target)
    from kustgen import replay

    replay.evaluated()
    if search_path is not None:
        _check_not_shadowed(module_name, search_path, target)
        if str(search_path) not in sys.path:
            sys.path.insert(0, str(search_path))
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            where = f" (looked in {display_path(search_path)} and the installed packages)"
            raise UsageError(
                f"no module named {error.name!r}{where if search_path else ''}",
                obj=f"target {target!r}",
            ) from None
        raise UserCodeError(error) from error
    except KustgenError:
        raise
    except Exception as error:  # the user's module raised while it was imported
        raise UserCodeError(error) from error
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise UsageError(
                f"module {module_name} ({display_path(Path(module.__file__ or module_name))}) "
                f"has no attribute {part!r}",
                obj=f"target {target!r}",
            ) from None
    if callable(value) and not isinstance(value, type):
        try:
            value = value()
        except KustgenError:
            raise
        except Exception as error:
            raise UserCodeError(error) from error
    return value


def load_cluster(target: str, *, search_path: Path | None = None) -> Cluster | Fleet:
    """The ``Cluster`` or ``Fleet`` that ``module:attribute`` names (or a function
    returning one)."""
    from kustgen.fleet import Fleet
    from kustgen.tree import Cluster

    value = load_target(target, search_path=search_path)
    if not isinstance(value, Cluster | Fleet):
        raise UsageError(
            f"is a {type(value).__name__}, not a kustgen.Cluster or Fleet",
            obj=f"target {target!r}",
        )
    return value


def load_fleet(project: Project) -> Fleet:
    """The project's fleet (a cluster is a fleet of one), with the GitOps defaults of
    its ``[tool.kustgen]`` (``repository``, ``branch``, ``repository-path``) filled in."""
    from kustgen.fleet import as_fleet

    settings = project.settings
    return as_fleet(load_cluster(project.target, search_path=project.root)).with_gitops_defaults(
        url=settings.repository, branch=settings.branch, path=settings.repository_path
    )


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


def traceback_requested() -> bool:
    """``KUSTGEN_TRACEBACK=1`` (or any value but 0/empty) asks for full tracebacks."""
    return os.environ.get("KUSTGEN_TRACEBACK", "") not in ("", "0")
