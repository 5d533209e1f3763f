"""Files generators read: config files in git (given in Python or kept by hand)
and secret value files kept out of git, through build, --verify, render,
validate, diff and an Environment's objects, as the CLI user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kustgen import ConfigMapGenerator, File, InputError, SecretGenerator, yamlio
from tests.test_cli import kustgen, write_project

MODULE = """
import warnings
from kustgen import (Base, Cluster, ConfigMapGenerator, Environment, External, File, Objects,
                     SecretGenerator)
from kustgen.k8s import apps_v1 as apps, core_v1 as core, meta_v1 as meta

warnings.simplefilter("ignore")
labels = {"app": "mqtt"}
volumes = [("conf", "mosquitto", None), ("web", "nginx", None), ("tls", None, "mqtt-tls"),
           ("api", None, "api")]
dep = apps.Deployment(
    metadata=meta.ObjectMeta(name="mqtt", namespace="iot"),
    spec=apps.DeploymentSpec(
        selector=meta.LabelSelector(match_labels=labels),
        template=core.PodTemplateSpec(
            metadata=meta.ObjectMeta(labels=labels),
            spec=core.PodSpec(
                containers=[core.Container(
                    name="mqtt", image="eclipse-mosquitto:2.0.18",
                    resources=core.ResourceRequirements(requests={"cpu": "10m"}))],
                volumes=[core.Volume(
                    name=name,
                    config_map=core.ConfigMapVolumeSource(name=cm) if cm else None,
                    secret=core.SecretVolumeSource(secret_name=secret) if secret else None,
                ) for name, cm, secret in volumes],
            ),
        ),
    ),
)
base = Base(name="mqtt", objects=[core.Namespace(metadata=meta.ObjectMeta(name="iot")), dep])


def prod(objs: Objects) -> None:
    objs.get(apps.Deployment, "mqtt").spec.replicas = 2


