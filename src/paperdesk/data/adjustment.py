"""Which prices a run trades (``--adjust``) and the adjusted bar frame, exact to the last digit.

A US equity with a Lean factor file (the bundled one, or ``--factor-file``) can trade its raw
prices or the adjusted series, as Lean's ``DataNormalizationMode``: ``split`` (SplitAdjusted:
raw x split factor) or ``split-dividend`` (Adjusted: raw x price factor x split factor). The
factor file is applied as a whole, as Lean does: prices on and after its last row's date are
raw, older ones are scaled to them.

The adjusted frame keeps float ``open/high/low/close/volume`` for the strategies (indicators
work in floats) and, for the money, the raw prices (``raw_open``...) and each bar's exact
``price_scale`` (a ``Decimal``): the Bar the kernel trades on holds ``raw x scale`` exactly
(``bar_convert``), so a fill keeps full precision (Lean's 167.45 x 0.8646266 = 144.781724170),
and the instrument trades on no tick grid (tick 0, as Lean's ``AdjustedPriceVariationModel``
returns a minimum price variation of 0): slippage moves the price but does not round it back
to the raw cent grid, which the adjusted prices are not on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from paperdesk.config import Adjustment, SourceConfig
from paperdesk.data.bar_rule import exact_decimal
from paperdesk.data.corporate_actions import FactorFile, bundled_factor_file, trade_dates
from paperdesk.domain import AssetClass, DataError, Instrument
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import marked, setting_mark
from paperdesk.domain.parsing import file_problem
from paperdesk.domain.quotes import QUOTE_FIELDS, QUOTE_PRICE_FIELDS

RAW_COLUMNS = {"open": "raw_open", "high": "raw_high", "low": "raw_low", "close": "raw_close"}
SCALE_COLUMN = "price_scale"
NO_PRICE_GRID = Decimal(0)  # the tick of an adjusted series (Lean: minimum price variation 0)
_WORDS = {
    Adjustment.SPLIT: "adjusted for splits",
    Adjustment.SPLIT_DIVIDEND: "adjusted for splits and dividends",
}


@dataclass(frozen=True, slots=True)
class PriceAdjustment:
    """The prices one symbol of a run trades: the mode and the factor file it comes from."""

    symbol: str
    mode: Adjustment
    factor_file: FactorFile | None = None
    file_name: str = ""  # e.g. "spy.csv (bundled)"
    defaulted: bool = False  # the mode was not given: the run's default chose it
    asset_class: AssetClass = AssetClass.EQUITY  # only equities have splits and dividends

    @property
    def adjusted(self) -> bool:
        return self.mode is not Adjustment.RAW

    def describe(self) -> str:
        """One line for the report, e.g. "adjusted for splits and dividends (Lean factor
        file spy.csv, bundled); --adjust raw for raw prices"."""
        if not self.adjusted and self.asset_class is not AssetClass.EQUITY:
            return f"raw ({self.symbol} is {self.asset_class.value}: no splits or dividends)"
        if not self.adjusted:
            return "raw (not adjusted for splits or dividends)"
        return (
            f"{_WORDS[self.mode]} (Lean factor file {self.file_name}); --adjust raw for raw prices"
        )

    def instrument(self, instrument: Instrument) -> Instrument:
        """The instrument as this run trades it: on no tick grid when the prices are adjusted."""
        return replace(instrument, tick_size=NO_PRICE_GRID) if self.adjusted else instrument

    @property
    def changes_prices(self) -> bool:
        """Whether ``apply`` gives new prices (an adjustment with its factor file)."""
        return self.adjusted and self.factor_file is not None

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` on this run's prices (unchanged when raw; see the module docstring)."""
        if not self.changes_prices:
            return frame
        assert self.factor_file is not None
        return adjusted_frame(frame, self.factor_file, self.mode)


def price_adjustment(
    symbol: str,
    instrument: Instrument,
    mode: Adjustment | None,
    factor_file: Path | None,
    *,
    default: Adjustment,
) -> PriceAdjustment:
    """The prices ``symbol`` trades. ``mode`` None takes ``default`` when the symbol is a US
    equity with a factor file, else raw; an adjustment without a factor file is refused."""
    name = symbol.strip().upper()
    if factor_file is not None and instrument.asset_class is not AssetClass.EQUITY:
        raise OptionError(
            f"{setting_mark('factor_file')} applies to equities; {name} is "
            f"{instrument.asset_class.value}"
        )
    if factor_file is not None:
        found: FactorFile | None = read_factor_file(factor_file, name)
        file_name = factor_file.name
    else:
        found = bundled_factor_file(name) if _is_us_equity(instrument) else None
        file_name = f"{name.lower()}.csv, bundled"
    kind = instrument.asset_class
    if mode is None:
        chosen = default if found is not None else Adjustment.RAW
        return PriceAdjustment(
            name, chosen, found, file_name if found else "", defaulted=True, asset_class=kind
        )
    if mode is Adjustment.RAW:
        return PriceAdjustment(name, mode, asset_class=kind)
    if instrument.asset_class is not AssetClass.EQUITY:
        raise OptionError(
            f"{setting_mark('adjust')} {mode.value} applies to equities; {name} is "
            f"{instrument.asset_class.value} (use {setting_mark('adjust')} raw)"
        )
    if found is None:
        raise OptionError(
            f"{setting_mark('adjust')} {mode.value}: no factor file is bundled for {name}; give "
            f"its Lean factor file with {setting_mark('factor_file')} FILE, or use "
            f"{setting_mark('adjust')} raw"
        )
    return PriceAdjustment(name, mode, found, file_name)


def portfolio_prices(symbol: str, instrument: Instrument, source: SourceConfig) -> PriceAdjustment:
    """The prices a paper portfolio trades ``symbol`` at: raw unless its settings say otherwise
    (a portfolio sees what a broker showed that day)."""
    return price_adjustment(
        symbol, instrument, source.adjust, source.factor_file, default=Adjustment.RAW
    )


def read_factor_file(path: Path, symbol: str) -> FactorFile:
    """A Lean factor file given by a person; a problem names the file (and the line)."""
    problem = file_problem("file", path)
    if problem is not None:
        raise OptionError(f"{setting_mark('factor_file')}: {problem}")
    try:
        factor_file = FactorFile.read(path, symbol)
    except UnicodeDecodeError:
        raise OptionError(f"{setting_mark('factor_file')} {path}: not UTF-8 text") from None
    except DataError as error:
        raise OptionError(f"{setting_mark('factor_file')} {path}: {marked(error)}") from None
    if not factor_file.rows:
        raise OptionError(
            f"{setting_mark('factor_file')} {path}: no factor rows (YYYYMMDD,price,split[,ref])"
        )
    return factor_file


def adjusted_frame(frame: pd.DataFrame, factor_file: FactorFile, mode: Adjustment) -> pd.DataFrame:
    """A copy of ``frame`` on adjusted prices, with the raw prices and each bar's exact scale."""
    result = frame.copy()
    result.attrs = {**frame.attrs, "adjustment": mode.value}
    if frame.empty:
        for raw in RAW_COLUMNS.values():
            result[raw] = np.array([], dtype=np.float64)
        result[SCALE_COLUMN] = pd.Series([], dtype=object, index=frame.index)
        return result
    rows = factor_file.rows
    days = pd.DatetimeIndex([pd.Timestamp(row.date) for row in rows]).as_unit("ns")
    wanted = trade_dates(frame, str(frame.attrs.get("timeframe") or "1d"))
    position = np.searchsorted(days.asi8, wanted.asi8, side="left")
    splits = [_factor(row.split_factor) for row in rows] + [Decimal(1)]
    if mode is Adjustment.SPLIT_DIVIDEND:
        prices = [_factor(row.price_factor) for row in rows] + [Decimal(1)]
        scales = [_plain(split * price) for split, price in zip(splits, prices, strict=True)]
    else:
        scales = splits
    exact = np.array(scales, dtype=object)[position]
    scale = np.array([float(value) for value in scales], dtype=np.float64)[position]
    split = np.array([float(value) for value in splits], dtype=np.float64)[position]
    for column, raw in RAW_COLUMNS.items():
        values = frame[column].to_numpy(dtype=np.float64)
        result[raw] = values
        result[column] = values * scale
    result["volume"] = frame["volume"].to_numpy(dtype=np.float64) / split
    if all(name in frame.columns for name in QUOTE_FIELDS):  # the bid and ask move alike
        for column in QUOTE_PRICE_FIELDS:
            values = frame[column].to_numpy(dtype=np.float64)
            result[f"raw_{column}"] = values
            result[column] = values * scale
        for column in ("bid_size", "ask_size"):
            result[column] = frame[column].to_numpy(dtype=np.float64) / split
    result[SCALE_COLUMN] = pd.Series(exact, index=frame.index, dtype=object)
    return result


def _factor(value: float) -> Decimal:
    """A factor as the file wrote it (a float of at most 8 digits reprs as its text)."""
    return _plain(exact_decimal(value))


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros (1.0 -> 1), so prices times it keep only their own digits."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal.as_tuple().exponent > 0 else normal  # type: ignore[operator]


def _is_us_equity(instrument: Instrument) -> bool:
    return instrument.asset_class is AssetClass.EQUITY and instrument.currency == "USD"
