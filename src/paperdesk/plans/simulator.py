"""The intraday simulator (issue 13 item 5, seed 002): each plan row walked over real candles
with the engine's own fill rules, to say how the planned trade would have ended.

Pure: the candles (and any finer bars) are passed in, nothing is read or written. For each row:

1. **Entry.** The first candle opening at or after ``entry_datetime`` (none: ``NO_DATA``). A
   limit entry is a DAY order filled by ``execution.fills.limit_fill_price`` (at the candle's
   open when it opens through the limit, else at the limit when it trades through it; not
   reached by the session's close: ``NOT_FILLED``); a market entry fills at that candle's open
   plus slippage. A candle is used only from its open on: nothing before the entry time counts.
2. **Exits**, candle by candle, from the entry candle when the entry filled at its open (the
   whole candle came after it), else from the next one, as the engine activates bracket legs:
   take-profit and stop-loss by ``execution.fills.bracket_exit`` (a gap through the stop fills
   at the open; both inside one candle: the stop-loss, unless the candle opened through the
   target, or the finer bars inside it say otherwise); the stop-loss pays slippage, the
   take-profit (a limit) does not. Under a spread (a forex pair, ``--spread-pips``) and no
   quote, limits (the limit entry, the take-profit) trade the ask (buys) or the bid (sells) and
   market-like fills pay the half spread as slippage, as in the engine's venue. Then, at a
   candle's close: ``EOD`` in INTRADAY mode at the session's last candle (the calendar's
   close), ``TIMEOUT`` at the last candle closing within the maximum hold. Both are
   market-on-close exits known before the candle opens (a time, not a price), filled at its
   close plus slippage, as the engine's ``fill_at_close``.
3. **P&L**: ``(exit - entry) x qty x multiplier`` (a short the other way) minus the fee of
   each fill (the run's fee model), exact.

A plan's candles run out before the trade ends: ``NO_DATA``, saying where the data stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from paperdesk.domain import Bar, Instrument, InvalidInputError, OrderRole, Side
from paperdesk.execution.expiry import day_order_expiry
from paperdesk.execution.fills import BracketExit, bracket_exit, limit_fill_price, side_bar
from paperdesk.execution.orders_from_intents import levels_on_the_tick
from paperdesk.execution.slippage import spread_of
from paperdesk.plans.rows import PlanRow
from paperdesk.plans.same_candle import BarSeries, decide_from_finer_bars
from paperdesk.plans.settings import EntryType, hold_deadline
from paperdesk.plans.sim_results import (
    Outcome,
    Resolution,
    SimulatedTrade,
    SimulationResult,
    SimulationSummary,
)
from paperdesk.plans.sim_rules import SimulationRules

_SECONDS_PER_HOUR = Decimal(3600)
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class _Entry:
    index: int  # the candle it filled in
    price: Decimal
    at_open: bool  # filled at the candle's open: its exits may trade on the same candle


def simulate_plan(
    rows: Iterable[PlanRow],
    candles: Mapping[str, Sequence[Bar]],
    rules: SimulationRules | None = None,
    finer: Mapping[str, Sequence[Bar]] | None = None,
) -> SimulationResult:
    """Simulate every row of a plan over ``candles`` (per ticker, oldest first; for US
    equities the regular-session candles, as a backtest trades them); ``finer`` bars per ticker
    (e.g. 1m under 1h) decide candles touching both levels. See the module docstring."""
    rules = rules or SimulationRules()
    series = {ticker: BarSeries.of(bars) for ticker, bars in candles.items()}
    finer_series = {ticker: BarSeries.of(bars) for ticker, bars in (finer or {}).items()}
    trades = tuple(
        simulate_row(row, series.get(row.ticker), rules, finer_series.get(row.ticker))
        for row in rows
    )
    return SimulationResult(trades, SimulationSummary.of(trades))


def simulate_row(
    row: PlanRow,
    candles: BarSeries | None,
    rules: SimulationRules,
    finer: BarSeries | None = None,
) -> SimulatedTrade:
    """One row over its ticker's candles (None: none held), see ``simulate_plan``."""
    _check_levels(row)
    start = row.entry_datetime or rules.default_entry_time
    if start is None:
        return _not_opened(row, Outcome.NO_DATA, "no entry_datetime and no plan date to enter on")
    if candles is None or not candles.bars:
        return _not_opened(row, Outcome.NO_DATA, f"no candles for {row.ticker}")
    first = candles.first_at_or_after(start)
    if first == len(candles.bars):
        last = candles.bars[-1]
        return _not_opened(
            row,
            Outcome.NO_DATA,
            f"no candle opens at or after {start.isoformat()} (the {row.ticker} candles end "
            f"{last.ts_close.isoformat()})",
        )
    instrument = rules.instrument(row.ticker)
    row = _legs_on_the_tick(row, instrument)
    entry = _enter(row, candles.bars, first, start, instrument, rules)
    if isinstance(entry, SimulatedTrade):
        return entry
    return _walk(row, candles.bars, entry, instrument, rules, finer)


