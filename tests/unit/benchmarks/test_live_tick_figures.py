"""The figures of ``benchmarks/bench_live_tick.py``: a run's percentiles, and those of the
ticks that wrote events (the ticks the p99 comes from) apart."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from bench_live_tick import Measured, figures, percentile


def test_the_ticks_that_wrote_events_are_counted_apart() -> None:
    times = [float(n) for n in range(1, 101)]  # 1 .. 100 ms
    cpu = [n / 10 for n in times]
    busy = [n % 10 == 0 for n in range(1, 101)]  # 10, 20, ..., 100
    sent = [["SELECT"] * (9 if wrote else 5) for wrote in busy]
    found = figures(Measured(times, cpu, busy), sent)
    assert (found["p50"], found["p99"]) == (50.5, percentile(times, 0.99))
    assert (found["cpu_p50"], found["cpu_p99"]) == (5.05, percentile(cpu, 0.99))
    assert found["busy"] == 10
    assert (found["busy_p50"], found["busy_p99"]) == (55.0, 100.0)
    assert found["busy_cpu_p50"] == 5.5
    assert (found["statements"], found["busy_statements"]) == (5, 9)


def test_a_run_without_such_ticks_or_counted_statements() -> None:
    found = figures(Measured([3.0, 1.0, 2.0], [0.3, 0.1, 0.2], [False] * 3), [])
    assert (found["p50"], found["busy"], found["busy_p50"], found["busy_cpu_p50"]) == (
        2.0, 0, 0.0, 0.0,
    )  # fmt: skip
    assert "statements" not in found
