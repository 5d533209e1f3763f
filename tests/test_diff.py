"""`kustgen diff ENV_A ENV_B`: per-object unified diffs of two environments."""

from __future__ import annotations

from click.testing import CliRunner

from kustgen import Cluster, ConfigMapGenerator, Overlay
from kustgen.cli import main
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.plan import Environment, Objects
from kustgen.plan.envdiff import diff_envs
from tests.test_plan import pod, web_base


def two_envs() -> Cluster:
    base = web_base()

    def production(objs: Objects) -> None:
        pod(objs).containers[0].image = "nginx:1.28"
        objs.remove(objs.get(core.Service, "web"))
        objs.add(core.ConfigMap(metadata=meta.ObjectMeta(name="extra", namespace="web")))

    staging = Environment(name="staging", bases=[base], config_maps=[
        ConfigMapGenerator(name="settings", namespace="web", literals=["level=debug"])])
    prod = Environment(name="production", bases=[base], change=production, config_maps=[
        ConfigMapGenerator(name="settings", namespace="web", literals=["level=info"])])
    return Cluster(name="t", overlays=[staging.overlay(), prod.overlay()])


def test_changed_added_and_removed_objects() -> None:
    text = diff_envs(two_envs(), "staging", "production")
    lines = text.splitlines()
    assert lines[:2] == [
        "only in staging: Service/web/web",
        "only in production: ConfigMap/web/extra",
    ]
    # The generated ConfigMap is paired across its content hash.
    assert "--- staging/ConfigMap/web/settings-" in text
    assert "-  level: debug\n+  level: info\n" in text
    assert "--- staging/Deployment/web/web\n+++ production/Deployment/web/web\n" in text
    assert "-        image: nginx:1.27\n+        image: nginx:1.28\n" in text
    assert "PersistentVolumeClaim" not in text  # unchanged objects are not shown


def test_an_environment_equals_itself() -> None:
    assert diff_envs(two_envs(), "production", "production") == ""


def test_cli_prints_the_diff_and_names_unknown_environments() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["diff", "staging", "production"])
    assert result.exit_code == 1, result.output  # they differ, as diff(1) says
    assert "only in staging: L2Advertisement/metallb-system/lab" in result.output
    assert "+    environment: production" in result.output
    result = runner.invoke(main, ["diff", "staging", "nowhere"])
    assert result.exit_code == 2
    assert "no environment 'nowhere'" in result.output


def test_overlay_objects_work_too() -> None:
    base = web_base()
    cluster = Cluster(name="t", overlays=[Overlay(name="a", bases=[base]),
                                          Overlay(name="b", bases=[base], namespace="other")])
    text = diff_envs(cluster, "a", "b")
    assert "only in a: Deployment/web/web" in text
    assert "only in b: Deployment/other/web" in text