def _legs_on_the_tick(row: PlanRow, instrument: Instrument) -> PlanRow:
    """``row`` with its stop-loss and take-profit rounded to the tick against the trader, the
    prices the engine gives a bracket's legs (``levels_on_the_tick``): a level quoted off the tick
    (a half pip of a forex mid price) triggers and fills where the engine's leg would."""
    stop, target = levels_on_the_tick(row.side, row.stop_loss, row.take_profit, instrument)
    if (stop, target) == (row.stop_loss, row.take_profit):
        return row
    return replace(row, stop_loss=stop, take_profit=target)


def _enter(
    row: PlanRow,
    bars: Sequence[Bar],
    first: int,
    start: datetime,
    instrument: Instrument,
    rules: SimulationRules,
) -> _Entry | SimulatedTrade:
    side = row.side
    if rules.entry is EntryType.MARKET:
        bar = bars[first]
        raw = side_bar(bar, side).open
        return _Entry(first, _taker_price(raw, side, bar, instrument, rules), True)
    expiry = day_order_expiry(instrument.calendar, start, rules.session_close)
    for index in range(first, len(bars)):
        bar = bars[index]
        if bar.ts_open >= expiry:
            return _not_opened(
                row,
                Outcome.NOT_FILLED,
                f"limit {row.entry_price} not reached before the session closed "
                f"{expiry.isoformat()}",
            )
        traded = _limit_bar(bar, side, instrument, rules)
        price = limit_fill_price(side, row.entry_price, traded)
        if price is not None:
            return _Entry(index, price, price == traded.open)
    return _not_opened(
        row,
        Outcome.NO_DATA,
        f"limit {row.entry_price} not reached and the {row.ticker} candles end "
        f"{bars[-1].ts_close.isoformat()}, before the session's close {expiry.isoformat()}",
    )


def _walk(
    row: PlanRow,
    bars: Sequence[Bar],
    entry: _Entry,
    instrument: Instrument,
    rules: SimulationRules,
    finer: BarSeries | None,
) -> SimulatedTrade:
    exit_side = Side.SELL if row.side is Side.BUY else Side.BUY
    entry_time = bars[entry.index].ts_open
    hold_days = row.max_hold_days if row.max_hold_days is not None else rules.max_hold_days
    deadline = hold_deadline(entry_time, hold_days)
    day_close = (
        rules.session_close(instrument.calendar, entry_time) if rules.end_of_day_close else None
    )
    opened = _Opened(row, entry_time, entry.price, instrument, rules)
    first_exit = entry.index if entry.at_open else entry.index + 1
    for index in range(entry.index, len(bars)):
        bar = bars[index]
        if index >= first_exit:
            traded = side_bar(bar, exit_side)
            target_bar = _limit_bar(bar, exit_side, instrument, rules)
            decided = bracket_exit(
                exit_side, row.stop_loss, row.take_profit, traded,
                None if target_bar is traded else target_bar,
            )  # fmt: skip
            if decided is not None:
                return _bracket_trade(opened, bar, decided, exit_side, finer)
        following = bars[index + 1] if index + 1 < len(bars) else None
        if day_close is not None and (
            bar.ts_close >= day_close or (following is not None and following.ts_open >= day_close)
        ):
            return opened.closed_at_close(
                bar, Outcome.END_OF_DAY, f"INTRADAY: closed at the session's last candle close "
                f"(session close {day_close.isoformat()})",
            )  # fmt: skip
        if bar.ts_close >= deadline or (following is not None and following.ts_close > deadline):
            return opened.closed_at_close(
                bar, Outcome.TIMEOUT, f"max hold {hold_days} days reached: the last candle "
                f"closing by {deadline.isoformat()}",
            )  # fmt: skip
    return opened.unfinished(bars[-1])


