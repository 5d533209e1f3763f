"""`kustgen validate` and the validation `kustgen build` runs first, as a user runs them.

The planted cluster (tests/planted_cluster.py) carries one mistake of each kind;
each must be reported exactly once with its object and field, and nothing else.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from kustgen.validate import validate
from tests.planted_cluster import EXPECTED, cluster
from tests.test_cli import kustgen

ROOT = Path(__file__).resolve().parents[1]
PLANTED = "tests.planted_cluster:cluster"


def test_every_planted_mistake_is_reported_once() -> None:
    found = Counter((f.rule, f.env, f.obj, f.field) for f in validate(cluster))
    assert set(found) == EXPECTED
    assert all(n == 1 for n in found.values()), found


def test_validate_command_lists_every_finding_sorted_and_exits_1() -> None:
    result = kustgen("validate", "--target", PLANTED, cwd=ROOT)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == len(EXPECTED)
    assert lines[0].startswith(  # the tree-wide check names the file, sorted first
        "error: bases/shop/secret-api-key.yaml: Secret/shop/api-key: stringData: "
    )
    assert ("\nerror: lab: Setting/longhorn-system/lab-storage-over-provisioning-percentage: "
            in result.stdout)
    assert "warning: prod: Deployment/shop/shop: spec.template.spec.containers[0].image: " in (
        result.stdout
    )
    assert result.stderr.strip().splitlines()[-1] == (
        "kustgen: error: validate: 18 error(s), 2 warning(s)"
    )


def test_validate_json_and_env_filter() -> None:
    result = kustgen("validate", "--target", PLANTED, "--env", "lab", "--format", "json", cwd=ROOT)
    assert result.returncode == 1
    (only,) = json.loads(result.stdout)
    assert only == {
        "env": "lab",
        "obj": "Setting/longhorn-system/lab-storage-over-provisioning-percentage",
        "field": "metadata.name",
        "rule": "cr-ref-broken",
        "severity": "error",
        "message": only["message"],
    }


def test_default_cluster_validates_clean_from_the_command_line(tmp_path: Path) -> None:
    result = kustgen("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "kustgen: fleet 'homelab' (the embedded example, kustgen.default:cluster: "
        "no [tool.kustgen] in a pyproject.toml here or above)",
        "kustgen: 0 error(s), 0 warning(s)",
    ]


def test_failing_build_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = kustgen("build", "--target", PLANTED, "--out", str(out), cwd=ROOT)
    assert result.returncode == 1
    assert not out.exists()
    assert "error: prod: Service/shop/orphan: spec.selector: " in result.stderr
    forced = kustgen("build", "--no-validate", "--target", PLANTED, "--out", str(out), cwd=ROOT)
    assert forced.returncode == 2  # --no-validate skips validation, not the secrets check
    assert forced.stderr.splitlines()[-1] + "\n" == (
        "kustgen: error: bases/shop/secret-api-key.yaml: Secret/shop/api-key: stringData: 1 "
        "secret value(s) would be written in plain text; keep them out of git "
        "(SecretGenerator(envs=[...]), a sealed or external secret) or opt in with "
        "Cluster(allow_plaintext=['Secret/shop/api-key'])\n"
    )
    assert not out.exists()


WARN_ONLY = """
from kustgen import Base, Cluster, Overlay
cm = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
      "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
cluster = Cluster(name="t", overlays=[Overlay(name="dev", bases=[Base(name="b", objects=[cm])])])
"""


def test_build_prints_warnings_and_writes(tmp_path: Path) -> None:
    (tmp_path / "clusterdef.py").write_text(WARN_ONLY)
    (tmp_path / "pyproject.toml").write_text('[tool.kustgen]\ntarget = "clusterdef:cluster"\n')
    result = kustgen("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: dev: Pod/p: spec.containers[0].image: 'busybox' has no tag" in result.stderr
    assert (tmp_path / "bases/b/pod-p.yaml").is_file()


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
"""

WIDGET = """
from kustgen import Base, Cluster, Overlay
w = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
     "spec": {"size": "big"}}
cluster = Cluster(name="t", overlays=[Overlay(name="dev", bases=[Base(name="b", objects=[w])])])
"""


def test_crds_from_the_command_line_and_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "clusterdef.py").write_text(WIDGET)
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds/widget.yaml").write_text(CRD)
    config = '[tool.kustgen]\ntarget = "clusterdef:cluster"\n'
    (tmp_path / "pyproject.toml").write_text(config)
    unknown = kustgen("validate", cwd=tmp_path)
    assert unknown.returncode == 0
    assert unknown.stdout.startswith("warning: dev: Widget/w: kind: no schema for example.com/v1")
    given = kustgen("validate", "--crd", "crds/widget.yaml", cwd=tmp_path)
    assert given.returncode == 1
    assert given.stdout.startswith("error: dev: Widget/w: spec.size: 'big' is not of type")
    (tmp_path / "pyproject.toml").write_text(config + 'crds = ["crds/widget.yaml"]\n')
    configured = kustgen("validate", cwd=tmp_path)
    assert configured.stdout == given.stdout


def test_the_cli_keeps_validation_results_in_the_users_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"KUSTGEN_CACHE_DIR": str(cache)}
    first = kustgen("validate", "--target", PLANTED, cwd=ROOT, env=env)
    assert first.returncode == 1 and list((cache / "envs").iterdir())
    again = kustgen("validate", "--target", PLANTED, cwd=ROOT, env=env)
    assert (again.returncode, again.stdout) == (1, first.stdout)
    off = kustgen("validate", "--target", PLANTED, cwd=ROOT,
                  env={**env, "KUSTGEN_CACHE": "off"})
    assert (off.returncode, off.stdout) == (1, first.stdout)


def test_a_cache_inside_the_repository_is_not_used(tmp_path: Path) -> None:
    """A committed cache file could stand in for findings: one in the repository is ignored."""
    repository = tmp_path / "repo"
    (repository / ".git").mkdir(parents=True)
    cache = repository / ".kustgen-cache"
    result = kustgen("validate", cwd=repository, env={"KUSTGEN_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert "not using the cache" in result.stderr
    assert not cache.exists()
