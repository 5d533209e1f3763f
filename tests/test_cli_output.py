"""What a person reads: summaries, warnings, diff's exit code and colour, help, completion."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli import GOOD, ROOT, kustgen, write_project

SECRET_ENV = """
from kustgen import Base, Cluster, Environment, Objects, SecretGenerator
from kustgen.k8s import core_v1 as core, meta_v1 as meta

cm = core.ConfigMap(metadata=meta.ObjectMeta(name="settings"), data={"mode": "on"})
base = Base(name="app", objects=[cm])


def production(objs: Objects) -> None:
    objs.label({"env": "prod"})


cluster = Cluster(name="t", overlays=[
    Environment(name="production", bases=[base], change=production,
                secrets=[SecretGenerator(name="db", envs=["secrets/db.env"])]).overlay(),
])
"""


def test_build_ends_with_a_one_line_summary_and_check_says_current(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    first = kustgen("build", cwd=project)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines()[-1] == "kustgen: wrote 4 file(s), removed 0, 0 unchanged"
    again = kustgen("build", cwd=project)
    assert again.stdout == ""
    assert again.stderr.splitlines()[-1] == "kustgen: wrote 0 file(s), removed 0, 4 unchanged"
    check = kustgen("build", "--check", cwd=project)
    assert check.stderr.splitlines()[-1] == "kustgen: 4 generated files are current"


def test_check_lists_one_file_per_line(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    assert kustgen("build", cwd=project).returncode == 0
    (project / "bases/app/configmap-settings.yaml").unlink()
    (project / "overlays/dev/kustomization.yaml").write_text("# edited\n")
    check = kustgen("build", "--check", cwd=project)
    assert check.returncode == 1
    assert check.stderr.splitlines()[1:] == [
        "stale: overlays/dev/kustomization.yaml",
        "missing: bases/app/configmap-settings.yaml",
        "kustgen: error: .: 2 generated file(s) differ from the cluster definition "
        "(run `kustgen build`)",
    ]


def test_planner_notes_are_kustgen_warnings_naming_the_environment(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", SECRET_ENV)
    result = kustgen("envs", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "kustgen: warning: environment production: planned with empty stand-ins for files "
        "kept by hand (overlays/production/secrets/db.env): generated names in objects() "
        "carry the stand-ins' hash; objects(root=OUT) reads the real files"
    )
    assert "PlanWarning" not in result.stderr and "warnings.warn" not in result.stderr


def test_diff_exits_1_when_the_environments_differ_and_0_when_not(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    differ = kustgen("diff", "dev", "prod", cwd=project)
    assert differ.returncode == 1, differ.stderr
    assert "only in dev: ConfigMap/settings\n" in differ.stdout
    assert "\x1b[" not in differ.stdout  # piped: no colour
    same = kustgen("diff", "dev", "dev", cwd=project)
    assert same.returncode == 0, same.stderr
    assert same.stdout == ""
    assert same.stderr.splitlines()[-1] == "kustgen: dev and dev have the same objects"


def run_on_a_terminal(args: list[str], cwd: Path, extra_env: dict[str, str]) -> str:
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", **extra_env}
    if "NO_COLOR" not in extra_env:
        env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "kustgen.cli", *args],
        cwd=cwd, env=env, stdout=follower, stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_diff_colours_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", SECRET_ENV.replace(
        "Environment(name=\"production\"",
        "Environment(name=\"staging\", bases=[base]).overlay(),\n"
        "    Environment(name=\"production\"",
    ))
    coloured = run_on_a_terminal(["diff", "staging", "production"], project, {})
    assert "\x1b[32m+" in coloured  # added lines in green
    plain = run_on_a_terminal(["diff", "staging", "production"], project, {"NO_COLOR": "1"})
    assert "\x1b[" not in plain
    assert "+    env: prod" in plain


@pytest.mark.parametrize(
    "args", [["-h"], ["build", "-h"], ["validate", "-h"], ["init", "-h"], ["diff", "-h"]]
)
def test_short_help_everywhere(args: list[str], tmp_path: Path) -> None:
    result = kustgen(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: kustgen")


def complete(words: str, cwd: Path) -> list[str]:
    result = kustgen(cwd=cwd, env={
        "_KUSTGEN_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split(" ")) - 1),
    })
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.splitlines()


def test_completion_offers_the_environments_of_the_configured_cluster(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    assert complete("kustgen render ", project) == ["plain,dev", "plain,prod"]
    assert complete("kustgen diff dev p", project) == ["plain,prod"]
    assert complete("kustgen validate --env d", project) == ["plain,dev"]
    assert "plain,init" in complete("kustgen ", project)
    # A broken cluster module completes nothing and prints nothing into the shell.
    (project / "clusterdef.py").write_text("raise RuntimeError('x')\n")
    assert [line for line in complete("kustgen render ", project) if line] == []


def test_traceback_flag_and_environment_variable_show_the_trace(tmp_path: Path) -> None:
    """The one-line errors of tests/badinput/user_code.py, with Python's full trace
    when asked for (on the group or the command, or by the environment)."""
    (tmp_path / "clusterdef.py").write_text("raise RuntimeError('boom')\n")
    (tmp_path / "pyproject.toml").write_text('[tool.kustgen]\ntarget = "clusterdef:cluster"\n')
    for args, extra in ((["--traceback", "build"], {}), (["build", "--traceback"], {}),
                        (["build"], {"KUSTGEN_TRACEBACK": "1"})):
        result = kustgen(*args, cwd=tmp_path, env=extra)
        assert result.returncode == 2
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert 'clusterdef.py", line 1' in result.stderr
        assert result.stderr.splitlines()[-1] == (
            "kustgen: error: clusterdef.py:1: RuntimeError: boom"
        )
