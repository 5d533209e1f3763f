"""The floor the whole-process benchmarks divide by: the same files, written the cheapest way.

A fresh interpreter builds the objects of ``synthetic.cluster_of(N)`` as plain
dicts (no kustgen), dumps each with PyYAML's C emitter and writes it to the
path kustgen writes it to: every base object, every base's and overlay's
kustomization and every patch.  No validation, no rendering, no fsync.

    python benchmarks/floor.py APPS OUT
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ENVS = ("dev", "staging", "production")


def app(index: int) -> list[dict[str, Any]]:
    name = f"app-{index:03d}"
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench"}
    meta = {"labels": labels, "name": name, "namespace": "apps"}
    container = {
        "envFrom": [{"configMapRef": {"name": name}}],
        "image": f"registry.example/{name}:1.0.{index}",
        "name": name,
        "ports": [{"containerPort": 8080, "name": "http"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
        "volumeMounts": [{"mountPath": "/data", "name": "data"}],
    }
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
         "data": {"LOG_LEVEL": "info", "PORT": "8080"}},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta,
         "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "longhorn",
                  "resources": {"requests": {"storage": "1Gi"}}}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels},
                               "spec": {"containers": [container], "volumes": [
                                   {"name": "data",
                                    "persistentVolumeClaim": {"claimName": name}}]}}}},
        {"apiVersion": "v1", "kind": "Service", "metadata": meta,
         "spec": {"ports": [{"port": 80, "targetPort": "http"}], "selector": labels}},
    ]


def files(apps: int) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for i in range(apps):
        base = f"bases/app-{i:03d}"
        names = []
        for obj in app(i):
            name = f"{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
            tree[f"{base}/{name}"] = obj
            names.append(name)
        tree[f"{base}/kustomization.yaml"] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "resources": sorted(names)}
    for env in ENVS:
        patches = []
        for i in range(apps):
            name = f"app-{i:03d}"
            path = f"patches/persistentvolumeclaim-{name}.yaml"
            tree[f"overlays/{env}/{path}"] = {
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": name, "namespace": "apps"},
                "spec": {"resources": {"requests": {"storage": "5Gi"}}}}
            patches.append({"path": path})
        tree[f"overlays/{env}/kustomization.yaml"] = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
            "images": [{"name": f"registry.example/app-{i:03d}", "newTag": env}
                       for i in range(min(3, apps))],
            "labels": [{"pairs": {"environment": env}}],
            "patches": patches,
            "replicas": [{"count": 2, "name": f"app-{i:03d}"} for i in range(min(10, apps))],
            "resources": [f"../../bases/app-{i:03d}" for i in range(apps)]}
    return tree


def main() -> None:
    apps, out = int(sys.argv[1]), Path(sys.argv[2])
    for path, obj in files(apps).items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.dump(obj, Dumper=yaml.CSafeDumper, default_flow_style=False))


if __name__ == "__main__":
    main()
