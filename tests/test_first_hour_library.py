"""Library side of the first hour: bases that declare what they stand on, typed access
in change functions, and errors inside change functions that name the environment."""

from __future__ import annotations

import pytest

from kustgen import Base, Cluster, Environment, External, InputError, Objects, Overlay, present
from kustgen.catalog import longhorn, metallb
from kustgen.errors import UserCodeError
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import batch_v1 as batch
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.validate import validate


def rules(cluster: Cluster) -> set[tuple[str, str]]:
    return {(f.rule, f.obj) for f in validate(cluster) if f.severity == "error"}


def test_catalog_bases_need_no_external_declaration() -> None:
    pool = metallb.ip_address_pool("lan", ["192.168.1.240-192.168.1.250"])
    lb = metallb.metallb_base(pools=[pool], advertisements=[metallb.l2_advertisement("lan")])
    cluster = Cluster(
        name="c", overlays=[Overlay(name="prod", bases=[longhorn.longhorn_base(), lb])]
    )
    assert rules(cluster) == set()


def test_a_base_declares_its_namespace_for_every_environment_that_uses_it() -> None:
    settings = {"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "s", "namespace": "operator-system"}, "data": {"a": "b"}}
    bare = Base(name="op", objects=[settings])
    assert rules(Cluster(name="c", overlays=[Overlay(name="p", bases=[bare])])) == {
        ("namespace-unknown", "ConfigMap/operator-system/s")
    }
    declared = Base(name="op", objects=[settings],
                    external=External(namespaces=["operator-system"]))
    assert rules(Cluster(name="c", overlays=[Overlay(name="p", bases=[declared])])) == set()
    # Only where the base is used: another environment with the object but not the base.
    other = Base(name="other", objects=[settings])
    cluster = Cluster(name="c", overlays=[Overlay(name="p", bases=[declared]),
                                          Overlay(name="q", bases=[other])])
    assert {(f.env, f.rule) for f in validate(cluster)} == {("q", "namespace-unknown")}


def test_a_base_declares_external_storage_classes() -> None:
    claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
             "metadata": {"name": "d", "namespace": "default"},
             "spec": {"storageClassName": "nfs", "accessModes": ["ReadWriteMany"],
                      "resources": {"requests": {"storage": "1Gi"}}}}
    serves_rwo = Base(name="b", objects=[claim],
                      external=External(storage_classes={"nfs": ["ReadWriteOnce"]}))
    assert rules(Cluster(name="c", overlays=[Overlay(name="p", bases=[serves_rwo])])) == {
        ("pvc-rwx", "PersistentVolumeClaim/default/d")
    }


def workloads() -> Base:
    labels = {"app": "w"}
    pod = core.PodSpec(containers=[core.Container(name="main", image="w:1"),
                                   core.Container(name="side", image="s:1")])
    return Base(name="w", objects=[
        apps.Deployment(
            metadata=meta.ObjectMeta(name="w", namespace="default"),
            spec=apps.DeploymentSpec(selector=meta.LabelSelector(match_labels=labels),
                                     template=core.PodTemplateSpec(spec=pod)),
        ),
        batch.CronJob(
            metadata=meta.ObjectMeta(name="nightly", namespace="default"),
            spec=batch.CronJobSpec(schedule="0 1 * * *", job_template=batch.JobTemplateSpec(
                spec=batch.JobSpec(template=core.PodTemplateSpec(spec=core.PodSpec(
                    containers=[core.Container(name="job", image="j:1")],
                    restart_policy="Never"))))),
        ),
        apps.StatefulSet(metadata=meta.ObjectMeta(name="empty", namespace="default")),
    ])


def test_typed_access_to_pod_specs_and_containers() -> None:
    def change(objs: Objects) -> None:
        objs.container(apps.Deployment, "w", "side").image = "s:2"
        objs.container(batch.CronJob, "nightly").image = "j:2"
        assert [c.name for c in objs.containers(apps.Deployment, "w")] == ["main", "side"]
        objs.pod_spec(apps.Deployment, "w").priority_class_name = "high"

    env = Environment(name="prod", bases=[workloads()], change=change)
    images = sorted(
        c["image"]
        for o in env.objects() if o["kind"] in ("Deployment", "CronJob")
        for c in (o["spec"].get("template") or o["spec"]["jobTemplate"]["spec"]["template"])[
            "spec"]["containers"]
    )
    assert images == ["j:2", "s:2", "w:1"]


@pytest.mark.parametrize(
    ("access", "message"),
    [
        (lambda o: o.container(apps.Deployment, "w"),
         "environment prod: .*: Deployment/w: has 2 containers; name the one you mean"),
        (lambda o: o.container(apps.Deployment, "w", "nope"),
         "environment prod: .*: Deployment/w: no container named 'nope' \\(has: main, side\\)"),
        (lambda o: o.pod_spec(apps.StatefulSet, "empty"),
         "environment prod: .*: StatefulSet/empty: spec: is not set"),
        (lambda o: present(o.get(apps.StatefulSet, "empty").spec, "StatefulSet/empty: spec"),
         "environment prod: .*: StatefulSet/empty: spec: is not set"),
        (lambda o: o.get(apps.Deployment, "missing"),
         "environment prod: .*: Deployment/missing: no such object"),
    ],
)
def test_absent_paths_are_clear_errors_naming_the_environment(access: object, message: str) -> None:
    def change(objs: Objects) -> None:
        access(objs)  # type: ignore[operator]

    with pytest.raises(InputError, match=message):
        Environment(name="prod", bases=[workloads()], change=change).overlay()


def test_an_exception_in_a_change_function_names_the_environment_and_line() -> None:
    def change(objs: Objects) -> None:
        {}["replicas"]

    with pytest.raises(UserCodeError) as raised:
        Environment(name="prod", bases=[workloads()], change=change).overlay()
    line = change.__code__.co_firstlineno + 1
    assert raised.value.format() == (
        f"environment prod: tests/test_first_hour_library.py:{line}: KeyError: 'replicas'"
    )
    assert isinstance(raised.value.error, KeyError)
