"""Bad input of a newcomer's first hour: one clear line (two with the user's file:line
and the --traceback hint), the right exit code, no traceback, nothing written.

Each entry is a small project (files), a command, the exit code, and patterns
the error lines must match in order.  The project is compared file by file
before and after the command: nothing may be written, removed or changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.test_cli import kustgen

HINT = r"kustgen: \(--traceback or KUSTGEN_TRACEBACK=1 shows the full trace\)"
ANNOUNCE = r"kustgen: cluster .*"
CONFIG = '[tool.kustgen]\ntarget = "clusterdef:cluster"\n'

GOOD = """\
from kustgen import Base, Cluster, Overlay
from kustgen.k8s import core_v1 as core, meta_v1 as meta

cm = core.ConfigMap(metadata=meta.ObjectMeta(name="settings"), data={"mode": "on"})
base = Base(name="app", objects=[cm])
cluster = Cluster(name="t", overlays=[Overlay(name="dev", bases=[base])])
"""

ENVIRONMENT = """\
from kustgen import Base, Cluster, Environment, Objects
from kustgen.k8s import apps_v1 as apps, core_v1 as core, meta_v1 as meta

cm = core.ConfigMap(metadata=meta.ObjectMeta(name="settings"), data={"mode": "on"})
base = Base(name="app", objects=[cm])


def production(objs: Objects) -> None:
    CHANGE


