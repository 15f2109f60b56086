"""What a backtest returns: exact ledger figures, the trades, the curve and the statistics.

The fast path may hand over its orders, fills, trades and rejections as ``Deferred`` columns: the
result then builds those objects the first time one of the four fields is read (and keeps them),
so a caller that reads only the figures, the curve and the statistics never pays for them.
Readers always see plain tuples, equal to the event kernel's. The statistics may likewise be
computed on first read (``StatsOnRead``, where nothing left for later can raise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analytics.conventions import Conventions
from paperdesk.analytics.metrics import (
    compute_stats,
    periods_per_year_for_later,
    statistics_returns,
)
from paperdesk.analytics.stats import Stats
from paperdesk.config import RunConfig
from paperdesk.data.quality_report import DataGaps
from paperdesk.domain import AccountEvent, Fill, Order, Position, SignalRejected, Trade
from paperdesk.domain.money import to_decimal
from paperdesk.engine.equity_curve import datetime_index
from paperdesk.engine.open_positions import OpenPosition, open_positions

T = TypeVar("T")


class Deferred(Generic[T]):
    """A result field whose tuple is built on first read, by ``build`` (called at most once per
    result; it must not fail: everything that can fail is decided before the result exists)."""

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[], tuple[T, ...]]) -> None:
        self._build = build

    def resolve(self) -> tuple[T, ...]:
        return self._build()


@dataclass(frozen=True, slots=True)
class BacktestResult:
    config: RunConfig
    symbol: str
    timeframe: str
    final_equity: Decimal  # exact: cash + open positions marked at the last close
    final_cash: Decimal
    stats: Stats
    trades: tuple[Trade, ...]  # the three object fields may be built on first read (see above)
    fills: tuple[Fill, ...]
    orders: tuple[Order, ...]
    rejections: tuple[SignalRejected, ...]  # the fast path's may be built on first read too
    equity_curve: pd.Series = field(repr=False)  # float equity at each bar close, by ts_close
    bars: int = 0
    signals: int = 0
    last_close: Decimal | None = None  # the mark of the open positions (as final_equity's)
    # the ledger's positions at the end when splits changed them (else rebuilt from the fills)
    final_positions: tuple[Position, ...] | None = None
    adjust: str = "raw"  # the prices traded: raw, split or split-dividend (``--adjust``)
    prices: str = ""  # what the prices are, in words (the report's line about them)
    # margin calls and cash overdrafts, each with its reason (the report prints one line each)
    account_events: tuple[AccountEvent, ...] = ()
    # entries the cash check or a risk rule trimmed (or cut to nothing at the fill): when, why
    adjustments: tuple[tuple[datetime, str], ...] = ()
    # the bars' gaps against the calendar (None: not checked, e.g. weekly bars)
    data_gaps: DataGaps | None = None
    # how the statistics were computed (bar length, calendar, session, return basis)
    conventions: Conventions | None = field(default=None, repr=False, compare=False)

    def statistics_returns(self) -> pd.Series:
        """The returns the run's per-period statistics are taken on, by the conventions they
        were computed with (``analytics.metrics.statistics_returns``): a sweep's diagnostics
        read these, so they cannot take other returns than the run's Sharpe ratio."""
        conventions = self.conventions or Conventions()
        return statistics_returns(self.equity_curve, self.stats.start_equity, conventions)

    @property
    def open_positions(self) -> tuple[OpenPosition, ...]:
        """The positions still open at the end, marked at the last close."""
        if self.last_close is None:
            return ()
        marks = {self.symbol: self.last_close}
        return open_positions(self.fills, marks, self.final_positions)


class StatsOnRead:
    """The statistics of a result computed on first read, by ``build`` (called at most once per
    result; the inputs that could make it fail are checked before the result exists)."""

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[], Stats]) -> None:
        self._build = build

    def resolve(self) -> Stats:
        return self._build()


class _ResolvedOnRead:
    """Wraps the slot of a ``BacktestResult`` field: a ``Deferred`` (or ``StatsOnRead``) stored
    there is replaced by its value the first time the field is read, so every reader (attribute
    access, the generated ``__eq__`` and ``__repr__``, ``dataclasses.replace``, pickling) sees
    only the value."""

    __slots__ = ("_slot",)

    def __init__(self, slot: Any) -> None:
        self._slot = slot

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self._slot.__get__(instance, owner)
        if type(value) is Deferred or type(value) is StatsOnRead:
            value = value.resolve()
            self._slot.__set__(instance, value)
        return value

    def __set__(self, instance: object, value: object) -> None:
        self._slot.__set__(instance, value)  # only __init__ gets here: the dataclass is frozen


_DEFERRABLE = ("trades", "fills", "orders", "rejections")
for _name in (*_DEFERRABLE, "stats"):
    setattr(BacktestResult, _name, _ResolvedOnRead(BacktestResult.__dict__[_name]))


