"""The live paper runner: one tick = one candle of one symbol, in ONE transaction.

A tick locks the portfolio, finds the next candle to process (the latest closed candle on the
clock, or the next one of a replay), restores the portfolio into the trading kernel, feeds the
strategies the history up to that candle, lets the kernel match resting orders and route the
signals, and writes signals, orders, fills, positions, cash, the equity snapshot, the audit entries
and the tick record together. The tick record's unique key (portfolio, strategy, symbol, candle)
and the portfolio lock make a repeated or concurrent tick a no-op that says so. After downtime
``tick`` walks every missed candle in order, one transaction each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

import pandas as pd

from paperdesk.analysis.strategies.base import to_signals
from paperdesk.analysis.strategies.registry import create_strategy, create_vectorised_strategy
from paperdesk.config import RunConfig, StrategySpec
from paperdesk.domain import Bar, InvalidInputError, Order, Signal
from paperdesk.live.audit import audit_row
from paperdesk.live.reports import CandleTick, SignalOutcome, TickStatus
from paperdesk.live.sources import (
    CandleSource,
    Clock,
    WallClock,
    bar_at,
    bar_index_at,
    last_closed_index,
)
from paperdesk.live.state import (
    RestoredPortfolio,
    equity_snapshot,
    place_in_history,
    restore,
    save,
)
from paperdesk.routing import RoutingDecision
from paperdesk.store import Database, DuplicateTickError, LedgerRepository
from paperdesk.store.models import MarketCursorRow, SignalRow, TickRunRow

Failpoint = Callable[[str], None]
FAILPOINTS = ("after-signal", "after-fill", "before-commit")


def _no_failpoint(stage: str) -> None:
    return None


class LiveRunner:
    def __init__(
        self,
        database: Database,
        *,
        source: CandleSource | None = None,
        clock: Clock | None = None,
        failpoint: Failpoint = _no_failpoint,
    ) -> None:
        self.database = database
        self.source = source or CandleSource()
        self.clock = clock or WallClock()
        self.failpoint = failpoint

    def tick(
        self,
        portfolio_id: int,
        symbol: str,
        *,
        strategies: Sequence[str] | None = None,
        dry_run: bool = False,
        catch_up: bool = True,
    ) -> list[CandleTick]:
        """Process the next candle (and, catching up, every further missed one)."""
        ticks: list[CandleTick] = []
        while True:
            tick = self._tick_once(portfolio_id, symbol, strategies, dry_run)
            ticks.append(tick)
            if dry_run or not catch_up or not tick.processed or tick.behind == 0:
                break
        return ticks

    def _tick_once(
        self, portfolio_id: int, symbol: str, strategies: Sequence[str] | None, dry_run: bool
    ) -> CandleTick:
        transaction = self.database.dry_transaction if dry_run else self.database.transaction
        try:
            with transaction() as repository:
                return self._process(repository, portfolio_id, symbol, strategies, dry_run)
        except DuplicateTickError:
            return CandleTick(
                portfolio_id,
                symbol,
                TickStatus.ALREADY_PROCESSED,
                "another tick recorded this candle first; nothing changed",
            )

    # --------------------------------------------------------------------------- one tick

    def _process(
        self,
        repository: LedgerRepository,
        portfolio_id: int,
        symbol: str,
        strategy_names: Sequence[str] | None,
        dry_run: bool,
    ) -> CandleTick:
        state = restore(repository, portfolio_id, (symbol,))
        settings = state.settings
        if settings.symbols and symbol not in settings.symbols:
            watched = ", ".join(settings.symbols)
            raise InvalidInputError(f"portfolio {portfolio_id} does not watch {symbol} ({watched})")
        specs = _chosen(settings, strategy_names)
        history = self.source.history(symbol, settings.bar_timeframe, settings.source)
        cursor = repository.cursor(portfolio_id, symbol)
        plan = self._plan(repository, settings, history, cursor, specs, portfolio_id, symbol)
        if isinstance(plan, CandleTick):
            return plan
        target, late, pending, behind = plan
        place_in_history(state, repository, symbol, history)
        bar = bar_at(history, target)
        signals = _signals(history, target, bar, pending)
        self.failpoint("after-signal")
        kernel = state.kernel
        if late:
            events = kernel.route_late(
                bar, signals, target, self._day_start(repository, state, bar)
            )
        else:
            events = kernel.on_bar(bar, signals, target, self._day_start(repository, state, bar))
        self.failpoint("after-fill")
        recorded_at = datetime.now(UTC)
        runs = [
            TickRunRow(
                portfolio_id=portfolio_id,
                strategy=spec.name,
                symbol=symbol,
                timeframe=settings.bar_timeframe,
                candle_at=bar.ts_open,
                candle_close_at=bar.ts_close,
                outcome=_outcome(spec.name, kernel.decisions or []),
                summary=_summary(spec.name, kernel.decisions or []),
                recorded_at=recorded_at,
            )
            for spec in pending
        ]
        if not late and cursor is not None and cursor.candle_at is not None:
            runs.extend(self._skipped(repository, state, cursor, recorded_at))
        repository.add_all(runs)
        repository.flush()  # a concurrent duplicate fails here, before anything else is written
        tick_id = runs[0].id
        for decision in kernel.decisions or []:
            signal = decision.signal
            repository.add(
                SignalRow(
                    portfolio_id=portfolio_id,
                    tick_id=tick_id,
                    strategy=signal.strategy,
                    symbol=signal.symbol,
                    candle_at=bar.ts_open,
                    bar_index=target,
                    direction=int(signal.direction),
                    confidence=signal.confidence,
                    stop=signal.stop,
                    target=signal.target,
                    reason=signal.reason,
                    status="accepted" if decision.rejection is None else "rejected",
                    rejection=decision.rejection,
                )
            )
        save(repository, state, events, bar.ts_close, recorded_at=recorded_at, tick_id=tick_id)
        self._advance(repository, cursor, state, bar, target, late, settings)
        message = _tick_message(bar, pending, kernel.decisions or [], late)
        repository.add(
            audit_row(
                portfolio_id,
                "tick",
                message,
                bar.ts_close,
                recorded_at,
                {"symbol": symbol, "strategies": [s.name for s in pending]},
                tick_id,
            )
        )
        self.failpoint("before-commit")
        return _report(state, bar, pending, message, dry_run, behind)

    def _plan(
        self,
        repository: LedgerRepository,
        settings: RunConfig,
        history: pd.DataFrame,
        cursor: MarketCursorRow | None,
        specs: list[StrategySpec],
        portfolio_id: int,
        symbol: str,
    ) -> tuple[int, bool, list[StrategySpec], int] | CandleTick:
        """(candle index, late, strategies to run, closed candles after it), or the report of why
        there is nothing to do."""
        names = tuple(spec.name for spec in specs)
        if cursor is not None and cursor.candle_at is not None:
            # located by time: the history may have been re-imported since (other row numbers)
            current = bar_index_at(history, cursor.candle_at)
            still_there = current >= 0 and history.index[current] == pd.Timestamp(cursor.candle_at)
            done = repository.ticked_strategies(portfolio_id, symbol, cursor.candle_at)
            missing = [spec for spec in specs if spec.name not in done]
            if missing and still_there:
                return current, True, missing, 0
            following = current + 1
        else:
            following = self._first_index(settings, history)
            current = following - 1
        if settings.source.kind == "replay":
            if following >= len(history):
                return CandleTick(
                    portfolio_id,
                    symbol,
                    TickStatus.REPLAY_FINISHED,
                    f"the replay of {symbol} has served all {len(history)} candles",
                    names,
                )
            return following, False, specs, 0
        latest = last_closed_index(history, self.clock.now())
        if latest < 0:
            return CandleTick(
                portfolio_id, symbol, TickStatus.NO_NEW_CANDLE, f"no {symbol} candle has closed yet"
            )
        if cursor is None or cursor.candle_at is None:
            return latest, False, specs, 0  # a new watch starts at the latest closed candle
        if following > latest:
            closed = history.index[current].isoformat()
            return CandleTick(
                portfolio_id,
                symbol,
                TickStatus.ALREADY_PROCESSED,
                f"candle {closed} of {symbol} was already processed for "
                f"{', '.join(names)}; nothing changed",
                names,
            )
        return following, False, specs, latest - following

    def _first_index(self, settings: RunConfig, history: pd.DataFrame) -> int:
        """Where a replay starts: the first candle on or after ``replay_from``, else after the
        strategies' warm-up."""
        start = settings.source.replay_from
        if start is not None:
            return int(history.index.searchsorted(pd.Timestamp(start, tz="UTC"), side="left"))
        warmup = max(
            int(create_strategy(spec.name, spec.params).warmup) for spec in settings.strategies
        )
        return min(warmup + 1, len(history) - 1)

    def _day_start(
        self, repository: LedgerRepository, state: RestoredPortfolio, bar: Bar
    ) -> Decimal | None:
        """The equity the daily loss limit measures from: the last before the candle's day."""
        if state.settings.risk.daily_loss_limit_percent is None:
            return None
        midnight = bar.ts_close.replace(hour=0, minute=0, second=0, microsecond=0)
        before = repository.equity_before(state.portfolio_id, midnight)
        return state.row.starting_cash if before is None else before

    def _skipped(
        self,
        repository: LedgerRepository,
        state: RestoredPortfolio,
        cursor: MarketCursorRow,
        recorded_at: datetime,
    ) -> list[TickRunRow]:
        """Strategies of the portfolio that never ran on the candle being left behind (the ticks
        were limited to other strategies): recorded as skipped, so no candle goes unaccounted."""
        assert cursor.candle_at is not None
        assert cursor.candle_close_at is not None
        done = repository.ticked_strategies(state.portfolio_id, cursor.symbol, cursor.candle_at)
        return [
            TickRunRow(
                portfolio_id=state.portfolio_id,
                strategy=spec.name,
                symbol=cursor.symbol,
                timeframe=state.settings.bar_timeframe,
                candle_at=cursor.candle_at,
                candle_close_at=cursor.candle_close_at,
                outcome="skipped",
                summary="not analysed: the ticks of this candle ran other strategies only",
                recorded_at=recorded_at,
            )
            for spec in state.settings.strategies
            if spec.name not in done
        ]

    def _advance(
        self,
        repository: LedgerRepository,
        cursor: MarketCursorRow | None,
        state: RestoredPortfolio,
        bar: Bar,
        index: int,
        late: bool,
        settings: RunConfig,
    ) -> None:
        if cursor is None:
            cursor = MarketCursorRow(
                portfolio_id=state.portfolio_id, symbol=bar.symbol, timeframe=settings.bar_timeframe
            )
            repository.add(cursor)
        if not late:
            cursor.candle_at, cursor.candle_close_at, cursor.bar_index = (
                bar.ts_open,
                bar.ts_close,
                index,
            )
        cursor.last_price = bar.close
        if settings.source.kind == "replay":
            cursor.replay_index = index


