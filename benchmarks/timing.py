"""Timing shared by the benchmarks: the best of several runs, in seconds.

The minimum is the least disturbed run on a shared machine; every figure is
reported as a ratio to a baseline measured in the same process.
"""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)
