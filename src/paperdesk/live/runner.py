"""The live paper runner: one tick = one bar of one symbol, in ONE transaction.

A tick locks the portfolio, finds the next bar to process (the latest closed bar on the
clock, or the next one of a replay), restores the portfolio into the trading kernel, feeds the
strategies the history up to that bar, lets the kernel match resting orders and route the
signals, and writes signals, orders, fills, positions, cash, the equity snapshot, the audit entries
and the tick record together. The tick record's unique key (portfolio, strategy, symbol, bar)
and the portfolio lock make a repeated or concurrent tick a no-op that says so. After downtime
``tick`` walks every missed bar in order, one transaction each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pandas as pd

from paperdesk.analysis.strategies.base import Strategy, to_signals
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.config import RunConfig, StrategySpec
from paperdesk.domain import (
    Bar,
    Event,
    InvalidInputError,
    Order,
    OrderEvent,
    OrderFilled,
    Signal,
    SignalAccepted,
    SignalRejected,
)
from paperdesk.domain.instruments import Instrument
from paperdesk.domain.price_forms import plain_form, tick_form
from paperdesk.domain.records import CursorRecord
from paperdesk.domain.suggestions import did_you_mean
from paperdesk.domain.ticks import DRY_RUN, BarTick, SignalOutcome, TickStatus
from paperdesk.engine.per_bar import decide
from paperdesk.engine.strategies import AnyStrategy, run_strategies
from paperdesk.live import replay
from paperdesk.live.day_start import day_start_equity
from paperdesk.live.restore import RestoredPortfolio, persist, place_in_history, restore
from paperdesk.live.signal_cache import SignalCache, signal_cache
from paperdesk.live.sources import (
    BarSource,
    Clock,
    WallClock,
    bar_at,
    bar_index_at,
    last_closed_index,
)
from paperdesk.live.state_cache import state_cache
from paperdesk.live.tick_memory import TickFacts, TickMemory, tick_memory
from paperdesk.store import BarContext, Database, DuplicateTickError, LedgerRepository, TickRun

Failpoint = Callable[[str], None]
FAILPOINTS = ("after-signal", "after-fill", "before-commit")  # inside the tick's transaction
# "before-lock" is also called, before the transaction: where the tick has noted the last
# served bar (tests hold racing ticks there)


def _no_failpoint(stage: str) -> None:
    return None


_BUILT_CAPACITY = 1024  # portfolios whose strategies a runner keeps built


class _Unread:
    """The last served bar was not read by the caller (the runner reads it)."""


UNREAD = _Unread()


class LiveRunner:
    def __init__(
        self,
        database: Database,
        *,
        source: BarSource | None = None,
        clock: Clock | None = None,
        failpoint: Failpoint = _no_failpoint,
    ) -> None:
        self.database = database
        self.source = source or BarSource()
        self.clock = clock or WallClock()
        self.failpoint = failpoint
        # each portfolio's strategies, built from the settings object they were built from: a
        # portfolio restored from this process's state cache keeps that object between ticks
        self._built: dict[int, tuple[RunConfig, dict[str, AnyStrategy]]] = {}

    def tick(
        self,
        portfolio_id: int,
        symbol: str,
        *,
        strategies: Sequence[str] | None = None,
        dry_run: bool = False,
        catch_up: bool = True,
        seen: datetime | _Unread | None = UNREAD,
    ) -> list[BarTick]:
        """Process the next bar (and, catching up, every further missed one). ``seen``: the
        last bar processed for ``symbol`` as the caller just read it, before any lock (read
        here when not given; each further bar of a catch-up reads it again)."""
        ticks: list[BarTick] = []
        while True:
            tick = self._tick_once(portfolio_id, symbol, strategies, dry_run, seen)
            seen = UNREAD
            ticks.append(tick)
            if dry_run or not catch_up or not tick.processed or tick.behind == 0:
                break
        return ticks

    def _tick_once(
        self,
        portfolio_id: int,
        symbol: str,
        strategies: Sequence[str] | None,
        dry_run: bool,
        seen: datetime | _Unread | None,
    ) -> BarTick:
        transaction = self.database.dry_transaction if dry_run else self.database.transaction
        try:
            if isinstance(seen, _Unread):
                seen = self._last_served(portfolio_id, symbol)
            self.failpoint("before-lock")
            with transaction() as repository:
                return self._process(repository, portfolio_id, symbol, strategies, dry_run, seen)
        except DuplicateTickError:
            return BarTick(
                portfolio_id,
                symbol,
                TickStatus.ALREADY_PROCESSED,
                "another tick recorded this bar first; nothing changed",
            )

    def _last_served(self, portfolio_id: int, symbol: str) -> datetime | None:
        """The last bar processed for ``symbol`` as this tick finds it before taking the
        portfolio's lock: a manual replay serves nothing if another tick moved on meanwhile."""
        with self.database.reading() as repository:
            cursor = repository.cursor(portfolio_id, symbol)
        return None if cursor is None else cursor.ts_bar

    # --------------------------------------------------------------------------- one tick

    def _process(
        self,
        repository: LedgerRepository,
        portfolio_id: int,
        symbol: str,
        strategy_names: Sequence[str] | None,
        dry_run: bool,
        seen: datetime | None,
    ) -> BarTick:
        cache = None if dry_run else state_cache(self.database)
        state = restore(repository, portfolio_id, (symbol,), cache)
        memory = None if dry_run else tick_memory(self.database)
        facts = memory.recall(state.record, symbol) if memory is not None else None
        settings = state.settings
        if settings.symbols and symbol not in settings.symbols and not _trades(state, symbol):
            watched = ", ".join(settings.symbols)
            hint = did_you_mean(symbol, settings.symbols)
            raise InvalidInputError(
                f"portfolio {portfolio_id} does not watch {symbol} ({watched}){hint}"
            )
        specs = _chosen(settings, strategy_names)
        history = self.source.history(symbol, settings.bar_timeframe, settings.source)
        if facts is None:
            facts = _read_facts(repository, portfolio_id, symbol)
        cursor = facts.cursor
        moved_on = (cursor.ts_bar if cursor is not None else None) != seen
        plan = self._plan(
            settings, history, cursor, facts.ticked, specs, portfolio_id, symbol, moved_on
        )
        if isinstance(plan, BarTick):
            if memory is not None:
                _remember(repository, memory, state, symbol, facts)  # nothing written
            return plan
        target, late, pending, behind = plan
        place_in_history(state, symbol, history, facts.last_accepted)
        bar = bar_at(history, target)
        strategies = self._strategies(portfolio_id, settings)
        cache_of_signals = signal_cache(self.database)
        signals = _signals(
            cache_of_signals, portfolio_id, history, target, bar, pending, strategies
        )
        self.failpoint("after-signal")
        kernel = state.kernel
        day_start = day_start_equity(repository, state, bar.ts_close)
        if late:
            events = kernel.route_late(bar, signals, target, day_start)
        else:
            events = kernel.on_bar(bar, signals, target, day_start)
        states: dict[str, Mapping[str, Any]] = {}
        for spec in pending:  # per-bar strategies decide after the bar's orders were matched
            strategy = strategies[spec.name]
            if isinstance(strategy, BarStrategy) and target >= strategy.warmup:
                stored = repository.strategy_state(portfolio_id, spec.name, symbol)
                decided, state_after = decide(
                    kernel, strategy, history.iloc[: target + 1], bar, target, stored, day_start
                )
                events.extend(decided)
                if state_after is not None:
                    states[spec.name] = state_after
        self.failpoint("after-fill")
        recorded_at = datetime.now(UTC)
        decisions = _decisions(events)
        runs = [
            TickRun(
                spec.name,
                symbol,
                settings.bar_timeframe,
                bar.ts_open,
                bar.ts_close,
                _outcome(spec.name, decisions),
                _summary(spec.name, decisions),
            )
            for spec in pending
        ]
        if not late and cursor is not None and cursor.ts_bar is not None:
            runs.extend(_skipped(state, cursor, facts.ticked))
        writer = repository.writer
        # a concurrent duplicate fails here, before anything else is written
        tick_id = writer.record_ticks(portfolio_id, runs, recorded_at)
        context = BarContext(tick_id, bar.ts_open, target)
        persist(
            repository, state, events, bar.ts_close,
            recorded_at=recorded_at, bar=context, snapshot=False,
        )  # fmt: skip
        for name, strategy_state in states.items():
            writer.strategy_state(portfolio_id, name, symbol, strategy_state, recorded_at)
        traded = state.instruments.get(symbol)
        message = _tick_message(bar, pending, decisions, late, traded)
        details = {"symbol": symbol, "strategies": [s.name for s in pending]}
        # the kernel's mark: the quote mid with mark=mid; outside the session, the last
        # in-session mark (show, the mark command and the next tick's restore read it)
        mark = state.kernel.last_price(symbol) or bar.close
        replay_index = target if settings.source.kind == "replay" else None
        # the tick's audit entry, its equity snapshot and its cursor (one statement on
        # PostgreSQL); then the tick's event, after the snapshot's
        writer.close_tick(
            portfolio_id, symbol, settings.bar_timeframe,
            tick_id=tick_id, recorded_at=recorded_at, message=message, details=details,
            point=state.kernel.equity_point(bar.ts_close), last_price=mark,
            bar=None if late else (bar.ts_open, bar.ts_close, target), replay_index=replay_index,
        )  # fmt: skip
        writer.publish(
            portfolio_id,
            "tick.processed",
            bar.ts_close,
            recorded_at,
            {
                "tick_id": tick_id,
                "bar_open": bar.ts_open.isoformat(),
                **details,
                **_price(bar, traded),
            },
        )
        if memory is not None:
            after = _facts_after(
                facts, symbol, settings.bar_timeframe, bar, target, late,
                pending=pending, events=events, mark=mark, replay_index=replay_index,
            )  # fmt: skip
            _remember(repository, memory, state, symbol, after)
        self.failpoint("before-commit")
        return _report(state, bar, pending, message, dry_run, behind, events)

    def _strategies(self, portfolio_id: int, settings: RunConfig) -> dict[str, AnyStrategy]:
        """``run_strategies(settings)``, built again only when the settings object is another
        (strategies are parameters and pure functions of the bars: the signals' state lives
        in ``live.signal_cache``, a per-bar strategy's in the ledger)."""
        built = self._built.get(portfolio_id)
        if built is not None and built[0] is settings:
            return built[1]
        strategies = run_strategies(settings)
        if len(self._built) >= _BUILT_CAPACITY:
            self._built.clear()
        self._built[portfolio_id] = (settings, strategies)
        return strategies

    def _plan(
        self,
        settings: RunConfig,
        history: pd.DataFrame,
        cursor: CursorRecord | None,
        done: frozenset[str],
        specs: list[StrategySpec],
        portfolio_id: int,
        symbol: str,
        moved_on: bool = False,
    ) -> tuple[int, bool, list[StrategySpec], int] | BarTick:
        """(bar index, late, strategies to run, closed bars after it), or the report of why
        there is nothing to do (``moved_on``: another tick processed a bar since this one
        began)."""
        names = tuple(spec.name for spec in specs)
        if cursor is not None and cursor.ts_bar is not None:
            # located by time: the history may have been re-imported since (other row numbers)
            current = bar_index_at(history, cursor.ts_bar)
            still_there = current >= 0 and history.index[current] == pd.Timestamp(cursor.ts_bar)
            missing = [spec for spec in specs if spec.name not in done]
            if missing and still_there:
                return current, True, missing, 0
            following = current + 1
        else:
            following = replay.first_index(settings, history)
            current = following - 1
        if settings.source.kind == "replay":
            now = self.clock.now()
            planned = replay.plan(
                settings, history, following, moved_on, now, portfolio_id, symbol, names
            )
            if isinstance(planned, BarTick):
                return planned
            return planned[0], False, specs, planned[1]
        latest = last_closed_index(history, self.clock.now())
        if latest < 0:
            return BarTick(
                portfolio_id, symbol, TickStatus.NO_NEW_BAR, f"no {symbol} bar has closed yet"
            )
        if cursor is None or cursor.ts_bar is None:
            return latest, False, specs, 0  # a new watch starts at the latest closed bar
        if following > latest:
            closed = history.index[current].isoformat()
            return BarTick(
                portfolio_id,
                symbol,
                TickStatus.ALREADY_PROCESSED,
                f"bar {closed} of {symbol} was already processed for "
                f"{', '.join(names)}; nothing changed",
                names,
            )
        return following, False, specs, latest - following


