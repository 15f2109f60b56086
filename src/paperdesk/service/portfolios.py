"""The portfolio service: the one facade the CLI, the API and the worker call for paper trading.

Every method that changes something runs in ONE transaction: it validates first, so bad input
raises a clear error and leaves the database unchanged. Orders go through the kernel's commands
(the same pre-trade risk chain a strategy's entries pass) and the ledger writer; nothing here
builds a row or reaches into the kernel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from paperdesk.config import AccountConfig, RunConfig, SourceKind
from paperdesk.domain import (
    ONE,
    ZERO,
    DataError,
    Event,
    Fill,
    InvalidInputError,
    Order,
    Position,
    Trade,
    UnknownNameError,
    limits,
)
from paperdesk.domain.currencies import money_text
from paperdesk.domain.errors import StateConflictError
from paperdesk.domain.records import (
    AuditView,
    CursorRecord,
    EquityView,
    PortfolioRecord,
    SignalView,
    TickRunView,
)
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.service.order_checks import check_order_request
from paperdesk.service.order_desk import (
    OrderDesk,
    PositionClose,
    orders_of,
    used_client_order_id,
    working_order,
)
from paperdesk.service.order_requests import OrderRequest
from paperdesk.service.portfolio_edits import check_settings_change, setting_changes
from paperdesk.service.views import FeedHealth, PortfolioDetail, PortfolioSummary, PositionView
from paperdesk.settings import Settings
from paperdesk.store import Database, DuplicateClientOrderIdError, LedgerRepository

if TYPE_CHECKING:  # loaded where used: reading the ledger needs none of them (a fast start)
    import pandas as pd

    from paperdesk.analytics.stats import Stats
    from paperdesk.data.manager import DataManager
    from paperdesk.data.providers.base import LatestPrice
    from paperdesk.live.feed import FeedReport, LiveFeed
    from paperdesk.live.restore import RestoredPortfolio
    from paperdesk.live.runner import LiveRunner
    from paperdesk.live.sources import BarSource, Clock
    from paperdesk.service.performance_snapshot import PerformanceSnapshot
    from paperdesk.service.signal_execution import ExecutionPlan, SignalOrder

MAX_NAME_LENGTH = 200
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class StartedTick:
    """A tick read and fed (``PortfolioService.start_tick``), not yet run: ``no_bar`` is its
    answer when a live portfolio has no bar of the symbol stored yet."""

    portfolio_id: int
    symbol: str
    seen: datetime | None  # the last bar processed when it started (None before the first)
    no_bar: BarTick | None


class PortfolioService:
    """Create, inspect and trade persistent paper portfolios."""

    def __init__(
        self,
        database: Database | None = None,
        *,
        data: DataManager | Callable[[], DataManager] | None = None,
        source: BarSource | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.database = database or Database(Settings().database_url_value())
        self._data = data
        self._source = source
        self._clock = clock

    @cached_property
    def clock(self) -> Clock:
        from paperdesk.data.clock import WallClock

        if self._clock is not None:
            return self._clock
        return self._manager().clock if self._data is not None else WallClock()

    def _manager(self) -> DataManager:
        """The DataManager handed in (or made by the factory handed in)."""
        data = self._data
        assert data is not None
        return data() if callable(data) else data

    @cached_property
    def source(self) -> BarSource:
        """Where ticks read bars (built on first use: listing portfolios needs no market data)."""
        if self._source is not None:
            return self._source
        from paperdesk.live.sources import BarSource

        return BarSource(self.market)

    @cached_property
    def market(self) -> DataManager:
        """The DataManager ticks read (and live feeds write): the one handed in, else one on
        this database and clock."""
        if self._data is not None:
            return self._manager()
        from paperdesk.data.cache import InProcessCache
        from paperdesk.service.market_data import build_data_manager

        # The runner reads whole histories every tick: an in-process cache serves them
        # faster than decoding them from Redis (which the market-data service uses).
        return build_data_manager(self.database, clock=self.clock, cache=InProcessCache())

    @cached_property
    def live_feed(self) -> LiveFeed:
        """The provider feed of ``source=live`` portfolios (see ``service.live_feeds``)."""
        from paperdesk.live.feed import LiveFeed

        return LiveFeed(self.market)

    @cached_property
    def runner(self) -> LiveRunner:
        from paperdesk.live.runner import LiveRunner

        return LiveRunner(self.database, source=self.source, clock=self.clock)

    # --------------------------------------------------------------------------- lifecycle

    def create_portfolio(
        self,
        name: str,
        starting_cash: Decimal,
        *,
        base_currency: str = "USD",
        settings: RunConfig | None = None,
    ) -> int:
        name = _checked_name(name)
        if not starting_cash.is_finite() or starting_cash <= 0:
            raise InvalidInputError(f"starting cash must be a positive amount, got {starting_cash}")
        currency = limits.currency_value(base_currency, "base currency")
        settings = (settings or RunConfig()).with_changes(cash=starting_cash)
        if settings.timeframe is None:  # stored settings say which bars the portfolio reads
            settings = settings.with_changes(timeframe=settings.bar_timeframe)
        from paperdesk.engine.wiring import check_run

        check_run(settings)
        _check_books_currency(settings, currency)
        from paperdesk.live import replay

        if settings.source.kind is SourceKind.LIVE:  # the first bars come from the providers
            self._start_live_feeds(settings)
        for symbol in settings.symbols:  # data must exist, and reach the replay's start
            history = self.source.history(symbol, settings.bar_timeframe, settings.source)
            replay.check_start(settings, symbol, history)
            _check_contract(settings, symbol, history)
        if settings.statistics.benchmark is not None:  # an unknown benchmark is refused now
            from paperdesk.service.performance import portfolio_benchmark

            portfolio_benchmark(settings, self.source)
        settings = self._start_replay_clock(settings)
        now = self._now()
        document = settings.to_json()
        with self.database.transaction() as repository:
            writer = repository.writer
            portfolio_id = writer.create_portfolio(
                name=name,
                base_currency=currency,
                starting_cash=starting_cash,
                settings=document,
                created_at=now,
            )
            writer.audit(
                portfolio_id,
                "portfolio.created",
                f"created {name!r} with {money_text(starting_cash, currency)} {currency}",
                now,
                now,
                {"starting_cash": str(starting_cash), "settings": document},
            )
            return portfolio_id

    def _start_live_feeds(self, settings: RunConfig) -> None:
        """Fetch each symbol's recent closed bars; a symbol no provider can serve is refused."""
        from paperdesk.service.live_feeds import fetch_live_bars

        for symbol in settings.symbols:
            report = fetch_live_bars(self.live_feed, settings, symbol)
            if report.last_bar_close is None:
                raise DataError(f"cannot start the live {symbol} feed: {report.reason}")

    def _start_replay_clock(self, settings: RunConfig) -> RunConfig:
        """A paced replay's clock starts now (on the service's clock), unless it says when."""
        source = settings.source
        if source.replay_interval is None or source.replay_started_at is not None:
            return settings
        return settings.with_changes(source=source.with_changes(replay_started_at=self.clock.now()))

    def archive_portfolio(self, portfolio_id: int) -> None:
        now = self._now()
        with self.database.transaction() as repository:
            record = repository.portfolio(portfolio_id, lock=True)
            if record.status == "archived":
                raise StateConflictError(
                    "portfolio_archived", f"portfolio {portfolio_id} is already archived"
                )
            open_orders = repository.orders(portfolio_id, open_only=True)
            if repository.positions(portfolio_id) or open_orders:
                raise StateConflictError(
                    "portfolio_not_empty",
                    f"portfolio {portfolio_id} still has positions or open orders; "
                    "close and cancel them before archiving",
                )
            repository.writer.archive_portfolio(portfolio_id, now)

    def unarchive_portfolio(self, portfolio_id: int) -> None:
        """Make an archived portfolio active again (it trades from its next tick)."""
        with self.database.transaction() as repository:
            record = repository.portfolio(portfolio_id, lock=True)
            if record.status != "archived":
                raise StateConflictError(
                    "portfolio_not_archived", f"portfolio {portfolio_id} is not archived"
                )
            repository.writer.unarchive_portfolio(portfolio_id, self._now())

    def rename_portfolio(self, portfolio_id: int, name: str) -> None:
        name = _checked_name(name)
        with self.database.transaction() as repository:
            record = repository.portfolio(portfolio_id, lock=True)
            if record.name != name:
                repository.writer.rename_portfolio(portfolio_id, name, self._now())

    def edit_portfolio(
        self,
        portfolio_id: int,
        edit: Callable[[RunConfig], RunConfig],
        *,
        name: str | None = None,
    ) -> dict[str, dict[str, object]]:
        """Change the run settings to ``edit(current)`` (and the name to ``name``), checked as
        a tick would check them, in one transaction; returns what changed (dotted key ->
        from/to, ``name`` for the name), each change recorded in the audit log."""
        new_name = _checked_name(name) if name is not None else None
        with self.database.transaction() as repository:
            record = repository.portfolio(portfolio_id, lock=True)
            current = RunConfig.from_json(record.settings)
            settings = edit(current).with_changes(cash=record.starting_cash)
            if settings.timeframe is None:
                settings = settings.with_changes(timeframe=current.bar_timeframe)
            changes = setting_changes(current, settings)
            renamed: dict[str, dict[str, object]] = {}
            if new_name is not None and new_name != record.name:
                renamed = {"name": {"from": record.name, "to": new_name}}
            if not changes:
                if renamed and new_name is not None:
                    repository.writer.rename_portfolio(portfolio_id, new_name, self._now())
                return renamed
            positions = [p.symbol for p in repository.positions(portfolio_id)]
            working = [o.symbol for o in repository.orders(portfolio_id, open_only=True)]
            check_settings_change(portfolio_id, current, settings, positions, working)
            _check_books_currency(settings, record.base_currency)
            held = {*settings.symbols, *positions, *working}
            from paperdesk.data import instrument_for
            from paperdesk.engine.wiring import check_run

            check_run(
                settings,
                {
                    symbol: instrument_for(symbol, settings.source.asset_class_of(symbol))
                    for symbol in sorted(held)
                },
            )
            from paperdesk.live import replay

            moved = settings.source.replay_from != current.source.replay_from
            if moved:
                replay.check_not_begun(settings, repository.cursors(portfolio_id))
            for symbol in settings.symbols:
                history = self.source.history(symbol, settings.bar_timeframe, settings.source)
                if moved or symbol not in current.symbols:  # as create_portfolio checks it
                    replay.check_start(settings, symbol, history)
            if settings.statistics.benchmark is not None:
                from paperdesk.service.performance import portfolio_benchmark

                portfolio_benchmark(settings, self.source)
            repository.writer.change_settings(
                portfolio_id, settings.to_json(), changes, self._now()
            )
            if renamed and new_name is not None:
                repository.writer.rename_portfolio(portfolio_id, new_name, self._now())
            return {**renamed, **changes}

    def settings(self, portfolio_id: int) -> RunConfig:
        with self.database.reading() as repository:
            return RunConfig.from_json(repository.portfolio(portfolio_id).settings)

    def round_symbols(self, portfolio_id: int) -> tuple[RunConfig, list[str]]:
        """The settings and every symbol the portfolio trades, read together: the watched
        symbols, then those held or ordered outside the watch list (a portfolio without one
        trades what it is asked to), whose stops and resting orders need their bars too."""
        with self.database.reading() as repository:
            settings = RunConfig.from_json(repository.portfolio(portfolio_id).settings)
            traded = repository.traded_symbols(portfolio_id)
        return settings, symbols_traded(settings, traded)

    # ------------------------------------------------------------------------------ reading

    def list_portfolios(self, *, include_archived: bool = False) -> list[PortfolioSummary]:
        with self.database.reading() as repository:
            records = repository.portfolios(include_archived=include_archived)
            summaries = []
            for record in records:
                account = _account_of(record)
                positions = _position_views(repository, record.id, account)
                summaries.append(_summary(record, positions, account))
            return summaries

    def status(self, portfolio_id: int) -> str:
        """The portfolio's status (``active``, ``archived``...): one row, no history (the API
        checks it before every action; an unknown portfolio is named)."""
        with self.database.reading() as repository:
            return repository.portfolio_status(portfolio_id)

    def order(self, portfolio_id: int, order_id: str) -> Order:
        """One order (an unknown portfolio or order is named)."""
        with self.database.reading() as repository:
            repository.portfolio_status(portfolio_id)  # an unknown portfolio is named first
            return repository.order(portfolio_id, order_id)

    def show(self, portfolio_id: int) -> PortfolioDetail:
        with self.database.reading() as repository:
            return self.detail_in(repository, portfolio_id)

    def detail_in(self, repository: LedgerRepository, portfolio_id: int) -> PortfolioDetail:
        """``show``'s detail read through ``repository`` (its transaction's snapshot)."""
        record = repository.portfolio(portfolio_id)
        settings = RunConfig.from_json(record.settings)
        positions = _position_views(repository, portfolio_id, settings.account)
        from paperdesk.service.buying_power import working_entry_cost

        open_orders = tuple(repository.orders(portfolio_id, open_only=True))
        return PortfolioDetail(
            summary=_summary(record, positions, settings.account),
            settings=settings,
            positions=tuple(positions),
            open_orders=open_orders,
            feeds=self._feeds(repository, portfolio_id, settings, positions, open_orders),
            working_entry_cost=working_entry_cost(repository, portfolio_id, settings, open_orders),
        )

    def _feeds(
        self,
        repository: LedgerRepository,
        portfolio_id: int,
        settings: RunConfig,
        positions: Sequence[PositionView],
        open_orders: Sequence[Order],
    ) -> tuple[FeedHealth, ...]:
        """A live portfolio's feeds (``live_feeds.feed_health``): the watched symbols', then
        those held or ordered outside the watch list (the worker fetches them too); other
        sources have none, and their detail loads no feed module (the live feed's pandas,
        calendars and providers)."""
        if settings.source.kind is not SourceKind.LIVE:
            return ()
        from paperdesk.service.live_feeds import feed_health

        traded = {p.symbol for p in positions} | {o.symbol for o in open_orders}
        symbols = symbols_traded(settings, traded)
        return feed_health(repository, portfolio_id, settings, symbols, self.clock.now())

    def orders(self, portfolio_id: int, *, limit: int | None = None) -> list[Order]:
        return self._read(portfolio_id, lambda r: r.orders(portfolio_id, limit=limit))

    def fills(self, portfolio_id: int, *, limit: int | None = None) -> list[Fill]:
        return self._read(portfolio_id, lambda r: r.fills(portfolio_id, limit=limit))

    def trades(self, portfolio_id: int, *, limit: int | None = None) -> list[Trade]:
        return self._read(portfolio_id, lambda r: r.trades(portfolio_id, limit=limit))

    def signals(self, portfolio_id: int, *, limit: int | None = None) -> list[SignalView]:
        return self._read(portfolio_id, lambda r: r.signals(portfolio_id, limit=limit))

    def audit(self, portfolio_id: int, *, limit: int | None = None) -> list[AuditView]:
        return self._read(portfolio_id, lambda r: r.audit(portfolio_id, limit=limit))

    def equity_curve(self, portfolio_id: int) -> list[EquityView]:
        return self._read(portfolio_id, lambda r: r.equity(portfolio_id))

    def tick_runs(self, portfolio_id: int, *, limit: int | None = None) -> list[TickRunView]:
        return self._read(portfolio_id, lambda r: r.tick_runs(portfolio_id, limit=limit))

    def performance_snapshot(
        self, portfolio_id: int, *, with_fills: bool = False
    ) -> PerformanceSnapshot:
        """The detail, equity curve, round trips (and fills) in one snapshot of the ledger,
        with the statistics over them, so the figures shown together agree."""
        from paperdesk.service.performance_snapshot import read_performance

        return read_performance(self, portfolio_id, with_fills=with_fills)

    def performance(self, portfolio_id: int) -> Stats:
        """Return, drawdown, Sharpe, win rate... over the equity snapshots and round trips."""
        with self.database.reading() as repository:
            record = repository.portfolio(portfolio_id)
            equity = repository.equity(portfolio_id)
            trades = repository.trades(portfolio_id)
        from paperdesk.service.performance import performance_stats, portfolio_conventions

        if not equity:
            return performance_stats(equity, trades, float(record.starting_cash))
        conventions = portfolio_conventions(RunConfig.from_json(record.settings), self.source)
        return performance_stats(equity, trades, float(record.starting_cash), conventions)

    def _read(self, portfolio_id: int, read: Callable[[LedgerRepository], list[T]]) -> list[T]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)  # an unknown portfolio is named, not empty
            return read(repository)

    # ------------------------------------------------------------------------------ trading

    def tick(
        self,
        portfolio_id: int,
        symbol: str,
        *,
        strategies: Sequence[str] | None = None,
        dry_run: bool = False,
        catch_up: bool = True,
    ) -> list[BarTick]:
        """Run the live tick for ``symbol`` (DRY: compute and show, write nothing). A
        ``source=live`` portfolio first fetches the symbol's new closed bars (not in a dry
        run: it computes on the bars already stored)."""
        if dry_run:
            symbol = limits.symbol_value(symbol, "symbol")
            return self.runner.tick(
                portfolio_id, symbol, strategies=strategies, dry_run=True, catch_up=catch_up
            )
        started = self.start_tick(portfolio_id, symbol)
        return self.run_started_tick(started, strategies=strategies, catch_up=catch_up)

    def start_tick(self, portfolio_id: int, symbol: str) -> StartedTick:
        """What a tick needs before its transaction: one read (is the portfolio live, and the
        last bar it processed: a manual replay serves nothing if a tick moves on meanwhile),
        then a ``source=live`` portfolio's new closed bars fetched and stored. Started before
        an Idempotency-Key's unit of work, so no provider call waits inside it."""
        symbol = limits.symbol_value(symbol, "symbol")
        with self.database.reading(one_statement=True) as repository:
            document, seen = repository.tick_start(portfolio_id, symbol)
        report = self._refresh_feed(portfolio_id, symbol, document)
        if report is not None and report.last_bar_close is None:
            message = f"no live {symbol} bar is stored yet: {report.reason}"
            waiting = BarTick(portfolio_id, symbol, TickStatus.NO_NEW_BAR, message)
            return StartedTick(portfolio_id, symbol, seen, waiting)
        return StartedTick(portfolio_id, symbol, seen, None)

    def run_started_tick(
        self,
        started: StartedTick,
        *,
        strategies: Sequence[str] | None = None,
        catch_up: bool = True,
    ) -> list[BarTick]:
        """The tick's transaction(s) after ``start_tick``: each closed bar not yet processed,
        once."""
        if started.no_bar is not None:
            return [started.no_bar]
        return self.runner.tick(
            started.portfolio_id,
            started.symbol,
            strategies=strategies,
            catch_up=catch_up,
            seen=started.seen,
        )

    def refresh_feed(self, portfolio_id: int, symbol: str) -> FeedReport | None:
        """Fetch a live portfolio's new closed bars of ``symbol`` and record its feed's health
        (None: the portfolio is not live, or does not watch ``symbol``)."""
        with self.database.reading() as repository:
            document = repository.portfolio(portfolio_id).settings
        return self._refresh_feed(portfolio_id, symbol, document)

    def _refresh_feed(
        self, portfolio_id: int, symbol: str, document: Mapping[str, Any]
    ) -> FeedReport | None:
        if _stored_source_kind(document) not in (None, SourceKind.LIVE):
            return None  # known without parsing the settings (a tick's restore parses them)
        settings = RunConfig.from_json(document)
        if settings.source.kind is not SourceKind.LIVE:
            return None
        if settings.symbols and symbol not in settings.symbols:
            with self.database.reading() as repository:  # held or ordered outside the list
                if symbol not in repository.traded_symbols(portfolio_id):
                    return None  # the tick refuses it, naming the watched symbols
        from paperdesk.service.live_feeds import refresh_live_feed

        return refresh_live_feed(self.database, self.live_feed, portfolio_id, settings, symbol)

    def place_order(self, portfolio_id: int, request: OrderRequest) -> list[Order]:
        """Submit a manual order; it fills on a later bar like any other order."""
        symbol = limits.symbol_value(request.symbol, "symbol")
        if not request.quantity.is_finite() or request.quantity <= 0:
            raise InvalidInputError(f"order quantity must be positive, got {request.quantity}")
        check_order_request(request)
        with self.order_desk(portfolio_id, (symbol,)) as desk:
            return desk.place(request)

    @contextmanager
    def order_desk(self, portfolio_id: int, symbols: Sequence[str] = ()) -> Iterator[OrderDesk]:
        """Portfolio ``portfolio_id`` locked in one transaction, to place orders on through the
        checks of ``place_order``; what the desk placed is written when the block ends, and
        nothing is if it raises (a client order id the ledger holds already: the unique key
        refuses the write, and the refusal names the order that has it)."""
        placed: list[str] = []
        try:
            with self.database.transaction() as repository:
                state = self._restore(repository, portfolio_id, symbols)
                desk = OrderDesk(
                    repository,
                    state,
                    lambda: self._market_time(repository, state),
                    lambda restored, symbol: self._reference_price(restored, symbol, repository),
                )
                placed = desk.client_order_ids
                yield desk
                if desk.events:
                    self._persist(repository, state, desk.events, desk.at, book_only=True)
        except DuplicateClientOrderIdError:
            with self.database.reading() as reader:
                refusal = used_client_order_id(reader, portfolio_id, placed)
            raise refusal from None

    def cancel_order(self, portfolio_id: int, order_id: str) -> Order:
        with self.database.transaction() as repository:
            state = self._restore(repository, portfolio_id)
            working_order(repository, state, order_id, "canceled")  # named before anything else
            at = self._market_time(repository, state)
            events = state.kernel.cancel_order(order_id, at, "canceled by user")
            self._persist(repository, state, events, at, book_only=True)
            return state.kernel.order(order_id)

    def modify_order(
        self,
        portfolio_id: int,
        order_id: str,
        *,
        quantity: Decimal | None = None,
        limit_price: Decimal | None = None,
        stop_price: Decimal | None = None,
    ) -> Order:
        with self.database.transaction() as repository:
            state = self._restore(repository, portfolio_id)
            kernel = state.kernel
            symbol = working_order(repository, state, order_id, "modified").symbol
            price = self._reference_price(state, symbol, repository)
            at = self._market_time(repository, state)
            from paperdesk.live.day_start import day_start_equity

            # only a new quantity meets the risk rules (a price change alone runs none)
            day_start = None if quantity is None else day_start_equity(repository, state, at)
            events = kernel.modify_order(
                order_id,
                at,
                price=price,
                quantity=quantity,
                limit_price=limit_price,
                stop_price=stop_price,
                # a larger entry meets the daily loss limit as a new one does (``OrderDesk``)
                day_start_equity=day_start,
            )
            self._persist(repository, state, events, at, book_only=True)
            return kernel.order(order_id)

    def close_position(
        self, portfolio_id: int, symbol: str, *, quantity: Decimal | None = None
    ) -> PositionClose:
        """Cancel the symbol's working orders and send a market order that flattens it, or
        that reduces it by ``quantity`` (a part close; at most the position). A retried close
        whose order still stands alone (the same kind, whole or part, and the same quantity:
        ``TradingKernel.standing_close``) answers that order and changes nothing; another
        close replaces it."""
        symbol = limits.symbol_value(symbol, "symbol")
        with self.database.transaction() as repository:
            from paperdesk.routing.pretrade import OrderRefusedError

            state = self._restore(repository, portfolio_id, (symbol,))
            if state.kernel.position(symbol).is_flat:
                raise OrderRefusedError(
                    f"portfolio {portfolio_id} holds no {symbol} position", "no_position"
                )
            reason = "position closed by user" if quantity is None else "position reduced by user"
            standing = state.kernel.standing_close(symbol, reason, quantity)
            if standing is not None:
                return PositionClose([standing], placed=False)
            at = self._market_time(repository, state)
            events = state.kernel.close_position(symbol, at, reason, quantity)
            self._persist(repository, state, events, at)
            return PositionClose(orders_of(events))

    def signal(self, portfolio_id: int, signal_id: int) -> SignalView:
        """One stored signal of the portfolio (``UnknownNameError`` when it has no such id)."""
        for view in self.signals(portfolio_id):
            if view.id == signal_id:
                return view
        raise UnknownNameError(f"portfolio {portfolio_id} has no signal {signal_id}")

    def preview_signal(self, portfolio_id: int, order: SignalOrder) -> ExecutionPlan:
        """What executing ``order`` would send (sized by the portfolio's rules), refused as the
        execution would refuse it: its intents pass the same pre-trade checks (lot, tick,
        bracket side, cash) on this dry unit's own copy of the books; writes nothing."""
        from paperdesk.live.day_start import day_start_equity
        from paperdesk.service.signal_execution import plan_execution, submit_plan

        symbol = limits.symbol_value(order.symbol, "symbol")
        with self.database.dry_transaction() as repository:
            state = self._restore(repository, portfolio_id, (symbol,), cached=False)
            price = self._reference_price(state, symbol, repository)
            at = self._market_time(repository, state)
            day_start = day_start_equity(repository, state, at)
            plan = plan_execution(state.kernel, order, at, price, day_start)
            submit_plan(state.kernel, plan, at)  # a refusal raises here; the copy is dropped
            return plan

    def execute_signal(
        self, portfolio_id: int, order: SignalOrder
    ) -> tuple[ExecutionPlan, list[Order]]:
        """Execute ``order`` in one transaction: the plan ``preview_signal`` shows, submitted
        through the pre-trade checks; a refusal changes nothing."""
        from paperdesk.live.day_start import day_start_equity
        from paperdesk.service.signal_execution import plan_execution, submit_plan

        symbol = limits.symbol_value(order.symbol, "symbol")
        with self.database.transaction() as repository:
            state = self._restore(repository, portfolio_id, (symbol,))
            price = self._reference_price(state, symbol, repository)
            at = self._market_time(repository, state)
            day_start = day_start_equity(repository, state, at)
            plan = plan_execution(state.kernel, order, at, price, day_start)
            events = submit_plan(state.kernel, plan, at)
            self._persist(repository, state, events, at)
            return plan, orders_of(events)

    def mark_to_market(self, portfolio_id: int) -> EquityView:
        """Record an equity snapshot at the positions' latest prices (a live portfolio asks
        the providers for the last price since its last bar, before the transaction)."""
        between = self._prices_between_bars(portfolio_id)
        with self.database.transaction() as repository:
            state = self._restore(repository, portfolio_id)
            at = self._market_time(repository, state)
            held = state.kernel.positions()
            state.kernel.mark_between_bars(
                {symbol: p.price for symbol, p in between.items() if symbol in held}
            )
            point = state.kernel.equity_point(at)
            writer, now = repository.writer, self._now()
            writer.equity_snapshot(portfolio_id, point, None, now)
            writer.audit(
                portfolio_id,
                "portfolio.marked",
                f"marked to market: equity {money_text(point.equity, state.record.base_currency)}",
                at,
                now,
                {
                    "equity": str(point.equity),
                    "prices": {s: str(p) for s, p in state.kernel.marks().items()},
                    "between_bars": {
                        s: {"provider": p.provider, "at": p.ts.isoformat()}
                        for s, p in between.items()
                        if s in held
                    },
                },
            )
            return point

    # ------------------------------------------------------------------------------ helpers

    def _prices_between_bars(self, portfolio_id: int) -> dict[str, LatestPrice]:
        """A live portfolio's watched symbols' last prices since their last bars (none for
        other sources)."""
        settings = self.settings(portfolio_id)
        if settings.source.kind is not SourceKind.LIVE:
            return {}
        return self.live_feed.latest_prices(settings.symbols, settings.bar_timeframe)

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _restore(
        self,
        repository: LedgerRepository,
        portfolio_id: int,
        symbols: Sequence[str] = (),
        *,
        cached: bool = True,
    ) -> RestoredPortfolio:
        """The portfolio locked and restored for this unit of work, from this process's cache
        of restored states when nobody wrote the portfolio since (``live.state_cache``; not
        for a dry run, which would only take the state out of the cache)."""
        from paperdesk.live.restore import restore
        from paperdesk.live.state_cache import state_cache

        cache = state_cache(self.database) if cached else None
        return restore(repository, portfolio_id, symbols, cache)

    def _persist(
        self,
        repository: LedgerRepository,
        state: RestoredPortfolio,
        events: list[Event],
        at: datetime,
        *,
        book_only: bool = False,
    ) -> None:
        """Write what the unit did (``book_only``: it ran only the kernel's order commands,
        place, cancel, modify, so the state cache may keep its kernel as it is)."""
        from paperdesk.live.restore import persist

        persist(repository, state, events, at, recorded_at=self._now(), book_only=book_only)

    def _market_time(self, repository: LedgerRepository, state: RestoredPortfolio) -> datetime:
        """The portfolio's clock (``portfolio_time``; the replay's position from the stored
        cursors' closes, as restored or cached); a replay that has not started has none."""
        at = portfolio_time(state.settings, state.bar_closes.values, self.clock.now)
        if at is None:
            raise InvalidInputError(
                f"portfolio {state.portfolio_id} replays history and its replay has not started: "
                "run a tick first (its orders are timed in the replay's clock)"
            )
        return at

    def _reference_price(
        self, state: RestoredPortfolio, symbol: str, within: LedgerRepository | None = None
    ) -> Decimal:
        """The symbol's last known close (its bars' last close before any tick); the symbol
        must be one the portfolio trades and have bars. ``within``: the unit's transaction,
        in which the bars' versions are read (no read transaction of their own)."""
        settings = state.settings
        if settings.symbols and symbol not in settings.symbols:
            watched = ", ".join(settings.symbols)
            raise InvalidInputError(
                f"portfolio {state.portfolio_id} does not trade {symbol} (it watches {watched})"
            )
        known = state.kernel.last_price(symbol)
        if known is not None:  # a tick has priced it: no need to load its history
            return known
        return self.source.last_close(symbol, settings.bar_timeframe, settings.source, within)


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"portfolio name must be 1 to {MAX_NAME_LENGTH} characters, got {name!r}"
        )
    if not name.isprintable():
        raise InvalidInputError(
            f"invalid portfolio name {name!r} (expected printable characters: no escape "
            "codes, tabs or line breaks)"
        )
    return name


