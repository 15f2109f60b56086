"""Read a trade plan (CSV, or JSON: a list of objects with the same fields) into validated
``PlanRow``s, collecting every problem with its row and field.

A plan with any bad row is refused whole (``PlanError``) unless the caller asks to skip bad
rows; then the good rows come back with each skipped row's problems. Problems of the file
itself (unreadable, not UTF-8, a required column missing) are never skippable.

Conventions (docs/trade-plans.md):
- numbers are parsed exactly from their text (JSON numbers too: never through a float);
- ``side`` is buy/sell, or long/short (long = buy, short = sell), any case;
- ``entry_datetime`` is ISO-8601; a value without an offset is UTC (every bundled series and
  the ledger are UTC, and a plan written by a research pipeline rarely knows the exchange's
  zone); a bare date means the start of that day in UTC, so the first candle at or after it
  is that day's first session bar; an empty value is None (the plan date's market open, which
  the consumer resolves with its calendar);
- a column whose name is close to a known one (``stoploss``) is refused with the suggestion,
  since ignoring it would drop a stop silently; other extra columns are ignored and listed.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from paperdesk.domain.enums import Side
from paperdesk.domain.orders import misplaced_bracket_legs
from paperdesk.domain.parsing import (
    FIRST_YEAR,
    LARGEST,
    LAST_YEAR,
    SMALLEST_PLACES,
    plain_decimal,
)
from paperdesk.plans.problems import PlanError, PlanProblem
from paperdesk.plans.rows import PlanRow

REQUIRED_COLUMNS = ("ticker", "side", "qty", "entry_price")
OPTIONAL_COLUMNS = (
    "take_profit",
    "stop_loss",
    "prob_win",
    "strength",
    "etth_days",
    "entry_datetime",
    "max_hold_days",
)
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

LEDGER_TICKERS = "a ticker the ledger has bars for"
SIDES = {"buy": Side.BUY, "long": Side.BUY, "sell": Side.SELL, "short": Side.SELL}
MAX_PLAN_BYTES = 10_000_000  # a day's plan is kilobytes; this bounds what a mistake reads
MAX_PLAN_ROWS = 100_000
TICKER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._\-/=^]{0,31}$")


@dataclass(frozen=True, slots=True)
class DataSpan:
    """The bars the ledger holds for a ticker: the first bar's start and the last bar's close
    (UTC). An entry outside it cannot be filled or simulated."""

    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class EntryWindow:
    """When entries may be (inclusive), and how to say it in a message: a portfolio takes a
    plan for its current day up to its next trading day, not a stale or a far one."""

    first: datetime
    last: datetime
    description: str


@dataclass(frozen=True, slots=True)
class PlanReading:
    """A read plan: its good rows, the problems of the rows skipped (only with
    ``skip_bad_rows``), the extra columns that were ignored, and every well-formed ticker a
    row names, a skipped row's too (a caller checking tickers against the ledger asks for
    these, so that a row bad for another reason is not also called an unknown ticker)."""

    source: str
    rows: tuple[PlanRow, ...]
    skipped: tuple[PlanProblem, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()

    @property
    def skipped_rows(self) -> tuple[int, ...]:
        return tuple(sorted({p.row for p in self.skipped if p.row is not None}))


def read_plan(
    path: str | Path,
    *,
    skip_bad_rows: bool = False,
    known_tickers: Mapping[str, DataSpan | None] | None = None,
    as_of: datetime | None = None,
    entry_window: EntryWindow | None = None,
    tickers_known_as: str = LEDGER_TICKERS,
) -> PlanReading:
    """Read and validate the plan file at ``path`` (``.json`` is JSON, anything else CSV).

    ``known_tickers`` maps each ticker the ledger knows to the span of its bars (None: the span
    is not checked); a ticker not in it is refused. None skips the ticker check (the pure
    filter does not need the ledger). ``as_of`` refuses entries after it (a plan cannot be
    dated in the future of the data it claims to use); ``entry_window`` refuses entries
    outside it. ``tickers_known_as`` says what the known tickers are, in the message about an
    unknown one.
    """
    file = Path(path)
    source = str(file)
    try:
        size = file.stat().st_size
    except OSError as error:
        raise PlanError(source, [_file_problem(source, "a readable file", error)]) from None
    if size > MAX_PLAN_BYTES:
        raise too_large(source)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise PlanError(source, [_file_problem(source, "a readable file", error)]) from None
    text = plan_text(data, source)
    json_format = file.suffix.lower() == ".json"
    return parse_plan(
        text,
        source=source,
        json_format=json_format,
        skip_bad_rows=skip_bad_rows,
        known_tickers=known_tickers,
        as_of=as_of,
        entry_window=entry_window,
        tickers_known_as=tickers_known_as,
    )


def too_large(source: str) -> PlanError:
    """The refusal of a plan over ``MAX_PLAN_BYTES`` (a file or an upload alike)."""
    return PlanError(source, [PlanProblem(None, "file", source, f"at most {MAX_PLAN_BYTES} bytes")])


def plan_text(data: bytes, source: str) -> str:
    """A plan's bytes as text: at most ``MAX_PLAN_BYTES``, UTF-8 (a byte-order mark dropped)."""
    if len(data) > MAX_PLAN_BYTES:
        raise too_large(source)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PlanError(
            source, [PlanProblem(None, "file", source, "a UTF-8 text file (CSV or JSON)")]
        ) from None


