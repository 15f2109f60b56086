"""The fast path's rejected signals, with the reasons the real router gives: the integer loop only
knows that a signal was rejected, so each one is routed again against the book the loop had then
(the engine hands this to the fast path, which itself imports no routing)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.base import SignalColumns
from paperdesk.collector import collector_paused
from paperdesk.config import RiskConfig, RunConfig
from paperdesk.data.bar_rule import utc_datetime
from paperdesk.domain import (
    ZERO,
    Direction,
    Instrument,
    PortfolioView,
    Position,
    Signal,
    SignalRejected,
)
from paperdesk.engine.fastpath.columns import datetimes
from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale
from paperdesk.engine.result import Deferred
from paperdesk.execution import parse_fee_model
from paperdesk.routing import (
    AllowedSymbols,
    Cooldown,
    MinimumConfidence,
    SignalRouter,
    build_router,
)
from paperdesk.routing.router import RoutingDecision, size_rounds_to_zero, size_rounds_to_zero_words
from paperdesk.routing.wording import amount, money


class SignalBars(Protocol):
    """The bar columns a rejection reads (``engine.backtest._BarArrays``)."""

    symbol: str
    closes: npt.NDArray[np.float64]
    ts_close_ns: npt.NDArray[np.int64]

    def close_price(self, i: int) -> Decimal:
        """Row ``i``'s exact close (the router's price of the signal)."""
        ...


def rejected_signals(
    rejected: list[tuple[int, int, int]],
    *,
    config: RunConfig,
    instrument: Instrument,
    feed: SignalBars,
    frame: pd.DataFrame,
    rows: list[int],
    strategy_name: str,
    scale: MoneyScale,
    unsized: AbstractSet[int] = frozenset(),
    day_start: Callable[[int], Decimal] | None = None,
) -> Deferred[SignalRejected] | list[SignalRejected]:
    """``rejected``: the loop's (signal k, position held, cash units) of each rejected signal;
    ``unsized``: the signals whose entry the loop's sizer sized to nothing on a flat book;
    ``day_start``: a row's day-start equity (the daily loss limit's), with the limit.

    The reasons are decided now, in bulk (everything that can fail or give up fails here): the
    filters' by the numbers they quote (``_FilterWords``), the router's by what its words read
    (``_RouterWords``: only the first signal of each kind is routed). The ``Signal`` and
    ``SignalRejected`` objects are made when the result's ``rejections`` are first read,
    column by column (``SignalColumns.signals``)."""
    if not rejected:
        return []
    columns = SignalColumns(frame, strategy_name, feed.symbol)
    ks = [k for k, _, _ in rejected]
    signal_rows = [rows[k] for k in ks]
    stamps_ns = feed.ts_close_ns[signal_rows]

    def signal(number: int) -> Signal:
        """Rejected signal ``number`` (one made now, to be worded)."""
        return columns.signal(ks[number], utc_datetime(int(stamps_ns[number])))

    reasons = _FilterWords(config.risk, feed.symbol, rows, ks).reasons(
        columns.confidences, ks, signal_rows, signal
    )
    _RouterWords(config, instrument, feed, scale, unsized, day_start).fill(
        reasons, rejected, columns.directions, signal_rows, signal
    )
    worded: list[str] = reasons  # type: ignore[assignment]  # every one filled

    def build() -> tuple[SignalRejected, ...]:
        with collector_paused():  # acyclic tuples only
            stamps = datetimes(stamps_ns)
            signals = columns.signals(ks, stamps)
            return tuple(map(_REJECTION, zip(stamps, signals, worded, strict=True)))

    return Deferred(build)


_REJECTION = partial(tuple.__new__, SignalRejected)  # fields already made: the NamedTuple's own
_FLAT, _LONG, _SHORT = int(Direction.FLAT), int(Direction.LONG), int(Direction.SHORT)


class _RouterWords:
    """The router's reason for each signal the loop rejected and no filter of ``_FilterWords``
    did, from the book the loop had then. Signals whose words read only their direction (a flat
    one or a short with shorts off, on a flat book) or their direction and the position held
    (a repeat of the side held: pyramiding's words) are routed once per kind and the reason
    kept; an entry the sizer sizes to nothing on a flat book is worded by
    ``size_rounds_to_zero`` once the first such reason was the router's; any other is routed
    against its book."""

    def __init__(
        self,
        config: RunConfig,
        instrument: Instrument,
        feed: SignalBars,
        scale: MoneyScale,
        unsized: AbstractSet[int],
        day_start: Callable[[int], Decimal] | None = None,
    ) -> None:
        self._router = _router(config, instrument)
        self._day_start = day_start
        # the sizer sizes every entry the loop did not list in ``unsized``: a fixed quantity or
        # percent-equity (risk per trade rejects by the signal's stop)
        self._sized = config.sizing.method in ("fixed", "percent-equity")
        self._instrument = instrument
        self._feed = feed
        self._scale = scale
        self._unsized = unsized
        self._allow_short = config.risk.allow_short
        # None: not yet checked against the router (it advances no memory: none is built)
        self._worded: bool | None = None if unsized and not self._router.remembers else False
        self._price_words: dict[Decimal, str] = {}
        self._cash_words: dict[int, str] = {}
        self._lot_words = amount(instrument.lot_size)

    def fill(
        self,
        reasons: list[str | None],
        rejected: list[tuple[int, int, int]],
        directions: list[int],
        rows: list[int],
        signal: Callable[[int], Signal],
    ) -> None:
        """Fills each reason still None (rejected signal ``number``: ``rejected[number]``, at
        bar ``rows[number]``, ``signal(number)`` made when it is routed)."""
        kept: dict[object, str] = {}
        unsized, allow_short = self._unsized, self._allow_short
        refused: dict[tuple[int, Decimal], str] = {}  # the daily loss limit's, by (cash, start)
        for number, reason in enumerate(reasons):
            if reason is not None:
                continue
            k, held, cash_units = rejected[number]
            direction = directions[k]
            kind: object = None
            if not held:
                if direction == _FLAT or (direction == _SHORT and not allow_short):
                    kind = direction
                elif self._worded and k in unsized:
                    reasons[number] = self._size_rounds_to_zero(rows[number], cash_units)
                    continue
                elif self._day_start is not None and self._sized and k not in unsized:
                    reasons[number] = self._refused(
                        refused, signal(number), cash_units, rows[number]
                    )
                    continue
            elif (held > 0 and direction == _LONG) or (held < 0 and direction == _SHORT):
                kind = (direction, held)
            if kind is not None and kind in kept:
                reasons[number] = kept[kind]
                continue
            reasons[number] = reason = self._routed(
                signal(number), k, held, cash_units, rows[number]
            )
            if kind is not None:
                kept[kind] = reason

    def _refused(
        self,
        refused: dict[tuple[int, Decimal], str],
        signal: Signal,
        cash_units: int,
        row: int,
    ) -> str:
        """The reason of a flat book's entry the sizer sized (``_sized``): once the daily loss
        limit refused an entry with this cash (the flat book's equity) against this day start,
        it refuses every such entry in the same words (it comes first among the risk rules and
        reads only those two); else the router's, against the book."""
        assert self._day_start is not None
        key = (cash_units, self._day_start(row))
        reason = refused.get(key)
        if reason is not None:
            return reason
        decision = self.route(signal, 0, cash_units, row)
        reason = decision.rejection
        if reason is None:
            raise FastPathUnsupportedError("the router accepted a signal the loop rejected")
        if decision.code == "daily_loss_limit":
            refused[key] = reason
        return reason

    def route(self, signal: Signal, held: int, cash_units: int, row: int) -> RoutingDecision:
        """The router's decision on ``signal`` against the loop's book (the position ``held``,
        ``cash_units`` of cash) at bar ``row``."""
        feed, symbol = self._feed, self._feed.symbol
        close = feed.close_price(row)  # exact (an adjusted series: raw x price scale)
        cash = self._scale.to_decimal(cash_units)
        equity = cash + Decimal(held) * close
        positions = {symbol: Position(symbol, ZERO + Decimal(held))} if held else {}
        start = None if self._day_start is None else self._day_start(row)
        view = PortfolioView(signal.ts, cash, equity, positions, {symbol: close}, start)
        return self._router.route(signal, view, self._instrument, close, row)

    def _routed(self, signal: Signal, k: int, held: int, cash_units: int, row: int) -> str:
        """The router's reason for ``signal`` against the loop's book (the position ``held``,
        ``cash_units`` of cash) at bar ``row``."""
        feed, symbol = self._feed, self._feed.symbol
        close = feed.close_price(row)
        equity = self._scale.to_decimal(cash_units) + Decimal(held) * close
        reason = self.route(signal, held, cash_units, row).rejection
        if reason is None:
            raise FastPathUnsupportedError("the router accepted a signal the loop rejected")
        if not held and k in self._unsized and self._worded is None:
            self._worded = reason == size_rounds_to_zero(
                symbol, close, equity, self._instrument.lot_size
            )
        return reason

    def _size_rounds_to_zero(self, row: int, cash_units: int) -> str:
        """``size_rounds_to_zero`` at row ``row``'s close with ``cash_units`` of cash, the
        equity of a flat book: each distinct price and cash printed once (a flat book's cash
        stays the same from one signal to the next until a trade)."""
        close = self._feed.close_price(row)
        price = self._price_words.get(close)
        if price is None:
            price = self._price_words[close] = amount(close)  # equal Decimals print alike
        equity = self._cash_words.get(cash_units)
        if equity is None:
            equity = self._cash_words[cash_units] = money(self._scale.to_decimal(cash_units))
        return size_rounds_to_zero_words(self._feed.symbol, price, equity, self._lot_words)


class _FilterWords:
    """The reasons of the router's filters that read no book, checked before the others in the
    router's order (``routing.factory.build_filters``): the minimum confidence, the allowed
    symbols (a symbol outside them: every signal), then the cooldown. The cooldown counts from
    the last accepted signal: every signal before the one rejected that the loop did not reject
    (each signal is one or the other). Their words quote the signal's confidence, the allowed
    symbols, or the bars since the last accepted signal: each distinct number (and the
    symbols' words) is worded by the filter once."""

    def __init__(self, risk: RiskConfig, symbol: str, rows: list[int], refused: list[int]) -> None:
        self._symbol = symbol
        minimum = risk.min_confidence
        self._confidence = MinimumConfidence(minimum) if minimum > 0 else None
        symbols = risk.allowed_symbols
        self._symbols = AllowedSymbols(symbols) if symbols and symbol not in symbols else None
        self._cooldown = Cooldown(risk.cooldown_bars) if risk.cooldown_bars > 0 else None
        self._accepted = np.zeros(0, dtype=np.int64)
        if self._cooldown is not None:
            accepted = np.ones(len(rows), dtype=np.bool_)
            accepted[refused] = False
            self._accepted = np.asarray(rows, dtype=np.int64)[accepted]
        self._view = PortfolioView(datetime.min.replace(tzinfo=UTC), ZERO, ZERO)  # unread

    def reasons(
        self,
        confidences: list[float],
        ks: list[int],
        rows: list[int],
        signal: Callable[[int], Signal],
    ) -> list[str | None]:
        """Why the filters reject each signal ``ks[number]`` (at bar ``rows[number]``; made by
        ``signal(number)`` when worded), None where they pass it."""
        reasons: list[str | None] = [None] * len(ks)
        confidence = self._confidence
        if confidence is not None:
            minimum = confidence.minimum
            worded: dict[float, str | None] = {}
            for number, k in enumerate(ks):
                value = confidences[k]
                if value < minimum:
                    reason = worded.get(value)
                    if reason is None or not value:  # 0.0 and -0.0: one key, two words
                        reason = worded[value] = confidence.allow(signal(number), self._view)
                    reasons[number] = reason
        if self._symbols is not None:  # not allowed: every signal the confidence passes
            outside: str | None = None
            for number, reason in enumerate(reasons):
                if reason is None:
                    if outside is None:
                        outside = self._symbols.allow(signal(number), self._view)
                    reasons[number] = outside
            return reasons  # none accepted: the cooldown never counts
        cooldown = self._cooldown
        if cooldown is None or not len(self._accepted):
            return reasons
        at = np.asarray(rows, dtype=np.int64)
        before = np.searchsorted(self._accepted, at, side="left")
        last = self._accepted[np.maximum(before - 1, 0)]
        inside = (before > 0) & (at - last < cooldown.bars)  # the filter's own test
        gaps: dict[int, str | None] = {}
        for number in np.flatnonzero(inside).tolist():
            if reasons[number] is not None:
                continue  # the confidence comes first
            gap = int(at[number] - last[number])
            if gap not in gaps:
                cooldown.reset()
                cooldown.restore(self._symbol, int(last[number]))
                cooldown.advance(int(at[number]))
                gaps[gap] = cooldown.allow(signal(number), self._view)
            reasons[number] = gaps[gap]
        return reasons


def refused_entries(
    refused: list[tuple[int, int, int]],
    *,
    config: RunConfig,
    instrument: Instrument,
    feed: SignalBars,
    frame: pd.DataFrame,
    rows: list[int],
    strategy_name: str,
    scale: MoneyScale,
    day_start: Callable[[int], Decimal],
) -> list[tuple[datetime, str]]:
    """The kernel's adjustment of each reversal whose entry the daily loss limit refused (the
    loop's (signal k, position held, cash units)): at the signal bar's close, the router's note
    ("entry rejected: " and the rule's reason), routed against the loop's book then."""
    if not refused:
        return []
    columns = SignalColumns(frame, strategy_name, feed.symbol)
    words = _RouterWords(config, instrument, feed, scale, frozenset(), day_start)
    notes: list[tuple[datetime, str]] = []
    for k, held, cash_units in refused:
        row = rows[k]
        stamp = utc_datetime(int(feed.ts_close_ns[row]))
        decision = words.route(columns.signal(k, stamp), held, cash_units, row)
        if decision.rejection is not None or not decision.notes:
            raise FastPathUnsupportedError("the router kept a refused reversal's entry")
        notes.append((stamp, "; ".join(decision.notes)))
    return notes


def _router(config: RunConfig, instrument: Instrument) -> SignalRouter:
    risk, sizing = config.risk, config.sizing
    return build_router(
        # the run's sizing and caps: sized at the signal, an entry a rule or the sizer leaves
        # nothing of is rejected with their reason
        sizing,
        RiskConfig(
            allow_short=risk.allow_short,
            exposure_cap_percent=risk.exposure_cap_percent,
            max_position_percent=risk.max_position_percent,
            max_open_positions=risk.max_open_positions,
            daily_loss_limit_percent=risk.daily_loss_limit_percent,
        ),
        fees=parse_fee_model(config.execution.commission),
    )
