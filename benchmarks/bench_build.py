"""The commands a user waits for, on 200 apps x 3 environments, against their floors.

Whole processes, rounds interleaved, medians (``benchmarks/process.py``), each
ratio against a baseline measured in the same rounds:

* the floor (``floor.py``): a fresh interpreter writing the same files, the
  same objects as dicts dumped with PyYAML's C emitter;
* for ``kustgen render``: ``kubectl kustomize`` of the same overlay.

Rows: the validating ``kustgen build`` cold (empty output, empty user cache)
and as a no-op (nothing changed, cache warm); the same with
``--no-validate``; ``kustgen validate`` cold and warm; ``kustgen render
production`` against ``kubectl kustomize``.  ``--targeted`` adds the tree with
every patch listed with a ``target`` (kubectl is quadratic in those: about a
minute per run at 200 apps).

    python benchmarks/bench_build.py [--apps 200] [--repeat 5] [--targeted]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from process import KUSTGEN, PYTHON, ROOT, Runner, compile_bytecode, environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--targeted", action="store_true",
                        help="also kubectl kustomize the tree with targeted patches")
    args = parser.parse_args()
    kubectl = shutil.which("kubectl")
    compile_bytecode()
    runner = Runner()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        cold, noop, plain_out = scratch / "cold", scratch / "noop", scratch / "plain"
        targeted_out = scratch / "targeted"
        cold_cache, warm_cache = scratch / "cold-cache", scratch / "warm-cache"
        env = environment(APPS=str(args.apps), KUSTGEN_CACHE_DIR=str(warm_cache))
        cold_env = environment(APPS=str(args.apps), KUSTGEN_CACHE_DIR=str(cold_cache))
        off = environment(APPS=str(args.apps), KUSTGEN_CACHE="off")
        target = ["--target", "synthetic:cluster"]

        def fresh() -> None:
            shutil.rmtree(cold, ignore_errors=True)
            shutil.rmtree(cold_cache, ignore_errors=True)

        # The no-op rows start from a written tree and a warm cache.
        runner.time("setup", [*KUSTGEN, "build", *target, "--out", str(noop)], env)
        runner.time("setup", [*KUSTGEN, "build", "--no-validate", *target, "--out",
                              str(plain_out)], env)
        if args.targeted:
            runner.time("setup", [*KUSTGEN, "build", "--no-validate", "--target",
                                  "synthetic:targeted", "--out", str(targeted_out)], env)
        floor = [PYTHON, str(ROOT / "benchmarks" / "floor.py"), str(args.apps), str(cold)]
        rows: list[tuple[str, list[str], dict[str, str], str]] = [
            ("floor", floor, env, ""),
            ("build, validating, cold", [*KUSTGEN, "build", *target, "--out", str(cold)],
             cold_env, "floor"),
            ("build, validating, no-op", [*KUSTGEN, "build", *target, "--out", str(noop)],
             env, "floor"),
            ("build --no-validate, cold", [*KUSTGEN, "build", "--no-validate", *target,
                                           "--out", str(cold)], cold_env, "floor"),
            ("build --no-validate, no-op", [*KUSTGEN, "build", "--no-validate", *target,
                                            "--out", str(noop)], env, "floor"),
            ("validate, cold (no cache)", [*KUSTGEN, "validate", *target], off, "floor"),
            ("validate, cache warm", [*KUSTGEN, "validate", *target], env, "floor"),
            ("render production", [*KUSTGEN, "render", "production", *target, "--out",
                                   str(plain_out)], env, "kubectl kustomize"),
        ]
        if kubectl:
            rows.append(("kubectl kustomize", [kubectl, "kustomize",
                                               str(plain_out / "overlays/production")], env, ""))
        for _ in range(args.repeat):
            for label, command, command_env, _baseline in rows:
                runner.time(label, command, command_env, prepare=fresh)
        if args.targeted and kubectl:
            runner.time("kubectl kustomize, targeted patches",
                        [kubectl, "kustomize", str(targeted_out / "overlays/production")], env)
            runner.time("render production, targeted patches",
                        [*KUSTGEN, "render", "production", "--target", "synthetic:targeted",
                         "--out", str(targeted_out)], env)
    print(f"{args.apps} apps x 3 environments, medians of {args.repeat} interleaved rounds")
    for label, _command, _env, baseline in rows:
        seconds = runner.median(label)
        ratio = f"{seconds / runner.median(baseline):6.2f}x {baseline}" if baseline else ""
        print(f"  {label:<36} {seconds:7.2f} s  {ratio}")
    if args.targeted and kubectl:
        plain, targeted = runner.median("kubectl kustomize"), runner.median(
            "kubectl kustomize, targeted patches")
        print(f"  {'kubectl kustomize, targeted patches':<36} {targeted:7.2f} s "
              f"{targeted / plain:6.2f}x kubectl kustomize of kustgen's tree (1 run)")
        ours = runner.median("render production, targeted patches")
        print(f"  {'render production, targeted patches':<36} {ours:7.2f} s "
              f"{ours / targeted:6.2f}x kubectl kustomize, targeted patches (1 run)")
    print(f"  peak memory: build {runner.peak('build, validating, cold'):.0f} MB, "
          f"floor {runner.peak('floor'):.0f} MB")


if __name__ == "__main__":
    main()
