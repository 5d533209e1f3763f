"""What layers, GitOps objects and the graph cost on a fleet, as ratios.

A fleet of C clusters, each with one environment of N apps (shared bases)
on Longhorn and MetalLB configuration, is laid out twice in the same run: as
it is (each environment cut into config and apps layers, Flux objects
written) and, the baseline, with every base stated to be in the apps layer
and no GitOps objects (one directory per environment, as before layers).
`kustgen graph` of the fleet is compared with rendering every environment,
which it does layer by layer.

    python benchmarks/bench_fleet.py [--clusters 4] [--apps 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.timing import best_of
from kustgen import Base, Cluster, Fleet, Overlay
from kustgen.catalog import longhorn, metallb
from kustgen.catalog.app import Port, ServiceDef, Storage, container_app
from kustgen.gitops import Flux


def fleet(clusters: int, apps: int) -> Fleet:
    storage = longhorn.longhorn_base()
    shared = [
        container_app(
            f"app-{a}", image=f"example/app-{a}:1.0", ports=[Port("http", 8080)],
            storage=[Storage("data", "/data", "1Gi")],
            services=[ServiceDef(type="LoadBalancer", annotations=metallb.pool_annotation("lan"))],
        ).base
        for a in range(apps)
    ]
    members = []
    for c in range(clusters):
        pool = metallb.ip_address_pool("lan", [f"10.{c}.0.0/16"])
        network = metallb.metallb_base(f"metallb-{c}", pools=[pool],
                                       advertisements=[metallb.l2_advertisement("lan")])
        members.append(Cluster(
            name=f"c{c}", overlays=[Overlay(name=f"env-{c}", bases=[storage, network, *shared])],
            gitops=Flux(url="https://git.example.com/fleet.git"),
        ))
    return Fleet(clusters=members)


def flat(layered: Fleet) -> Fleet:
    """The same objects, every base in the apps layer, no GitOps objects."""
    shared: dict[str, Base] = {}

    def one(base: Base) -> Base:
        return shared.setdefault(base.name, replace(base, layer="apps"))

    return Fleet(clusters=[
        replace(c, gitops=None, overlays=[replace(o, bases=[one(b) for b in o.bases])
                                          for o in c.overlays])
        for c in layered.clusters
    ])


def rendered(files: dict[str, str], envs: list[str]) -> list[str]:
    """Every environment rendered from scratch (the process-wide render cache would
    answer from memory after the first round; the graph renders uncached)."""
    from kustgen.build import render_dir
    from kustgen.render.cache import SHARED

    SHARED.clear()
    return [render_dir(files, f"overlays/{env}") for env in envs]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=4)
    parser.add_argument("--apps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from kustgen.build import input_tree
    from kustgen.graph import fleet_graph
    from kustgen.layout import layout

    layered = fleet(args.clusters, args.apps)
    baseline_fleet = flat(layered)
    files = input_tree(layered)
    rows = [
        ("layout, one layer, no GitOps (baseline)", lambda: layout(baseline_fleet)),
        ("layout in layers, with Flux objects", lambda: layout(layered)),
        ("render every environment", lambda: rendered(files, layered.envs())),
        ("kustgen graph (mermaid)", lambda: fleet_graph(layered)),
    ]
    times = [best_of(args.repeat, fn) for _, fn in rows]
    objects = sum(len(b.objects) for b in layered.all_bases())
    print(f"{args.clusters} clusters x {args.apps} apps ({objects} objects in bases)")
    for (label, _), seconds, base in zip(rows, times, (times[0], times[0], times[2], times[2]),
                                         strict=True):
        print(f"{label:<42} {seconds * 1000:8.1f} ms  {seconds / base:5.2f}x")


if __name__ == "__main__":
    main()