def _skipped(state: RestoredPortfolio, cursor: CursorRecord, done: frozenset[str]) -> list[TickRun]:
    """Strategies of the portfolio that never ran on the bar being left behind (the ticks
    were limited to other strategies): recorded as skipped, so no bar goes unaccounted."""
    assert cursor.ts_bar is not None
    assert cursor.ts_bar_close is not None
    return [
        TickRun(
            spec.name,
            cursor.symbol,
            state.settings.bar_timeframe,
            cursor.ts_bar,
            cursor.ts_bar_close,
            "skipped",
            "not analysed: the ticks of this bar ran other strategies only",
        )
        for spec in state.settings.strategies
        if spec.name not in done
    ]


def _read_facts(repository: LedgerRepository, portfolio_id: int, symbol: str) -> TickFacts:
    """The symbol's cursor, the strategies ticked on its bar and its last accepted signal,
    read from the rows (``live.tick_memory`` keeps them between this process's ticks)."""
    cursor = repository.cursor(portfolio_id, symbol)
    ticked: frozenset[str] = frozenset()
    if cursor is not None and cursor.ts_bar is not None:
        ticked = frozenset(repository.ticked_strategies(portfolio_id, symbol, cursor.ts_bar))
    accepted = repository.last_accepted_signals(portfolio_id).get(symbol)
    return TickFacts(cursor, ticked, accepted)


