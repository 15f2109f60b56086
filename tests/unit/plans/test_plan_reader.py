"""The trade plan reader: exact values, every bad value named by row and field, the whole plan
refused unless bad rows are skipped (issue 13, item 1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.data.bundled import find_bundled
from paperdesk.domain.enums import Side
from paperdesk.domain.errors import InvalidInputError
from paperdesk.plans.problems import PlanError
from paperdesk.plans.reader import DataSpan, parse_plan, read_plan

HEADER = (
    "ticker,side,qty,entry_price,take_profit,stop_loss,prob_win,strength,etth_days,"
    "entry_datetime,max_hold_days\n"
)


def bundled_span(symbol: str) -> DataSpan:
    """The span of the bundled hourly file, read from its first and last lines (the bar start
    of the first row; the last row's start plus the hour it lasts)."""
    lines = Path(find_bundled(symbol, "1h")).read_text().splitlines()
    first = datetime.fromisoformat(lines[1].split(",")[0])
    last = datetime.fromisoformat(lines[-1].split(",")[0]).replace(minute=0)
    return DataSpan(first, last.replace(hour=last.hour + 1))


def known() -> dict[str, DataSpan | None]:
    return {"SPY": bundled_span("SPY"), "AAPL": bundled_span("AAPL")}


def write(tmp_path: Path, text: str, name: str = "plan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_plan_reads_exactly(tmp_path: Path) -> None:
    # SPY closed 389.58 on 2021-03-01 and AAPL 127.79 (lean_*_1d.csv): plausible entries
    path = write(
        tmp_path,
        HEADER
        + "spy,long,10,389.58,395.1,380.05,0.61,0.8,1.5,2021-03-02T14:30:00Z,3\n"
        + "AAPL,short,3.5,127.79,,130,,,,2021-03-02,\n",
    )
    reading = read_plan(path, known_tickers=known())
    first, second = reading.rows
    assert first.row == 1
    assert first.ticker == "SPY"
    assert first.side is Side.BUY
    assert first.qty == Decimal("10")
    assert str(first.entry_price) == "389.58"
    assert str(first.take_profit) == "395.1"
    assert str(first.prob_win) == "0.61"
    assert first.entry_datetime == datetime(2021, 3, 2, 14, 30, tzinfo=UTC)
    assert first.max_hold_days == Decimal(3)
    assert second.side is Side.SELL
    assert second.take_profit is None
    assert second.strength is None
    # a bare date is the start of that day in UTC
    assert second.entry_datetime == datetime(2021, 3, 2, tzinfo=UTC)
    assert reading.skipped == ()


def test_json_numbers_are_exact_and_naive_times_are_utc(tmp_path: Path) -> None:
    rows = '[{"ticker": "SPY", "side": "buy", "qty": 2, "entry_price": 0.1, "stop_loss": 0.05,'
    rows += ' "entry_datetime": "2021-03-02T15:00:00"}]'
    reading = read_plan(write(tmp_path, rows, "plan.json"))
    (row,) = reading.rows
    assert row.entry_price == Decimal("0.1")  # float(0.1) would not equal Decimal("0.1")
    assert row.stop_loss == Decimal("0.05")
    assert row.entry_datetime == datetime(2021, 3, 2, 15, tzinfo=UTC)


def test_an_offset_is_converted_to_utc() -> None:
    text = "ticker,side,qty,entry_price,entry_datetime\nSPY,buy,1,10,2021-03-02T09:30:00-05:00\n"
    (row,) = parse_plan(text, source="x", json_format=False).rows
    assert row.entry_datetime == datetime(2021, 3, 2, 14, 30, tzinfo=UTC)


def test_extra_columns_are_ignored_but_a_misspelt_one_is_refused() -> None:
    text = "ticker,side,qty,entry_price,sector\nSPY,buy,1,10,tech\n"
    reading = parse_plan(text, source="x", json_format=False)
    assert reading.ignored_columns == ("sector",)
    with pytest.raises(PlanError) as caught:
        parse_plan(
            "ticker,side,qty,entry_price,stoploss\nSPY,buy,1,10,9\n", source="x", json_format=False
        )
    assert "did you mean stop_loss" in str(caught.value)


def test_a_missing_column_is_named_and_not_skippable() -> None:
    with pytest.raises(PlanError) as caught:
        parse_plan(
            "ticker,qty,entry_price\nSPY,1,10\n",
            source="p.csv",
            json_format=False,
            skip_bad_rows=True,
        )
    (problem,) = caught.value.problems
    assert problem.row is None
    assert problem.field == "side"
    assert isinstance(caught.value, InvalidInputError)


BAD_ROWS = [
    # (row text, field named, a word of the expectation)
    ("SPY,buy,-5,389.58,,,,,,,", "qty", "above 0"),
    ("SPY,buy,0,389.58,,,,,,,", "qty", "above 0"),
    ("SPY,buy,abc,389.58,,,,,,,", "qty", "above 0"),
    ("SPY,buy,NaN,389.58,,,,,,,", "qty", "above 0"),
    ("SPY,buy,1,-389.58,,,,,,,", "entry_price", "above 0"),
    ("SPY,buy,1,,,,,,,,", "entry_price", "required"),
    ("SPY,buy,1,389.58,,390,,,,,", "stop_loss", "below the entry"),
    ("SPY,sell,1,389.58,,380,,,,,", "stop_loss", "above the entry"),
    ("SPY,buy,1,389.58,380,,,,,,", "take_profit", "above the entry"),
    ("SPY,short,1,389.58,395,,,,,,", "take_profit", "below the entry"),
    ("SPY,buy,1,389.58,,,1.2,,,,", "prob_win", "0 to 1"),
    ("SPY,buy,1,389.58,,,,-0.1,,,", "strength", "0 to 1"),
    ("SPY,buy,1,389.58,,,,,0,,", "etth_days", "above 0"),
    ("SPY,buy,1,389.58,,,,,,,-1", "max_hold_days", "above 0"),
    ("SPY,hold,1,389.58,,,,,,,", "side", "buy, sell"),
    ("MSFT,buy,1,389.58,,,,,,,", "ticker", "ledger has bars"),
    ("SPYY,buy,1,389.58,,,,,,,", "ticker", "did you mean SPY"),
    (",buy,1,389.58,,,,,,,", "ticker", "required"),
    ("SPY,buy,1,389.58,,,,,,yesterday,", "entry_datetime", "ISO-8601"),
    ("SPY,buy,1,389.58,,,,,,9999-01-01,", "entry_datetime", "ISO-8601"),
    # the bundled SPY hours end 2021-03-31 and start 1998-01-02
    ("SPY,buy,1,389.58,,,,,,2021-04-01T14:30:00Z,", "entry_datetime", "outside the data"),
    ("SPY,buy,1,389.58,,,,,,1997-12-31,", "entry_datetime", "outside the data"),
    ("SPY,buy,1,389.58,,,,,,,,extra", "(extra cells)", "no more cells"),
    ("SPY,buy,1.0000000000001,389.58,,,,,,,", "qty", "12 decimals"),
]


@pytest.mark.parametrize(("line", "field", "expected"), BAD_ROWS)
def test_every_bad_value_names_its_row_and_field(
    tmp_path: Path, line: str, field: str, expected: str
) -> None:
    good = "AAPL,buy,1,127.79,,,,,,,\n"
    path = write(tmp_path, HEADER + good + line + "\n")
    with pytest.raises(PlanError) as caught:
        read_plan(path, known_tickers=known())
    (problem,) = caught.value.problems
    assert problem.row == 2
    assert problem.field == field
    assert expected in problem.expected
    assert f"row 2, {field}" in str(caught.value)
    # the reader does not know its door: each door says what it did not do (nothing placed,
    # nothing filtered, ...)
    assert str(caught.value).startswith(f"trade plan {path} refused (1 problem): row 2, ")


def test_all_problems_are_collected_not_only_the_first(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "SPY,buy,-1,389.58,,400,,,,,\nAAPL,buy,1,127.79,,,,,,,\nMSFT,sell,1,0,,,,,,,\n",
    )
    with pytest.raises(PlanError) as caught:
        read_plan(path, known_tickers=known())
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {(1, "qty"), (1, "stop_loss"), (3, "ticker"), (3, "entry_price")}


def test_skip_bad_rows_keeps_the_good_ones_and_reports_each_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER + "SPY,buy,-1,389.58,,,,,,,\nAAPL,buy,1,127.79,,,,,,,\nMSFT,sell,1,10,,,,,,,\n",
    )
    reading = read_plan(path, known_tickers=known(), skip_bad_rows=True)
    assert [row.row for row in reading.rows] == [2]
    assert reading.skipped_rows == (1, 3)


def test_as_of_refuses_entries_in_its_future() -> None:
    text = "ticker,side,qty,entry_price,entry_datetime\nSPY,buy,1,10,2021-03-02T15:00:00Z\n"
    as_of = datetime(2021, 3, 2, 14, tzinfo=UTC)
    with pytest.raises(PlanError) as caught:
        parse_plan(text, source="x", json_format=False, as_of=as_of)
    assert caught.value.problems[0].field == "entry_datetime"
    later = datetime(2021, 3, 2, 15, tzinfo=UTC)
    assert parse_plan(text, source="x", json_format=False, as_of=later).rows


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.csv", b"\xff\xfe\x00A", "UTF-8"),
        ("plan.csv", b"", "header"),
        ("plan.json", b'{"ticker": "SPY"}', "list of objects"),
        ("plan.json", b"[1, 2]", "list of objects"),
        ("plan.json", b"[{", "JSON"),
        ("plan.csv", b"ticker,side,qty,qty,entry_price\nSPY,buy,1,2,10\n", "appear only once"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanError) as caught:
        read_plan(path, skip_bad_rows=True)
    assert expected in str(caught.value)


def test_a_missing_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="readable file"):
        read_plan(tmp_path / "nope.csv")


def test_json_booleans_are_not_numbers() -> None:
    text = json.dumps([{"ticker": "SPY", "side": "buy", "qty": True, "entry_price": 10}])
    with pytest.raises(PlanError) as caught:
        parse_plan(text, source="x", json_format=True)
    assert caught.value.problems[0].field == "qty"


def test_an_empty_plan_has_no_rows() -> None:
    assert parse_plan("ticker,side,qty,entry_price\n", source="x", json_format=False).rows == ()
    assert parse_plan("[]", source="x", json_format=True).rows == ()


def test_the_tickers_named_include_those_of_skipped_rows(tmp_path: Path) -> None:
    text = "ticker,side,qty,entry_price\nspy,buy,1,390\nAAPL,buy,5,\nSPY,sell,1,\nB@D,buy,1,1\n"
    reading = read_plan(write(tmp_path, text), skip_bad_rows=True)
    assert [row.ticker for row in reading.rows] == ["SPY"]
    assert reading.tickers == ("SPY", "AAPL")  # once each, in file order; not a malformed one
