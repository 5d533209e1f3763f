"""kubectl kustomize is the oracle: every written overlay builds, and its output is
byte-identical to `kustgen render` of that environment.

Covers the embedded default cluster and a test cluster that uses every basic
overlay feature (namespace, prefix/suffix, labels, annotations, images,
replicas, strategic-merge and JSON6902 patches, components, generators).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kustgen import (
    Base,
    Cluster,
    Component,
    ConfigMapGenerator,
    Image,
    Label,
    Overlay,
    Patch,
    Replica,
)
from kustgen.build import render_env, tree, write
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.layout import layout

pytestmark = pytest.mark.kubectl


def feature_cluster() -> Cluster:
    labels = {"app": "web"}
    config = core.ConfigMap(
        metadata=meta.ObjectMeta(name="web-config", namespace="web"),
        data={"mode": "on", "retries": "3", "motd": "a long line " * 12},
    )
    claim = core.PersistentVolumeClaim(
        metadata=meta.ObjectMeta(name="web-data", namespace="web"),
        spec=core.PersistentVolumeClaimSpec(
            access_modes=["ReadWriteOnce"],
            resources=core.VolumeResourceRequirements(requests={"storage": "1Gi"}),
        ),
    )
    web = apps.Deployment(
        metadata=meta.ObjectMeta(name="web", namespace="web", labels=labels),
        spec=apps.DeploymentSpec(
            replicas=1,
            selector=meta.LabelSelector(match_labels=labels),
            template=core.PodTemplateSpec(
                metadata=meta.ObjectMeta(labels=labels),
                spec=core.PodSpec(
                    containers=[
                        core.Container(
                            name="web",
                            image="nginx:1.27",
                            env=[
                                core.EnvVar(name="A", value="1"),
                                core.EnvVar(
                                    name="MODE",
                                    value_from=core.EnvVarSource(
                                        config_map_key_ref=core.ConfigMapKeySelector(
                                            name="web-config", key="mode"
                                        )
                                    ),
                                ),
                            ],
                            ports=[core.ContainerPort(container_port=80, name="http")],
                            volume_mounts=[core.VolumeMount(name="data", mount_path="/data")],
                        )
                    ],
                    volumes=[
                        core.Volume(
                            name="data",
                            persistent_volume_claim=core.PersistentVolumeClaimVolumeSource(
                                claim_name="web-data"
                            ),
                        )
                    ],
                ),
            ),
        ),
    )
    service = core.Service(
        metadata=meta.ObjectMeta(name="web", namespace="web"),
        spec=core.ServiceSpec(
            selector=labels, ports=[core.ServicePort(name="http", port=80, target_port="http")]
        ),
    )
    base = Base(
        name="web",
        objects=[core.Namespace(metadata=meta.ObjectMeta(name="web")), config, claim, web, service],
    )
    debug = Component(
        name="debug",
        common_annotations={"debug": "true"},
        patches=[
            Patch.strategic(
                web,
                {
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {"name": "web", "env": [{"name": "DEBUG", "value": "yes"}]}
                                ]
                            }
                        }
                    }
                },
            )
        ],
    )
    staging = Overlay(
        name="staging",
        bases=[base],
        components=[debug],
        namespace="web-staging",
        name_prefix="stg-",
        name_suffix="-v2",
        labels=[Label(pairs={"environment": "staging"}, include_templates=True)],
        config_map_generators=[ConfigMapGenerator(name="extra", literals=["color=blue"])],
    )
    production = Overlay(
        name="production",
        bases=[base],
        labels=[Label(pairs={"environment": "production"})],
        common_annotations={"owner": "ops"},
        images=[Image(name="nginx", new_name="registry.local/nginx", new_tag="1.28")],
        replicas=[Replica(name="web", count=3)],
        patches=[
            Patch.strategic(claim, {"spec": {"resources": {"requests": {"storage": "20Gi"}}}}),
            Patch.strategic(
                web,
                {
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [
                                    {"name": "web", "env": [{"name": "A", "value": "2"}]}
                                ]
                            }
                        }
                    }
                },
            ),
            Patch.json(web, [{"op": "add", "path": "/spec/minReadySeconds", "value": 10}]),
        ],
    )
    return Cluster(name="features", overlays=[staging, production])


def default_cluster() -> Cluster:
    from kustgen.default import cluster

    return cluster


def kubectl_kustomize(kubectl: str, directory: Path) -> str:
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("make_cluster", [feature_cluster, default_cluster])
def test_every_overlay_equals_kustgen_render(
    make_cluster: object, kubectl: str, tmp_path: Path
) -> None:
    cluster = make_cluster()  # type: ignore[operator]
    write(cluster, tmp_path)
    files = tree(cluster)
    for overlay in cluster.overlays:
        expected = render_env(cluster, overlay.name, files=files)
        assert kubectl_kustomize(kubectl, tmp_path / "overlays" / overlay.name) == expected


@pytest.mark.parametrize("make_cluster", [feature_cluster, default_cluster])
def test_every_base_file_is_as_kubectl_prints_it(
    make_cluster: object, kubectl: str, tmp_path: Path
) -> None:
    """A resource file and kubectl's output of it are byte-identical."""
    cluster = make_cluster()  # type: ignore[operator]
    write(cluster, tmp_path)
    for base in cluster.all_bases():
        directory = tmp_path / "bases" / base.name
        files = sorted(p for p in directory.glob("*.yaml") if p.name != "kustomization.yaml")
        for path in files:
            single = tmp_path / "single" / base.name / path.stem
            single.mkdir(parents=True)
            (single / path.name).write_text(path.read_text())
            (single / "kustomization.yaml").write_text(f"resources:\n- {path.name}\n")
            assert kubectl_kustomize(kubectl, single) == path.read_text(), path


def test_render_is_deterministic_across_hash_seeds(tmp_path: Path) -> None:
    outputs = set()
    for seed in ("0", "1", "12345"):
        result = subprocess.run(
            [sys.executable, "-m", "kustgen.cli", "render", "production"],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert layout(feature_cluster()) == layout(feature_cluster())
