"""Property: for random bases and random environments, the planned overlay is exact.

Hypothesis draws a base (Deployments with containers, env vars and ports,
PVCs, ConfigMaps, Services) and an environment that changes it at random:
replica counts, images, env vars added/removed/changed/reordered,
containers added/removed/reordered, ports, labels and annotations (on one
object or all), volume sizes, objects added and removed, a namespace move,
a ConfigMap generator referenced from a container, and every object renamed
with a prefix (its claim references following, or not; the generator too),
Service ports, a volume switched from a claim to emptyDir, container args
and resources, claims or ConfigMaps renamed (several of one kind and
namespace at once; references following, or not), and, over a second
application with its own namespace and maybe a generator, labels (with
selectors or not) and annotations of its base, one application moved to
another namespace while the other stays.  For every example
the planner's overlay must render (kustgen) to exactly the described
objects, and afterwards every overlay is built with `kubectl kustomize` and
must print the same bytes.  kubectl runs once per overlay after generation,
not inside hypothesis, and the whole property runs in a child interpreter:
this repository's pytest rewrites hypothesis' asserts, which makes it slow.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
_HASHED = re.compile(r"-[2456789bcdfghkmt]{10}$")

IMAGES = ["nginx:1.27", "nginx:1.28", "redis:7.2", "busybox:1.36", "ghcr.io/acme/app:v1",
          "ghcr.io/acme/app:v2"]
VALUES = st.sampled_from(["1", "x", "on", "true", "a longer value with spaces", "0777", ""])
SIZES = st.sampled_from(["1Gi", "5Gi", "10Gi", "512Mi"])


def _container(draw: Any, name: str) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": draw(st.sampled_from(IMAGES))}
    env_names = draw(st.lists(st.sampled_from("ABCDE"), unique=True, max_size=3))
    if env_names:
        container["env"] = [{"name": n, "value": draw(VALUES)} for n in env_names]
    ports = draw(st.lists(st.sampled_from([80, 443, 8080, 9090]), unique=True, max_size=2))
    if ports:
        container["ports"] = [{"containerPort": p, "name": f"p{p}"} for p in ports]
    return container


@st.composite
def bases(draw: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    claims = draw(st.lists(st.sampled_from(["data", "cache"]), unique=True, max_size=2))
    for claim in claims:
        objects.append({
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim, "namespace": "app"},
            "spec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": draw(SIZES)}}},
        })
    for name in draw(st.lists(st.sampled_from(["cfg", "settings"]), unique=True, max_size=2)):
        objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": name, "namespace": "app"},
                        "data": {"k": draw(VALUES)}})
    if draw(st.booleans()):
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "app"}})
    if draw(st.booleans()):
        objects.append({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                        "metadata": {"name": "fast"}, "provisioner": "driver.longhorn.io",
                        "reclaimPolicy": draw(st.sampled_from(["Delete", "Retain"]))})
    names = draw(st.lists(st.sampled_from(["web", "api", "db"]), unique=True, min_size=1,
                          max_size=2))
    for name in names:
        labels = {"app": name}
        cnames = draw(st.lists(st.sampled_from(["main", "side", "log"]), unique=True,
                               min_size=1, max_size=3))
        pod: dict[str, Any] = {"containers": [_container(draw, c) for c in cnames]}
        if claims and draw(st.booleans()):
            claim = draw(st.sampled_from(claims))
            pod["volumes"] = [{"name": "vol", "persistentVolumeClaim": {"claimName": claim}}]
        objects.append({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "app", "labels": dict(labels)},
            "spec": {"replicas": draw(st.integers(1, 3)),
                     "selector": {"matchLabels": dict(labels)},
                     "template": {"metadata": {"labels": dict(labels)}, "spec": pod}},
        })
        if draw(st.booleans()):
            objects.append({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": name, "namespace": "app"},
                "spec": {"selector": dict(labels),
                         "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
            })
    return objects


@st.composite
def side_bases(draw: Any) -> dict[str, Any]:
    """A second application in namespace ``side``: a Deployment, maybe a
    Namespace, a ConfigMap generator of the base that the Deployment reads and
    labels or annotations of the base (kustomize shares their values between
    metadata, selector and template)."""
    from kustgen import ConfigMapGenerator, Label

    labels = {"app": "side"}
    pod: dict[str, Any] = {"containers": [_container(draw, "main")]}
    generators = []
    if draw(st.booleans()):
        generators.append(ConfigMapGenerator(name="side-settings", namespace="side",
                                             literals=[f"mode={draw(VALUES)}"]))
        pod["containers"][0]["envFrom"] = [{"configMapRef": {"name": "side-settings"}}]
    objects: list[dict[str, Any]] = [{
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "side", "namespace": "side", "labels": dict(labels)},
        "spec": {"selector": {"matchLabels": dict(labels)},
                 "template": {"metadata": {"labels": dict(labels)}, "spec": pod}},
    }, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "side-cfg",
                                                               "namespace": "side"},
        "data": {"k": draw(VALUES)}}]
    if draw(st.booleans()):
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "side"}})
    labels_ = [Label(pairs={"team": "side"}, include_selectors=draw(st.booleans()))
               ] if draw(st.booleans()) else []
    notes = {"example.com/owner": "side"} if draw(st.booleans()) else {}
    return {"objects": objects, "config_map_generators": generators, "labels": labels_,
            "common_annotations": notes}


def _containers(objects: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [o["spec"]["template"]["spec"]["containers"] for o in objects
            if o["kind"] == "Deployment"]


EDITS = ["replicas", "image", "env", "containers", "ports", "label", "label-all",
         "annotation", "annotation-all", "size", "remove", "add", "generator", "namespace",
         "unlabel", "prefix", "service-ports", "volume-source", "args", "unannotate",
         "resources", "rename", "move-base", "generator-prefix"]


def _rename(objects: list[dict[str, Any]], prefix: str, references: bool,
            gens: list[Any]) -> None:
    """Every object renamed, the environment's generators too; with
    ``references``, claims and generated ConfigMaps named in pods follow."""
    import dataclasses

    for obj in objects:
        obj["metadata"]["name"] = prefix + obj["metadata"]["name"]
        if not references or obj["kind"] != "Deployment":
            continue
        pod = obj["spec"]["template"]["spec"]
        for volume in pod.get("volumes") or []:
            claim = volume.get("persistentVolumeClaim")
            if claim:
                claim["claimName"] = prefix + claim["claimName"]
        for container in pod["containers"]:
            for env in container.get("env") or []:
                ref = (env.get("valueFrom") or {}).get("configMapKeyRef")
                if ref:
                    ref["name"] = prefix + ref["name"]
            for source in container.get("envFrom") or []:
                if "configMapRef" in source:
                    source["configMapRef"]["name"] = prefix + source["configMapRef"]["name"]
    if references:
        gens[:] = [dataclasses.replace(g, name=prefix + g.name) for g in gens]


def edit(draw: Any, objects: list[dict[str, Any]], gens: list[Any]) -> None:
    """One random change of ``objects`` (in place)."""
    from kustgen import ConfigMapGenerator

    kind = draw(st.sampled_from(EDITS))
    deployments = [o for o in objects if o["kind"] == "Deployment"]
    if kind == "replicas" and deployments:
        draw(st.sampled_from(deployments))["spec"]["replicas"] = draw(st.integers(0, 5))
    elif kind == "image" and deployments:
        container = draw(st.sampled_from(draw(st.sampled_from(_containers(objects)))))
        container["image"] = draw(st.sampled_from(IMAGES))
    elif kind == "env" and deployments:
        container = draw(st.sampled_from(draw(st.sampled_from(_containers(objects)))))
        env = container.get("env") or []
        action = draw(st.sampled_from(["add", "remove", "change", "reverse"]))
        free = [n for n in "ABCDEFG" if n not in {e["name"] for e in env}]
        if action == "add" and free:
            env.insert(draw(st.integers(0, len(env))), {"name": free[0], "value": draw(VALUES)})
        elif action == "remove" and env:
            env.pop(draw(st.integers(0, len(env) - 1)))
        elif action == "change" and env:
            env[draw(st.integers(0, len(env) - 1))]["value"] = draw(VALUES)
        else:
            env.reverse()
        if env:
            container["env"] = env
        else:
            container.pop("env", None)
    elif kind == "containers" and deployments:
        containers = draw(st.sampled_from(_containers(objects)))
        action = draw(st.sampled_from(["add", "remove", "reverse"]))
        free = [n for n in ["main", "side", "log", "extra"]
                if n not in {c["name"] for c in containers}]
        if action == "add" and free:
            containers.insert(draw(st.integers(0, len(containers))), _container(draw, free[0]))
        elif action == "remove" and len(containers) > 1:
            containers.pop(draw(st.integers(0, len(containers) - 1)))
        else:
            containers.reverse()
    elif kind == "ports" and deployments:
        container = draw(st.sampled_from(draw(st.sampled_from(_containers(objects)))))
        ports = draw(st.lists(st.sampled_from([80, 443, 8080, 9090, 3000]), unique=True,
                              max_size=3))
        if ports:
            container["ports"] = [{"containerPort": p, "name": f"p{p}"} for p in ports]
        else:
            container.pop("ports", None)
    elif kind in ("label", "annotation", "label-all", "annotation-all") and objects:
        field = "labels" if kind.startswith("label") else "annotations"
        chosen = objects if kind.endswith("-all") else [draw(st.sampled_from(objects))]
        key = draw(st.sampled_from(["env", "team", "example.com/owner"]))
        value = draw(VALUES)
        for obj in chosen:
            obj["metadata"][field] = {**(obj["metadata"].get(field) or {}), key: value}
    elif kind == "unlabel":
        labelled = [o for o in objects if o["metadata"].get("labels")]
        if labelled:
            meta = draw(st.sampled_from(labelled))["metadata"]
            meta["labels"].pop(draw(st.sampled_from(sorted(meta["labels"]))))
            if not meta["labels"]:
                del meta["labels"]
    elif kind == "size":
        claims = [o for o in objects if o["kind"] == "PersistentVolumeClaim"]
        if claims:
            draw(st.sampled_from(claims))["spec"]["resources"]["requests"]["storage"] = draw(SIZES)
    elif kind == "remove" and len(objects) > 1:
        objects.pop(draw(st.integers(0, len(objects) - 1)))
    elif kind == "add":
        name = draw(st.sampled_from(["extra", "more"]))
        namespace = (objects[0]["metadata"].get("namespace") if objects else None) or "app"
        if not any(o["metadata"]["name"] == name and o["kind"] == "ConfigMap" for o in objects):
            objects.append({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name, "namespace": namespace},
                            "data": {"x": draw(VALUES)}})
    elif kind in ("generator", "generator-prefix") and deployments and not gens:
        owner = draw(st.sampled_from(deployments))
        gens.append(ConfigMapGenerator(name="gen", namespace=owner["metadata"].get("namespace"),
                                       literals=[f"level={draw(VALUES)}"]))
        container = draw(st.sampled_from(owner["spec"]["template"]["spec"]["containers"]))
        env = [e for e in container.get("env") or [] if e["name"] != "LEVEL"]
        ref = {"configMapKeyRef": {"name": "gen", "key": "level"}}
        container["env"] = [*env, {"name": "LEVEL", "valueFrom": ref}]
        if kind == "generator-prefix":  # everything prefixed, the generator and its refs too
            _rename(objects, "lab-", True, gens)
    elif kind == "prefix":
        _rename(objects, draw(st.sampled_from(["lab-", "x."])), draw(st.booleans()), gens)
    elif kind == "rename":
        renamable = [o for o in objects if o["kind"] in ("PersistentVolumeClaim", "ConfigMap")
                     and not _HASHED.search(o["metadata"]["name"])]
        if renamable:
            chosen = draw(st.lists(st.sampled_from(renamable), min_size=1, unique_by=id))
            if draw(st.booleans()):  # several of one kind and namespace
                first = chosen[0]
                chosen = [o for o in renamable if o["kind"] == first["kind"]
                          and o["metadata"].get("namespace") == first["metadata"].get("namespace")]
            follow = draw(st.booleans())  # the claim references follow
            for obj in chosen:
                old_name, new_name = obj["metadata"]["name"], obj["metadata"]["name"] + "-v2"
                obj["metadata"]["name"] = new_name
                for deployment in deployments if follow else []:
                    for volume in deployment["spec"]["template"]["spec"].get("volumes") or []:
                        claim = volume.get("persistentVolumeClaim")
                        if claim and claim["claimName"] == old_name:
                            claim["claimName"] = new_name
    elif kind == "move-base":  # one application (one namespace) moves, the other stays
        namespaces = sorted({o["metadata"].get("namespace") for o in objects} - {None})
        if namespaces:
            moving = draw(st.sampled_from(namespaces))
            for obj in objects:
                if obj["kind"] == "Namespace" and obj["metadata"]["name"] == moving:
                    obj["metadata"]["name"] = f"{moving}-moved"
                elif obj["metadata"].get("namespace") == moving:
                    obj["metadata"]["namespace"] = f"{moving}-moved"
    elif kind == "service-ports":
        services = [o for o in objects if o["kind"] == "Service"]
        if services:
            ports = draw(st.lists(st.sampled_from([80, 443, 8080]), unique=True, min_size=1,
                                  max_size=3))
            draw(st.sampled_from(services))["spec"]["ports"] = [
                {"name": f"p{p}", "port": p, "targetPort": p + draw(st.sampled_from([0, 1]))}
                for p in ports
            ]
    elif kind == "volume-source" and deployments:
        pod = draw(st.sampled_from(deployments))["spec"]["template"]["spec"]
        volumes = pod.get("volumes") or []
        if volumes and "persistentVolumeClaim" in volumes[0]:
            volumes[0] = {"name": volumes[0]["name"], "emptyDir": {"sizeLimit": "1Gi"}}
        else:
            pod["volumes"] = [*volumes, {"name": f"v{len(volumes)}", "emptyDir": {}}]
    elif kind == "args" and deployments:
        container = draw(st.sampled_from(draw(st.sampled_from(_containers(objects)))))
        args = draw(st.lists(st.sampled_from(["--verbose", "-p", "80", "--x=1"]), max_size=3))
        if args:
            container["args"] = args
        else:
            container.pop("args", None)
    elif kind == "unannotate":
        annotated = [o for o in objects if o["metadata"].get("annotations")]
        if annotated:
            meta = draw(st.sampled_from(annotated))["metadata"]
            meta["annotations"].pop(draw(st.sampled_from(sorted(meta["annotations"]))))
            if not meta["annotations"] and draw(st.booleans()):
                del meta["annotations"]
    elif kind == "resources" and deployments:
        container = draw(st.sampled_from(draw(st.sampled_from(_containers(objects)))))
        memory = draw(st.sampled_from(["256Mi", "1Gi", "2Gi"]))
        requests = {"memory": memory, **({"cpu": "500m"} if draw(st.booleans()) else {})}
        container["resources"] = {"requests": requests, "limits": {"memory": memory}}
    elif kind == "namespace":  # everything moves to one namespace
        rename_namespace = draw(st.booleans())
        namespaces = [o for o in objects if o["kind"] == "Namespace"]
        if rename_namespace and namespaces:  # one Namespace object, renamed; the rest dropped
            objects[:] = [o for o in objects if o["kind"] != "Namespace" or o is namespaces[0]]
            namespaces[0]["metadata"]["name"] = "other"
        for obj in objects:
            if obj["kind"] not in ("Namespace", "StorageClass"):
                obj["metadata"]["namespace"] = "other"


def scenario(data: Any) -> tuple[Any, str]:
    """One random environment over one random base, and a description of it."""
    from kustgen import Base
    from kustgen.plan import Environment, Objects
    from kustgen.plan.planner import start_objects

    base = Base(name="app", objects=data.draw(bases(), label="base"))
    env_bases = [base]
    if data.draw(st.booleans(), label="second application"):
        env_bases.append(Base(name="side", **data.draw(side_bases(), label="side base")))
    start = start_objects("env", env_bases, [])
    desired = copy.deepcopy(start)
    gens: list[Any] = []
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        edit(data.draw, desired, gens)

    def change(objs: Objects) -> None:
        for obj in list(objs):
            objs.remove(obj)
        for obj in desired:
            objs.add(copy.deepcopy(obj))

    env = Environment(name="env", bases=env_bases, change=change, config_maps=gens)
    return env, json.dumps({"bases": {b.name: b.objects for b in env_bases},
                            "base generators": [g.to_dict() for b in env_bases
                                                for g in b.config_map_generators],
                            "base labels": [label.to_dict() for b in env_bases
                                            for label in b.labels],
                            "base annotations": [b.common_annotations for b in env_bases],
                            "desired": desired, "generators": [g.to_dict() for g in gens]})


def run_property(examples: int, kubectl: str | None) -> list[str]:
    """Run the property; returns a description of every kubectl mismatch."""
    from kustgen import Cluster, yamlio
    from kustgen.layout import layout
    from kustgen.render import render, sort_resources

    collected: list[tuple[dict[str, str], str, str]] = []
    fallbacks: list[str] = []  # exact, but the planner had to use its safe form

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def planned_overlay_renders_the_described_objects(data: Any) -> None:
        env, description = scenario(data)
        files = layout(Cluster(name="prop", overlays=[env.overlay()]))
        expected = yamlio.dump_all(sort_resources(env.objects())) if env.objects() else ""
        got = render(files, "overlays/env")
        assert (yamlio.dump_all(got) if got else "") == expected, description
        collected.append((files, expected, description))
        if env.plan.notes:
            fallbacks.append(json.dumps({"notes": env.plan.notes, "scenario": description}))

    planned_overlay_renders_the_described_objects()
    if kubectl is None:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, (files, _, _) in enumerate(collected):
            for path, text in files.items():
                target = root / str(i) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)

        def build(i: int) -> subprocess.CompletedProcess[str]:
            return subprocess.run([kubectl, "kustomize", str(root / str(i) / "overlays/env")],
                                  capture_output=True, text=True, check=False)

        with ThreadPoolExecutor(max_workers=4) as pool:
            runs = list(pool.map(build, range(len(collected))))
    failures = []
    for (files, expected, description), run in zip(collected, runs, strict=True):
        if run.returncode != 0 or run.stdout != expected:
            overlay = {p: t for p, t in files.items() if p.startswith("overlays/")}
            failures.append(json.dumps({"scenario": json.loads(description), "overlay": overlay,
                                        "kubectl": run.stdout, "stderr": run.stderr,
                                        "kustgen": expected}, indent=1))
    print(f"{len(collected)} environments planned, {len(failures)} differ from kubectl"
          f" ({len(fallbacks)} needed the safe fallback)")
    for fallback in fallbacks[:1]:
        print("fallback:", fallback)
    return failures


def main() -> None:
    examples = int(os.environ.get("PLAN_PROPERTY_EXAMPLES", "150"))
    failures = run_property(examples, os.environ.get("PLAN_PROPERTY_KUBECTL"))
    if failures:
        print(failures[0])
        sys.exit(1)


@pytest.mark.kubectl
def test_random_environments_equal_kubectl(kubectl: str) -> None:
    """150 environments; PLAN_PROPERTY_EXAMPLES=1000 runs more."""
    examples = os.environ.get("PLAN_PROPERTY_EXAMPLES", "150")
    run = subprocess.run(
        [sys.executable, "-c", "from tests import test_plan_property as t; t.main()"],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PLAN_PROPERTY_KUBECTL": kubectl, "PLAN_PROPERTY_EXAMPLES": examples},
    )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert f"{examples} environments planned, 0 differ" in run.stdout, run.stdout