def _chosen(settings: RunConfig, names: Sequence[str] | None) -> list[StrategySpec]:
    if not names:
        return list(settings.strategies)
    return [settings.strategy_spec(name) for name in dict.fromkeys(names)]


def _signals(
    history: pd.DataFrame, index: int, bar: Bar, specs: Sequence[StrategySpec]
) -> list[Signal]:
    """Each strategy's signals for candle ``index``, computed from the candles up to it."""
    visible = history.iloc[: index + 1]
    label = history.index[index]
    signals: list[Signal] = []
    for spec in specs:
        strategy = create_vectorised_strategy(spec.name, spec.params)
        frame = strategy.signals(visible)
        rows = frame[frame.index == label]
        signals.extend(
            s._replace(ts=bar.ts_close) for s in to_signals(rows, strategy.name, bar.symbol)
        )
    return signals


def _outcome(strategy: str, decisions: Sequence[RoutingDecision]) -> str:
    mine = [d for d in decisions if d.signal.strategy == strategy]
    if not mine:
        return "neutral"
    if all(d.rejection is not None for d in mine):
        return "rejected"
    return "signal"


def _summary(strategy: str, decisions: Sequence[RoutingDecision]) -> str:
    mine = [d for d in decisions if d.signal.strategy == strategy]
    if not mine:
        return "no signal (neutral)"
    parts = []
    for decision in mine:
        signal = decision.signal
        verdict = "accepted" if decision.rejection is None else f"rejected: {decision.rejection}"
        parts.append(f"{signal.direction.name.lower()} signal {verdict}")
    return "; ".join(parts)


