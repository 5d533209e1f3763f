"""Development-time generator entry point.

python -m kustgen.codegen k8s [--out DIR]           # rewrite kustgen/k8s
python -m kustgen.codegen crd FILE... --out DIR     # modules from CRDs
python -m kustgen.codegen schemas                   # kustgen/crds from schemas/
python -m kustgen.codegen gounicode                 # kustgen/_gounicode.py (needs kubectl)
python -m kustgen.codegen installs [--shared DIR]    # kustgen/catalog/installs from upstream
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kustgen.codegen")
    sub = parser.add_subparsers(dest="command", required=True)
    k8s = sub.add_parser("k8s", help="generate kustgen/k8s from the Kubernetes OpenAPI definitions")
    k8s.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "k8s")
    crd = sub.add_parser("crd", help="generate one module per API group from CRD files")
    crd.add_argument("files", nargs="+", type=Path)
    crd.add_argument("--out", type=Path, required=True)
    sub.add_parser("schemas", help="generate kustgen/crds from kustgen's JSON schemas in schemas/")
    sub.add_parser("gounicode", help="measure Go's extra letters/digits through kubectl")
    installs = sub.add_parser(
        "installs", help="generate kustgen/catalog/installs from the pinned upstream manifests")
    installs.add_argument("--shared", type=Path, default=None,
                          help="the reference material (default: ../shared beside the repo)")
    args = parser.parse_args(argv)
    if args.command == "installs":
        from kustgen.codegen.installs import DEFAULT_SHARED, generate_installs

        written = generate_installs(args.shared or DEFAULT_SHARED)
    elif args.command == "gounicode":
        from kustgen.codegen.gounicode import generate

        written = generate()
    elif args.command == "schemas":
        from kustgen.codegen.shipped import generate_schemas

        written = generate_schemas()
    elif args.command == "k8s":
        from kustgen.codegen.openapi import generate_k8s

        written = generate_k8s(args.out)
    else:
        from kustgen.codegen.crd import import_crds

        written = import_crds(args.files, args.out)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
