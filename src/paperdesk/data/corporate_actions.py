"""Split and dividend adjustment of raw US-equity bars with Lean factor files.

A Lean factor file (``Data/equity/usa/factor_files/<sym>.csv``) has one row per corporate
action, no header: ``YYYYMMDD,price factor,split factor[,reference price]``. The reference price
is the raw close on the row's date. A row's factors apply to every date after the previous
row's date up to and including its own date (the row is dated the last trading day before the
ex-date); dates after the last row get 1 and 1 (the last row is usually a ``20501231,1,1,0``
sentinel). Adjusted price = raw * split factor (``mode="split"``) or raw * price factor *
split factor (``mode="split_and_dividend"``, Lean's ``Adjusted`` normalisation). Volume is
divided by the split factor. Lines holding ``inf`` or ``e+`` and rows whose factors are not
positive are skipped, as Lean does.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from paperdesk.data.calendars import NEW_YORK, exchange_calendar
from paperdesk.domain import (
    AssetClass,
    CorporateActionTerms,
    DataError,
    Instrument,
    InvalidInputError,
    Timeframe,
)
from paperdesk.domain.parsing import file_problem
from paperdesk.domain.quotes import QUOTE_FIELDS

AdjustmentMode = Literal["split", "split_and_dividend"]
FACTOR_FILE_DIRECTORY = Path(__file__).resolve().parent / "bundled" / "factor_files"
PRICE_COLUMNS = ("open", "high", "low", "close")
QUOTE_PRICE_COLUMNS = tuple(name for name in QUOTE_FIELDS if not name.endswith("_size"))


@dataclass(frozen=True, slots=True)
class FactorRow:
    """One factor-file row."""

    date: date
    price_factor: float
    split_factor: float
    reference_price: float = 0.0

    @property
    def price_scale_factor(self) -> float:
        return self.price_factor * self.split_factor


@dataclass(frozen=True, slots=True)
class CorporateAction:
    """A split or dividend taking effect on the trading day after ``last_raw_date``.

    ``ratio`` is the price ratio across the event: ``0.25`` for a 4:1 split, and for a dividend
    ``(reference price - distribution) / reference price``.
    """

    kind: Literal["split", "dividend"]
    last_raw_date: date
    ratio: float
    reference_price: float


@dataclass(frozen=True, slots=True)
class FactorFile:
    """A parsed Lean factor file (rows ascending by date)."""

    rows: tuple[FactorRow, ...]
    symbol: str = ""

    @classmethod
    def read(cls, path: str | os.PathLike[str], symbol: str | None = None) -> FactorFile:
        """Read a factor file; ``symbol`` defaults to the upper-cased file stem."""
        file_path = Path(path)
        problem = file_problem("factor file", file_path)
        if problem is not None:
            raise DataError(problem)
        text = file_path.read_text(encoding="utf-8")
        return cls.parse(text.splitlines(), symbol or file_path.stem.upper(), file_path.name)

    @classmethod
    def parse(cls, lines: list[str], symbol: str = "", label: str = "factor file") -> FactorFile:
        rows: list[FactorRow] = []
        for number, line in enumerate(lines, start=1):
            text = line.strip()
            if not text or "inf" in text or "e+" in text:
                continue
            fields = text.split(",")
            try:
                day = datetime.strptime(fields[0], "%Y%m%d").date()  # noqa: DTZ007 (a date)
                row = FactorRow(
                    day,
                    float(fields[1]),
                    float(fields[2]),
                    float(fields[3]) if len(fields) > 3 else 0.0,
                )
            except (IndexError, ValueError) as error:
                raise DataError(f"{label} line {number}: not a factor row: {text!r}") from error
            if row.price_scale_factor > 0:
                rows.append(row)
        rows.sort(key=lambda item: item.date)
        if len({row.date for row in rows}) != len(rows):
            raise DataError(f"{label}: two rows share a date")
        return cls(tuple(rows), symbol)

    def factors(self, dates: pd.DatetimeIndex) -> pd.DataFrame:
        """``price_factor`` and ``split_factor`` in force on each (naive, midnight) date."""
        row_days = pd.DatetimeIndex([pd.Timestamp(row.date) for row in self.rows]).as_unit("ns")
        wanted = pd.DatetimeIndex(dates).as_unit("ns")
        position = np.searchsorted(row_days.asi8, wanted.asi8, side="left")
        price = np.array([row.price_factor for row in self.rows] + [1.0])
        split = np.array([row.split_factor for row in self.rows] + [1.0])
        return pd.DataFrame(
            {"price_factor": price[position], "split_factor": split[position]}, index=dates
        )

    def actions(self) -> list[CorporateAction]:
        """The splits and dividends the file encodes, oldest first."""
        found: list[CorporateAction] = []
        for row, later in zip(self.rows, self.rows[1:], strict=False):
            if row.split_factor != later.split_factor:
                ratio = row.split_factor / later.split_factor
                found.append(CorporateAction("split", row.date, ratio, row.reference_price))
            if row.price_factor != later.price_factor:
                ratio = row.price_factor / later.price_factor
                found.append(CorporateAction("dividend", row.date, ratio, row.reference_price))
        return found

    def splits(self) -> list[CorporateAction]:
        return [action for action in self.actions() if action.kind == "split"]

    def ledger_actions(self) -> tuple[CorporateActionTerms, ...]:
        """The splits and cash dividends in exact terms, for a ledger on raw prices.

        As Lean derives them (``FactorFileRow.GetSplit``/``GetDividend``, ``Dividend.Create``):
        a split of price ratio r = split factor / next split factor turns 1 share into 1/r; a
        dividend pays round(reference price x (1 - price factor / next price factor), 2). The
        ex-date is the XNYS session after the row's date (factor files carry no pay date).
        """
        found: list[CorporateActionTerms] = []
        for row, later in zip(self.rows, self.rows[1:], strict=False):
            ex_date = _next_session(row.date)
            reference = _exact(row.reference_price)
            if row.split_factor != later.split_factor:
                ratio = _exact(row.split_factor) / _exact(later.split_factor)
                shares = Fraction(1 / ratio).limit_denominator(1000)
                found.append(
                    CorporateActionTerms(
                        self.symbol,
                        "split",
                        ex_date,
                        row.date,
                        reference,
                        shares.numerator,
                        shares.denominator,
                    )
                )
            if row.price_factor != later.price_factor:
                ratio = _exact(row.price_factor) / _exact(later.price_factor)
                distribution = (reference - reference * ratio).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                )
                found.append(
                    CorporateActionTerms(
                        self.symbol,
                        "dividend",
                        ex_date,
                        row.date,
                        reference,
                        distribution=distribution,
                    )
                )
        return tuple(found)


def _exact(value: float) -> Decimal:
    """A factor-file number as the text it was read from (floats print their shortest text)."""
    return Decimal(repr(value))


def _next_session(day: date) -> date:
    calendar = exchange_calendar("XNYS")
    following = pd.Timestamp(day + timedelta(days=1))
    if following > calendar.last_session:
        return day + timedelta(days=1)
    session: pd.Timestamp = calendar.date_to_session(following, direction="next")
    return session.date()


def ledger_actions_for(instrument: Instrument) -> tuple[CorporateActionTerms, ...]:
    """The splits and dividends a raw-price ledger holding ``instrument`` books: those of its
    bundled Lean factor file, for US equities (none for other classes or without a file)."""
    if instrument.asset_class is not AssetClass.EQUITY:
        return ()
    return _bundled_ledger_actions(instrument.symbol.strip().upper())


@functools.cache
def _bundled_ledger_actions(symbol: str) -> tuple[CorporateActionTerms, ...]:
    """Computed once per process: the bundled files are package data, and every order and
    tick of a raw ledger asks for them (parsing and the session lookups cost milliseconds)."""
    factor_file = bundled_factor_file(symbol)
    return factor_file.ledger_actions() if factor_file is not None else ()


def bundled_factor_file(symbol: str) -> FactorFile | None:
    """The factor file shipped for ``symbol`` (see bundled/README.md), or None."""
    return _bundled_factor_file(symbol.strip().upper())


@functools.cache
def _bundled_factor_file(symbol: str) -> FactorFile | None:
    """Parsed once per process (a frozen value: package data does not change while running)."""
    path = FACTOR_FILE_DIRECTORY / f"{symbol.lower()}.csv"
    return FactorFile.read(path, symbol) if path.is_file() else None


def trade_dates(frame: pd.DataFrame, timeframe: str | None = None) -> pd.DatetimeIndex:
    """The trade date of each bar: the UTC date of daily-or-longer labels, the New York date of
    intraday bars."""
    index = frame.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InvalidInputError("bar frames need a timezone-aware DatetimeIndex of bar opens")
    text = timeframe or frame.attrs.get("timeframe")
    intraday = Timeframe.parse(str(text)).is_intraday if text else False
    local = index.tz_convert(NEW_YORK if intraday else "UTC").tz_localize(None)
    return pd.DatetimeIndex(local.normalize()).as_unit("ns")


def adjust(
    frame: pd.DataFrame,
    factor_file: FactorFile,
    mode: AdjustmentMode = "split",
    *,
    timeframe: str | None = None,
) -> pd.DataFrame:
    """A copy of ``frame`` with adjusted prices (and split-adjusted volume), its quote's bid
    and ask prices and sizes too when it has one.

    ``mode="split"`` removes split jumps; ``"split_and_dividend"`` also scales history for
    dividends (Lean's ``Adjusted`` mode), so the newest prices equal the raw ones.
    """
    if mode not in ("split", "split_and_dividend"):
        raise InvalidInputError(f"mode {mode!r} is not 'split' or 'split_and_dividend'")
    if not factor_file.rows:
        raise DataError(f"factor file for {factor_file.symbol or 'the symbol'} has no rows")
    factors = factor_file.factors(trade_dates(frame, timeframe))
    split = factors["split_factor"].to_numpy()
    scale = split * factors["price_factor"].to_numpy() if mode == "split_and_dividend" else split
    result = frame.copy()
    for column in (*PRICE_COLUMNS, *QUOTE_PRICE_COLUMNS):  # a quote's bid and ask alike
        if column in result.columns:
            result[column] = result[column].to_numpy(dtype=np.float64) * scale
    for column in ("volume", "bid_size", "ask_size"):
        if column in result.columns:
            result[column] = result[column].to_numpy(dtype=np.float64) / split
    result.attrs = {**frame.attrs, "adjustment": mode}
    return result
