"""The execution modes (issue 13, item 2): each mode's limit and score on a hand-made plan whose
ranking is worked out by hand in the comments, and the greedy exposure cap at its edges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.domain.enums import Side
from paperdesk.domain.errors import OptionError
from paperdesk.plans.modes import Decision, filter_plan, score
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.settings import ExecutionMode, FitRule, PlanSettings, parse_mode

D = Decimal


def row(
    number: int,
    strength: str | None,
    etth: str | None,
    *,
    qty: str = "1",
    price: str = "100",
    ticker: str = "SPY",
    prob_win: str | None = None,
) -> PlanRow:
    return PlanRow(
        row=number,
        ticker=ticker,
        side=Side.BUY,
        qty=D(qty),
        entry_price=D(price),
        strength=None if strength is None else D(strength),
        etth_days=None if etth is None else D(etth),
        prob_win=None if prob_win is None else D(prob_win),
    )


# Six rows, (strength, etth_days):
#   1: (0.9, 1.0)  2: (0.6, 0.5)  3: (0.8, 3.0)  4: (0.7, 5.0)  5: (0.95, 8.0)  6: (0.5, 12.0)
PLAN = [
    row(1, "0.9", "1.0"),
    row(2, "0.6", "0.5"),
    row(3, "0.8", "3.0"),
    row(4, "0.7", "5.0"),
    row(5, "0.95", "8.0"),
    row(6, "0.5", "12.0"),
]
CAPITAL = D(100_000)  # every row is 100: the cap never binds in the ranking tests


def ranked(mode: ExecutionMode) -> list[int]:
    result = filter_plan(PLAN, mode, CAPITAL)
    return [r.row for r in result.rows]


def dropped(mode: ExecutionMode) -> set[int]:
    result = filter_plan(PLAN, mode, CAPITAL)
    return {d.row for d in result.decisions if d.decision is Decision.DROPPED}


def test_intraday_admits_etth_up_to_2_and_breaks_the_tie_by_file_order() -> None:
    # etth <= 2.0: rows 1 and 2. score = strength / (0.5 + etth):
    #   1: 0.9 / 1.5 = 0.6      2: 0.6 / 1.0 = 0.6   -> a tie, the earlier row first
    assert ranked(ExecutionMode.INTRADAY) == [1, 2]
    assert dropped(ExecutionMode.INTRADAY) == {3, 4, 5, 6}
    assert score(ExecutionMode.INTRADAY, D("0.9"), D("1.0")) == D("0.6")


def test_fast_ranks_by_strength_over_etth() -> None:
    # etth <= 3.5: rows 1, 2, 3. score = strength / etth:
    #   1: 0.9 / 1 = 0.9     2: 0.6 / 0.5 = 1.2     3: 0.8 / 3 = 0.2667
    assert ranked(ExecutionMode.FAST) == [2, 1, 3]
    assert dropped(ExecutionMode.FAST) == {4, 5, 6}


def test_balanced_mixes_strength_and_speed() -> None:
    # etth <= 6.0: rows 1-4. score = 0.7 * strength + 0.3 / etth:
    #   1: 0.63 + 0.3 = 0.93   2: 0.42 + 0.6 = 1.02   3: 0.56 + 0.1 = 0.66   4: 0.49 + 0.06 = 0.55
    assert ranked(ExecutionMode.BALANCED) == [2, 1, 3, 4]
    assert dropped(ExecutionMode.BALANCED) == {5, 6}
    assert score(ExecutionMode.BALANCED, D("0.6"), D("0.5")) == D("1.02")


def test_conservative_ranks_by_strength_alone() -> None:
    # etth <= 10.0: rows 1-5 (row 6 has 12). score = strength: 5 .95, 1 .9, 3 .8, 4 .7, 2 .6
    assert ranked(ExecutionMode.CONSERVATIVE) == [5, 1, 3, 4, 2]
    assert dropped(ExecutionMode.CONSERVATIVE) == {6}


def test_the_limit_itself_is_admitted() -> None:
    at_limit = [row(1, "0.5", "2.0"), row(2, "0.5", "2.01")]
    result = filter_plan(at_limit, ExecutionMode.INTRADAY, CAPITAL)
    assert [r.row for r in result.rows] == [1]
    assert "beyond the intraday limit" in result.decisions[1].reason


def test_rows_without_scores_are_dropped_or_scored_with_prob_win() -> None:
    rows = [
        row(1, None, "1.0", prob_win="0.7"),  # FAST score 0.7 / 1 = 0.7, from prob_win
        row(2, None, "1.0"),  # nothing to score
        row(3, "0.5", None),  # no etth: the limit cannot be checked
        row(4, "0.8", "1.0"),  # 0.8
    ]
    result = filter_plan(rows, ExecutionMode.FAST, CAPITAL)
    assert [r.row for r in result.rows] == [4, 1]
    reasons = {d.row: d.reason for d in result.decisions}
    assert "prob_win" in reasons[1]
    assert "no strength and no prob_win" in reasons[2]
    assert "no etth_days" in reasons[3]


def test_no_mode_keeps_the_file_order_and_needs_no_scores() -> None:
    rows = [row(1, None, None), row(2, None, None, ticker="AAPL")]
    result = filter_plan(rows, None, CAPITAL)
    assert [r.row for r in result.rows] == [1, 2]
    assert all(d.score is None for d in result.decisions)


# The greedy cap: capital 10,000 at the default cap 0.8 leaves 8,000 of exposure.
def cap_plan(second_qty: str) -> list[PlanRow]:
    return [
        row(1, "0.9", "1", qty="10", price="500"),  # 5,000, ranked first (FAST 0.9)
        row(2, "0.8", "1", qty=second_qty, price="100"),  # ranked second (0.8)
        row(3, "0.1", "1", qty="1", price="50"),  # ranked last, 50
    ]


def test_exactly_at_the_cap_is_kept() -> None:
    # 5,000 + 30 * 100 = 8,000 = the cap: kept; row 3 (50 more) would pass it
    result = filter_plan(cap_plan("30"), ExecutionMode.FAST, D(10_000))
    assert [(r.row, r.qty) for r in result.rows] == [(1, D(10)), (2, D(30))]
    assert result.exposure_used == D(8000)
    assert result.cap == D(8000)
    assert result.decisions[2].decision is Decision.DROPPED


def test_one_unit_over_the_cap_is_skipped_when_quantities_are_kept() -> None:
    # 5,000 + 31 * 100 = 8,100 > 8,000: row 2 skipped; row 3 (50) still fits after it
    result = filter_plan(cap_plan("31"), ExecutionMode.FAST, D(10_000))
    assert [(r.row, r.qty) for r in result.rows] == [(1, D(10)), (3, D(1))]
    assert result.exposure_used == D(5050)
    second = result.decisions[1]
    assert second.decision is Decision.DROPPED
    assert "3100" in second.reason
    assert "3000" in second.reason  # what was left


def test_one_unit_over_the_cap_is_trimmed_by_one_unit_with_trim() -> None:
    settings = PlanSettings(fit=FitRule.TRIM)
    result = filter_plan(cap_plan("31"), ExecutionMode.FAST, D(10_000), settings)
    assert [(r.row, r.qty) for r in result.rows] == [(1, D(10)), (2, D(30))]
    assert result.decisions[1].decision is Decision.TRIMMED
    assert result.exposure_used == D(8000)
    # nothing left for row 3: not one unit of 50 fits in 0
    assert result.decisions[2].decision is Decision.DROPPED


def test_trim_rounds_down_to_whole_units() -> None:
    # cap 8,000 at 389.58 a share: 8000 / 389.58 = 20.53..., so 20 shares (7,791.60)
    rows = [row(1, "0.9", "1", qty="25", price="389.58")]
    result = filter_plan(rows, ExecutionMode.FAST, D(10_000), PlanSettings(fit=FitRule.TRIM))
    assert result.rows[0].qty == D(20)
    assert result.exposure_used == D("7791.60")


def test_trim_uses_the_instruments_quantity_step() -> None:
    # EURUSD in steps of 1,000 units: cap 16,000 / 1.2 = 13,333.3 -> 13,000 units
    rows = [row(1, "0.9", "1", qty="15000", price="1.2", ticker="EURUSD")]
    result = filter_plan(
        rows,
        ExecutionMode.FAST,
        D(20_000),
        PlanSettings(fit=FitRule.TRIM),
        quantity_steps={"EURUSD": D(1000)},
    )
    assert result.rows[0].qty == D(13000)


def test_the_position_size_limit_caps_one_row() -> None:
    # at most 25% of 10,000 = 2,500 a row: row 1 (5,000) is trimmed to 5 shares of 500
    settings = PlanSettings(max_position_fraction=D("0.25"), fit=FitRule.TRIM)
    result = filter_plan(cap_plan("20"), ExecutionMode.FAST, D(10_000), settings)
    assert [(r.row, r.qty) for r in result.rows] == [(1, D(5)), (2, D(20)), (3, D(1))]
    assert "position size limit" in result.decisions[0].reason
    kept = filter_plan(
        cap_plan("20"), ExecutionMode.FAST, D(10_000), PlanSettings(max_position_fraction=D("0.25"))
    )
    assert [r.row for r in kept.rows] == [2, 3]


def test_the_audit_records_every_row() -> None:
    result = filter_plan(PLAN, ExecutionMode.BALANCED, CAPITAL)
    audit = result.audit()
    assert audit["mode"] == "balanced"
    assert audit["cap"] == "80000.0"
    assert audit["counts"] == {"kept": 4, "trimmed": 0, "dropped": 2}
    rows = audit["rows"]
    assert isinstance(rows, list)
    assert [entry["row"] for entry in rows] == [1, 2, 3, 4, 5, 6]
    assert rows[1]["score"] == "1.02"
    assert rows[1]["rank"] == 1


@pytest.mark.parametrize(
    "settings",
    [
        {"exposure_cap": D("0")},
        {"exposure_cap": D("1.5")},
        {"exposure_cap": D("NaN")},
        {"max_position_fraction": D("-0.1")},
        {"max_hold_days": D("0")},
    ],
)
def test_bad_settings_are_refused(settings: dict[str, Decimal]) -> None:
    with pytest.raises(OptionError):
        PlanSettings(**settings)  # type: ignore[arg-type]


def test_modes_parse_by_name() -> None:
    assert parse_mode("Intraday") is ExecutionMode.INTRADAY
    with pytest.raises(OptionError, match="intraday, fast, balanced, conservative"):
        parse_mode("slow")
