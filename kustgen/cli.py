"""The `kustgen` command: a thin shell over the library.

Each command validates its options, picks the project (``kustgen.config``:
``--target``, else ``[tool.kustgen]`` of the nearest pyproject.toml, else the
embedded example), says on stderr which cluster it works on, and makes one
library call.  kustgen's own errors, and exceptions raised by the user's own
code, are printed as one line without a traceback (``--traceback`` or
``KUSTGEN_TRACEBACK=1`` shows it) and exit with the code the error class owns
(1 for failed checks, 2 for bad input or usage).  Heavy modules are imported
inside the commands so that `kustgen --help` and a no-op `kustgen build
--check` start quickly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kustgen.errors import KustgenError, UsageError, UserCodeError, display_path

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from kustgen.config import Project
    from kustgen.fleet import Fleet
    from kustgen.usercache import UserCache
    from kustgen.validate.cache import ValidationCache

F = TypeVar("F", bound=Callable[..., Any])

_TRACEBACK_HINT = "kustgen: (--traceback or KUSTGEN_TRACEBACK=1 shows the full trace)"


def _show_traceback() -> bool:
    from kustgen.config import traceback_requested

    context = click.get_current_context(silent=True)
    wanted = context is not None and context.find_root().meta.get("kustgen.traceback", False)
    return bool(wanted) or traceback_requested()


def _print_traceback(error: BaseException) -> None:
    import traceback

    click.echo("".join(traceback.format_exception(error)).rstrip("\n"), err=True)


def _reports_errors(command: F) -> F:
    """Turn kustgen's errors and the user's exceptions into one line and an exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with _kustgen_warnings():
                return command(*args, **kwargs)
        except RecursionError as error:  # e.g. a dict that contains itself
            failure: KustgenError = UserCodeError(error)
            original: BaseException = error
        except KustgenError as error:
            failure = original = error
        if _show_traceback():
            _print_traceback(original.error if isinstance(original, UserCodeError) else original)
        if failure.details:
            click.echo(failure.details.rstrip("\n"), err=True)
        click.echo(f"kustgen: error: {failure.format()}", err=True)
        if isinstance(failure, UserCodeError) and not _show_traceback():
            click.echo(_TRACEBACK_HINT, err=True)
        sys.exit(failure.exit_code)

    return wrapper  # type: ignore[return-value]


@contextmanager
def _kustgen_warnings() -> Iterator[None]:
    """Planner warnings are printed as kustgen's own lines, not as Python warnings."""
    import warnings

    saved = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
        from kustgen.plan import PlanWarning

        if issubclass(category, PlanWarning):
            click.echo(f"kustgen: warning: {message}", err=True)
        else:
            saved(message, category, *args, **kw)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = saved