def _bracket_trade(
    opened: _Opened,
    candle: Bar,
    decided: BracketExit,
    exit_side: Side,
    finer: BarSeries | None,
) -> SimulatedTrade:
    """The take-profit or stop-loss exit on ``candle``, resolved from finer bars when both
    levels were inside it."""
    row = opened.row
    if not decided.ambiguous:
        return opened.closed_by_leg(candle, decided, Resolution.NONE, "")
    if finer is None:
        return _by_priority(opened, candle, decided, exit_side, "no finer bars given")
    finding = decide_from_finer_bars(
        candle, finer, exit_side, row.stop_loss, row.take_profit,
        lambda bar: _limit_bar(bar, exit_side, opened.instrument, opened.rules),
    )  # fmt: skip
    if finding.exit is None or finding.bar is None:
        return _by_priority(opened, candle, decided, exit_side, finding.detail)
    return opened.closed_by_leg(
        finding.bar, finding.exit, Resolution.LOWER_TIMEFRAME, finding.detail
    )


def _by_priority(
    opened: _Opened, candle: Bar, decided: BracketExit, exit_side: Side, detail: str
) -> SimulatedTrade:
    """An undecided same-candle exit by the rules' priority: the stop-loss the engine's rule
    took (``decided``), or, with ``stop_loss_first`` off, the take-profit at its limit fill."""
    if opened.rules.stop_loss_first or opened.row.take_profit is None:
        return opened.closed_by_leg(candle, decided, Resolution.STOP_LOSS_FIRST, detail)
    limit_bar = _limit_bar(candle, exit_side, opened.instrument, opened.rules)
    price = limit_fill_price(exit_side, opened.row.take_profit, limit_bar)
    assert price is not None  # the candle touched the take-profit: that made it ambiguous
    target = BracketExit(OrderRole.TAKE_PROFIT, price, True)
    return opened.closed_by_leg(candle, target, Resolution.TAKE_PROFIT_FIRST, detail)


