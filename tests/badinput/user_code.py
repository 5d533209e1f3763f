"""Mistakes in the user's own project: the cluster module, its change functions, the configuration.

Each entry is a small project (a ``pyproject.toml`` and a cluster module)
run as its own process, as a user runs kustgen in a repository: one line
naming the user's ``file:LINE`` (and the environment, inside a change
function), exit 2, nothing written.  A second line may follow the error:
``kustgen: (--traceback or KUSTGEN_TRACEBACK=1 shows the full trace)``.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.badinput import Entry, Sandbox

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


def with_change(change: str) -> str:
    return ENVIRONMENT.replace("CHANGE", change)


def project(hostile: str, error: str, files: dict[str, str], *args: str, id: str,
            cwd: str = "", setup: Callable[[Sandbox], object] | None = None) -> Entry:
    return Entry(id=id, hostile=hostile, error=f"kustgen: error: {error}",
                 args=args or ("build",), files=files, cwd=cwd, target=False, out=None,
                 prebuilt=False, own_process=True, **({"setup": setup} if setup else {}))


def _deploy_links_outside(sandbox: Sandbox) -> None:
    (sandbox.tmp / "project" / "deploy").symlink_to(sandbox.outside, target_is_directory=True)


SELF_REFERENCING = GOOD.replace(
    "base = Base(",
    "loop = {'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': 'l'}}\n"
    "loop['data'] = loop\nbase = Base(",
).replace("objects=[cm]", "objects=[cm, loop]")

ENTRIES = [
    project("The cluster module raises while it is imported.",
            "clusterdef.py:2: RuntimeError: no cluster today",
            {"clusterdef.py": "import os\nraise RuntimeError('no cluster today')\n",
             "pyproject.toml": CONFIG}, id="module-raises-at-import"),
    project("The cluster module has a syntax error.",
            "clusterdef.py:7: SyntaxError: '(' was never closed",
            {"clusterdef.py": GOOD + "cluster = (\n", "pyproject.toml": CONFIG},
            id="module-syntax-error"),
    project("The cluster module imports a package that is not installed.",
            "clusterdef.py:1: ModuleNotFoundError: No module named 'kg_not_installed_anywhere'",
            {"clusterdef.py": "import kg_not_installed_anywhere\n" + GOOD,
             "pyproject.toml": CONFIG}, id="module-imports-a-missing-package"),
    project("The configured target module does not exist.",
            "target 'clusters.home:cluster': no module named 'clusters' "
            "(looked in . and the installed packages)",
            {"pyproject.toml": '[tool.kustgen]\ntarget = "clusters.home:cluster"\n'},
            id="target-module-missing"),
    project("The target names a file path instead of a module.",
            "target 'clusters/home.py:cluster': names a file; name the module instead: "
            "clusters.home:cluster",
            {"clusters/home.py": GOOD,
             "pyproject.toml": '[tool.kustgen]\ntarget = "clusters/home.py:cluster"\n'},
            id="target-names-a-file-path"),
    project("The target has no attribute part.",
            "target 'clusterdef': expected MODULE:ATTRIBUTE, e.g. clusterdef:cluster",
            {"clusterdef.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef"\n'},
            "envs", id="target-without-attribute"),
    project("The target's attribute is misspelt.",
            "target 'clusterdef:clustr': module clusterdef (clusterdef.py) has no attribute "
            "'clustr'",
            {"clusterdef.py": GOOD,
             "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef:clustr"\n'},
            "envs", id="target-attribute-missing"),
    project("The target is not a Cluster or Fleet.",
            "target 'clusterdef:base': is a Base, not a kustgen.Cluster or Fleet",
            {"clusterdef.py": GOOD,
             "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef:base"\n'},
            "envs", id="target-is-not-a-cluster"),
    project("The cluster module is named like an installed library (yaml.py).",
            "target 'yaml:cluster': yaml.py has the name of a module of an installed package "
            "({site}/yaml/__init__.py); rename it (e.g. clusters/yaml_cluster.py)",
            {"yaml.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "yaml:cluster"\n'},
            id="module-named-like-an-installed-library"),
    project("The cluster module is named like a standard-library module (json.py).",
            "target 'json:cluster': json.py has the name of a module of Python's standard "
            "library; rename it (e.g. clusters/json_cluster.py)",
            {"json.py": GOOD, "pyproject.toml": '[tool.kustgen]\ntarget = "json:cluster"\n'},
            "envs", id="module-named-like-the-standard-library"),
    project("The target is a function, and it raises.",
            "clusterdef.py:10: KeyError: 'cluster'",
            {"clusterdef.py": GOOD + "\n\ndef make():\n    return {}['cluster']\n",
             "pyproject.toml": '[tool.kustgen]\ntarget = "clusterdef:make"\n'},
            id="cluster-function-raises"),
    project("An environment's change function raises.",
            "environment production: clusterdef.py:9: TypeError: 'NoneType' object is not "
            "subscriptable",
            {"clusterdef.py": with_change("objs.label({'a': 'b'})['x']"),
             "pyproject.toml": CONFIG}, id="change-function-raises"),
    project("A change function asks for an object its bases do not have.",
            "environment production: clusterdef.py:9: Deployment/web: no such object",
            {"clusterdef.py": with_change("objs.get(apps.Deployment, 'web').spec = None"),
             "pyproject.toml": CONFIG}, id="change-function-missing-object"),
    project("A change function sets a field to a value of the wrong type.",
            "environment production: ConfigMap/settings: data.n: expected a string, got int 3",
            {"clusterdef.py": with_change(
                "objs.get(core.ConfigMap, 'settings').data = {'n': 3}  # type: ignore"),
             "pyproject.toml": CONFIG}, id="change-function-wrong-type"),
    project("A change function asks for the container of an object without pods.",
            "environment production: clusterdef.py:9: ConfigMap/settings: has no pod template "
            "(workload kinds: Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob)",
            {"clusterdef.py": with_change("objs.container(core.ConfigMap, 'settings')"),
             "pyproject.toml": CONFIG}, id="change-function-container-absent"),
    project("An object contains itself (a dict holding itself).",
            "RecursionError: maximum recursion depth exceeded "
            "(does an object contain itself?)",
            {"clusterdef.py": SELF_REFERENCING, "pyproject.toml": CONFIG},
            id="self-referencing-object"),
    project("--out names a path below a file.",
            "output directory afile/sub lies below afile, which is not a directory",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG, "afile": "x"},
            "build", "--out", "afile/sub", id="out-below-a-file"),
    project("[tool.kustgen] out names a file.",
            "output directory afile is not a directory",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'out = "afile"\n', "afile": "x"},
            id="configured-out-is-a-file"),
    project("[tool.kustgen] out names a file, with --check.",
            "output directory afile is not a directory",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'out = "afile"\n', "afile": "x"},
            "build", "--check", id="configured-out-is-a-file-check"),
    project("[tool.kustgen] out leads out of the repository (a branch sending the build "
            "elsewhere).",
            "pyproject.toml: tool.kustgen.out: '../elsewhere' leads out of the project (./); "
            "configured paths stay inside it (give --out to write elsewhere)",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'out = "../elsewhere"\n'},
            id="configured-out-leaves-the-project"),
    project("[tool.kustgen] out is a link inside the repository to a directory outside it.",
            "pyproject.toml: tool.kustgen.out: 'deploy' leads out of the project (./); "
            "configured paths stay inside it (give --out to write elsewhere)",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'out = "deploy"\n'},
            id="configured-out-links-out-of-the-project", setup=_deploy_links_outside),
    project("[tool.kustgen] crds names a file outside the repository.",
            "pyproject.toml: tool.kustgen.crds: '/etc/passwd' leads out of the project (./); "
            "configured paths stay inside it (give --out to write elsewhere)",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'crds = ["/etc/passwd"]\n'},
            "validate", id="configured-crd-outside-the-project"),
    project("[tool.kustgen] crds names a missing file.",
            "pyproject.toml: tool.kustgen.crds: crds/widget.yaml does not exist "
            "(a CRD file is expected)",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'crds = ["crds/widget.yaml"]\n'},
            id="configured-crd-missing"),
    project("[tool.kustgen] crds names a directory.",
            "pyproject.toml: tool.kustgen.crds: crds is a directory (a CRD file is expected)",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG + 'crds = ["crds"]\n',
             "crds/README": "x"},
            "validate", id="configured-crd-is-a-directory"),
    project("pyproject.toml is not TOML.",
            "pyproject.toml: cannot read TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 14)",
            {"clusterdef.py": GOOD, "pyproject.toml": "[tool.kustgen\n"},
            "envs", id="config-not-toml"),
    project("[tool.kustgen] target is not a string.",
            "pyproject.toml: tool.kustgen.target: must be a non-empty string",
            {"clusterdef.py": GOOD, "pyproject.toml": "[tool.kustgen]\ntarget = 3\n"},
            "envs", id="config-target-not-a-string"),
    project("No configuration anywhere: build would write the embedded example into the "
            "current directory.",
            "no [tool.kustgen] in a pyproject.toml here or above, so the embedded example "
            "cluster is not written into .: start a repository with `kustgen init`, or give "
            "--out DIR to build the example there",
            {"notes.txt": "mine"}, id="no-config-build-would-write-the-example-here"),
    project("No configuration anywhere: --check would compare the embedded example with the "
            "current directory.",
            "no [tool.kustgen] in a pyproject.toml here or above, so the embedded example "
            "cluster is not checked against .: start a repository with `kustgen init`, or give "
            "--out DIR to build the example there",
            {"notes.txt": "mine"}, "build", "--check",
            id="no-config-check-would-compare-the-example-with-here"),
    project("An environment that does not exist.",
            "cluster t: no environment 'no-such-env' (known: dev)",
            {"clusterdef.py": GOOD, "pyproject.toml": CONFIG},
            "render", "no-such-env", id="unknown-environment"),
    project("kustgen init into a directory that is not empty.",
            "kustgen init: . is not empty (it has notes.txt); give an empty or new directory: "
            "kustgen init never overwrites a file",
            {"notes.txt": "mine"}, "init", id="init-into-a-non-empty-directory"),
    project("Run from a subfolder of the repository: the error names paths from there.",
            "home.py:1: ValueError: x",
            {"clusters/__init__.py": "", "clusters/home.py": "raise ValueError('x')\n",
             "pyproject.toml": '[tool.kustgen]\ntarget = "clusters.home:cluster"\n'},
            cwd="clusters", id="from-a-subfolder-an-error-names-paths-from-there"),
]