def parse_plan(
    text: str,
    *,
    source: str,
    json_format: bool,
    skip_bad_rows: bool = False,
    known_tickers: Mapping[str, DataSpan | None] | None = None,
    as_of: datetime | None = None,
    entry_window: EntryWindow | None = None,
    tickers_known_as: str = LEDGER_TICKERS,
) -> PlanReading:
    """Validate a plan given as text (an upload): see ``read_plan``."""
    records: Sequence[Mapping[str, object]]
    records, columns = _json_records(text, source) if json_format else _csv_records(text, source)
    lowered = [column.strip().lower() for column in columns]
    file_problems: list[PlanProblem] = []
    for required in REQUIRED_COLUMNS:
        if required not in lowered:
            file_problems.append(
                PlanProblem(
                    None,
                    required,
                    "",
                    f"a required column is missing; the file has {', '.join(lowered) or 'none'}",
                )
            )
    for column in sorted({c for c in lowered if lowered.count(c) > 1}):
        file_problems.append(
            PlanProblem(
                None,
                column,
                column,
                f"a column may appear only once; it appears {lowered.count(column)} times",
            )
        )
    ignored: list[str] = []
    for column in dict.fromkeys(lowered):
        if column in KNOWN_COLUMNS:
            continue
        close = difflib.get_close_matches(column, KNOWN_COLUMNS, n=1, cutoff=0.8)
        if close:
            file_problems.append(
                PlanProblem(None, column, column, f"an unknown column: did you mean {close[0]}?")
            )
        else:
            ignored.append(column)
    if len(records) > MAX_PLAN_ROWS:
        file_problems.append(
            PlanProblem(None, "file", source, f"at most {MAX_PLAN_ROWS} rows, got {len(records)}")
        )
    if file_problems:
        raise PlanError(source, file_problems)

    rows: list[PlanRow] = []
    problems: list[PlanProblem] = []
    named: dict[str, None] = {}
    for number, record in enumerate(records, start=1):
        values = {key.strip().lower(): value for key, value in record.items()}
        ticker = _RowCheck(number, values).raw("ticker").upper()
        if TICKER_PATTERN.match(ticker):
            named[ticker] = None
        known = None if known_tickers is None else (known_tickers, tickers_known_as)
        row, row_problems = _row(number, values, known, as_of, entry_window)
        if row_problems:
            problems.extend(row_problems)
        elif row is not None:
            rows.append(row)
    if problems and not skip_bad_rows:
        raise PlanError(source, problems)
    return PlanReading(source, tuple(rows), tuple(problems), tuple(ignored), tuple(named))