def _set_traceback(context: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        context.find_root().meta["kustgen.traceback"] = True


_traceback_option = click.option(
    "--traceback",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_set_traceback,
    help="Show the full Python traceback of an error (also: KUSTGEN_TRACEBACK=1).",
)

_target_option = click.option(
    "--target",
    metavar="MODULE:ATTR",
    help="The cluster definition (default: [tool.kustgen] target of the nearest "
    "pyproject.toml, else the embedded example cluster).",
)


def _read_root_option(what: str) -> Callable[[F], F]:
    """``--out`` of a command that only reads the output root."""
    return click.option(
        "--out",
        type=click.Path(path_type=Path),
        help=f"Output root, where {what} are read (default: as for `kustgen build`).",
    )


def _project(target: str | None, out: Path | None = None, *, uses_tree: bool = False) -> Project:
    """The project; ``uses_tree`` when the command reads or writes the output root."""
    from kustgen.config import check_output_dir, resolve

    project = resolve(target, out)
    if uses_tree:
        check_output_dir(project.out)
    return project


_cluster_option = click.option(
    "--cluster", "cluster_name", metavar="CLUSTER",
    help="Only this cluster of the fleet (default: every cluster).",
)


def _load(project: Project, *, with_tree: bool = False) -> Fleet:
    """Load the project's fleet (a cluster is a fleet of one) and say on stderr which
    one it is.  The user's cache (plans, YAML texts: ``kustgen.usercache``) serves
    the rest of the command, from the planning done while the module loads."""
    from kustgen.config import load_fleet
    from kustgen.usercache import activated

    click.get_current_context().with_resource(activated(_user_cache(project)))
    fleet = load_fleet(project)
    if len(fleet.clusters) == 1 and fleet.name == fleet.clusters[0].name:
        described = project.describe(fleet.name, with_tree=with_tree)
    else:
        described = project.describe(fleet.name, with_tree=with_tree, what="fleet")
    click.echo(f"kustgen: {described}", err=True)
    return fleet


def _complete_env(
    context: click.Context, _param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Environment names of the cluster the command would work on (nothing on any error)."""
    import contextlib
    import io
    import warnings

    from click.shell_completion import CompletionItem

    from kustgen.config import load_cluster, resolve

    try:
        project = resolve(context.params.get("target"))
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            envs = load_cluster(project.target, search_path=project.root).envs()
    except Exception:  # completion must never print an error into the user's shell
        return []
    return [CompletionItem(env) for env in envs if env.startswith(incomplete)]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kustgen")
@_traceback_option
def main() -> None:
    """Write typed Python cluster definitions as plain Kustomize trees.

    The cluster comes from --target, else from [tool.kustgen] of the nearest
    pyproject.toml (here or in a parent directory), else the embedded example;
    every command says on stderr which one it uses.  Start a repository with
    `kustgen init`.  Shell completion: eval "$(_KUSTGEN_COMPLETE=bash_source kustgen)"
    (zsh_source, fish_source for other shells).
    """


@main.command()
@_target_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output root holding bases/ and overlays/ (default: [tool.kustgen] out, relative "
    "to its pyproject.toml, else that file's directory).",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 listing every file that differs."
)
@click.option(
    "--verify",
    is_flag=True,
    help="After writing, require `kubectl kustomize` of every overlay to equal `kustgen render`.",
)
@click.option(
    "--fail-on-change",
    is_flag=True,
    help="Exit 1 when any file was written or removed (what the pre-commit hook uses).",
)
@click.option(
    "--no-validate",
    is_flag=True,
    help="Write without validating and linting first (see `kustgen validate`).",
)
@click.option(
    "--adopt",
    is_flag=True,
    help="Take over files not in .kustgen-manifest that already hold exactly the "
    "generated bytes (otherwise they are refused as hand-written).",
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    envvar="KUSTGEN_LOCK_TIMEOUT",
    metavar="SECONDS",
    help="How long to wait for another kustgen run writing the same tree.",
)
@_cluster_option
@_traceback_option
@_reports_errors
def build(
    target: str | None,
    out: Path | None,
    check: bool,
    verify: bool,
    fail_on_change: bool,
    no_validate: bool,
    adopt: bool,
    lock_timeout: float,
    cluster_name: str | None,
) -> None:
    """Write bases/, overlays/, components/ and gitops/ of the fleet under OUT.

    Every environment is validated and linted first (as `kustgen validate`
    does); an error-level finding stops the build before anything is written.
    The tree is one unit: it is always written whole; --cluster narrows the
    validation and --verify to one cluster.
    """
    from kustgen import replay, writer

    if check and (verify or fail_on_change or adopt):
        raise click.UsageError(
            "--check writes nothing; it cannot be combined with --verify, --fail-on-change "
            "or --adopt"
        )
    project = _project(target, out, uses_tree=True)
    if project.is_example and out is None:
        verb = "checked against" if check else "written into"
        raise UsageError(
            "no [tool.kustgen] in a pyproject.toml here or above, so the embedded example "
            f"cluster is not {verb} {display_path(project.out)}: start a repository "
            "with `kustgen init`, or give --out DIR to build the example there"
        )
    crd_files = [] if check or no_validate else project.crd_files()
    root = project.out
    # The same command on the same inputs: the recorded outcome (kustgen.replay).
    request = {
        "command": "build", "target": project.target, "root": str(project.root),
        "out": str(root.resolve()), "settings": repr(project.settings),
        "origin": project.origin, "check": check, "validate": not no_validate,
        "cluster": cluster_name, "crds": [str(p.resolve()) for p in crd_files],
        "repository": str(_repository(root)),
    }
    loaded: list[Fleet] = []

    def prepare() -> dict[str, str]:
        fleet, files = _prepare_build(project, check=check, validate=not no_validate,
                                      cluster_name=cluster_name, crd_files=crd_files)
        loaded.append(fleet)
        return files

    cache = _user_cache(project) if replay.enabled(os.environ) else None
    outcome = replay.run(cache, request, prepare, module=_target_module(project),
                         reuse=not verify)
    if replay.explaining(os.environ):
        for reason in outcome.why:
            click.echo(f"kustgen: replay: {reason}", err=True)
    files = outcome.files
    if check:
        report = writer.check(root, files, lock_timeout=lock_timeout)
        for note in report.notes:
            click.echo(f"kustgen: warning: {note}", err=True)
        click.echo(f"kustgen: {report.unchanged} generated files are current", err=True)
        return
    report = writer.sync(root, files, adopt=adopt, lock_timeout=lock_timeout)
    for note in report.notes:
        click.echo(f"kustgen: warning: {note}", err=True)
    for relative in report.adopted:
        click.echo(f"adopted {display_path(root / relative)}")
    for relative in report.written:
        click.echo(f"wrote {display_path(root / relative)}")
    for relative in report.removed:
        click.echo(f"removed {display_path(root / relative)}")
    click.echo(
        f"kustgen: wrote {len(report.written)} file(s), removed {len(report.removed)}, "
        f"{report.unchanged} unchanged",
        err=True,
    )
    if verify:
        from kustgen import build as library

        chosen = loaded[0].select(cluster_name)  # --verify never replays
        count = library.verify(chosen, root)
        click.echo(f"verified {len(chosen.overlays)} overlays ({count} directories) "
                   "with kubectl kustomize")
    if fail_on_change and report.changed:
        click.echo("kustgen: generated files changed; stage them and commit again", err=True)
        sys.exit(1)


def _prepare_build(
    project: Project, *, check: bool, validate: bool, cluster_name: str | None,
    crd_files: list[Path],
) -> tuple[Fleet, dict[str, str]]:
    """Everything `kustgen build` does before the writer: load the fleet, lay its
    tree out, refuse secret values, and (unless ``check``) validate it.  What this
    prints and returns is what ``kustgen.replay`` records."""
    from kustgen import build as library
    from kustgen import plaintext
    from kustgen.tree import converted_once

    fleet = _load(project, with_tree=True)
    chosen = fleet.select(cluster_name)
    root = project.out
    # From here on no user code runs: each object is converted to plain data once.
    click.get_current_context().with_resource(converted_once())
    # Laid out once (a malformed fleet is refused here): validated, then written.
    files = library.tree(fleet)
    if not check:
        _check_repository(fleet, root)
        if validate:
            for warning in library.validate(
                chosen, crd_files=crd_files, files=files if chosen is fleet else None,
                cache=_validation_cache(crd_files, project), root=root,
            ):
                click.echo(warning.format(), err=True)
    plaintext.refuse(fleet, files)
    return fleet, files


def _target_module(project: Project) -> str:
    return project.target.partition(":")[0]


def _check_repository(fleet: Fleet, root: Path) -> None:
    """GitOps paths start at the repository root: refuse to write them wrong when
    ``root`` is inside a git repository somewhere else than its root says."""
    from kustgen.config import repository_root
    from kustgen.gitops import check_repository_path

    found = repository_root(root)
    if found is not None:
        check_repository_path(fleet.clusters, root.resolve().relative_to(found).as_posix(), found)


def _repository(start: Path) -> list[Path]:
    """The git work tree holding ``start``, if any."""
    from kustgen.config import repository_root

    found = repository_root(start)
    return [found] if found is not None else []


def _cache_directory(project: Project) -> Path | None:
    """The user's cache directory, unless ``KUSTGEN_CACHE=off`` or it would sit in
    the repository or the output root (see kustgen.usercache); said once a command."""
    from kustgen.usercache import cache_dir_from_env, inside

    context = click.get_current_context()
    if "kustgen.cache" in context.meta:
        found: Path | None = context.meta["kustgen.cache"]
        return found
    directory = cache_dir_from_env(os.environ)
    holder = inside(directory, [*_repository(project.root), project.out]) if directory else None
    if directory is not None and holder is not None:
        click.echo(
            f"kustgen: warning: not using the cache {display_path(directory)}: it is "
            f"inside {display_path(holder)}, where a committed file could stand in for results",
            err=True,
        )
        directory = None
    context.meta["kustgen.cache"] = directory
    return directory


def _user_cache(project: Project) -> UserCache | None:
    """The command's one user cache (``kustgen.usercache``), opened on first use."""
    from kustgen.usercache import UserCache

    context = click.get_current_context()
    if "kustgen.usercache" not in context.meta:
        directory = _cache_directory(project)
        context.meta["kustgen.usercache"] = (
            UserCache.open(directory) if directory is not None else None)
    cache: UserCache | None = context.meta["kustgen.usercache"]
    return cache


def _validation_cache(crd_files: list[Path], project: Project) -> ValidationCache | None:
    """The user's validation cache, in the directory of ``_cache_directory``."""
    from kustgen.validate.cache import ValidationCache

    directory = _cache_directory(project)
    return ValidationCache.open(directory, crd_files) if directory is not None else None


@main.command()
@_target_option
@click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="ENV",
    shell_complete=_complete_env,
    help="Only this environment (repeatable).",
)
@click.option(
    "--crd",
    "crds",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CustomResourceDefinition file to validate custom resources against (repeatable; "
    "adds to [tool.kustgen] crds).",
)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_cluster_option
@_read_root_option("config files kept beside the overlays")
@_traceback_option
@_reports_errors
def validate(
    target: str | None, envs: tuple[str, ...], crds: tuple[Path, ...], output: str,
    cluster_name: str | None, out: Path | None,
) -> None:
    """Validate and lint every environment's final objects; exit 1 on any error.

    Prints every finding, sorted, one per line (or a JSON list): severity,
    environment, object, field, message and rule id.
    """
    from kustgen.errors import CheckFailed
    from kustgen.validate import validate as validate_all
    from kustgen.validate.findings import as_json, as_text, summary

    project = _project(target, out)
    crd_files = project.crd_files(crds)
    fleet = _load(project).select(cluster_name)
    findings = validate_all(
        fleet,
        list(envs) or None,
        crd_files=crd_files,
        cache=_validation_cache(crd_files, project),
        root=project.out,
    )
    click.echo(as_json(findings) if output == "json" else as_text(findings), nl=False)
    if any(f.severity == "error" for f in findings):
        raise CheckFailed(summary(findings), obj="validate")
    click.echo(f"kustgen: {summary(findings)}", err=True)


@main.command()
@click.argument("env", shell_complete=_complete_env)
@_target_option
@_read_root_option("files kept beside the overlays (config files, secret value files)")
@_traceback_option
@_reports_errors
def render(env: str, target: str | None, out: Path | None) -> None:
    """Print ENV's final manifests, as `kubectl kustomize overlays/ENV` would."""
    from kustgen import build as library

    project = _project(target, out, uses_tree=True)
    fleet = _load(project)
    click.echo(library.render_env(fleet, env, root=project.out), nl=False)


@main.command()
@_target_option
@_cluster_option
@_traceback_option
@_reports_errors
def envs(target: str | None, cluster_name: str | None) -> None:
    """List the environments (overlays) of every cluster, or of --cluster."""
    fleet = _load(_project(target)).select(cluster_name)
    for env in fleet.envs():
        click.echo(env)


@main.command()
@_target_option
@_cluster_option
@click.option("--env", "env", metavar="ENV", shell_complete=_complete_env,
              help="Only this environment (and the infrastructure it runs on).")
@click.option("--format", "output", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True)
@_traceback_option
@_reports_errors
def graph(target: str | None, cluster_name: str | None, env: str | None, output: str) -> None:
    """Draw the fleet: clusters, layers, bases and objects, and how Services, pools,
    advertisements, peers, claims, storage classes and backups connect.

    Mermaid renders in a git host's Markdown; `dot` is Graphviz (dot -Tsvg).
    """
    from kustgen.graph import fleet_graph

    fleet = _load(_project(target)).select(cluster_name)
    click.echo(fleet_graph(fleet, env=env, output=output), nl=False)


def _colour(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def _coloured_diff(text: str) -> str:
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            lines.append(click.style(line, bold=True))
        elif line.startswith("+"):
            lines.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            lines.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            lines.append(click.style(line, fg="cyan"))
        elif line.startswith("only in "):
            lines.append(click.style(line, fg="yellow"))
        else:
            lines.append(line)
    return "".join(lines)


@main.command()
@click.argument("env_a", shell_complete=_complete_env)
@click.argument("env_b", shell_complete=_complete_env)
@_target_option
@_read_root_option("files kept beside the overlays")
@_traceback_option
@_reports_errors
def diff(env_a: str, env_b: str, target: str | None, out: Path | None) -> None:
    """Show how ENV_B's final objects differ from ENV_A's (a unified diff per object).

    Secret values are printed as <redacted>.  Exits 1 when they differ and 0
    when they do not, as diff(1) does.
    """
    from kustgen.plan.envdiff import diff_envs

    project = _project(target, out)
    cluster = _load(project)
    text = diff_envs(cluster, env_a, env_b, project.out)
    if not text:
        click.echo(f"kustgen: {env_a} and {env_b} have the same objects", err=True)
        return
    colour = _colour(sys.stdout)
    click.echo(_coloured_diff(text) if colour else text, nl=False, color=colour)
    sys.exit(1)


@main.command("import-crd")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory (a Python package) to write one module per API group into.",
)
@_traceback_option
@_reports_errors
def import_crd(files: tuple[str, ...], out: Path) -> None:
    """Generate typed classes from CustomResourceDefinition FILES."""
    from kustgen.codegen import import_crds

    for path in import_crds([Path(f) for f in files], out):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option(
    "--ci",
    type=click.Choice(["gitlab", "github", "none"]),
    default="gitlab",
    show_default=True,
    help="Which CI file to write: .gitlab-ci.yml, .github/workflows/kustgen.yml, or none.",
)
@click.option(
    "--name", metavar="NAME", help="The cluster's name (default: the directory's name)."
)
@_traceback_option
@_reports_errors
def init(directory: Path | None, ci: str, name: str | None) -> None:
    """Start a cluster repository in DIRECTORY (default: the current one).

    Writes pyproject.toml with [tool.kustgen], a cluster module built from the
    catalog (an app, MetalLB, Longhorn; two environments), a pre-commit
    configuration, .gitignore, a CI file and tests.  Refuses to overwrite any
    existing file.
    """
    from kustgen.scaffold import scaffold

    target = directory or Path(".")
    written = scaffold(target, ci=ci, name=name)
    for relative in written:
        click.echo(f"wrote {display_path(target / relative)}")
    where = "" if target == Path(".") else f"cd {display_path(target)} && "
    click.echo(
        f"kustgen: next: {where}kustgen build && kustgen validate "
        "(then `git init && pre-commit install`)",
        err=True,
    )


def _env_option(value: str) -> tuple[str, str]:
    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise click.UsageError(f"--env expects NAME=PATH, got {value!r}")
    from kustgen.tree import check_dir_name

    check_dir_name("environment", name)
    return name, path


@main.command("import")
@click.argument("sources", nargs=-1)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Python module to write (replaced only if `kustgen import` wrote it).",
)
@click.option(
    "--env",
    "envs",
    multiple=True,
    metavar="NAME=PATH",
    help="An environment's manifests (file, directory or kustomization directory; repeat "
    "NAME=PATH for several paths): one shared base plus each environment's changes.",
)
@click.option(
    "--crd",
    "crds",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CRD file whose custom resources get typed classes (repeatable).",
)
@click.option(
    "--allow-secrets",
    is_flag=True,
    help="Import Secrets that hold values (they are written into the module in plain text).",
)
@_traceback_option
@_reports_errors
def import_(sources: tuple[str, ...], out: Path, envs: tuple[str, ...],
            crds: tuple[Path, ...], allow_secrets: bool) -> None:
    """Write existing manifests (SOURCE: files, directories, kustomization directories or
    -) as a typed Python module defining `cluster`."""
    from kustgen.imports import ImportRequest, import_manifests

    grouped: dict[str, list[str]] = {}
    for value in envs:
        name, path = _env_option(value)
        grouped.setdefault(name, []).append(path)
    if sources and grouped:
        raise click.UsageError("give SOURCE arguments or --env options, not both")
    if not sources and not grouped:
        raise click.UsageError("give at least one SOURCE (or --env NAME=PATH)")
    command = " ".join(["kustgen import", *sources, *(f"--env {e}" for e in envs),
                        *(f"--crd {c}" for c in crds),
                        *(["--allow-secrets"] if allow_secrets else []), f"--out {out}"])
    request = ImportRequest(out=out, sources=sources, envs=list(grouped.items()),
                            crd_files=crds, command=command, allow_secrets=allow_secrets)
    for written in import_manifests(request):
        click.echo(f"wrote {written}")


if __name__ == "__main__":
    # `python -m kustgen.cli` puts the current directory first on sys.path, where a
    # cluster module named like a library (yaml.py) would shadow it; the installed
    # `kustgen` command does not, and neither does this.
    if sys.path and Path(sys.path[0] or ".").resolve() == Path.cwd().resolve():
        del sys.path[0]
    main(prog_name="kustgen")
