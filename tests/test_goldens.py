"""Golden tests: typed model -> YAML, and whole trees.

Goldens are reviewed like code. After an intended change of output:
`python -m pytest tests/test_goldens.py --update-goldens`, then read the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kustgen import to_dict
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.k8s import storage_v1 as storage
from kustgen.layout import layout
from kustgen.yamlio import dump
from tests.test_oracle import feature_cluster


def deployment() -> Any:
    labels = {"app.kubernetes.io/name": "demo"}
    return apps.Deployment(
        metadata=meta.ObjectMeta(name="demo", namespace="apps", labels=labels),
        spec=apps.DeploymentSpec(
            replicas=1,
            strategy=apps.DeploymentStrategy(type="Recreate"),
            selector=meta.LabelSelector(match_labels=labels),
            template=core.PodTemplateSpec(
                metadata=meta.ObjectMeta(labels=labels),
                spec=core.PodSpec(
                    containers=[
                        core.Container(
                            name="demo",
                            image="demo:1.0",
                            args=["--port", "8080"],
                            ports=[core.ContainerPort(container_port=8080, name="http")],
                            resources=core.ResourceRequirements(
                                requests={"cpu": "250m", "memory": 128 * 2**20}
                            ),
                            liveness_probe=core.Probe(
                                http_get=core.HTTPGetAction(path="/healthz", port="http")
                            ),
                        )
                    ]
                ),
            ),
        ),
    )


def service() -> Any:
    return core.Service(
        metadata=meta.ObjectMeta(
            name="minecraft", annotations={"metallb.io/address-pool": "main-pool"}
        ),
        spec=core.ServiceSpec(
            type="LoadBalancer",
            external_traffic_policy="Local",
            selector={"app": "minecraft"},
            ports=[core.ServicePort(name="game", port=25565, target_port=25565)],
        ),
    )


def pvc() -> Any:
    return core.PersistentVolumeClaim(
        metadata=meta.ObjectMeta(name="gitlab-data-claim", namespace="gitlab"),
        spec=core.PersistentVolumeClaimSpec(
            access_modes=["ReadWriteMany"],
            storage_class_name="longhorn-retain",
            resources=core.VolumeResourceRequirements(requests={"storage": "100Gi"}),
        ),
    )


def storageclass() -> Any:
    return storage.StorageClass(
        metadata=meta.ObjectMeta(name="longhorn-retain"),
        provisioner="driver.longhorn.io",
        reclaim_policy="Retain",
        allow_volume_expansion=True,
        parameters={"numberOfReplicas": "3", "staleReplicaTimeout": "30", "fromBackup": ""},
    )


def configmap_quoting() -> Any:
    return core.ConfigMap(
        metadata=meta.ObjectMeta(name="quoting"),
        data={
            "bool": "true",
            "yes": "yes",
            "int": "3",
            "float": "1.10",
            "exp": "1e3",
            "date": "2024-01-01",
            "null": "null",
            "empty": "",
            "star": "*",
            "colon": "a: b",
            "cron": "0 3 * * *",
            "json": '[{"name":"snap","isGroup":true}]',
            "multi": "line1\nline2\n",
            "long": "word " * 30,
        },
    )


MODELS: dict[str, Callable[[], Any]] = {
    f.__name__: f for f in (deployment, service, pvc, storageclass, configmap_quoting)
}
TREES = {f.__name__: f for f in (feature_cluster,)}


@pytest.mark.golden_test("goldens/models/*.yml")
def test_model_to_yaml(golden: Any) -> None:
    obj = MODELS[golden["input"]]()
    assert dump(to_dict(obj)) == golden.out["output"]


@pytest.mark.golden_test("goldens/trees/*.yml")
def test_whole_tree(golden: Any) -> None:
    tree = layout(TREES[golden["input"]]())
    assert tree == golden.out["output"]


def test_committed_default_trees_are_current() -> None:
    """`kustgen build --check` passes on the repository: the committed bases/
    and overlays/ are exactly what the embedded default cluster generates."""
    from pathlib import Path

    from kustgen.build import check
    from tests.test_oracle import default_cluster

    assert not check(default_cluster(), Path(__file__).resolve().parents[1]).changed
