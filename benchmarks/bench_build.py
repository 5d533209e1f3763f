"""A 200-app x 3-environment build against the YAML floor.

Baseline (measured in the same run): PyYAML's C emitter dumping the very
objects kustgen writes (every base object and every patch, as plain dicts).
Reported: kustgen's in-memory build (typed objects -> dicts -> tree texts)
and a full build to disk, each as a ratio of the baseline.

    python benchmarks/bench_build.py [--apps 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import yaml
from timing import best_of

from kustgen import (
    Base,
    Cluster,
    External,
    Fleet,
    Image,
    Label,
    Overlay,
    Patch,
    Replica,
    to_dict,
)
from kustgen.build import write
from kustgen.k8s import apps_v1 as apps
from kustgen.k8s import core_v1 as core
from kustgen.k8s import meta_v1 as meta
from kustgen.layout import layout

ENVS = ("dev", "staging", "production")


def app(index: int) -> list[Any]:
    name = f"app-{index:03d}"
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench"}
    metadata = meta.ObjectMeta(name=name, namespace="apps", labels=labels)
    return [
        core.ConfigMap(metadata=metadata, data={"LOG_LEVEL": "info", "PORT": "8080"}),
        core.PersistentVolumeClaim(
            metadata=metadata,
            spec=core.PersistentVolumeClaimSpec(
                access_modes=["ReadWriteOnce"],
                storage_class_name="longhorn",
                resources=core.VolumeResourceRequirements(requests={"storage": "1Gi"}),
            ),
        ),
        apps.Deployment(
            metadata=metadata,
            spec=apps.DeploymentSpec(
                replicas=1,
                selector=meta.LabelSelector(match_labels=labels),
                template=core.PodTemplateSpec(
                    metadata=meta.ObjectMeta(labels=labels),
                    spec=core.PodSpec(
                        containers=[
                            core.Container(
                                name=name,
                                image=f"registry.example/{name}:1.0.{index}",
                                ports=[core.ContainerPort(container_port=8080, name="http")],
                                env_from=[
                                    core.EnvFromSource(
                                        config_map_ref=core.ConfigMapEnvSource(name=name)
                                    )
                                ],
                                resources=core.ResourceRequirements(
                                    requests={"cpu": "100m", "memory": "128Mi"}
                                ),
                                volume_mounts=[core.VolumeMount(name="data", mount_path="/data")],
                            )
                        ],
                        volumes=[
                            core.Volume(
                                name="data",
                                persistent_volume_claim=core.PersistentVolumeClaimVolumeSource(
                                    claim_name=name
                                ),
                            )
                        ],
                    ),
                ),
            ),
        ),
        core.Service(
            metadata=metadata,
            spec=core.ServiceSpec(
                selector=labels, ports=[core.ServicePort(port=80, target_port="http")]
            ),
        ),
    ]


def cluster(apps_count: int) -> Fleet:
    bases = [Base(name=f"app-{i:03d}", objects=app(i)) for i in range(apps_count)]
    overlays = []
    for env in ENVS:
        patches = [
            Patch.strategic(
                base.objects[1], {"spec": {"resources": {"requests": {"storage": "5Gi"}}}}
            )
            for base in bases
        ]
        overlays.append(
            Overlay(
                name=env,
                bases=bases,
                labels=[Label(pairs={"environment": env})],
                images=[Image(name=f"registry.example/app-{i:03d}", new_tag=env) for i in range(3)],
                replicas=[Replica(name=b.name, count=2) for b in bases[:10]],
                patches=patches,
            )
        )
    # The apps' namespace and storage class are provided outside this cluster definition.
    external = External(namespaces=["apps"], storage_classes=["longhorn"])
    # The environments apply the same objects: each runs on a cluster of its own.
    return Fleet(name="bench", clusters=[
        Cluster(name=o.name, overlays=[o], external=external) for o in overlays])


def baseline_documents(c: Fleet) -> list[Any]:
    docs: list[Any] = []
    for base in c.all_bases():
        docs.extend(to_dict(o) for o in base.objects)
    for overlay in c.overlays:
        docs.extend(dict(p.strategic_merge or {}) for p in overlay.patches)
    return docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    c = cluster(args.apps)
    docs = baseline_documents(c)
    baseline = best_of(
        args.repeat,
        lambda: [yaml.dump(d, Dumper=yaml.CSafeDumper, default_flow_style=False) for d in docs],
    )
    in_memory = best_of(args.repeat, lambda: layout(c))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        first = best_of(1, lambda: write(c, out))
        noop = best_of(args.repeat, lambda: write(c, out))
    from kustgen.build import validate

    checked = best_of(1, lambda: validate(c))
    files = len(layout(c))
    print(f"{args.apps} apps x {len(ENVS)} environments: {len(docs)} documents, {files} files")
    rows = [
        ("baseline  PyYAML CSafeDumper dump", baseline),
        ("kustgen   build tree in memory", in_memory),
        ("kustgen   first build to disk", first),
        ("kustgen   no-op rebuild to disk", noop),
        ("kustgen   validate + lint (build runs it first)", checked),
    ]
    for label, seconds in rows:
        print(f"{label:<40} {seconds * 1000:8.1f} ms  {seconds / baseline:5.2f}x")


if __name__ == "__main__":
    main()