def _facts_after(
    facts: TickFacts,
    symbol: str,
    timeframe: str,
    bar: Bar,
    target: int,
    late: bool,
    *,
    pending: Sequence[StrategySpec],
    events: Sequence[Event],
    mark: Decimal,
    replay_index: int | None,
) -> TickFacts:
    """How this tick leaves the facts, from what it writes (the strategies it ran, its events,
    the cursor's mark and replay index): its cursor, its tick records (of the cursor's bar)
    and its accepted signals."""
    names = frozenset(spec.name for spec in pending)
    before = facts.cursor
    if replay_index is None and before is not None:
        replay_index = before.replay_index
    if late:
        assert before is not None
        cursor = replace(before, last_price=mark, replay_index=replay_index)
        ticked = facts.ticked | names
    else:
        cursor = CursorRecord(
            symbol, before.timeframe if before is not None else timeframe,
            bar.ts_open, bar.ts_close, target, mark, replay_index,
        )  # fmt: skip
        ticked = names
    accepted = facts.last_accepted
    if any(isinstance(event, SignalAccepted) and event.signal.symbol == symbol for event in events):
        accepted = bar.ts_open if accepted is None else max(accepted, bar.ts_open)
    return TickFacts(cursor, ticked, accepted)


def _remember(
    repository: LedgerRepository,
    memory: TickMemory,
    state: RestoredPortfolio,
    symbol: str,
    facts: TickFacts,
) -> None:
    """Keep ``facts`` once the tick's transaction commits, under the revision it left."""
    record = state.record

    def keep(committed: LedgerRepository) -> None:
        revision = committed.writer.revisions.get(record.id)
        if revision is not None:
            memory.remember(record, symbol, revision, facts)

    repository.on_committed.append(keep)


