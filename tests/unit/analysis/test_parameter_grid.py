"""A sweep's parameter grid: lists, inclusive ranges in exact decimals, the product in the
order given, combinations the strategy refuses left out, and bad specs named."""

from __future__ import annotations

import pytest

from paperdesk.analysis.parameter_grid import MOST_POINTS, build_grid, parse_axis
from paperdesk.domain import InvalidInputError, UnknownNameError


def test_a_range_includes_both_ends() -> None:
    assert parse_axis("slow=20:60:10").values == ("20", "30", "40", "50", "60")
    assert parse_axis("slow=20:45:10").values == ("20", "30", "40")  # 50 is past the stop
    assert parse_axis("fast=3:5").values == ("3", "4", "5")


def test_a_decimal_range_never_drifts() -> None:
    assert parse_axis("x=0.1:0.3:0.1").values == ("0.1", "0.2", "0.3")  # floats give 0.30000...4


def test_lists_and_single_values() -> None:
    assert parse_axis("fast=5, 10,15").values == ("5", "10", "15")
    assert parse_axis("mode=level").values == ("level",)
    assert parse_axis("min-bars=0").name == "min_bars"


def test_the_grid_is_the_product_first_parameter_slowest_and_typed() -> None:
    grid = build_grid("sma-cross", ["fast=5,10", "slow=20:30:10"])
    assert grid.names == ("fast", "slow")
    assert list(grid.points) == [
        {"fast": 5, "slow": 20},
        {"fast": 5, "slow": 30},
        {"fast": 10, "slow": 20},
        {"fast": 10, "slow": 30},
    ]
    assert all(type(value) is int for point in grid.points for value in point.values())


def test_combinations_the_strategy_refuses_are_left_out_with_the_reason() -> None:
    grid = build_grid("sma-cross", ["fast=10,30", "slow=20,40"])
    assert list(grid.points) == [{"fast": 10, "slow": 20}, {"fast": 10, "slow": 40},
                                 {"fast": 30, "slow": 40}]  # fmt: skip
    assert len(grid.skipped) == 1
    params, reason = grid.skipped[0]
    assert params == {"fast": "30", "slow": "20"}
    assert "'fast' (30) must be smaller than 'slow' (20)" in reason


def test_no_spec_is_one_run_with_the_defaults() -> None:
    grid = build_grid("sma-cross", [])
    assert list(grid.points) == [{}]


def test_fixed_parameters_are_checked_with_each_combination() -> None:
    grid = build_grid("sma-cross", ["fast=5,6"], fixed={"slow": 8, "mode": "level"})
    assert list(grid.points) == [{"fast": 5}, {"fast": 6}]
    with pytest.raises(InvalidInputError, match="value '10' is refused in every combination"):
        build_grid("sma-cross", ["fast=5,10"], fixed={"slow": 8})


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["fst=5,10"], "has no parameter 'fst'; valid parameters: fast, min_bars, mode, slow"),
        (["fast=-5,10", "slow=30"], "parameter 'fast': value '-5' is refused in every"),
        (["fast=a,5"], "value 'a' is not a valid int"),
        (["slow=60:20:10"], r"the range of parameter 'slow' ends \(20\) before it starts \(60\)"),
        (["slow=20:60:0"], "the step of parameter 'slow' must be positive"),
        (["slow=20:x"], "the range of parameter 'slow' must be numbers"),
        (["slow=2_0:6_0"], "the range of parameter 'slow' must be numbers"),
        (["fast=\u0663,\u0664"], "value '\u0663' is refused in every combination"),
        (["slow=1:2:3:4"], "start:stop or start:stop:step"),
        (["slow"], "expected NAME=VALUES"),
        (["slow="], "parameter 'slow' has no value"),
        (["fast=5,,10"], "parameter 'fast' has an empty value"),
        (["fast=5", "fast=10"], "parameter 'fast' is given twice"),
        (["fast=5,5"], "parameter 'fast': '5' is listed twice; list each value once"),
        (["fast=5,10", "slow=30,3e1"], r"'3e1' is the same value as '30' \(30\)"),
        (["fast=5,6,05"], r"parameter 'fast': '05' is the same value as '5' \(5\)"),
        (["mode=level,level"], "parameter 'mode': 'level' is listed twice"),
        (["mode=cross,sideways"], "value 'sideways' is refused in every combination"),
        ([f"slow=2:{MOST_POINTS + 5}"], "would take"),
        (["fast=1:200", "slow=201:300"], "the grid has 20000 combinations"),
    ],
)
def test_bad_specs_are_named(specs: list[str], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build_grid("sma-cross", specs)


def test_an_unknown_strategy_is_named() -> None:
    with pytest.raises(UnknownNameError, match="unknown strategy 'sma-crosss'"):
        build_grid("sma-crosss", ["fast=5"])