def _stored_source_kind(document: Mapping[str, Any]) -> SourceKind | None:
    """The source kind stored settings name as written (``RunConfig.to_json`` writes it in
    lower case); None when it is not plainly one (the settings are then parsed to find out)."""
    source = document.get("source")
    kind = source.get("kind") if isinstance(source, Mapping) else None
    return SourceKind(kind) if kind in tuple(SourceKind) else None


def _account_of(record: PortfolioRecord) -> AccountConfig:
    """The portfolio's account settings (a cash account when its settings cannot be read: the
    list still shows it, as it did before accounts existed)."""
    try:
        return RunConfig.from_json(record.settings).account
    except InvalidInputError:
        return AccountConfig()


def _position_views(
    repository: LedgerRepository, portfolio_id: int, account: AccountConfig
) -> list[PositionView]:
    """Each position marked at its symbol's last close (its average cost before any)."""
    prices = {c.symbol: c.last_price for c in repository.cursors(portfolio_id)}
    multiplier = account.multiplier if account.is_futures and account.multiplier else ONE
    return [_position_view(p, prices, multiplier) for p in repository.positions(portfolio_id)]


def _position_view(
    position: Position, prices: dict[str, Decimal | None], multiplier: Decimal = ONE
) -> PositionView:
    """A position at its mark; a future's market value and P&L count its multiplier."""
    price = prices.get(position.symbol) or position.average_price
    cost = position.cost_basis
    return PositionView(
        symbol=position.symbol,
        quantity=position.quantity,
        average_price=position.average_price,
        cost=cost,
        last_price=price,
        market_value=position.quantity * price * multiplier,
        unrealized_pnl=(position.quantity * price - cost) * multiplier,
        ts_opened=position.ts_opened,
    )