cluster = Cluster(name="t", overlays=[
    Environment(name="production", bases=[base], change=production).overlay(),
])
"""


def env_module(change: str) -> str:
    return ENVIRONMENT.replace("CHANGE", change)


@dataclass
class Case:
    id: str
    files: dict[str, str]
    args: list[str]
    lines: list[str]  # regular expressions, one per stderr line
    exit_code: int = 2
    cwd: str = "."
    extra: dict[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "module-raises-at-import",
        {"clusterdef.py": "import os\nraise RuntimeError('no cluster today')\n",
         "pyproject.toml": CONFIG},
        ["build"],
        [r"kustgen: error: clusterdef.py:2: RuntimeError: no cluster today", HINT],
    ),
    Case(
        "module-syntax-error",
        {"clusterdef.py": GOOD + "cluster = (\n", "pyproject.toml": CONFIG},
        ["build"],
        [r"kustgen: error: clusterdef.py:7: SyntaxError: '\(' was never closed", HINT],
    ),
    Case(
        "module-imports-a-missing-package",
        {"clusterdef.py": "import kg_not_installed_anywhere\n" + GOOD, "pyproject.toml": CONFIG},
        ["build"],
        [
            r"kustgen: error: clusterdef.py:1: ModuleNotFoundError: "
            r"No module named 'kg_not_installed_anywhere'",
            HINT,
        ],
    ),
    Case(
        "target-module-missing",
        {"pyproject.toml": '[tool.kustgen]\ntarget = "clusters.home:cluster"\n'},
        ["build"],
        [r"kustgen: error: target 'clusters.home:cluster': no module named 'clusters' "
         r"\(looked in \. and the installed packages\)"],
    ),
    Case(
        "target-names-a-file-path",
        {"clusters/home.py": GOOD,
         "pyproject.toml": '[tool.kustgen]\ntarget = "clusters/home.py:cluster"\n'},
        ["build"],
        [r"kustgen: error: target 'clusters/home.py:cluster': names a file; "
         r"name the module instead: clusters.home:cluster"],
    ),
    Case(
        "target-without-attribute",
        {"clusterdef.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef"\n'},
        ["envs"],
        [r"kustgen: error: target 'clusterdef': expected MODULE:ATTRIBUTE, "
         r"e.g. clusterdef:cluster"],
    ),
    Case(
        "target-attribute-missing",
        {"clusterdef.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef:clustr"\n'},
        ["envs"],
        [r"kustgen: error: target 'clusterdef:clustr': module clusterdef \(clusterdef.py\) "
         r"has no attribute 'clustr'"],
    ),
    Case(
        "target-is-not-a-cluster",
        {"clusterdef.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef:base"\n'},
        ["envs"],
        [r"kustgen: error: target 'clusterdef:base': is a Base, not a kustgen.Cluster"],
    ),
    Case(
        "module-named-like-an-installed-library",
        {"yaml.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "yaml:cluster"\n'},
        ["build"],
        [r"kustgen: error: target 'yaml:cluster': yaml.py has the name of a module of an "
         r"installed package \(.*yaml/__init__.py\); rename it \(e.g. clusters/yaml_cluster.py\)"],
    ),
    Case(
        "module-named-like-the-standard-library",
        {"json.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "json:cluster"\n'},
        ["envs"],
        [r"kustgen: error: target 'json:cluster': json.py has the name of a module of "
         r"Python's standard library; rename it \(e.g. clusters/json_cluster.py\)"],
    ),
    Case(
        "cluster-function-raises",
        {"clusterdef.py": GOOD + "\n\ndef make():\n    return {}['cluster']\n",
         "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef:make"\n'},
        ["build"],
        [r"kustgen: error: clusterdef.py:10: KeyError: 'cluster'", HINT],
    ),
    Case(
        "change-function-raises",
        {"clusterdef.py": env_module("objs.label({'a': 'b'})['x']"), "pyproject.toml": CONFIG},
        ["build"],
        [r"kustgen: error: environment production: clusterdef.py:9: TypeError: "
         r"'NoneType' object is not subscriptable", HINT],
    ),
    Case(
        "change-function-missing-object",
        {"clusterdef.py": env_module("objs.get(apps.Deployment, 'web').spec = None"),
         "pyproject.toml": CONFIG},
        ["build"],
        [r"kustgen: error: environment production: clusterdef.py:9: "
         r"Deployment/web: no such object"],
    ),
    Case(
        "change-function-wrong-type",
        {"clusterdef.py": env_module(
            "objs.get(core.ConfigMap, 'settings').data = {'n': 3}  # type: ignore"),
         "pyproject.toml": CONFIG},
        ["build"],
        [r"kustgen: error: environment production: ConfigMap/settings: data.n: "
         r"expected a string, got int 3"],
    ),
    Case(
        "change-function-container-absent",
        {"clusterdef.py": env_module("objs.container(core.ConfigMap, 'settings')"),
         "pyproject.toml": CONFIG},
        ["build"],
        [r"kustgen: error: environment production: clusterdef.py:9: ConfigMap/settings: "
         r"has no pod template \(workload kinds: .*\)"],
    ),
    Case(
        "self-referencing-object",
        {"clusterdef.py": GOOD.replace(
            "base = Base(",
            "loop = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'l'}}\n"
            "loop['data'] = loop\nbase = Base(",
        ).replace("objects=[cm]", "objects=[cm, loop]"), "pyproject.toml": CONFIG},
        ["build"],
        [ANNOUNCE, r"kustgen: error: RecursionError: maximum recursion depth exceeded.* "
         r"\(does an object contain itself\?\)", HINT],
    ),
    Case(
        "out-below-a-file",
        {"clusterdef.py": GOOD, "pyproject.toml": CONFIG, "afile": "x"},
        ["build", "--out", "afile/sub"],
        [r"kustgen: error: output directory afile/sub lies below afile, "
         r"which is not a directory"],
    ),
    Case(
        "configured-out-is-a-file",
        {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'out = "afile"\n', "afile": "x"},
        ["build"],
        [r"kustgen: error: output directory afile is not a directory"],
    ),
    Case(
        "configured-out-is-a-file-check",
        {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'out = "afile"\n', "afile": "x"},
        ["build", "--check"],
        [r"kustgen: error: output directory afile is not a directory"],
    ),
    Case(
        "configured-crd-missing",
        {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'crds = ["crds/widget.yaml"]\n'},
        ["build"],
        [r"kustgen: error: pyproject.toml: tool.kustgen.crds: crds/widget.yaml does not exist "
         r"\(a CRD file is expected\)"],
    ),
    Case(
        "configured-crd-is-a-directory",
        {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'crds = ["crds"]\n',
         "crds/README": "x"},
        ["validate"],
        [r"kustgen: error: pyproject.toml: tool.kustgen.crds: crds is a directory "
         r"\(a CRD file is expected\)"],
    ),
    Case(
        "config-not-toml",
        {"clusterdef.py": GOOD, "pyproject.toml": "[tool.kustgen\n"},
        ["envs"],
        [r"kustgen: error: pyproject.toml: cannot read TOML: .*"],
    ),
    Case(
        "config-target-not-a-string",
        {"clusterdef.py": GOOD, "pyproject.toml": "[tool.kustgen]\ntarget = 3\n"},
        ["envs"],
        [r"kustgen: error: pyproject.toml: tool.kustgen.target: must be a non-empty string"],
    ),
    Case(
        "no-config-build-would-write-the-example-here",
        {"notes.txt": "mine"},
        ["build"],
        [r"kustgen: error: no \[tool.kustgen\] in a pyproject.toml here or above, so the "
         r"embedded example cluster is not written into \.: start a repository with "
         r"`kustgen init`, or give --out DIR to build the example there"],
    ),
    Case(
        "no-config-check-would-compare-the-example-with-here",
        {"notes.txt": "mine"},
        ["build", "--check"],
        [r"kustgen: error: no \[tool.kustgen\] in a pyproject.toml here or above, so the "
         r"embedded example cluster is not checked against \.: start a repository with "
         r"`kustgen init`, or give --out DIR to build the example there"],
    ),
    Case(
        "unknown-environment",
        {"clusterdef.py": GOOD, "pyproject.toml": CONFIG},
        ["render", "no-such-env"],
        [ANNOUNCE, r"kustgen: error: cluster t: no environment 'no-such-env' \(known: dev\)"],
    ),
    Case(
        "init-into-a-non-empty-directory",
        {"notes.txt": "mine"},
        ["init"],
        [r"kustgen: error: kustgen init: \. is not empty \(it has notes.txt\); give an empty "
         r"or new directory: kustgen init never overwrites a file"],
    ),
    Case(
        "from-a-subfolder-an-error-names-paths-from-there",
        {"clusters/__init__.py": "", "clusters/home.py": "raise ValueError('x')\n",
         "pyproject.toml": '[tool.kustgen]\ntarget = "clusters.home:cluster"\n'},
        ["build"],
        [r"kustgen: error: home.py:1: ValueError: x", HINT],
        cwd="clusters",
    ),
]


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_line(case: Case, tmp_path: Path) -> None:
    for relative, text in case.files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    before = snapshot(tmp_path)
    result = kustgen(*case.args, cwd=tmp_path / case.cwd)
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert result.returncode == case.exit_code, result.stderr
    assert len(lines) == len(case.lines), result.stderr
    for line, pattern in zip(lines, case.lines, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)
    assert snapshot(tmp_path) == before


def test_traceback_flag_and_environment_variable_show_the_trace(tmp_path: Path) -> None:
    (tmp_path / "clusterdef.py").write_text("raise RuntimeError('boom')\n")
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    for args, extra in ((["--traceback", "build"], {}), (["build", "--traceback"], {}),
                        (["build"], {"KUSTGEN_TRACEBACK": "1"})):
        result = kustgen(*args, cwd=tmp_path, env=extra)
        assert result.returncode == 2
        assert result.stderr.startswith("Traceback (most recent call last):")
        assert 'clusterdef.py", line 1' in result.stderr
        assert result.stderr.splitlines()[-1] == (
            "kustgen: error: clusterdef.py:1: RuntimeError: boom"
        )