def _trades(state: RestoredPortfolio, symbol: str) -> bool:
    """Whether the portfolio holds ``symbol`` or has a working order in it (outside its watch
    list: its stops and resting orders still need the symbol's bars)."""
    return symbol in state.kernel.positions() or bool(state.kernel.open_orders(symbol))


def _chosen(settings: RunConfig, names: Sequence[str] | None) -> list[StrategySpec]:
    if not names:
        return list(settings.strategies)
    return [settings.strategy_spec(name) for name in dict.fromkeys(names)]


def _signals(
    cache: SignalCache,
    portfolio_id: int,
    history: pd.DataFrame,
    index: int,
    bar: Bar,
    specs: Sequence[StrategySpec],
    strategies: Mapping[str, AnyStrategy],
) -> list[Signal]:
    """Each vectorised strategy's signals for bar ``index``, computed from the bars up to it
    (per-bar strategies decide after the bar's orders were matched, see ``decide``): the
    strategy's incremental form stepped by one bar when the cache holds it at the bar before,
    else the whole history (``live.signal_cache``); the same signals either way, to the bit."""
    signals: list[Signal] = []
    for spec in specs:
        strategy = strategies[spec.name]
        if not isinstance(strategy, Strategy):
            continue
        rows = cache.rows((portfolio_id, spec.name, bar.symbol), strategy, history, index)
        if rows is None:
            continue
        signals.extend(
            s._replace(ts=bar.ts_close) for s in to_signals(rows, strategy.name, bar.symbol)
        )
    return signals


