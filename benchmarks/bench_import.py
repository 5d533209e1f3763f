"""Time `kustgen import` of Longhorn's installation against reading it with PyYAML's C loader.

Run: python benchmarks/bench_import.py [--repeat R] [--file PATH]

Default file: ../shared/reference/crds/longhorn/upstream/deploy_longhorn.yaml
(~5k lines: CRDs, RBAC, DaemonSets, Deployments).  Printed per step, best of R
runs each, interleaved in one process, as seconds and as a ratio to
``list(yaml.load_all(text, Loader=yaml.CSafeLoader))`` of the same file:

* read     -- the bounded reader (kustgen.untrusted_yaml) and object checks;
* generate -- classes, grouping and the Python source (no round trip);
* import   -- everything `kustgen import` does before writing, the round trip
              (executing the module, rendering it, comparing) included.

The target: the whole import well under a second.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timing import best_of

from kustgen.imports import ImportRequest, generate
from kustgen.imports.read import read_sources

DEFAULT = Path(__file__).resolve().parents[2] / (
    "shared/reference/crds/longhorn/upstream/deploy_longhorn.yaml")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--file", type=Path, default=DEFAULT)
    args = parser.parse_args()
    text = args.file.read_text(encoding="utf-8")
    out = Path("/tmp/kustgen-bench-import.py")
    plain = ImportRequest(out=out, sources=[str(args.file)], verify=False)
    full = ImportRequest(out=out, sources=[str(args.file)])
    generate(full)  # warm up: imports of the models and the renderer

    results: dict[str, list[float]] = {"pyyaml": [], "read": [], "generate": [], "import": []}
    for _ in range(args.repeat):  # interleaved, so that machine noise hits every step alike
        results["pyyaml"].append(best_of(1, lambda: list(yaml.load_all(
            text, Loader=yaml.CSafeLoader))))
        results["read"].append(best_of(1, lambda: read_sources([str(args.file)])))
        results["generate"].append(best_of(1, lambda: generate(plain)))
        results["import"].append(best_of(1, lambda: generate(full)))
    baseline = min(results["pyyaml"])
    lines = len(text.splitlines())
    print(f"{args.file.name}: {lines} lines, best of {args.repeat}")
    for step, times in results.items():
        best = min(times)
        print(f"  {step:9s} {best * 1000:8.1f} ms   {best / baseline:6.1f}x pyyaml C loader")
    return 0


if __name__ == "__main__":
    sys.exit(main())
