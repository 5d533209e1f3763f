"""Start-up cost: `import kustgen` and a no-op `kustgen build --check`.

The baseline, measured in the same run, is a bare `python -c pass`; figures
are reported in milliseconds and as ratios of it (targets: import < 100 ms,
no-op check of the default cluster < 250 ms, interpreter start included).

    python benchmarks/bench_startup.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# An installed kustgen has its bytecode compiled (pip does it for wheels); some
# machines set PYTHONDONTWRITEBYTECODE, which would measure compiling instead.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def best_of(repeat: int, command: list[str], cwd: Path | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=ENV)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    python = sys.executable
    kustgen = [python, "-m", "kustgen.cli"]
    package = Path(__file__).resolve().parents[1] / "kustgen"
    subprocess.run([python, "-m", "compileall", "-q", str(package)], check=True, env=ENV)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run([*kustgen, "build", "--out", str(out)], check=True, capture_output=True)
        baseline = best_of(args.repeat, [python, "-c", "pass"])
        imported = best_of(args.repeat, [python, "-c", "import kustgen"])
        check = best_of(args.repeat, [*kustgen, "build", "--check", "--out", str(out)])
    rows = [
        ("baseline  python -c pass", baseline),
        ("kustgen   import kustgen", imported),
        ("kustgen   build --check (no-op)", check),
    ]
    for label, seconds in rows:
        extra = (seconds - baseline) * 1000
        ratio = seconds / baseline
        print(f"{label:<36} {seconds * 1000:7.1f} ms  {ratio:5.2f}x  (+{extra:.1f} ms)")


if __name__ == "__main__":
    main()
