"""Where a live portfolio's bars come from, and what time it is.

``BarSource`` serves a symbol's bars from the bundled data or a CSV file named in the
portfolio's settings, with the quotes of the quote file the settings name for it, if any.
Whether a bar is visible is decided by the runner: with the ``bundled`` and ``live`` sources a
bar is visible once its close has passed on the clock (``live`` bars are the providers', fetched
into the store by ``paperdesk.live.feed``; the bundled files never stand in for them); with the
``replay`` source the portfolio's replay position (kept in the database) says how far the data
has been served.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd

from paperdesk.config import SourceConfig
from paperdesk.data import find_bundled, instrument_for, load_bars
from paperdesk.data.adjustment import portfolio_prices
from paperdesk.data.bar_convert import bar_at as bar_at  # re-exported: one conversion
from paperdesk.data.clock import Clock as Clock  # re-exported: the clocks live in data
from paperdesk.data.clock import FixedClock as FixedClock
from paperdesk.data.clock import WallClock as WallClock
from paperdesk.data.manager import DataManager
from paperdesk.data.quote_csv import merge_quotes, read_quotes
from paperdesk.domain import DataError


@dataclass(frozen=True, slots=True)
class _KnownClose:
    """A symbol's last close as ``history`` gave it, and while it stays the answer."""

    token: tuple[tuple[str, int], ...]  # the DataManager's series token it was read under
    as_of: datetime  # the clock's time it was read at
    until: datetime | None  # the close of the next bar the layers held then (None: none)
    close: Decimal


