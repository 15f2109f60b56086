"""The backtest driver: feeds a bar history through the trading kernel, visiting only the bars
where something can happen, and computes the equity curve between them vectorised.

Correctness does not depend on the skipping: a bar is skipped only when it carries no signal, no
order can act on it (``OrderBook.first_actionable_index``) and no position is due to be closed,
so visiting it would change nothing; the equity at its close is cash + quantity x close.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from paperdesk.analysis.strategies.base import SignalColumns as _SignalColumns
from paperdesk.analysis.strategies.base import Strategy, with_reasons
from paperdesk.analysis.strategies.causality import check_causal
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analytics.conventions import Benchmark, Conventions
from paperdesk.collector import collector_paused
from paperdesk.config import RunConfig
from paperdesk.data import session_close
from paperdesk.data.bar_convert import BarArrays as _BarArrays
from paperdesk.domain import (
    AccountKind,
    CorporateActionTerms,
    DataError,
    Instrument,
    InvalidInputError,
    Signal,
)
from paperdesk.domain.fields import setting_mark
from paperdesk.engine import fastpath
from paperdesk.engine.equity_curve import ChangePoints
from paperdesk.engine.kernel import TradingKernel, trade_date
from paperdesk.engine.per_bar import decide
from paperdesk.engine.rejection_reasons import refused_entries, rejected_signals
from paperdesk.engine.result import BacktestResult, Deferred, assemble_result
from paperdesk.engine.trim_reasons import trimmed_at_fill
from paperdesk.engine.wiring import build_kernel, check_contract_price, session_rule
from paperdesk.execution.scan import ScanColumns

Progress = Callable[[int, int], None]
_ENGINES = ("auto", "event", "fastpath")
_FAST_PATH_ENABLED = True  # auto and fastpath may take the fast path (tests prove it identical)


def slice_dates(bars: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """Keep bars whose label falls on or after ``start`` and on or before ``end`` (UTC dates)."""
    if start and end and start > end:
        raise InvalidInputError(
            f"{setting_mark('from')} {start} is after {setting_mark('to')} {end}"
        )
    labels = bars.index
    mask = np.ones(len(bars), dtype=bool)
    if start is not None:
        mask &= labels >= pd.Timestamp(start, tz="UTC")
    if end is not None:
        mask &= labels < pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)
    sliced = bars.loc[mask]
    if sliced.empty:
        raise DataError(
            f"no bars between {start or 'the start'} and {end or 'the end'} "
            f"(data covers {labels[0].date()} to {labels[-1].date()})"
        )
    return sliced


def simulate(
    bars: pd.DataFrame,
    strategy: Strategy[Any] | BarStrategy[Any],
    config: RunConfig,
    instrument: Instrument,
    progress: Progress | None = None,
    engine: str = "auto",
    benchmark: Benchmark | None = None,
    corporate_actions: Sequence[CorporateActionTerms] = (),
) -> BacktestResult:
    """Run ``strategy`` over ``bars`` (the loader's frame) through router, venue and ledger.

    The statistics follow ``config.statistics`` on the instrument's calendar, against
    ``benchmark`` (its closes by bar close time) when given.

    ``engine``: ``event`` (the reference kernel), ``fastpath`` (the integer columnar path; only
    for the runs ``fastpath.is_eligible`` accepts) or ``auto`` (the fast path when eligible and
    it does not give up, else the event kernel; both give identical results).
    ``corporate_actions``: the symbol's splits and dividends, booked on the ledger at the first
    bar of their ex-date as a broker does (ignored for bars already adjusted for them).
    """
    if engine not in _ENGINES:
        raise InvalidInputError(f"engine must be one of {', '.join(_ENGINES)}, got {engine!r}")
    if bars.empty:
        raise DataError("no bars to backtest")
    symbol = instrument.symbol
    timeframe = str(bars.attrs.get("timeframe") or config.timeframe or "1d")
    feed = _BarArrays(bars, symbol, timeframe)
    check_contract_price(config.account, symbol, feed.close_price(0))
    actions = _actions_inside(corporate_actions, feed, bars)
    kernel = build_kernel(
        config,
        {symbol: instrument},
        lambda name, ts: session_close(name, ts),
        corporate_actions={symbol: actions},
    )
    conventions = Conventions.of(
        config.statistics,
        timeframe=timeframe,
        calendar=instrument.calendar,
        session=config.execution.session,
        benchmark=benchmark,
    )
    if isinstance(strategy, BarStrategy):
        if engine == "fastpath":
            raise InvalidInputError("a per-bar strategy runs on the event kernel only")
        driver = _Driver(kernel, feed, config, progress)
        driver.run_per_bar(strategy, bars)
        return driver.result(config, strategy.name, conventions)
    # the reason strings only when read: by the fast path's objects, else filled below
    frame, reasons = (
        strategy.signals_reasons_later(bars)
        if engine != "event"
        else (strategy.signals(bars), None)
    )
    signal_rows = _rows_of(bars.index, frame.index)
    if (signal_rows < 0).any():
        raise DataError(f"strategy {strategy.name} emitted a signal at a time that is not a bar")
    check_causal(strategy, bars, frame)
    # the event kernel asked for by name: the fast path's checks (a pass over the bars) unasked
    eligible = (
        engine != "event"
        and not actions
        and _fast_path_eligible(config, instrument, feed, frame, signal_rows)
    )
    if eligible:
        try:
            fast = fastpath.run_fast_path(
                config,
                instrument,
                feed,
                frame,
                signal_rows,
                strategy.name,
                rejected_signals,
                conventions,
                reasons,
                word_trims=trimmed_at_fill,
                word_refusals=refused_entries,
            )
        except fastpath.FastPathUnsupportedError:
            if engine == "fastpath":
                raise
        else:
            if progress is not None:
                progress(feed.length, feed.length)
            return fast
    elif engine == "fastpath":
        raise InvalidInputError("this run is not eligible for the fast path")
    driver = _Driver(kernel, feed, config, progress)
    driver.run(signal_rows, with_reasons(frame, reasons), strategy.name)
    return driver.result(config, strategy.name, conventions)


def _actions_inside(
    actions: Sequence[CorporateActionTerms], feed: _BarArrays, bars: pd.DataFrame
) -> tuple[CorporateActionTerms, ...]:
    """The actions whose ex-date falls after the first bar's trade date and on or before the
    last one's (none when the bars are adjusted for them already)."""
    if not actions or bars.attrs.get("adjustment"):
        return ()
    first, last = feed.bar(0).ts_close, feed.bar(feed.length - 1).ts_close
    start, end = trade_date(first), trade_date(last)
    return tuple(a for a in actions if a.symbol == feed.symbol and start < a.ex_date <= end)


def _action_rows(
    actions: Sequence[CorporateActionTerms], ts_close_ns: npt.NDArray[np.int64]
) -> list[int]:
    """The row of each ex-date's first bar (the first whose close falls on or after it)."""
    rows = []
    for action in actions:
        midnight = pd.Timestamp(action.ex_date).tz_localize("America/New_York")
        rows.append(int(np.searchsorted(ts_close_ns, midnight.value, side="left")))
    return sorted(rows)


def _session_mark_rows(kernel: TradingKernel, feed: _BarArrays) -> npt.NDArray[np.intp] | None:
    """For each bar, the row whose close marks positions after it: its own inside the trading
    session, the last one inside it before (outside; a bar before any session bar keeps its
    own). None when every bar is inside (or the run knows no session)."""
    session = kernel.session
    if session is None:
        return None
    inside = session.inside_mask(feed.symbol, feed.timeframe, feed.ts_open_ns, feed.ts_close_ns)
    if inside.all():
        return None
    rows = np.arange(feed.length)
    last_inside = np.maximum.accumulate(np.where(inside, rows, -1))
    return np.where(last_inside < 0, rows, last_inside)


def _rows_of(index: pd.Index, labels: pd.Index) -> npt.NDArray[np.intp]:
    """Each label's row in ``index`` (-1 if absent), as ``index.get_indexer(labels)`` gives it;
    for a strictly increasing bar index and signal times of the same dtype, from the nanoseconds
    instead of a hash table of the whole history: first where a regular index would hold each
    label (``_rows_on_the_step``, checked), then by a binary search for the others."""
    if (
        isinstance(index, pd.DatetimeIndex)
        and isinstance(labels, pd.DatetimeIndex)
        and index.dtype == labels.dtype
        and index.is_monotonic_increasing
        and index.is_unique  # known from the monotonic check when strictly increasing
    ):
        stamps, wanted = index.asi8, labels.asi8
        rows = _rows_on_the_step(stamps, wanted)
        missed = np.flatnonzero(rows < 0)
        if missed.size:
            rows[missed] = _searched_rows(stamps, wanted[missed])
        return rows
    found_rows: npt.NDArray[np.intp] = index.get_indexer(labels)
    return found_rows


def _rows_on_the_step(
    stamps: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """The row of each of ``wanted`` in ``stamps`` (strictly increasing) where the first step
    between them, repeated, puts it (a row of bars without gaps), else -1: each guess is
    checked against the stamp there, and strictly increasing stamps hold each value at one row
    at most, so a row found is the row (a guess from a difference that wraps past int64 is
    checked as any other)."""
    step = int(stamps[1]) - int(stamps[0]) if len(stamps) > 1 else 0  # > 0: they increase
    if not 0 < step < 2**63:
        return np.full(len(wanted), -1, dtype=np.intp)
    guess = wanted - stamps[0]
    guess //= step
    np.clip(guess, 0, len(stamps) - 1, out=guess)
    rows: npt.NDArray[np.intp] = guess.astype(np.intp, copy=False)
    rows[stamps[rows] != wanted] = -1
    return rows


def _searched_rows(
    stamps: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64]
) -> npt.NDArray[np.intp]:
    """The row of each of ``wanted`` in ``stamps`` (strictly increasing) by a binary search, -1
    where it is not there."""
    rows = np.searchsorted(stamps, wanted).astype(np.intp)
    inside = rows < len(stamps)
    found = np.zeros(len(wanted), dtype=bool)
    found[inside] = stamps[rows[inside]] == wanted[inside]
    rows[~found] = -1
    return rows


def _fast_path_eligible(
    config: RunConfig,
    instrument: Instrument,
    feed: _BarArrays,
    frame: pd.DataFrame,
    signal_rows: npt.NDArray[np.intp],
) -> bool:
    """Whether the fast path (proven identical to the event kernel) may run this: it knows no
    trading session, so every bar must be inside the one the run trades in, and no quotes."""
    if feed.has_quotes:  # quoted fills and marks run on the event kernel only
        return False
    session = session_rule(config, {feed.symbol: instrument})
    if (
        session is not None
        and not session.inside_mask(
            feed.symbol, feed.timeframe, feed.ts_open_ns, feed.ts_close_ns
        ).all()
    ):
        return False
    return _FAST_PATH_ENABLED and fastpath.is_eligible(
        config,
        instrument,
        frame,
        signal_rows,
        feed.columns,
        lambda: feed.valid,  # decided when asked for: the compiled loops check it themselves
    )


class _Driver:
    """Walks the bars event to event and records the state changes for the equity curve."""

    def __init__(
        self,
        kernel: TradingKernel,
        feed: _BarArrays,
        config: RunConfig,
        progress: Progress | None,
    ) -> None:
        self.kernel = kernel
        kernel.quiet_events()  # the driver reads the books, never the events a bar returns
        self.feed = feed
        self.config = config
        self.progress = progress
        self.changes = ChangePoints(exact=config.risk.daily_loss_limit_percent is not None)
        actions = kernel.corporate_actions.get(feed.symbol, ())
        self._action_rows = _action_rows(actions, feed.ts_close_ns)
        # the bars' marks (mark=mid: the quote mid where a bar has a quote), and the range an
        # order may act in (with quotes, the bid and ask can reach what the trades did not)
        mark_at_mid = kernel.mark_at_mid and feed.has_quotes
        self.mid_marks = mark_at_mid
        self.marks = feed.mid_closes() if mark_at_mid else feed.closes
        # with a trading session, a bar outside it keeps the last mark inside it (Lean marks at
        # the last regular-session trade): the row each bar takes its mark from
        self.mark_rows = _session_mark_rows(kernel, feed)
        if self.mark_rows is not None:
            self.marks = self.marks[self.mark_rows]
        self.highs, self.lows = feed.envelope()
        # views and the blocks' extremes, made once for every search of the run
        self.scan_columns = ScanColumns(self.highs, self.lows, feed.ts_open_ns, indexed=True)
        self._day_first: npt.NDArray[np.int64] | None = None
        if config.risk.daily_loss_limit_percent is not None:
            days = feed.ts_close_ns // 86_400_000_000_000
            starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
            self._day_first = starts[
                np.searchsorted(starts, np.arange(feed.length), side="right") - 1
            ]

    @collector_paused(age=True)
    def run(self, signal_rows: npt.NDArray[np.intp], frame: pd.DataFrame, name: str) -> None:
        """Visit the bars where something can happen, the signals' and the orders', in order.

        The cyclic garbage collector is paused for the loop (as it was after): the kernel's
        orders, fills, events and views hold no reference cycles (a run on generated bars leaves
        no cyclic garbage to collect), and the collector would otherwise walk every object the
        run keeps again and again as they accumulate (10-15% of a bracket run's CPU time).
        Reference counting still frees what is dropped. On the way out the run's objects go to
        the oldest generation: the first collection after would otherwise walk them all."""
        feed, kernel, ledger, orders = (
            self.feed,
            self.kernel,
            self.kernel.ledger,
            self.kernel.orders,
        )
        symbol, n = feed.symbol, feed.length
        max_hold = self.config.risk.max_holding_bars
        # margin and futures accounts are checked against maintenance at every close held
        every_bar_held = self.config.account.kind is not AccountKind.CASH
        columns = _SignalColumns(frame, name, symbol)
        order = np.argsort(signal_rows, kind="stable")
        rows: list[int] = signal_rows[order].tolist()
        positions: list[int] = order.tolist()
        cursor, pointer, next_report = 0, 0, 0
        step = max(n // 100, 1)
        while True:
            next_signal = rows[pointer] if pointer < len(rows) else n
            # the signal's bar, or an earlier one where an open order can act (none: the signal's)
            target = orders.first_actionable_index(
                symbol,
                feed.opens,
                self.highs,
                self.lows,
                feed.ts_open_ns,
                cursor,
                next_signal,
                self.scan_columns,
            )
            if max_hold is not None and symbol in kernel.entry_bar:
                target = min(target, max(kernel.entry_bar[symbol] + max_hold, cursor))
            if self._action_rows and (symbol in ledger.positions or orders.has_open_orders(symbol)):
                target = min(target, self._next_action_row(cursor))
            if every_bar_held and symbol in ledger.positions:
                target = min(target, cursor)
            if target >= n:
                break
            bar = feed.bar(target)
            signals: list[Signal] = []
            while pointer < len(rows) and rows[pointer] == target:
                signals.append(columns.signal(positions[pointer], bar.ts_close))
                pointer += 1
            held = ledger.positions.get(symbol)
            cash_before = ledger.cash
            kernel.on_bar(bar, signals, target, self._day_start_equity(target))
            if ledger.cash != cash_before or ledger.positions.get(symbol) is not held:
                self._record_change(target)
            cursor = target + 1
            if self.progress is not None and target >= next_report:
                self.progress(target, n)
                next_report = target + step
        if self.progress is not None:
            self.progress(n, n)

    def run_per_bar(self, strategy: BarStrategy[Any], bars: pd.DataFrame) -> None:
        """Every bar through the kernel; from the strategy's warm-up on, it decides at each
        close after the bar's resting orders were matched (as a paper portfolio's tick does).
        Its state lives in memory for the run."""
        feed, kernel, ledger = self.feed, self.kernel, self.kernel.ledger
        symbol, n = feed.symbol, feed.length
        state: Mapping[str, Any] = {}
        step = max(n // 100, 1)
        for row in range(n):
            bar = feed.bar(row)
            held = ledger.positions.get(symbol)
            cash_before = ledger.cash
            day_start = self._day_start_equity(row)
            kernel.on_bar(bar, (), row, day_start)
            if row >= strategy.warmup:
                _, changed = decide(
                    kernel, strategy, bars.iloc[: row + 1], bar, row, state, day_start
                )
                if changed is not None:
                    state = changed
            if ledger.cash != cash_before or ledger.positions.get(symbol) is not held:
                self._record_change(row)
            if self.progress is not None and row % step == 0:
                self.progress(row, n)
        if self.progress is not None:
            self.progress(n, n)

    def _next_action_row(self, cursor: int) -> int:
        """The first ex-date bar at or after ``cursor`` (past the end: none)."""
        index = bisect_right(self._action_rows, cursor - 1)
        return self._action_rows[index] if index < len(self._action_rows) else self.feed.length

    def _record_change(self, row: int) -> None:
        # equity = intercept + slope x close (cash + quantity x close in a cash account); the
        # terms unpacked, not starred: compiled, a starred call goes through the Python entry
        intercept, slope = self.kernel.ledger.equity_terms(self.feed.symbol)
        self.changes.record(row, intercept, slope)

    def _day_start_equity(self, row: int) -> Decimal | None:
        if self._day_first is None:
            return None
        first = int(self._day_first[row])
        if first == 0:
            return self.kernel.ledger.starting_cash
        held = self.changes.exact_before(first)
        if held is None:
            return self.kernel.ledger.starting_cash
        cash, quantity = held
        return cash + quantity * self._mark(first - 1)

    def _mark(self, row: int) -> Decimal:
        """The exact price the position marks at after bar ``row`` (its close, exact on an
        adjusted series, or with mark=mid its quote's mid; outside the session, the last bar's
        inside it)."""
        if self.mark_rows is not None:
            row = int(self.mark_rows[row])
        if not self.mid_marks:
            return self.feed.close_price(row)
        return self.kernel.mark_price(self.feed.bar(row))

    def equity_arrays(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
        return self.changes.equity(float(self.kernel.ledger.starting_cash), self.marks)

    def result(
        self, config: RunConfig, name: str, conventions: Conventions | None = None
    ) -> BacktestResult:
        feed, kernel, ledger = self.feed, self.kernel, self.kernel.ledger
        last_mark = self._mark(feed.length - 1)
        final_equity = ledger.equity({feed.symbol: last_mark})
        ledger.check_invariants()
        # the run is over: the book's indexes go first, its orders are put in order on first read
        orders = Deferred(kernel.orders.hand_over_later())
        equity, in_market = self.equity_arrays()
        return assemble_result(
            config,
            symbol=feed.symbol,
            timeframe=feed.timeframe,
            ts_close_ns=feed.ts_close_ns,
            close_index=feed.close_index(),
            closes=feed.closes,
            equity=equity,
            in_market=in_market,
            final_equity=final_equity,
            final_cash=ledger.free_cash({feed.symbol: last_mark}),
            trades=ledger.trades,
            fills=ledger.fills,
            orders=orders,
            rejections=kernel.rejections,
            fees=float(ledger.fees),
            ambiguous_bars=kernel.venue.ambiguous_bars,
            signals=kernel.signals_seen,
            conventions=conventions,
            last_close=last_mark,
            adjustments=kernel.adjustments,
            account_events=sorted(
                (*kernel.margin_calls, *kernel.overdrafts), key=lambda event: event.ts_event
            ),
            **self._split_terms(),
        )

    def _split_terms(self) -> dict[str, Any]:
        """For a run that booked splits: the ledger's final positions (the fills alone give the
        old share count) and split-adjusted closes for the buy-and-hold benchmark."""
        actions = self.kernel.corporate_actions.get(self.feed.symbol, ())
        splits = [a for a in actions if a.kind == "split"]
        if not splits:
            return {}
        closes = np.array(self.feed.closes, dtype=np.float64)
        for action, row in zip(actions, _action_rows(actions, self.feed.ts_close_ns), strict=True):
            if action.kind == "split":
                closes[:row] *= action.shares_before / action.shares_after
        positions = tuple(self.kernel.ledger.positions.values())
        return {"benchmark_closes": closes, "final_positions": positions}
