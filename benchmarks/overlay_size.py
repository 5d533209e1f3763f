"""Overlay size: the lines an overlay holds against the lines it renders to.

For every environment of a cluster (default: the embedded one) this prints
the lines of the files in ``overlays/ENV/`` (kustomization.yaml, patches,
environment-only resources), the lines of ``kustgen render ENV`` (what
`kubectl kustomize` prints) and the ratio, plus how many objects the overlay
holds in full (as resources) against how many it renders.

    python benchmarks/overlay_size.py [--target MODULE:ATTR]
"""

from __future__ import annotations

import argparse

from kustgen.build import render_env, tree
from kustgen.config import DEFAULT_TARGET, load_cluster
from kustgen.layout import overlay_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default=DEFAULT_TARGET, metavar="MODULE:ATTR")
    args = parser.parse_args()
    cluster = load_cluster(args.target)
    files = tree(cluster)
    print(f"{'environment':<14} {'overlay lines':>13} {'rendered lines':>14} {'ratio':>6}"
          f" {'files':>5} {'full objects':>12}")
    for overlay in cluster.overlays:
        prefix = overlay_dir(overlay) + "/"
        own = {p: t for p, t in files.items() if p.startswith(prefix)}
        rendered = render_env(cluster, overlay.name, files=files)
        overlay_lines = sum(t.count("\n") for t in own.values())
        rendered_lines = rendered.count("\n")
        print(f"{overlay.name:<14} {overlay_lines:>13} {rendered_lines:>14}"
              f" {overlay_lines / rendered_lines:>6.1%} {len(own):>5}"
              f" {len(overlay.objects):>5} of {rendered.count(chr(10) + '---' + chr(10)) + 1:<4}")


if __name__ == "__main__":
    main()