env = Environment(
    name="prod", bases=[base], change=prod,
    config_maps=[
        ConfigMapGenerator(name="mosquitto", namespace="iot", files=["mosquitto.conf"],
                           envs=["mosquitto.env"]),
        ConfigMapGenerator(name="nginx", namespace="iot",
                           files=[File("nginx.conf", "server {\\n  listen 80;\\n}\\n"),
                                  File("conf/site.conf", "root /srv;", key="site")]),
    ],
    secrets=[
        SecretGenerator(name="mqtt-tls", namespace="iot", type="kubernetes.io/tls",
                        files=["tls.crt=tls/tls.crt", "tls.key=tls/tls.key"]),
        SecretGenerator(name="api", namespace="iot", envs=["secrets/api.env"]),
    ],
)
cluster = Cluster(name="c", overlays=[env.overlay()], external=External())
"""

TOKEN = "0123456789abcdef" * 4  # 64 hex digits: wrapped base64, as kustomize writes it


def _project(tmp_path: Path) -> Path:
    project = write_project(tmp_path / "p", MODULE)
    prod = project / "overlays/prod"
    (prod / "tls").mkdir(parents=True)
    (prod / "secrets").mkdir()
    (prod / "mosquitto.conf").write_bytes(b"listener 1883\r\nallow_anonymous false")
    (prod / "mosquitto.env").write_text("LOG=debug\n")
    (prod / "tls/tls.crt").write_bytes(b"-----BEGIN CERTIFICATE-----\n" + b"A" * 900 + b"\n")
    (prod / "tls/tls.key").write_bytes(bytes(range(256)))  # binary: any bytes
    (prod / "secrets/api.env").write_text(f"API_TOKEN={TOKEN}\n")
    return project


@pytest.mark.kubectl
def test_config_and_secret_files_through_every_command(kubectl: str, tmp_path: Path) -> None:
    project = _project(tmp_path)
    built = kustgen("build", "--verify", cwd=project)
    assert built.returncode == 0, built.stderr
    assert "verified 1 overlays" in built.stdout
    prod = project / "overlays/prod"
    # Config files given in Python are written and generated; the others are left alone.
    assert (prod / "nginx.conf").read_text() == "server {\n  listen 80;\n}\n"
    assert (prod / "conf/site.conf").read_text() == "root /srv;"
    manifest = (project / ".kustgen-manifest").read_text()
    assert "overlays/prod/nginx.conf" in manifest and "mosquitto.conf" not in manifest
    assert (prod / ".gitignore").read_text().splitlines()[1:] == [
        "/secrets/api.env", "/tls/tls.crt", "/tls/tls.key"]
    kustomization = (prod / "kustomization.yaml").read_text()
    assert "#   mosquitto.conf\n" in kustomization and "- site=conf/site.conf\n" in kustomization

    rendered = kustgen("render", "prod", cwd=project)
    expected = subprocess.run([kubectl, "kustomize", str(prod)], capture_output=True,
                              text=True, check=True).stdout
    assert rendered.stdout == expected
    assert "API_TOKEN: |\n" in expected  # 64 hex digits: wrapped, with the hash to match

    validated = kustgen("validate", cwd=project)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "secret-plaintext" not in validated.stdout
    assert kustgen("build", "--check", cwd=project).returncode == 0
    (prod / "nginx.conf").write_text("edited by hand\n")
    checked = kustgen("build", "--check", cwd=project)
    assert checked.returncode == 1 and "stale: overlays/prod/nginx.conf" in checked.stderr


@pytest.mark.kubectl
def test_environment_objects_from_the_written_tree_equal_kubectl(
    kubectl: str, tmp_path: Path
) -> None:
    project = _project(tmp_path)
    assert kustgen("build", cwd=project).returncode == 0
    env = subprocess.run(
        [sys.executable, "-c", "import sys, clusterdef; from kustgen import yamlio; from pathlib "
         "import Path; sys.stdout.write(yamlio.dump_all(clusterdef.env.objects(root=Path('.'))))"],
        cwd=project, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": f"{project}:{Path(__file__).parents[1]}"},
    )
    expected = subprocess.run([kubectl, "kustomize", str(project / "overlays/prod")],
                              capture_output=True, text=True, check=True).stdout
    assert env.returncode == 0, env.stderr
    assert env.stdout == expected


def test_a_missing_config_file_is_one_line_naming_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "overlays/prod/mosquitto.conf").unlink()
    for command in (["build"], ["validate"], ["render", "prod"], ["diff", "prod", "prod"]):
        result = kustgen(*command, cwd=project)
        assert result.returncode == 2, (command, result.stderr)
        last = result.stderr.strip().splitlines()[-1]
        assert "overlays/prod/mosquitto.conf" in last and "config file" in last, last
    assert not (project / "overlays/prod/kustomization.yaml").exists()  # nothing half-written


def test_files_kept_by_hand_are_read_through_no_link_and_only_if_regular(tmp_path: Path) -> None:
    project = _project(tmp_path)
    outside = tmp_path / "secret-elsewhere"
    outside.write_text("stolen\n")
    conf = project / "overlays/prod/mosquitto.conf"
    conf.unlink()
    conf.symlink_to(outside)
    result = kustgen("render", "prod", cwd=project)
    assert result.returncode == 2 and "is a symbolic link" in result.stderr
    conf.unlink()
    os.mkfifo(conf)
    result = kustgen("render", "prod", cwd=project)
    assert result.returncode == 2 and "mosquitto.conf: is a" in result.stderr
    assert "kustgen only reads" in result.stderr


def test_validate_never_reads_secret_values_and_diff_never_prints_them(tmp_path: Path) -> None:
    project = _project(tmp_path)
    assert kustgen("build", cwd=project).returncode == 0
    diff = kustgen("diff", "prod", "prod", cwd=project)
    assert diff.returncode == 0 and diff.stdout == ""
    from kustgen.build import input_tree, render_env
    from kustgen.config import load_cluster
    from kustgen.plan.envdiff import _objects

    cluster = load_cluster("clusterdef:cluster", search_path=project)
    files = input_tree(cluster, project, secrets="never")
    assert files["overlays/prod/secrets/api.env"] == ""
    assert files["overlays/prod/mosquitto.conf"] == "listener 1883\r\nallow_anonymous false"
    # diff reads the secret files that exist (kubectl's names), and prints no value
    shown = _objects(cluster, "prod", input_tree(cluster, project, secrets="if-present"))
    secrets = [o for o in shown.values() if o["kind"] == "Secret"]
    assert {o["metadata"]["name"] for o in secrets} <= set(
        render_env(cluster, "prod", root=project).replace(":", " ").split())
    assert all(set(o["data"].values()) == {"<redacted>"} for o in secrets)


def test_file_entries_are_written_as_kustomize_reads_them() -> None:
    gen = ConfigMapGenerator(name="c", files=[File("a/b.conf", "x", key="b"), "kept.conf"],
                             envs=[File("app.env", "A=1\n")])
    assert gen.to_dict()["files"] == ["b=a/b.conf", "kept.conf"]
    assert gen.to_dict()["envs"] == ["app.env"]
    assert gen.read_paths() == ["kept.conf"]
    assert [f.path for f in gen.written_files()] == ["app.env", "a/b.conf"]
    for bad in ("../x", "/etc/passwd", "a//b", "patches/x.yaml", "kustomization.yaml", "k=v",
                "transformers/a.yaml", "configurations/x", "bases/x/y", ".gitignore"):
        with pytest.raises(InputError):
            File(bad, "x")


def test_secret_values_in_python_need_the_plaintext_opt_in() -> None:
    with pytest.raises(InputError, match="allow_plaintext"):
        SecretGenerator(name="s", files=[File("token", "hunter2")])
    gen = SecretGenerator(name="s", files=[File("token", "hunter2")], allow_plaintext=True)
    assert gen.local_paths() == []


def test_two_generators_writing_one_file_differently_conflict() -> None:
    from kustgen import Base, Cluster, ConflictError, Overlay
    from kustgen.layout import layout

    overlay = Overlay(name="o", config_map_generators=[
        ConfigMapGenerator(name="a", files=[File("x.conf", "one")]),
        ConfigMapGenerator(name="b", files=[File("x.conf", "two")]),
    ], bases=[Base(name="b")])
    with pytest.raises(ConflictError, match="different contents"):
        layout(Cluster(name="c", overlays=[overlay]))
    same = Overlay(name="o", bases=[Base(name="b")], config_map_generators=[
        ConfigMapGenerator(name="a", files=[File("x.conf", "one")]),
        ConfigMapGenerator(name="b", files=[File("x.conf", "one", key="y")]),
    ])
    assert layout(Cluster(name="c", overlays=[same]))["overlays/o/x.conf"] == "one"
    assert yamlio.load(layout(Cluster(name="c", overlays=[same]))[
        "overlays/o/kustomization.yaml"])["configMapGenerator"][1]["files"] == ["y=x.conf"]