Decision = tuple[Signal, str | None]  # a routed signal and its rejection (None: accepted)


def _decisions(events: Sequence[Event]) -> list[Decision]:
    found: list[Decision] = []
    for event in events:
        if isinstance(event, SignalAccepted):
            found.append((event.signal, None))
        elif isinstance(event, SignalRejected):
            found.append((event.signal, event.reason))
    return found


def _outcome(strategy: str, decisions: Sequence[Decision]) -> str:
    mine = [rejection for signal, rejection in decisions if signal.strategy == strategy]
    if not mine:
        return "neutral"
    if all(rejection is not None for rejection in mine):
        return "rejected"
    return "signal"


def _summary(strategy: str, decisions: Sequence[Decision]) -> str:
    mine = [(s, rejection) for s, rejection in decisions if s.strategy == strategy]
    if not mine:
        return "no signal (neutral)"
    parts = []
    for signal, rejection in mine:
        verdict = "accepted" if rejection is None else f"rejected: {rejection}"
        parts.append(f"{signal.direction.name.lower()} signal {verdict}")
    return "; ".join(parts)


def _tick_message(
    bar: Bar,
    specs: Sequence[StrategySpec],
    decisions: Sequence[Decision],
    late: bool,
    instrument: Instrument | None,
) -> str:
    summaries = ", ".join(f"{s.name}: {_summary(s.name, decisions)}" for s in specs)
    late_note = " (orders already matched on this bar)" if late else ""
    close = _price(bar, instrument)["close"]  # as the prices API writes it: 398.00, not 398.0
    return f"{bar.symbol} bar {bar.ts_open.isoformat()} close {close}{late_note}: {summaries}"


def _report(
    state: RestoredPortfolio,
    bar: Bar,
    specs: Sequence[StrategySpec],
    message: str,
    dry_run: bool,
    behind: int,
    events: Sequence[Event],
) -> BarTick:
    point = state.kernel.equity_point(bar.ts_close)
    changed: dict[str, Order] = {}
    for event in events:
        if isinstance(event, OrderEvent):
            changed[event.order.order_id] = event.order
    outcomes = tuple(
        SignalOutcome(
            signal.strategy,
            int(signal.direction),
            signal.confidence,
            signal.reason,
            rejection is None,
            rejection,
        )
        for signal, rejection in _decisions(events)
    )
    return BarTick(
        portfolio_id=state.portfolio_id,
        symbol=bar.symbol,
        status=TickStatus.PROCESSED,
        message=(f"{DRY_RUN}: " if dry_run else "") + message,
        strategies=tuple(spec.name for spec in specs),
        ts_bar=bar.ts_open,
        ts_bar_close=bar.ts_close,
        close=bar.close,
        signals=outcomes,
        orders=tuple(changed.values()),
        fills=tuple(e.fill for e in events if isinstance(e, OrderFilled)),
        cash=point.cash,
        equity=point.equity,
        dry_run=dry_run,
        behind=behind,
    )


def _price(bar: Bar, instrument: Instrument | None) -> dict[str, str]:
    """The bar a tick processed, as the price streams send it (exact decimals as text, written
    as the prices API writes them: ``domain.price_forms``)."""
    prices = (bar.open, bar.high, bar.low, bar.close)
    if instrument is None:
        shown = [str(plain_form(price)) for price in prices]
    else:
        shown = [str(tick_form(price, instrument.tick_size)) for price in prices]
    return {
        "timeframe": bar.timeframe,
        "bar_close": bar.ts_close.isoformat(),
        **dict(zip(("open", "high", "low", "close"), shown, strict=True)),
        "volume": str(plain_form(bar.volume)),
    }