def _summary(
    record: PortfolioRecord, positions: list[PositionView], account: AccountConfig
) -> PortfolioSummary:
    """Cash, positions and equity; a futures account's cash settles the open variation and its
    positions are worth the margin they block (equity = cash + blocked margin)."""
    cash = record.cash
    value = sum((p.market_value for p in positions), ZERO)
    if account.is_futures:
        cash += sum((p.unrealized_pnl for p in positions), ZERO)
        value = sum((abs(p.quantity) for p in positions), ZERO) * (account.initial_margin or ZERO)
    return PortfolioSummary(
        id=record.id,
        name=record.name,
        status=record.status,
        base_currency=record.base_currency,
        starting_cash=record.starting_cash,
        cash=cash,
        positions_value=value,
        equity=cash + value,
        realized_pnl=record.realized_pnl,
        unrealized_pnl=sum((p.unrealized_pnl for p in positions), ZERO),
        fees_paid=record.fees_paid,
        ts_created=record.ts_created,
    )


__all__ = ["CursorRecord", "OrderRequest", "PortfolioService"]


def _check_books_currency(settings: RunConfig, currency: str) -> None:
    """Every watched symbol is quoted in the portfolio's currency (paperdesk converts none)."""
    from paperdesk.data import instrument_for
    from paperdesk.domain.currencies import check_books_currency

    for symbol in settings.symbols:
        instrument = instrument_for(symbol, settings.source.asset_class_of(symbol))
        check_books_currency(symbol, instrument.currency, currency)


