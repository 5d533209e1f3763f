"""Growth from 10 to 2,000 apps x 3 environments: every command should be linear.

For each size, whole processes (``benchmarks/process.py``: fresh interpreter,
rounds interleaved, medians) of the floor (``floor.py``: the same files
written with PyYAML's C emitter), ``kustgen build --no-validate`` (cold),
``kustgen render production``, ``kustgen validate`` and the validating
``kustgen build`` (cold; the validation cache off, so everything is
computed), and the planner (``kustgen envs`` of the same apps described as
``Environment`` changes: loading the cluster plans its three overlays).
Printed: wall seconds and the ratio to the floor of the same size, then each
command's growth exponent -- the slope of log(CPU time) over log(apps),
fitted over all sizes, over sizes from 100 apps (start-up weighs less) and
between the two largest -- and its peak memory at the largest size.

    python benchmarks/bench_scaling.py [--sizes 10,100,500,1000,2000] [--repeat 3]
    python benchmarks/bench_scaling.py --quick      # 10,30,100,300 apps
"""

from __future__ import annotations

import argparse
import math
import shutil
import tempfile
from pathlib import Path

from process import KUSTGEN, PYTHON, ROOT, Runner, compile_bytecode, environment

COMMANDS = ("floor", "build --no-validate", "render", "validate", "build", "plan")


def fitted(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) over log(sizes)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,500,1000,2000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="10, 30, 100 and 300 apps")
    args = parser.parse_args()
    sizes = [10, 30, 100, 300] if args.quick else [int(s) for s in args.sizes.split(",")]
    compile_bytecode()
    runner = Runner()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        fresh = scratch / "out"

        def clean() -> None:
            shutil.rmtree(fresh, ignore_errors=True)

        for apps in sizes:
            env = environment(APPS=str(apps), KUSTGEN_CACHE="off")
            plain = ["--target", "synthetic:cluster"]
            runs = {
                "floor": [PYTHON, str(ROOT / "benchmarks" / "floor.py"), str(apps), str(fresh)],
                "build --no-validate": [*KUSTGEN, "build", "--no-validate", *plain,
                                        "--out", str(fresh)],
                "render": [*KUSTGEN, "render", "production", *plain, "--out", str(fresh)],
                "validate": [*KUSTGEN, "validate", *plain],
                "build": [*KUSTGEN, "build", *plain, "--out", str(fresh)],
                "plan": [*KUSTGEN, "envs", "--target", "synthetic:environments"],
            }
            for _ in range(args.repeat):
                for name in COMMANDS:
                    runner.time(f"{name}@{apps}", runs[name], env, cwd=scratch, prepare=clean,
                                check=name != "validate")
            cells = "  ".join(
                f"{name} {runner.median(f'{name}@{apps}'):7.2f}s"
                + ("" if name == "floor" else
                   f" ({runner.median(f'{name}@{apps}') / runner.median(f'floor@{apps}'):4.1f}x)")
                for name in COMMANDS)
            print(f"{apps:>5} apps: {cells}", flush=True)
    print(f"\ngrowth exponents of CPU time (user + system; wall time suffers more from busy "
          f"neighbours; 1 = linear) and peak memory at {sizes[-1]} apps:")
    large = [apps for apps in sizes if apps >= 100] or sizes
    for name in COMMANDS:
        cpu = [runner.median_cpu(f"{name}@{apps}") for apps in sizes]
        cpu_large = [runner.median_cpu(f"{name}@{apps}") for apps in large]
        local = math.log(cpu[-1] / cpu[-2]) / math.log(sizes[-1] / sizes[-2])
        print(f"  {name:<22} fitted {fitted(sizes, cpu):4.2f} ({sizes[0]}..{sizes[-1]})"
              f"  {fitted(large, cpu_large):4.2f} ({large[0]}..{large[-1]})"
              f"  last step {local:4.2f}   peak {runner.peak(f'{name}@{sizes[-1]}'):6.0f} MB")

if __name__ == "__main__":
    main()