class BarSource:
    """Each symbol's full bar history: the CSV file the portfolio names for it, else what the
    DataManager serves (imported or backfilled bars in the database, else the bundled file).

    Without a DataManager (the default) the bundled files are read directly. Files are kept in
    memory until they change.
    """

    def __init__(self, manager: DataManager | None = None) -> None:
        self._manager = manager
        self._cache: dict[tuple[str, str, str], tuple[tuple[float, int], pd.DataFrame]] = {}
        # the trades merged with a quote file: (the file's version, the trades, the merge)
        self._quoted: dict[
            tuple[str, str, str], tuple[tuple[float, int], pd.DataFrame, pd.DataFrame]
        ] = {}
        # the adjusted history of (symbol, timeframe, mode): (the raw frame and the factor
        # file it was made from, the adjusted frame)
        self._adjusted: dict[
            tuple[str, str, object], tuple[pd.DataFrame, object, pd.DataFrame]
        ] = {}
        # the last closes ``last_close`` answered, by (symbol, timeframe, the settings that
        # decide the history's prices)
        self._closes: dict[tuple[object, ...], _KnownClose] = {}
        self._closes_lock = threading.Lock()

    def path(self, symbol: str, timeframe: str, settings: SourceConfig) -> Path:
        return settings.file_for(symbol) or find_bundled(symbol, timeframe)

    def history(self, symbol: str, timeframe: str, settings: SourceConfig) -> pd.DataFrame:
        """``symbol``'s bars on the prices the portfolio trades (raw unless ``adjust`` says
        otherwise; see ``paperdesk.data.adjustment``), with their quotes when it has a file."""
        frame = self._raw_history(symbol, timeframe, settings)
        instrument = instrument_for(symbol, settings.asset_class_of(symbol))
        prices = portfolio_prices(symbol, instrument, settings)
        if not prices.changes_prices:
            return frame
        # adjusting is a pass over every bar: done again only when the raw history (a new
        # object whenever its file or the store's bars change) or the factor file changed,
        # so a tick's cost does not grow with the history's length
        key = (symbol, timeframe, prices.mode)
        kept = self._adjusted.get(key)
        if kept is not None and kept[0] is frame and kept[1] == prices.factor_file:
            return kept[2]
        adjusted = prices.apply(frame)
        self._adjusted[key] = (frame, prices.factor_file, adjusted)
        return adjusted

    def last_close(
        self, symbol: str, timeframe: str, settings: SourceConfig, within: object | None = None
    ) -> Decimal:
        """The close of the last bar ``history`` serves (what an order is checked against
        before any tick has priced its symbol), exactly as ``history`` gives it.

        Through a DataManager with a store (not a file of the user's or a factor file, whose
        contents the store does not version) the answer is kept and reused while (1) the
        DataManager's series token of the symbol is unchanged (one indexed query: any write
        of the symbol's bars changes it) and (2) the clock has not reached the close of the
        next bar the layers held when it was read (a bar already stored but still open then).
        Anything else reads the history again, so a new bar is never missed: the kept answer
        is the one ``history`` would give, without copying and converting the whole
        history on every order. ``within``: the unit of work asking (a ledger transaction),
        in which the store may read the token."""
        manager = self._manager
        if manager is None or settings.file_for(symbol) is not None or settings.factor_file:
            return self._history_close(symbol, timeframe, settings)
        key = (symbol, timeframe, settings.kind, settings.asset_class_of(symbol), settings.adjust)
        token = manager.series_token(symbol, within)  # read before the bars (a write in between
        now = manager.now()  # makes the kept answer look older, never newer)
        with self._closes_lock:
            known = self._closes.get(key)
        if (
            known is not None
            and token is not None
            and known.token == token
            and known.as_of <= now
            and (known.until is None or now < known.until)
        ):
            return known.close
        close = self._history_close(symbol, timeframe, settings)
        if token is not None:
            until = manager.pending_close(symbol, timeframe)
            with self._closes_lock:
                self._closes[key] = _KnownClose(token, now, until, close)
        return close

    def _history_close(self, symbol: str, timeframe: str, settings: SourceConfig) -> Decimal:
        frame = self.history(symbol, timeframe, settings)
        return bar_at(frame, len(frame) - 1).close

    def _raw_history(self, symbol: str, timeframe: str, settings: SourceConfig) -> pd.DataFrame:
        """The trade bars, merged with the portfolio's quote file of ``symbol`` if any."""
        frame = self._trades(symbol, timeframe, settings)
        quotes = settings.quotes_for(symbol)
        if quotes is None:
            return frame
        key = (str(quotes), symbol, timeframe)
        version = _version(quotes, symbol)
        cached = self._quoted.get(key)
        if cached is not None and cached[0] == version and cached[1] is frame:
            return cached[2]
        merged = merge_quotes(frame, read_quotes(quotes))
        self._quoted[key] = (version, frame, merged)
        return merged

    def _trades(self, symbol: str, timeframe: str, settings: SourceConfig) -> pd.DataFrame:
        if self._manager is not None and settings.file_for(symbol) is None:
            frame = self._manager.get_bars(symbol, timeframe)
            if settings.kind == "live" and frame.attrs.get("origin") == "bundled":
                # a live portfolio trades the providers' bars, never a years-old sample file
                raise DataError(f"no live {symbol} {timeframe} bars are stored yet")
            if frame.empty:
                find_bundled(symbol, timeframe)  # raises, naming what is available
                raise DataError(f"no {symbol} {timeframe} bars are available")
            frame.attrs.setdefault("symbol", symbol)
            frame.attrs.setdefault("timeframe", timeframe)
            return frame
        path = self.path(symbol, timeframe, settings)
        key = (str(path), symbol, timeframe)
        version = _version(path, symbol)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        asset_class = settings.asset_class_of(symbol)
        calendar = None if asset_class is None else instrument_for(symbol, asset_class).calendar
        frame = load_bars(path, symbol=symbol, timeframe=timeframe, calendar=calendar)
        if frame.empty:
            raise DataError(f"{path} holds no {symbol} bars")
        self._cache[key] = (version, frame)
        return frame


def _version(path: Path, symbol: str) -> tuple[float, int]:
    """A file's modification time and size: a cached copy is used while both are unchanged."""
    try:
        stat = path.stat()
    except OSError as error:
        raise DataError(f"cannot read data for {symbol}: {error}") from None
    return (stat.st_mtime, stat.st_size)


def last_closed_index(frame: pd.DataFrame, now: datetime) -> int:
    """The index of the last bar closed at ``now`` (-1 when none has)."""
    closes = pd.DatetimeIndex(frame["ts_close"])
    return int(closes.searchsorted(pd.Timestamp(now), side="right")) - 1


def bar_index_at(frame: pd.DataFrame, moment: datetime) -> int:
    """The bar a moment belongs to: the bar labelled ``moment``, else the bar closing at it (a
    fill at a close), else the last bar opened before it; -1 before the first bar."""
    stamp = pd.Timestamp(moment)
    labels = frame.index
    exact = int(labels.searchsorted(stamp, side="left"))
    if exact < len(labels) and labels[exact] == stamp:
        return exact
    closes = pd.DatetimeIndex(frame["ts_close"])
    closing = int(closes.searchsorted(stamp, side="left"))
    if closing < len(closes) and closes[closing] == stamp:
        return closing
    return int(labels.searchsorted(stamp, side="right")) - 1
