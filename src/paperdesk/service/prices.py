"""Prices for the interfaces (seed 001's ``price/realtime`` and ``price/ohlc``): the latest
closed bar of each symbol and pages of OHLC history, read through the DataManager, exact
(Decimal) and with provenance.

No look-ahead: the DataManager returns only bars whose close is at or before its clock's
``now()``, so a bar still forming is never handed out (every candle here is closed). History
pages go backwards from the newest bar (a chart scrolls back): a page names the open time of its
oldest bar, and the next page ends just before it, so pages never overlap nor skip a bar
while older history stays unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from paperdesk.domain import Bar, InvalidInputError, UnknownNameError, limits
from paperdesk.domain.price_forms import plain_form, tick_form
from paperdesk.service.instruments import instrument_of

if TYPE_CHECKING:
    import pandas as pd

    from paperdesk.data.manager import DataManager

MAX_SYMBOLS = 50
_JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where bars came from: the layer that served them (``cache``, ``parquet``, ``store``
    or ``bundled``), the layer behind a cache hit, and the time the read was made at."""

    origin: str | None
    loaded_from: str | None
    as_of: datetime


@dataclass(frozen=True, slots=True)
class Candle:
    """One closed bar, exact, with the provider or file that gave it (``source``)."""

    ts_open: datetime
    ts_close: datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    source: str | None
    closed: bool = True


@dataclass(frozen=True, slots=True)
class LatestPrice:
    """A symbol's last closed bar: its close is the price, its close time the price's time;
    ``bid`` and ``ask`` when the bar carries a quote."""

    symbol: str
    timeframe: str
    price: Decimal
    candle: Candle
    bid: Decimal | None
    ask: Decimal | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CandlePage:
    """Up to ``limit`` candles oldest first; ``older_than`` is the open time of the oldest one
    when older bars exist in the range (None on the last page)."""

    symbol: str
    timeframe: str
    candles: tuple[Candle, ...]
    older_than: datetime | None
    provenance: Provenance


class PriceService:
    """Latest prices and OHLC history through one DataManager (made on first use)."""

    def __init__(self, data: DataManager | Callable[[], DataManager]) -> None:
        self._data = data

    @property
    def data(self) -> DataManager:
        return self._data() if callable(self._data) else self._data

    def latest(self, symbols: Sequence[str], timeframe: str) -> tuple[list[LatestPrice], list[str]]:
        """The latest price of each symbol (in the order asked, duplicates once) and the
        symbols no layer holds bars of."""
        names = list(dict.fromkeys(limits.symbol_value(s, "symbols") for s in symbols))
        if not names:
            raise InvalidInputError("symbols: name at least one symbol, e.g. SPY,QQQ")
        if len(names) > MAX_SYMBOLS:
            raise InvalidInputError(f"symbols: at most {MAX_SYMBOLS} symbols, got {len(names)}")
        found: list[LatestPrice] = []
        missing: list[str] = []
        for name in names:
            frame = self.data.get_bars(name, timeframe)
            if frame.empty:
                missing.append(name)
                continue
            [(candle, bar)] = _candles(frame, len(frame) - 1)
            quote = bar.quote
            tick = instrument_of(name).tick_size
            found.append(
                LatestPrice(
                    name,
                    bar.timeframe,
                    candle.close,
                    candle,
                    None if quote is None else tick_form(quote.bid_close, tick),
                    None if quote is None else tick_form(quote.ask_close, tick),
                    _provenance(frame),
                )
            )
        return found, missing

    def unheld(self, symbols: Sequence[str]) -> list[str]:
        """The symbols of ``symbols`` no layer holds bars of, of any timeframe (in the order
        given): nothing can price them until some bars arrive."""
        return [symbol for symbol in symbols if not self.data.holds(symbol)]

    def candles(
        self,
        symbol: str,
        timeframe: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 500,
        older_than: datetime | None = None,
    ) -> CandlePage:
        """The newest ``limit`` closed bars with ``start <= ts_open <= end`` and open before
        ``older_than`` (the previous page's oldest bar), oldest first."""
        name = limits.symbol_value(symbol, "symbol")
        if start is not None and end is not None and start > end:
            raise InvalidInputError(f"start {start.isoformat()} is after end {end.isoformat()}")
        upper = end
        if older_than is not None:
            before = older_than - _JUST_BEFORE
            upper = before if upper is None else min(upper, before)
        frame = self.data.get_bars(name, timeframe, start, upper)
        if frame.empty and frame.attrs.get("origin") is None and older_than is None:
            raise UnknownNameError(f"no {name} {timeframe} bars are held anywhere")
        first = max(0, len(frame) - limit)
        candles = tuple(candle for candle, _ in _candles(frame, first))
        oldest = candles[0].ts_open if candles and first > 0 else None
        return CandlePage(
            name, str(frame.attrs.get("timeframe", timeframe)), candles, oldest, _provenance(frame)
        )


def _candles(frame: pd.DataFrame, first: int) -> list[tuple[Candle, Bar]]:
    """Rows ``first`` onwards as exact candles (column arrays: one conversion per page), their
    prices with the instrument's tick's decimals and volumes plain (``domain.price_forms``)."""
    from paperdesk.data.bar_convert import BarArrays

    rows = frame.iloc[first:]
    symbol = str(frame.attrs.get("symbol"))
    arrays = BarArrays(rows, symbol, str(frame.attrs.get("timeframe")))
    tick = instrument_of(symbol).tick_size
    sources = rows["source"].tolist() if "source" in rows.columns else [None] * len(rows)
    found: list[tuple[Candle, Bar]] = []
    for position, source in enumerate(sources):
        bar = arrays.bar(position)
        named = source if isinstance(source, str) and source else None
        candle = Candle(
            bar.ts_open,
            bar.ts_close,
            tick_form(bar.open, tick),
            tick_form(bar.high, tick),
            tick_form(bar.low, tick),
            tick_form(bar.close, tick),
            plain_form(bar.volume),
            named,
        )
        found.append((candle, bar))
    return found


def _provenance(frame: pd.DataFrame) -> Provenance:
    attrs = frame.attrs
    as_of = datetime.fromisoformat(str(attrs["as_of"]))
    origin, loaded_from = attrs.get("origin"), attrs.get("loaded_from")
    return Provenance(
        None if origin is None else str(origin),
        None if loaded_from is None else str(loaded_from),
        as_of,
    )


@dataclass(frozen=True, slots=True)
class ChartTimeframes:
    """What a chart of ``base`` bars offers (``base`` first, then the coarser timeframes the
    DataManager resamples to, finest first), and the bar lengths stored series come in."""

    base: str
    timeframes: list[str]
    bar_lengths: list[str]


def chart_timeframes_of(base: str) -> ChartTimeframes:
    """The one list of timeframes the interfaces offer (``derived_bars``); a ``base`` that is
    no timeframe raises ``InvalidInputError``."""
    from paperdesk.data.derived_bars import SOURCES, chart_timeframes

    timeframes = chart_timeframes(base)
    return ChartTimeframes(timeframes[0], timeframes, list(SOURCES))