def _file_problem(source: str, expected: str, error: OSError) -> PlanProblem:
    return PlanProblem(None, "file", source, f"{expected}: {error.strerror or error}")


def _csv_records(text: str, source: str) -> tuple[list[Mapping[str, object]], list[str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        columns = list(reader.fieldnames or [])
        records: list[Mapping[str, object]] = []
        for record in reader:
            if None in record:  # more cells than header columns
                extra = record.pop(None)
                record["(extra cells)"] = ",".join(str(cell) for cell in extra)
            if all(not (value or "").strip() for value in record.values()):
                continue  # a blank line
            records.append(dict(record))
    except csv.Error as error:
        raise PlanError(
            source, [PlanProblem(None, "file", source, f"a CSV file: {error}")]
        ) from None
    if not columns:
        raise PlanError(
            source,
            [PlanProblem(None, "file", source, f"a header with {', '.join(REQUIRED_COLUMNS)}")],
        )
    return records, columns


def _json_records(text: str, source: str) -> tuple[list[Mapping[str, object]], list[str]]:
    try:
        # parse_float=Decimal: a JSON number becomes the exact value of its text
        document = json.loads(text, parse_float=Decimal)
    except (json.JSONDecodeError, RecursionError) as error:
        raise PlanError(
            source, [PlanProblem(None, "file", source, f"a JSON list of objects: {error}")]
        ) from None
    if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
        raise PlanError(
            source, [PlanProblem(None, "file", source, "a JSON list of objects (one per row)")]
        )
    columns: dict[str, None] = {}
    for item in document:
        columns.update(dict.fromkeys(str(key) for key in item))
    if not document:
        columns.update(dict.fromkeys(REQUIRED_COLUMNS))  # an empty list is an empty plan
    return [{str(key): value for key, value in item.items()} for item in document], list(columns)


def _text(value: object) -> str:
    """A cell as text: JSON numbers (Decimal, int) keep their exact digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"  # refused as a number below
    return str(value).strip()


class _RowCheck:
    """Collects one row's problems while its fields are parsed."""

    def __init__(self, row: int, values: Mapping[str, object]) -> None:
        self.row = row
        self.values = values
        self.problems: list[PlanProblem] = []

    def problem(self, field: str, value: str, expected: str) -> None:
        self.problems.append(PlanProblem(self.row, field, value, expected))

    def raw(self, field: str) -> str:
        return _text(self.values.get(field))

    def number(
        self, field: str, *, required: bool, check: Callable[[Decimal], bool], expected: str
    ) -> Decimal | None:
        text = self.raw(field)
        raw_value = self.values.get(field)
        if not text:
            if required:
                self.problem(field, text, f"a value is required: {expected}")
            return None
        if isinstance(raw_value, bool):
            self.problem(field, text, expected)
            return None
        try:
            number = plain_decimal(text)
        except InvalidOperation:
            self.problem(field, text, expected)
            return None
        if not number.is_finite() or not check(number):
            self.problem(field, text, expected)
            return None
        too_big = number != 0 and number.adjusted() >= LARGEST.adjusted()
        exponent = number.as_tuple().exponent
        too_fine = isinstance(exponent, int) and number != 0 and exponent < -SMALLEST_PLACES
        if too_big or too_fine:
            self.problem(
                field, text, f"{expected}, below 1e15 with at most {SMALLEST_PLACES} decimals"
            )
            return None
        return number


def _positive(number: Decimal) -> bool:
    return number > 0


def _fraction(number: Decimal) -> bool:
    return 0 <= number <= 1


def _row(
    number: int,
    values: Mapping[str, object],
    known: tuple[Mapping[str, DataSpan | None], str] | None,
    as_of: datetime | None,
    entry_window: EntryWindow | None,
) -> tuple[PlanRow | None, list[PlanProblem]]:
    check = _RowCheck(number, values)
    extra = check.raw("(extra cells)")
    if extra:
        check.problem("(extra cells)", extra, "no more cells than the header has columns")

    ticker = check.raw("ticker").upper()
    span: DataSpan | None = None
    if not ticker:
        check.problem("ticker", ticker, "a ticker symbol is required")
    elif not TICKER_PATTERN.match(ticker):
        check.problem("ticker", check.raw("ticker"), "a symbol of letters, digits and ._-/=^")
    elif known is not None:
        known_tickers, known_as = known
        if ticker not in known_tickers:
            close = difflib.get_close_matches(ticker, list(known_tickers), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            listed = ", ".join(sorted(known_tickers)[:12]) or "none"
            check.problem("ticker", ticker, f"not {known_as}: {listed}{hint}")
        else:
            span = known_tickers[ticker]

    side_text = check.raw("side")
    side = SIDES.get(side_text.lower())
    if side is None:
        check.problem("side", side_text, "buy, sell, long or short")

    qty = check.number("qty", required=True, check=_positive, expected="a quantity above 0")
    entry = check.number("entry_price", required=True, check=_positive, expected="a price above 0")
    take_profit = check.number(
        "take_profit", required=False, check=_positive, expected="a price above 0"
    )
    stop_loss = check.number(
        "stop_loss", required=False, check=_positive, expected="a price above 0"
    )
    prob_win = check.number(
        "prob_win", required=False, check=_fraction, expected="a probability from 0 to 1"
    )
    strength = check.number(
        "strength", required=False, check=_fraction, expected="a strength from 0 to 1"
    )
    etth = check.number(
        "etth_days", required=False, check=_positive, expected="a number of days above 0"
    )
    max_hold = check.number(
        "max_hold_days", required=False, check=_positive, expected="a number of days above 0"
    )
    if side is not None and entry is not None:
        _check_brackets(check, side, entry, stop_loss, take_profit)

    entry_datetime = _entry_datetime(check, ticker, span, as_of, entry_window)
    if check.problems or side is None or qty is None or entry is None:
        return None, check.problems
    return (
        PlanRow(
            row=number,
            ticker=ticker,
            side=side,
            qty=qty,
            entry_price=entry,
            take_profit=take_profit,
            stop_loss=stop_loss,
            prob_win=prob_win,
            strength=strength,
            etth_days=etth,
            entry_datetime=entry_datetime,
            max_hold_days=max_hold,
        ),
        [],
    )


def _check_brackets(
    check: _RowCheck,
    side: Side,
    entry: Decimal,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
) -> None:
    """A long's stop is below its entry and its target above; a short's the other way round
    (``misplaced_bracket_legs``, the rule a person's bracket order passes too)."""
    for name, price, where in misplaced_bracket_legs(side, entry, stop_loss, take_profit):
        wanted = f"must be {where} the entry price {entry} for a {side.value}"
        check.problem(name, str(price), wanted)


def _entry_datetime(
    check: _RowCheck,
    ticker: str,
    span: DataSpan | None,
    as_of: datetime | None,
    window: EntryWindow | None,
) -> datetime | None:
    text = check.raw("entry_datetime")
    if not text:
        return None
    expected = f"an ISO-8601 date or time between {FIRST_YEAR} and {LAST_YEAR}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        check.problem("entry_datetime", text, expected)
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        check.problem("entry_datetime", text, expected)
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if span is not None and not span.first <= moment <= span.last:
        check.problem(
            "entry_datetime",
            text,
            f"outside the data the ledger has for {ticker}: "
            f"{span.first.isoformat()} to {span.last.isoformat()}",
        )
    elif as_of is not None and moment > as_of:
        check.problem("entry_datetime", text, f"after the plan's as-of time {as_of.isoformat()}")
    elif window is not None and not window.first <= moment <= window.last:
        check.problem(
            "entry_datetime",
            text,
            f"must be from {window.first:%Y-%m-%d} to {window.last:%Y-%m-%d} (UTC): "
            f"{window.description}",
        )
    return moment
