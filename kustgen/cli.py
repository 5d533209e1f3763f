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
    from kustgen.tree import Cluster

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


def _resolve(target: str | None) -> tuple[Cluster, str | None]:
    """The cluster to work on and the configured output directory, if any."""
    from kustgen.config import DEFAULT_TARGET, load_cluster, load_settings

    cwd = Path.cwd()
    settings = load_settings(cwd)
    chosen = target or settings.target or DEFAULT_TARGET
    return load_cluster(chosen, search_path=cwd), settings.out


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
@_reports_errors
def build(
    target: str | None,
    out: Path | None,
    check: bool,
    verify: bool,
    fail_on_change: bool,
    no_validate: bool,
) -> None:
    """Write bases/, overlays/ and components/ of the cluster under OUT.

    Every environment is validated and linted first (as `kustgen validate`
    does); an error-level finding stops the build before anything is written.
    """
    from kustgen import build as library

    if check and (verify or fail_on_change):
        raise click.UsageError(
            "--check writes nothing; it cannot be combined with --verify or --fail-on-change"
        )
    cluster, configured_out = _resolve(target)
    root = out or Path(configured_out or ".")
    if check:
        library.check(cluster, root)
        return
    if not no_validate:
        for warning in library.validate(cluster, crd_files=_crd_files(()), root=root):
            click.echo(warning.format(), err=True)
    report = library.write(cluster, root)
    for relative in report.written:
        click.echo(f"wrote {root / relative}")
    for relative in report.removed:
        click.echo(f"removed {root / relative}")
    if verify:
        library.verify(cluster, root)
        click.echo(f"verified {len(cluster.overlays)} overlays with kubectl kustomize")
    if fail_on_change and report.changed:
        click.echo("kustgen: generated files changed; stage them and commit again", err=True)
        sys.exit(1)


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
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output root, where config files kept beside the overlays are read "
    "(default: [tool.kustgen] out, else .).",
)
@_reports_errors
def validate(
    target: str | None, envs: tuple[str, ...], crds: tuple[Path, ...], output: str,
    out: Path | None,
) -> None:
    """Validate and lint every environment's final objects; exit 1 on any error.

    Prints every finding, sorted, one per line (or a JSON list): severity,
    environment, object, field, message and rule id.
    """
    from kustgen.errors import CheckFailed
    from kustgen.validate import validate as validate_all
    from kustgen.validate.findings import as_json, as_text, summary

    cluster, configured_out = _resolve(target)
    root = out or Path(configured_out or ".")
    findings = validate_all(cluster, list(envs) or None, crd_files=_crd_files(crds), root=root)
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
    help="Output root, where files kept beside the overlays (config files, secret "
    "value files kept out of git) are read (default: [tool.kustgen] out, else .).",
)
@_reports_errors
def render(env: str, target: str | None, out: Path | None) -> None:
    """Print ENV's final manifests, as `kubectl kustomize overlays/ENV` would."""
    from kustgen import build as library

    cluster, configured_out = _resolve(target)
    root = out or Path(configured_out or ".")
    click.echo(library.render_env(cluster, env, root=root), nl=False)


@main.command()
@_target_option
@_reports_errors
def envs(target: str | None) -> None:
    """List the environments (overlays) of the cluster."""
    cluster, _ = _resolve(target)
    for env in cluster.envs():
        click.echo(env)


@main.command()
@click.argument("env_a")
@click.argument("env_b")
@_target_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output root, where config files kept beside the overlays are read "
    "(default: [tool.kustgen] out, else .).",
)
@_reports_errors
def diff(env_a: str, env_b: str, target: str | None, out: Path | None) -> None:
    """Show how ENV_B's final objects differ from ENV_A's (a unified diff per object).

    Secret values are printed as <redacted>."""
    from kustgen.plan.envdiff import diff_envs

    cluster, configured_out = _resolve(target)
    root = out or Path(configured_out or ".")
    click.echo(diff_envs(cluster, env_a, env_b, root), nl=False)


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
