"""The arithmetic of ``benchmarks/bench_peers.py``: medians, figures, ratios, row choice."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from peers.figures import Sample, Unit, describe, median_sample, ratio, value
from peers.rows import ROWS, chosen, import_target, tick_target


def test_the_median_is_taken_per_number_and_a_text_fact_is_the_first_runs() -> None:
    samples = [
        Sample(3.0, 100.0, {"trades": 10, "note": "a", "p50_ms": 9.0}),
        Sample(1.0, 300.0, {"trades": 30, "note": "b", "p50_ms": 7.0}),
        Sample(2.0, 200.0, {"trades": 20, "note": "c", "p50_ms": 8.0}),
    ]
    middle = median_sample(samples)
    assert (middle.seconds, middle.peak_megabytes) == (2.0, 200.0)
    assert middle.facts == {"trades": 20, "note": "a", "p50_ms": 8.0}


def test_no_sample_has_no_median() -> None:
    with pytest.raises(ValueError, match="no samples"):
        median_sample([])


def test_each_unit_reads_its_own_figure_of_a_sample() -> None:
    sample = Sample(0.5, 120.0, {"p50_ms": 4.5, "cpu_p50_ms": 3.0})
    assert value(sample, Unit.BARS_PER_SECOND, 1_000_000) == 2_000_000
    assert value(sample, Unit.SECONDS, 1_000_000) == 0.5
    assert value(sample, Unit.MEGABYTES, 1_000_000) == 120.0
    assert value(sample, Unit.MILLISECONDS, 1) == 4.5
    assert value(sample, Unit.MILLISECONDS, 1, fact="cpu_p50_ms") == 3.0


def test_the_ratio_is_paperdesk_over_the_peer() -> None:
    assert ratio(3.0, 1.5) == 2.0
    assert ratio(1.0, 4.0) == 0.25
    assert ratio(1.0, 0.0) == float("inf")


@pytest.mark.parametrize(
    ("figure", "unit", "text"),
    [
        (2_290_000.0, Unit.BARS_PER_SECOND, "2.29M bars/s"),
        (117_400.0, Unit.BARS_PER_SECOND, "117k bars/s"),
        (6.04, Unit.SECONDS, "6.04 s"),
        (1023.6, Unit.MEGABYTES, "1024 MB"),
        (44.04, Unit.MILLISECONDS, "44.0 ms"),
    ],
)
def test_figures_print_in_their_units(figure: float, unit: Unit, text: str) -> None:
    assert describe(figure, unit) == text


def test_the_import_target_needs_both_the_speed_and_the_memory() -> None:
    assert import_target(2.9, 1.0, Sample(2.9, 299.0))
    assert not import_target(3.1, 1.0, Sample(3.1, 200.0))
    assert not import_target(2.0, 1.0, Sample(2.0, 300.0))


def test_the_tick_target_needs_both_latencies() -> None:
    assert tick_target(0, 0, Sample(0.009, 50.0, {"p50_ms": 9.9, "p99_ms": 19.9}))
    assert not tick_target(0, 0, Sample(0.009, 50.0, {"p50_ms": 9.9, "p99_ms": 20.0}))
    assert not tick_target(0, 0, Sample(0.011, 50.0, {"p50_ms": 10.5, "p99_ms": 12.0}))


def test_only_names_rows_and_postgresql_needs_a_server() -> None:
    assert [row.key for row in chosen("bracket, memory", postgres=True)] == ["bracket", "memory"]
    everything = chosen("", postgres=False)
    server_rows = {"load-postgresql", "live-tick-postgresql"}
    assert not server_rows & {row.key for row in everything}
    assert {row.key for row in ROWS if row.postgres_only} == server_rows
    assert len(chosen("", postgres=True)) == len(ROWS) == len(everything) + len(server_rows)
    with pytest.raises(SystemExit, match="unknown row nonsense"):
        chosen("bracket,nonsense", postgres=False)