@dataclass(frozen=True, slots=True)
class _Opened:
    """A filled entry, and the trades it can end as."""

    row: PlanRow
    entry_time: datetime
    entry_price: Decimal
    instrument: Instrument
    rules: SimulationRules

    def closed_by_leg(
        self, bar: Bar, decided: BracketExit, resolution: Resolution, detail: str
    ) -> SimulatedTrade:
        exit_side = Side.SELL if self.row.side is Side.BUY else Side.BUY
        if decided.leg is OrderRole.STOP_LOSS:
            outcome = Outcome.STOP_LOSS
            price = _taker_price(decided.price, exit_side, bar, self.instrument, self.rules)
            said = f"stop-loss {self.row.stop_loss}"
        else:
            outcome, price = Outcome.TAKE_PROFIT, decided.price
            said = f"take-profit {self.row.take_profit}"
        opened_at = bar.open
        if outcome is Outcome.TAKE_PROFIT:  # a limit: the side it trades under a spread
            opened_at = _limit_bar(bar, exit_side, self.instrument, self.rules).open
        gapped = " (the candle opened through it)" if decided.price == opened_at else ""
        reason = f"{said} hit{gapped}"
        if resolution is Resolution.LOWER_TIMEFRAME:
            reason = f"both levels inside one candle; {said} first: {detail}"
        elif resolution is Resolution.STOP_LOSS_FIRST:
            reason = f"both levels inside one candle; stop-loss first by rule ({detail})"
        elif resolution is Resolution.TAKE_PROFIT_FIRST:
            reason = (
                "both levels inside one candle; take-profit first (stop-loss priority off: "
                f"{detail})"
            )
        return self._trade(outcome, reason, bar.ts_open, price, resolution)

    def closed_at_close(self, bar: Bar, outcome: Outcome, reason: str) -> SimulatedTrade:
        exit_side = Side.SELL if self.row.side is Side.BUY else Side.BUY
        raw = side_bar(bar, exit_side).close
        price = _taker_price(raw, exit_side, bar, self.instrument, self.rules)
        return self._trade(outcome, reason, bar.ts_close, price, Resolution.NONE)

    def unfinished(self, last: Bar) -> SimulatedTrade:
        row = self.row
        fee = self.rules.costs.fees.fee(row.qty, self.entry_price, self.instrument)
        return SimulatedTrade(
            row.row, row.ticker, row.side, row.qty, Outcome.NO_DATA,
            f"the {row.ticker} candles end {last.ts_close.isoformat()} with the trade still "
            "open",
            row.take_profit, row.stop_loss, self.entry_time, self.entry_price, entry_fee=fee,
        )  # fmt: skip

    def _trade(
        self,
        outcome: Outcome,
        reason: str,
        exit_time: datetime,
        exit_price: Decimal,
        resolution: Resolution,
    ) -> SimulatedTrade:
        row, fees, instrument = self.row, self.rules.costs.fees, self.instrument
        entry_fee = fees.fee(row.qty, self.entry_price, instrument)
        exit_fee = fees.fee(row.qty, exit_price, instrument)
        gross = (exit_price - self.entry_price) * row.qty * instrument.multiplier * row.side.sign
        seconds = Decimal(int((exit_time - self.entry_time).total_seconds()))
        return SimulatedTrade(
            row.row, row.ticker, row.side, row.qty, outcome, reason, row.take_profit,
            row.stop_loss, self.entry_time, self.entry_price, exit_time, exit_price, entry_fee,
            exit_fee, gross, gross - entry_fee - exit_fee,
            (seconds / _SECONDS_PER_HOUR).quantize(_HUNDREDTH),
            resolution is not Resolution.NONE, resolution,
        )  # fmt: skip


def _taker_price(
    raw: Decimal, side: Side, bar: Bar, instrument: Instrument, rules: SimulationRules
) -> Decimal:
    """A market-like fill's price, as the venue's: slippage on a trade price; a quoted price
    has the spread in it already and pays none."""
    if bar.quote is not None:
        return raw
    return rules.costs.slippage.adjust(raw, side, instrument)


def _limit_bar(bar: Bar, side: Side, instrument: Instrument, rules: SimulationRules) -> Bar:
    """The prices a limit of ``side`` triggers and fills against, as the venue's: a quoted
    bar's side; under a spread (``--spread-pips``, a forex pair) the ask OHLC for a buy or the
    bid for a sell (``HalfSpread.side_bar``); else the bar's own prices."""
    if bar.quote is not None:
        return side_bar(bar, side)
    spread = spread_of(rules.costs.slippage, instrument)
    return bar if spread is None else spread.side_bar(bar, side, instrument)


def _not_opened(row: PlanRow, outcome: Outcome, reason: str) -> SimulatedTrade:
    return SimulatedTrade(
        row.row, row.ticker, row.side, row.qty, outcome, reason, row.take_profit, row.stop_loss
    )


def _check_levels(row: PlanRow) -> None:
    """A stop-loss on the profit side (or a target on the loss side) is a bad row: the plan
    reader refuses it; a row built by hand is refused here, naming row and field."""
    long = row.side is Side.BUY
    stop, target = row.stop_loss, row.take_profit
    if stop is not None and target is not None and (stop >= target if long else stop <= target):
        side = "long" if long else "short"
        relation = "below" if long else "above"
        raise InvalidInputError(
            f"row {row.row} ({row.ticker}): stop_loss {stop} must be {relation} take_profit "
            f"{target} for a {side}"
        )