def _check_contract(settings: RunConfig, symbol: str, history: pd.DataFrame) -> None:
    """A futures portfolio's initial margin must fit one contract at its first close (the
    replay's first bar, else the latest), as a backtest checks it at its first close."""
    if not settings.account.is_futures or history.empty:
        return
    import pandas as pd

    from paperdesk.engine.wiring import check_contract_price

    closes = history["close"]
    start = settings.source.replay_from
    if settings.source.kind is SourceKind.REPLAY and start is not None:
        served = closes[closes.index >= pd.Timestamp(start, tz="UTC")]
        close = served.iloc[0] if not served.empty else closes.iloc[-1]
    else:
        close = closes.iloc[-1]
    check_contract_price(settings.account, symbol, Decimal(str(close)))


def portfolio_time(
    settings: RunConfig,
    bar_closes: Callable[[], Iterable[datetime]],
    now: Callable[[], datetime],
) -> datetime | None:
    """A portfolio's clock: a replay's position (the latest close of its symbols' last ticked
    bars, None before its first tick), else the service clock's time. Each source is asked
    only when the portfolio's kind needs it (``bar_closes`` may read the database)."""
    if settings.source.kind is SourceKind.REPLAY:
        return max(bar_closes(), default=None)
    return now()


def symbols_traded(settings: RunConfig, traded: Iterable[str]) -> list[str]:
    """The symbols a portfolio trades, in the order the worker ticks them and the detail lists
    their feeds: the watched ones, then those held or ordered outside the watch list, sorted."""
    watched = set(settings.symbols)
    return [*settings.symbols, *sorted(set(traded) - watched)]
