"""What the pre-commit hook costs when nothing changed: the default cluster vs a bare interpreter.

Whole processes, rounds interleaved, medians (``benchmarks/process.py``), each
against ``python -c pass`` measured in the same rounds: ``import kustgen``,
a no-op ``kustgen build --check`` of the embedded default cluster, and a
no-op validating ``kustgen build`` (the hook's default; the validation cache
warm, as after any earlier run).

    python benchmarks/bench_startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from process import KUSTGEN, PYTHON, Runner, compile_bytecode, environment


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
            ("kustgen build --check (no-op)", [*KUSTGEN, "build", "--check", "--out", str(out)]),
            ("kustgen build (no-op, validating)", [*KUSTGEN, "build", "--out", str(out)]),
        ]
        for _ in range(args.repeat):
            for label, command in rows:
                runner.time(label, command, env, cwd=Path(tmp))
    baseline = runner.median("python -c pass")
    print(f"default cluster, medians of {args.repeat} interleaved rounds")
    for label, _ in rows:
        seconds = runner.median(label)
        print(f"  {label:<36} {seconds * 1000:7.1f} ms  {seconds / baseline:5.2f}x python -c pass"
              f"  (+{(seconds - baseline) * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
