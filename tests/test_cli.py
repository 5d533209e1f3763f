"""The `kustgen` command, run as a user runs it (a subprocess in a project directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def kustgen(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kustgen.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_project(path: Path, module: str, target: str = "clusterdef:cluster") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "clusterdef.py").write_text(module)
    (path / "pyproject.toml").write_text(f'[tool.kustgen]\ntarget = "{target}"\n')
    return path


GOOD = """
from kustgen import Base, Cluster, Overlay
from kustgen.k8s import core_v1 as core, meta_v1 as meta

cm = core.ConfigMap(metadata=meta.ObjectMeta(name="settings"), data={"mode": "on", "n": "3"})
base = Base(name="app", objects=[cm])
cluster = Cluster(name="t", overlays=[
    Overlay(name="dev", bases=[base]),
    Overlay(name="prod", bases=[base], name_prefix="prod-"),
])
"""


def test_envs_of_the_default_cluster(tmp_path: Path) -> None:
    result = kustgen("envs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["staging", "production"]


def test_build_check_and_stale_file(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    built = kustgen("build", cwd=project)
    assert built.returncode == 0, built.stderr
    assert (project / "overlays/prod/kustomization.yaml").is_file()
    assert kustgen("build", "--check", cwd=project).returncode == 0

    generated = project / "bases/app/configmap-settings.yaml"
    generated.write_text(generated.read_text().replace("on", "off"))
    check = kustgen("build", "--check", cwd=project)
    assert check.returncode == 1
    announced, stale, error = check.stderr.strip().splitlines()
    assert announced == "kustgen: cluster 't' (clusterdef:cluster from pyproject.toml), tree in ."
    assert stale == "stale: bases/app/configmap-settings.yaml"
    assert error == (
        "kustgen: error: .: 1 generated file(s) differ from the cluster definition "
        "(run `kustgen build`)"
    )

    rebuilt = kustgen("build", cwd=project)
    assert "wrote bases/app/configmap-settings.yaml" in rebuilt.stdout
    assert kustgen("build", "--check", cwd=project).returncode == 0


def test_render_prints_the_environment(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    result = kustgen("render", "prod", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        'apiVersion: v1\ndata:\n  mode: "on"\n  "n": "3"\nkind: ConfigMap\n'
        "metadata:\n  name: prod-settings\n"
    )


def test_unknown_environment_is_one_line(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    result = kustgen("render", "qa", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[1:] == [
        "kustgen: error: cluster t: no environment 'qa' (known: dev, prod)"
    ]


def test_misspelt_keyword_names_the_users_line(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD.replace("data={", "dta={"))
    result = kustgen("build", cwd=project)
    assert result.returncode == 2
    line, hint = result.stderr.strip().splitlines()
    assert line.startswith("kustgen: error: clusterdef.py:5: TypeError: ")
    assert "--traceback" in hint
    assert "'dta'" in line
    assert not (project / "bases").exists()


def test_wrong_type_in_a_model_names_the_path(tmp_path: Path) -> None:
    module = GOOD.replace('data={"mode": "on", "n": "3"}', 'data={"mode": "on", "n": 3}')
    project = write_project(tmp_path / "p", module)
    result = kustgen("build", cwd=project)
    assert result.returncode == 2
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("kustgen: error: ConfigMap/settings: data.n:")
    assert not (project / "bases").exists()


def test_bad_target_is_a_usage_error(tmp_path: Path) -> None:
    result = kustgen("build", "--target", "no_such_module:cluster", cwd=tmp_path)
    assert result.returncode == 2
    assert "no module named 'no_such_module'" in result.stderr
    result = kustgen("build", "--target", "missing-colon", cwd=tmp_path)
    assert result.returncode == 2


def test_unknown_config_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.kustgen]\ntargte = "x:y"\n')
    result = kustgen("envs", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown key 'targte'" in result.stderr


def test_collision_with_hand_written_file_fails_and_writes_nothing(tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", GOOD)
    (project / "overlays/dev").mkdir(parents=True)
    (project / "overlays/dev/kustomization.yaml").write_text("resources: []\n")
    result = kustgen("build", cwd=project)
    assert result.returncode == 1
    assert "overlays/dev/kustomization.yaml" in result.stderr
    assert not (project / "bases").exists()
    assert (project / "overlays/dev/kustomization.yaml").read_text() == "resources: []\n"


@pytest.mark.kubectl
def test_build_verify_on_the_default_cluster(tmp_path: Path, kubectl: str) -> None:
    result = kustgen("build", "--out", str(tmp_path / "out"), "--verify", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "verified 2 overlays" in result.stdout


def test_import_crd_writes_one_module_per_group(tmp_path: Path, shared: Path) -> None:
    crds = sorted((shared / "reference/crds/metallb").glob("metallb.io_*.yaml"))
    result = kustgen("import-crd", *map(str, crds), "--out", str(tmp_path / "gen"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "gen").glob("*.py")) == ["metallb_io.py"]
    source = (tmp_path / "gen/metallb_io.py").read_text()
    for kind in ("IPAddressPool", "BGPAdvertisement", "L2Advertisement", "Community"):
        assert f"class {kind}V1beta1(" in source
    assert "BGPPeer = BGPPeerV1beta2" in source
