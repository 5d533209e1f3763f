"""Whole-process timing shared by the benchmarks: fresh interpreters, paired and interleaved.

``Runner.time(label, command)`` runs one command in a fresh process and
records its wall time and peak memory (``ru_maxrss`` of that process alone).
Callers interleave: one round runs every command once, the next round again,
so a busy neighbour slows every command alike; figures are medians over the
rounds, and every ratio divides by a baseline measured in the same rounds.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
KUSTGEN = [PYTHON, "-m", "kustgen.cli"]


def environment(**extra: str) -> dict[str, str]:
    """The benchmark's environment: bytecode used as an installed kustgen has it
    (pip compiles wheels; PYTHONDONTWRITEBYTECODE would measure compiling), the
    synthetic clusters importable, and ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "benchmarks"), env.get("PYTHONPATH", "")])
    env.update(extra)
    return env


def compile_bytecode() -> None:
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "kustgen")], check=True,
                   env=environment(), stdout=subprocess.DEVNULL)


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


@dataclass
class Runner:
    samples: dict[str, Sample] = field(default_factory=dict)

    def time(self, label: str, command: Sequence[str], env: Mapping[str, str],
             cwd: Path | None = None, check: bool = True,
             prepare: Callable[[], None] | None = None) -> float:
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        process = subprocess.Popen(list(command), env=dict(env), cwd=cwd,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if check and process.returncode != 0:
            raise RuntimeError(f"{label}: exit {process.returncode}\n{stderr[-2000:]}")
        sample = self.samples.setdefault(label, Sample())
        sample.seconds.append(seconds)
        sample.cpu.append(usage.ru_utime + usage.ru_stime)
        sample.peak_mb.append(usage.ru_maxrss / 1024)
        return seconds

    def median(self, label: str) -> float:
        return self.samples[label].median

    def median_cpu(self, label: str) -> float:
        """Median CPU time: what a busy neighbour disturbs least (growth is fitted on it)."""
        return statistics.median(self.samples[label].cpu)

    def peak(self, label: str) -> float:
        return max(self.samples[label].peak_mb)
