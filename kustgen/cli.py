"""The `kustgen` command: a thin shell over the library.

Each command validates its options, picks the cluster (``--target``, else
``[tool.kustgen]`` in ./pyproject.toml, else the embedded default) and makes
one library call.  kustgen's own errors are printed as one line, without a
traceback, and exit with the code the error class owns (1 for failed checks,
2 for bad input or usage).  Heavy modules are imported inside the commands so
that `kustgen --help` and a no-op `kustgen build --check` start quickly.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kustgen.errors import KustgenError

if TYPE_CHECKING:
    from kustgen.fleet import Fleet

F = TypeVar("F", bound=Callable[..., Any])


def _reports_errors(command: F) -> F:
    """Turn kustgen's errors into one line on stderr and the error's exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KustgenError as error:
            if error.details:
                click.echo(error.details.rstrip("\n"), err=True)
            click.echo(f"kustgen: error: {error.format()}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


_target_option = click.option(
    "--target",
    metavar="MODULE:ATTR",
    help="The cluster definition to build (default: [tool.kustgen] target, "
    "else the embedded default cluster).",
)


_cluster_option = click.option(
    "--cluster", "cluster_name", metavar="CLUSTER",
    help="Only this cluster of the fleet (default: every cluster).",
)


def _resolve(target: str | None, cluster: str | None = None) -> tuple[Fleet, str | None]:
    """The fleet (or the one ``cluster`` of it) to work on and the configured output
    directory, if any.  A lone cluster is a fleet of one."""
    from kustgen.config import DEFAULT_TARGET, load_cluster, load_settings
    from kustgen.fleet import as_fleet

    cwd = Path.cwd()
    settings = load_settings(cwd)
    chosen = target or settings.target or DEFAULT_TARGET
    fleet = as_fleet(load_cluster(chosen, search_path=cwd)).with_gitops_defaults(
        url=settings.repository, branch=settings.branch, path=settings.repository_path
    )
    return fleet.select(cluster), settings.out


@click.group()
@click.version_option(package_name="kustgen")
def main() -> None:
    """Write typed Python cluster definitions as plain Kustomize trees."""


@main.command()
@_target_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output root holding bases/ and overlays/ (default: [tool.kustgen] out, else .).",
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
@_cluster_option
@_reports_errors
def build(
    target: str | None,
    out: Path | None,
    check: bool,
    verify: bool,
    fail_on_change: bool,
    no_validate: bool,
    cluster_name: str | None,
) -> None:
    """Write bases/, overlays/, components/ and clusters/ of the fleet under OUT.

    Every environment is validated and linted first (as `kustgen validate`
    does); an error-level finding stops the build before anything is written.
    The tree is one unit: it is always written whole; --cluster narrows the
    validation and --verify to one cluster.
    """
    from kustgen import build as library

    if check and (verify or fail_on_change):
        raise click.UsageError(
            "--check writes nothing; it cannot be combined with --verify or --fail-on-change"
        )
    fleet, configured_out = _resolve(target)
    chosen = fleet.select(cluster_name)
    root = out or Path(configured_out or ".")
    if check:
        library.check(fleet, root)
        return
    library.tree(fleet)  # a malformed fleet is refused before validating it
    _check_repository(fleet, root)
    if not no_validate:
        for warning in library.validate(chosen, crd_files=_crd_files(())):
            click.echo(warning.format(), err=True)
    report = library.write(fleet, root)
    for relative in report.written:
        click.echo(f"wrote {root / relative}")
    for relative in report.removed:
        click.echo(f"removed {root / relative}")
    if verify:
        count = library.verify(chosen, root)
        click.echo(f"verified {len(chosen.overlays)} overlays ({count} directories) "
                   "with kubectl kustomize")
    if fail_on_change and report.changed:
        click.echo("kustgen: generated files changed; stage them and commit again", err=True)
        sys.exit(1)


def _check_repository(fleet: Fleet, root: Path) -> None:
    """GitOps paths start at the repository root: refuse to write them wrong when
    ``root`` is inside a git repository somewhere else than its root says."""
    from kustgen.config import repository_root
    from kustgen.gitops import check_repository_path

    found = repository_root(root)
    if found is not None:
        check_repository_path(fleet.clusters, root.resolve().relative_to(found).as_posix(), found)


def _crd_files(given: tuple[Path, ...]) -> list[Path]:
    """CRD files from ``[tool.kustgen] crds`` followed by the ones given with ``--crd``."""
    from kustgen.config import load_settings

    return [*load_settings(Path.cwd()).crd_paths(), *given]


@main.command()
@_target_option
@click.option(
    "--env", "envs", multiple=True, metavar="ENV", help="Only this environment (repeatable)."
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
@_reports_errors
def validate(
    target: str | None, envs: tuple[str, ...], crds: tuple[Path, ...], output: str,
    cluster_name: str | None,
) -> None:
    """Validate and lint every environment's final objects; exit 1 on any error.

    Prints every finding, sorted, one per line (or a JSON list): severity,
    environment, object, field, message and rule id.
    """
    from kustgen.errors import CheckFailed
    from kustgen.validate import validate as validate_all
    from kustgen.validate.findings import as_json, as_text, summary

    fleet, _ = _resolve(target, cluster_name)
    findings = validate_all(fleet, list(envs) or None, crd_files=_crd_files(crds))
    click.echo(as_json(findings) if output == "json" else as_text(findings), nl=False)
    if any(f.severity == "error" for f in findings):
        raise CheckFailed(summary(findings), obj="validate")
    click.echo(f"kustgen: {summary(findings)}", err=True)


@main.command()
@click.argument("env")
@_target_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output root, where secret value files kept out of git are read "
    "(default: [tool.kustgen] out, else .).",
)
@_reports_errors
def render(env: str, target: str | None, out: Path | None) -> None:
    """Print ENV's final manifests, as `kubectl kustomize overlays/ENV` would."""
    from kustgen import build as library

    fleet, configured_out = _resolve(target)
    root = out or Path(configured_out or ".")
    click.echo(library.render_env(fleet, env, root=root), nl=False)


@main.command()
@_target_option
@_cluster_option
@_reports_errors
def envs(target: str | None, cluster_name: str | None) -> None:
    """List the environments (overlays) of every cluster, or of --cluster."""
    fleet, _ = _resolve(target, cluster_name)
    for env in fleet.envs():
        click.echo(env)


@main.command()
@_target_option
@_cluster_option
@click.option("--env", "env", metavar="ENV",
              help="Only this environment (and the infrastructure it runs on).")
@click.option("--format", "output", type=click.Choice(["mermaid", "dot"]), default="mermaid",
              show_default=True)
@_reports_errors
def graph(target: str | None, cluster_name: str | None, env: str | None, output: str) -> None:
    """Draw the fleet: clusters, layers, bases and objects, and how Services, pools,
    advertisements, peers, claims, storage classes and backups connect.

    Mermaid renders in a git host's Markdown; `dot` is Graphviz (dot -Tsvg).
    """
    from kustgen.graph import fleet_graph

    fleet, _ = _resolve(target, cluster_name)
    click.echo(fleet_graph(fleet, env=env, output=output), nl=False)


@main.command()
@click.argument("env_a")
@click.argument("env_b")
@_target_option
@_reports_errors
def diff(env_a: str, env_b: str, target: str | None) -> None:
    """Show how ENV_B's final objects differ from ENV_A's (a unified diff per object)."""
    from kustgen.plan.envdiff import diff_envs

    fleet, _ = _resolve(target)
    click.echo(diff_envs(fleet, env_a, env_b), nl=False)


@main.command("import-crd")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory (a Python package) to write one module per API group into.",
)
@_reports_errors
def import_crd(files: tuple[str, ...], out: Path) -> None:
    """Generate typed classes from CustomResourceDefinition FILES."""
    from kustgen.codegen import import_crds

    for path in import_crds([Path(f) for f in files], out):
        click.echo(f"wrote {path}")


if __name__ == "__main__":
    main()
