"""What the pre-commit hook costs when nothing changed: the default cluster vs a bare interpreter.

Whole processes, rounds interleaved, medians (``benchmarks/process.py``), each
against ``python -c pass`` measured in the same rounds: ``import kustgen``,
a no-op ``kustgen build --check`` of the embedded default cluster, and a
no-op validating ``kustgen build`` (the hook's default; the user's cache
warm, as after any earlier run, so both replay their recorded outcome:
``kustgen.replay``).  Two more rows: ``import click``, what any run of the
CLI costs, and running the cluster module itself with the plans cached
(its imports, its objects, its change functions) -- what a run costs at
least when something it read has changed and the outcome cannot be replayed.

    python benchmarks/bench_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from process import KUSTGEN, PYTHON, Runner, compile_bytecode, environment

#: What a run that cannot replay does at least: the CLI's import, then the
#: user's module evaluated with the plans in the cache.
_MODULE = """
import os, pathlib, click
from kustgen.usercache import UserCache, activated
with activated(UserCache.open(pathlib.Path(os.environ["KUSTGEN_CACHE_DIR"]))):
    import kustgen.default
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    compile_bytecode()
    runner = Runner()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        env = environment(KUSTGEN_CACHE_DIR=str(Path(tmp) / "cache"))
        runner.time("setup", [*KUSTGEN, "build", "--out", str(out)], env)
        rows = [
            ("python -c pass", [PYTHON, "-c", "pass"]),
            ("import kustgen", [PYTHON, "-c", "import kustgen"]),
            ("import click", [PYTHON, "-c", "import click"]),
            ("click + the cluster module (warm)", [PYTHON, "-c", _MODULE]),
            ("kustgen build --check (no-op)", [*KUSTGEN, "build", "--check", "--out", str(out)]),
            ("kustgen build (no-op, validating)", [*KUSTGEN, "build", "--out", str(out)]),
            ("  the same, KUSTGEN_REPLAY=off", [*KUSTGEN, "build", "--out", str(out)]),
        ]
        for _ in range(args.repeat):
            for label, command in rows:
                replay = {"KUSTGEN_REPLAY": "off"} if "REPLAY=off" in label else {}
                runner.time(label, command, {**env, **replay}, cwd=Path(tmp))
    baseline = runner.median("python -c pass")
    print(f"default cluster, medians of {args.repeat} interleaved rounds")
    for label, _ in rows:
        seconds = runner.median(label)
        print(f"  {label:<36} {seconds * 1000:7.1f} ms  {seconds / baseline:5.2f}x python -c pass"
              f"  (+{(seconds - baseline) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