def _tick_message(
    bar: Bar, specs: Sequence[StrategySpec], decisions: Sequence[RoutingDecision], late: bool
) -> str:
    summaries = ", ".join(f"{s.name}: {_summary(s.name, decisions)}" for s in specs)
    late_note = " (orders already matched on this candle)" if late else ""
    return (
        f"{bar.symbol} candle {bar.ts_open.isoformat()} close {bar.close}{late_note}: {summaries}"
    )


def _report(
    state: RestoredPortfolio,
    bar: Bar,
    specs: Sequence[StrategySpec],
    message: str,
    dry_run: bool,
    behind: int,
) -> CandleTick:
    kernel = state.kernel
    snapshot = equity_snapshot(state, bar.ts_close, None)
    changed: dict[str, Order] = {}
    for order in kernel.orders.all_orders():
        if state.orders_before.get(order.order_id) != order:
            changed[order.order_id] = order
    outcomes = tuple(
        SignalOutcome(
            d.signal.strategy,
            int(d.signal.direction),
            d.signal.confidence,
            d.signal.reason,
            d.rejection is None,
            d.rejection,
        )
        for d in kernel.decisions or []
    )
    return CandleTick(
        portfolio_id=state.portfolio_id,
        symbol=bar.symbol,
        status=TickStatus.PROCESSED,
        message=("DRY RUN (nothing written): " if dry_run else "") + message,
        strategies=tuple(spec.name for spec in specs),
        candle_at=bar.ts_open,
        candle_close_at=bar.ts_close,
        close=bar.close,
        signals=outcomes,
        orders=tuple(changed.values()),
        fills=tuple(kernel.ledger.fills[state.fills_before :]),
        cash=snapshot.cash,
        equity=snapshot.equity,
        dry_run=dry_run,
        behind=behind,
    )