def assemble_result(
    config: RunConfig,
    *,
    symbol: str,
    timeframe: str,
    ts_close_ns: npt.NDArray[np.int64],
    closes: npt.NDArray[np.float64],
    equity: npt.NDArray[np.float64],
    in_market: npt.NDArray[np.bool_],
    final_equity: Decimal,
    final_cash: Decimal,
    trades: Sequence[Trade] | Deferred[Trade],
    fills: Sequence[Fill] | Deferred[Fill],
    orders: Sequence[Order] | Deferred[Order],
    rejections: Sequence[SignalRejected] | Deferred[SignalRejected],
    fees: float,
    ambiguous_bars: int,
    signals: int,
    trade_pnls: npt.NDArray[np.float64] | None = None,
    conventions: Conventions | None = None,
    benchmark_closes: npt.NDArray[np.float64] | None = None,
    final_positions: tuple[Position, ...] | None = None,
    last_close: Decimal | None = None,
    account_events: Sequence[AccountEvent] = (),
    adjustments: Sequence[tuple[datetime, str]] = (),
    stats_on_read: bool = False,
    close_index: pd.DatetimeIndex | None = None,
) -> BacktestResult:
    """The result both engines return: the curve by bar close and the statistics over it are
    built here once, so the event kernel and the fast path cannot compute them differently.

    ``trade_pnls`` (each trade's ``float(pnl)``, in order) is required when ``trades`` is
    deferred, and must then equal what the trades would give. ``conventions`` say how the
    statistics are computed (bar length, calendar, return basis, risk-free rate, benchmark).
    ``benchmark_closes``: the closes buy and hold is measured on, when not ``closes``
    (split-adjusted, for a run that booked splits on raw prices). ``last_close``: the exact
    price open positions are marked at in the end (the exact adjusted close, or with mark=mid
    the last quote's mid), when not the last close as a float gives it.
    ``stats_on_read``: compute the statistics when ``stats`` is first read where that is safe
    (``periods_per_year_for_later``: nothing left for later can raise; the closes read are kept
    now, so the figures are those of this moment), else now; the
    equity, ``in_market`` and ``trade_pnls`` arrays must then be the caller's own, never
    written to again. ``close_index``: ``datetime_index(ts_close_ns)`` when the caller has it
    already (its own, never written to: the curve keeps it).
    """
    if isinstance(trades, Deferred) and trade_pnls is None:
        raise ValueError("deferred trades need their P&L column for the statistics")
    if close_index is None:
        close_index = datetime_index(ts_close_ns)
    curve = pd.Series(equity, index=close_index, name="equity", copy=False)  # ours alone
    benchmark = closes if benchmark_closes is None else benchmark_closes
    benchmark_index = close_index
    # the periods per year, when the statistics are computed later (else None: now)
    later = (
        periods_per_year_for_later(curve, in_market, float(config.cash), conventions)
        if stats_on_read
        else None
    )
    if later is not None and len(benchmark) and np.isfinite(benchmark[[0, -1]]).all():
        # buy and hold, all the statistics read of the closes, reads the first and the last
        # finite ones: kept now, as the caller's bars may change after the run
        benchmark, benchmark_index = benchmark[[0, -1]], close_index[[0, -1]]
    elif later is not None:
        benchmark = benchmark.copy()
    statistics = partial(
        compute_stats,
        curve,
        () if isinstance(trades, Deferred) else trades,
        in_market=in_market,
        start_equity=float(config.cash),
        ambiguous_bars=ambiguous_bars,
        fees=fees,
        benchmark_close=pd.Series(benchmark, index=benchmark_index, copy=False),  # read only
        periods_per_year=later,
        trade_pnls=trade_pnls,
        conventions=conventions,
    )
    stats = StatsOnRead(statistics) if later is not None else statistics()
    result = BacktestResult(
        config=config,
        symbol=symbol,
        timeframe=timeframe,
        final_equity=final_equity,
        final_cash=final_cash,
        stats=cast(Stats, stats),  # a StatsOnRead is resolved on first read (above)
        trades=_now(trades),
        fills=_now(fills),
        orders=_now(orders),
        rejections=_now(rejections),
        # a shallow copy: copy-on-write keeps a caller's write into it from reaching the curve
        # the statistics read later (no copy of the data unless the caller writes)
        equity_curve=curve.copy(deep=False) if later is not None else curve,
        bars=len(closes),
        signals=signals,
        last_close=_last_close(closes) if last_close is None else last_close,
        final_positions=final_positions,
        account_events=tuple(account_events),
        adjustments=tuple(adjustments),
        conventions=conventions,
    )
    for name, value in zip(_DEFERRABLE, (trades, fills, orders, rejections), strict=True):
        if isinstance(value, Deferred):
            object.__setattr__(result, name, value)  # resolved on first read
    return result


def _last_close(closes: npt.NDArray[np.float64]) -> Decimal | None:
    return to_decimal(float(closes[-1])) if len(closes) else None


def _now(value: Sequence[T] | Deferred[T]) -> tuple[T, ...]:
    return () if isinstance(value, Deferred) else tuple(value)
