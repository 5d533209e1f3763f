"""Overlay size: the lines an overlay holds against the lines it renders to.

Four environments of the catalog's apps, each one move that used to cost a
full copy of objects (issue 12), planned by ``Environment`` and checked by
the planner's own render:

* ``namespace-move``: one application moved to another namespace, the other
  bases staying where they are;
* ``prefix-generator``: every object prefixed and moved to another
  namespace, with a ConfigMap generator in a base;
* ``renames``: three claims of one namespace renamed (references following);
* ``annotate``: ``objs.annotate()`` on every object.

For each it prints the lines of the files in ``overlays/ENV/`` (what a
reviewer reads: kustomization, patches, transformer configs, resources),
the lines of the rendered output, the ratio, and how many objects the
overlay copies in full as resources.  With ``--target MODULE:ATTR`` it
reports every environment of that cluster instead.

    python benchmarks/overlay_size.py [--target MODULE:ATTR]
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable

from kustgen import Base, Cluster, ConfigMapGenerator, Environment, Objects
from kustgen.build import render_env, tree
from kustgen.catalog.app import Port, ServiceDef, Storage, container_app
from kustgen.catalog.minecraft import minecraft
from kustgen.config import load_cluster
from kustgen.k8s import core_v1 as core
from kustgen.layout import overlay_dir


def _apps() -> list[Base]:
    wiki = container_app(
        "wiki", image="requarks/wiki:2.5", ports=[Port("http", 3000)],
        storage=[Storage("data", "/wiki/data", "5Gi"), Storage("cache", "/cache", "1Gi"),
                 Storage("uploads", "/uploads", "10Gi")],
        services=[ServiceDef()],
    )
    level = core.EnvVar(name="LOG", value_from=core.EnvVarSource(
        config_map_key_ref=core.ConfigMapKeySelector(name="settings", key="LOG")))
    mqtt = container_app(
        "mqtt", image="eclipse-mosquitto:2.0.18", ports=[Port("mqtt", 1883)],
        storage=[Storage("data", "/mosquitto/data", "1Gi")], services=[ServiceDef()],
        env_from_refs=[level],
    )
    return [wiki.base, mqtt.base, minecraft().base]


def _namespace_move(objs: Objects) -> None:
    for obj in objs:
        meta = obj.metadata if not isinstance(obj, dict) else None
        if meta is None or (meta.namespace != "wiki" and meta.name != "wiki"):
            continue
        if isinstance(obj, core.Namespace):
            meta.name = "wiki-staging"
        else:
            meta.namespace = "wiki-staging"


def _prefix(objs: Objects) -> None:
    for obj in objs:
        meta = obj.metadata
        meta.name = f"lab-{meta.name}"
        if isinstance(obj, core.Namespace):
            meta.name = "lab"
        elif meta.namespace:
            meta.namespace = "lab"
        pod = getattr(getattr(getattr(obj, "spec", None), "template", None), "spec", None)
        for container in getattr(pod, "containers", None) or []:
            for env in container.env or []:
                ref = env.value_from.config_map_key_ref if env.value_from else None
                if ref:
                    ref.name = f"lab-{ref.name}"
        pod = getattr(getattr(getattr(obj, "spec", None), "template", None), "spec", None)
        for volume in getattr(pod, "volumes", None) or []:
            if volume.persistent_volume_claim:
                claim = volume.persistent_volume_claim
                claim.claim_name = f"lab-{claim.claim_name}"
            if volume.config_map:
                volume.config_map.name = f"lab-{volume.config_map.name}"


def _renames(objs: Objects) -> None:
    renamed = {}
    for claim in objs.all(core.PersistentVolumeClaim):
        if claim.metadata.namespace == "wiki":
            renamed[claim.metadata.name] = claim.metadata.name + "-v2"
            claim.metadata.name += "-v2"
    for obj in objs:
        pod = getattr(getattr(getattr(obj, "spec", None), "template", None), "spec", None)
        for volume in getattr(pod, "volumes", None) or []:
            claim = volume.persistent_volume_claim
            if claim and claim.claim_name in renamed and obj.metadata.namespace == "wiki":
                claim.claim_name = renamed[claim.claim_name]


def _annotate(objs: Objects) -> None:
    objs.annotate({"example.com/owner": "platform-team", "example.com/tier": "gold"})


CASES: dict[str, Callable[[Objects], None]] = {
    "namespace-move": _namespace_move,
    "prefix-generator": _prefix,
    "renames": _renames,
    "annotate": _annotate,
}


def issue_cluster() -> Cluster:
    """The four environments above over the catalog's apps; the prefix case
    takes the one app whose base has a ConfigMap generator."""
    wiki, mqtt, game = _apps()
    settings = ConfigMapGenerator(name="settings", namespace="mqtt", literals=["LOG=info"])
    mqtt.config_map_generators = [settings]
    envs = []
    for name, change in CASES.items():
        bases = [mqtt] if name == "prefix-generator" else [wiki, mqtt, game]
        envs.append(Environment(name=name, bases=bases, change=change).overlay())
    return Cluster(name="sizes", overlays=envs)


def report(cluster: Cluster) -> None:
    files = tree(cluster)
    print(f"{'environment':<18} {'overlay lines':>13} {'rendered lines':>14} {'ratio':>6}"
          f" {'files':>5} {'copied in full':>14}")
    for overlay in cluster.overlays:
        prefix = overlay_dir(overlay) + "/"
        own = {p: t for p, t in files.items() if p.startswith(prefix)}
        rendered = render_env(cluster, overlay.name, files=files)
        overlay_lines = sum(t.count("\n") for t in own.values())
        rendered_lines = rendered.count("\n")
        objects = rendered.count("\n---\n") + 1
        print(f"{overlay.name:<18} {overlay_lines:>13} {rendered_lines:>14}"
              f" {overlay_lines / rendered_lines:>6.1%} {len(own):>5}"
              f" {len(overlay.objects):>6} of {objects:<4}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", metavar="MODULE:ATTR",
                        help="report this cluster's environments instead of the four cases")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    report(load_cluster(args.target) if args.target else issue_cluster())


if __name__ == "__main__":
    main()
