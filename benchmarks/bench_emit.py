"""Time kustgen.yamlio.dump_all against PyYAML's libyaml dumper on the same objects.

Run: python benchmarks/bench_emit.py [--apps N] [--repeat R]

The target is ratio <= 1.5: writing kubectl-identical YAML should cost at most
half again as much as plain ``yaml.dump_all(objs, Dumper=yaml.CSafeDumper)``.
Best-of-R wall time for each, measured in the same process.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of

from kustgen import yamlio

ENVS = ("dev", "staging", "prod")


def app_objects(i: int, env: str) -> list[dict[str, Any]]:
    """Deployment + Service + PVC + ConfigMap for one app in one environment."""
    name = f"app-{i:03d}"
    ns = f"team-{i % 7}-{env}"
    labels = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": f"{name}-{env}",
        "app.kubernetes.io/part-of": f"suite-{i % 5}",
        "app.kubernetes.io/managed-by": "kustgen",
        "environment": env,
    }
    meta = {"name": name, "namespace": ns, "labels": dict(labels)}
    container = {
        "name": name,
        "image": f"registry.example.com/team-{i % 7}/{name}:1.{i % 13}.{i % 4}",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--port=8080", f"--config=/etc/{name}/config.yaml", "--log-level=info"],
        "env": [
            {"name": "ENVIRONMENT", "value": env},
            {"name": "ENABLE_FEATURE_X", "value": "true"},
            {"name": "WORKERS", "value": str(2 + i % 6)},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": f"{name}-db", "key": "password"}},
            },
        ],
        "ports": [
            {"name": "http", "containerPort": 8080, "protocol": "TCP"},
            {"name": "metrics", "containerPort": 9090, "protocol": "TCP"},
        ],
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "1", "memory": "512Mi"},
        },
        "readinessProbe": {
            "httpGet": {"path": "/healthz", "port": "http"},
            "initialDelaySeconds": 5,
            "periodSeconds": 10,
        },
        "volumeMounts": [
            {"name": "config", "mountPath": f"/etc/{name}"},
            {"name": "data", "mountPath": "/var/lib/data"},
        ],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": dict(meta),
        "spec": {
            "replicas": 1 if env == "dev" else 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
            "template": {
                "metadata": {
                    "labels": dict(labels),
                    "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
                },
                "spec": {
                    "containers": [container],
                    "securityContext": {"runAsNonRoot": True, "fsGroup": 1000},
                    "volumes": [
                        {"name": "config", "configMap": {"name": f"{name}-config"}},
                        {"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}},
                    ],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": dict(meta),
        "spec": {
            "type": "LoadBalancer" if i % 10 == 0 else "ClusterIP",
            "selector": {"app.kubernetes.io/name": name},
            "ports": [
                {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"},
                {"name": "metrics", "port": 9090, "targetPort": 9090, "protocol": "TCP"},
            ],
        },
    }
    pvc = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": dict(meta),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "longhorn",
            "resources": {"requests": {"storage": f"{1 + i % 20}Gi"}},
        },
    }
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{name}-config", "namespace": ns, "labels": dict(labels)},
        "data": {
            "config.yaml": (
                f"server:\n  port: 8080\n  name: {name}\nlog:\n  level: info\n"
                f"features:\n  x: true\n  ratio: 0.{i % 10}\n"
            ),
            "LOG_LEVEL": "info",
            "ENABLED": "yes",
            "TIMEOUT": "30",
            "CRON": "0 3 * * *",
            "DESCRIPTION": (
                f"{name} serves the {env} environment of suite {i % 5}; it is deployed by "
                "kustgen and rolled out by the platform team's pipelines every weekday."
            ),
        },
    }
    return [deployment, service, pvc, configmap]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    objs = [o for i in range(args.apps) for env in ENVS for o in app_objects(i, env)]

    def baseline() -> str:
        return yaml.dump_all(objs, Dumper=yaml.CSafeDumper)

    def ours() -> str:
        return yamlio.dump_all(objs)

    # Warm-up: the first kustgen call fills its per-string and key-order caches.
    cold = best_of(1, ours)
    base = best_of(args.repeat, baseline)
    warm = best_of(args.repeat, ours)
    size = len(ours())
    print(f"objects: {len(objs)}  output: {size / 1e6:.1f} MB")
    print(f"yaml.dump_all(CSafeDumper): {base * 1e3:8.1f} ms")
    print(f"yamlio.dump_all (first call): {cold * 1e3:6.1f} ms  ratio {cold / base:.2f}")
    print(f"yamlio.dump_all (best of {args.repeat}): {warm * 1e3:5.1f} ms  ratio {warm / base:.2f}")
    if yamlio.use_libyaml:
        yamlio.use_libyaml = False
        py = best_of(1, ours)
        yamlio.use_libyaml = True
        print(f"yamlio.dump_all, pure-Python emitter: {py * 1e3:.1f} ms  ratio {py / base:.2f}")


if __name__ == "__main__":
    main()
