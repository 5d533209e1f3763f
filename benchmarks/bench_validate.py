"""Schema validation of 200 apps x 4 objects against kubernetes-validate on the same objects.

Baseline (measured in the same run): ``kubernetes_validate.validate(obj,
"1.32.0", strict=True)`` on every object -- it reads the kind's schema and
``_definitions.json`` and builds a validator for each call.  Reported:
kustgen's schema + field checks cold (a fresh SchemaSet: loading schemas and
building one validator per kind included) and warm, the lint rules alone, and
the whole ``validate(cluster)`` (rendering the environment, schemas, field
checks, lint), each with its ratio to the baseline.

    python benchmarks/bench_validate.py [--apps 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import app
from timing import best_of

from kustgen import Base, Cluster, External, Overlay
from kustgen.lint import lint_env
from kustgen.render.cache import SHARED
from kustgen.validate import SchemaSet, check_objects, validate
from kustgen.validate.objects import environments

NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}


def cluster(apps_count: int) -> Cluster:
    bases = [Base(name=f"app-{i:03d}", objects=app(i)) for i in range(apps_count)]
    return Cluster(
        name="bench",
        overlays=[Overlay(name="production", bases=bases, objects=[NAMESPACE])],
        external=External(storage_classes=["longhorn"]),
    )


def main() -> None:
    import kubernetes_validate

    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    c = cluster(args.apps)
    (env,) = environments(c)
    objects = [o for o in env.objects if o["kind"] != "Namespace"]
    assert len(objects) == 4 * args.apps

    baseline = best_of(
        1, lambda: [kubernetes_validate.validate(o, "1.32.0", strict=True) for o in objects]
    )
    cold = best_of(1, lambda: check_objects("production", objects, SchemaSet()))
    warm_schemas = SchemaSet()
    assert check_objects("production", objects, warm_schemas) == []
    warm = best_of(args.repeat, lambda: check_objects("production", objects, warm_schemas))
    linted = best_of(args.repeat, lambda: lint_env(c, env))

    def rendered() -> object:
        SHARED.clear()  # a fresh render every time, as in a new process
        return environments(c)

    def whole() -> object:
        SHARED.clear()
        return validate(c, schemas=warm_schemas)

    render_time = best_of(args.repeat, rendered)
    whole_time = best_of(args.repeat, whole)
    assert validate(c) == []

    print(f"{args.apps} apps x 4 objects: {len(objects)} objects, one environment")
    rows = [
        ("baseline  kubernetes_validate.validate", baseline),
        ("kustgen   schemas+fields, cold", cold),
        ("kustgen   schemas+fields, warm", warm),
        ("kustgen   lint rules", linted),
        ("kustgen   render the environment", render_time),
        ("kustgen   validate(cluster): render+all", whole_time),
    ]
    for label, seconds in rows:
        per = seconds / len(objects) * 1e6
        print(
            f"{label:<42} {seconds * 1000:8.1f} ms  {per:7.1f} us/obj  {seconds / baseline:6.3f}x"
        )


if __name__ == "__main__":
    main()
