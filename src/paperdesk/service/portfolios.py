"""The portfolio service: the one facade the CLI, the API and the worker call for paper trading.

Every method that changes something runs in ONE transaction: it validates first, so bad input
raises a clear error and leaves the database unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.analytics.stats import Stats
from paperdesk.config import RunConfig
from paperdesk.data import instrument_for
from paperdesk.data.cache import InProcessCache
from paperdesk.data.manager import DataManager
from paperdesk.domain import (
    ZERO,
    Fill,
    InvalidInputError,
    Order,
    OrderIntent,
    OrderRejected,
    OrderRole,
    OrderType,
    Side,
    SignalRejected,
    TimeInForce,
    Trade,
    to_decimal,
)
from paperdesk.engine.wiring import check_run
from paperdesk.live.audit import audit_row
from paperdesk.live.reports import CandleTick
from paperdesk.live.runner import LiveRunner
from paperdesk.live.sources import CandleSource, Clock, WallClock
from paperdesk.live.state import RestoredPortfolio, equity_snapshot, marks, restore, save
from paperdesk.service.market_data import build_data_manager
from paperdesk.service.performance import performance_stats
from paperdesk.service.views import (
    AuditView,
    EquityView,
    PortfolioDetail,
    PortfolioSummary,
    PositionView,
    SignalView,
    TickRunView,
)
from paperdesk.settings import Settings
from paperdesk.store import Database, LedgerRepository
from paperdesk.store.models import PortfolioRow
from paperdesk.store.records import read_fill, read_order, read_trade

MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A manual order, as a person or a script asks for it."""

    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    client_order_id: str | None = None
    reason: str = "manual order"


class PortfolioService:
    """Create, inspect and trade persistent paper portfolios."""

    def __init__(
        self,
        database: Database | None = None,
        *,
        data: DataManager | None = None,
        source: CandleSource | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.database = database or Database(Settings().database_url_value())
        self.clock = clock or (data.clock if data is not None else WallClock())
        if source is None:
            # The runner reads whole histories every tick: an in-process cache serves them
            # faster than decoding them from Redis (which the market-data service uses).
            manager = data or build_data_manager(
                self.database, clock=self.clock, cache=InProcessCache()
            )
            source = CandleSource(manager)
        self.source = source
        self.runner = LiveRunner(self.database, source=self.source, clock=self.clock)

    # --------------------------------------------------------------------------- lifecycle

    def create_portfolio(
        self,
        name: str,
        starting_cash: Decimal,
        *,
        base_currency: str = "USD",
        settings: RunConfig | None = None,
    ) -> int:
        name = name.strip()
        if not name or len(name) > MAX_NAME_LENGTH:
            raise InvalidInputError(f"portfolio name must be 1 to {MAX_NAME_LENGTH} characters")
        if not starting_cash.is_finite() or starting_cash <= 0:
            raise InvalidInputError(f"starting cash must be a positive amount, got {starting_cash}")
        currency = base_currency.strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise InvalidInputError(f"base currency must be a 3-letter code, got {base_currency!r}")
        settings = settings or RunConfig()
        if settings.timeframe is None:  # stored settings say which bars the portfolio reads
            settings = settings.with_changes(timeframe=settings.bar_timeframe)
        check_run(settings)
        for symbol in settings.symbols:
            self.source.history(symbol, settings.bar_timeframe, settings.source)  # data must exist
        now = self._now()
        with self.database.transaction() as repository:
            row = PortfolioRow(
                name=name,
                base_currency=currency,
                starting_cash=starting_cash,
                cash=starting_cash,
                fees_paid=ZERO,
                realized_pnl=ZERO,
                status="active",
                settings=settings.to_json(),
                order_sequence=0,
                created_at=now,
            )
            repository.add(row)
            repository.flush()
            repository.add(
                audit_row(
                    row.id,
                    "portfolio.created",
                    f"created {name!r} with {starting_cash} {currency}",
                    now,
                    now,
                    {"starting_cash": str(starting_cash), "settings": settings.to_json()},
                )
            )
            return row.id

    def archive_portfolio(self, portfolio_id: int) -> None:
        now = self._now()
        with self.database.transaction() as repository:
            row = repository.portfolio(portfolio_id, lock=True)
            if row.status == "archived":
                raise InvalidInputError(f"portfolio {portfolio_id} is already archived")
            open_orders = repository.orders(portfolio_id, open_only=True)
            if repository.positions(portfolio_id) or open_orders:
                raise InvalidInputError(
                    f"portfolio {portfolio_id} still has positions or open orders; "
                    "close and cancel them before archiving"
                )
            row.status, row.archived_at = "archived", now
            repository.add(audit_row(portfolio_id, "portfolio.archived", "archived", now, now))

    def settings(self, portfolio_id: int) -> RunConfig:
        with self.database.reading() as repository:
            return RunConfig.from_json(repository.portfolio(portfolio_id).settings)

    # ------------------------------------------------------------------------------ reading

    def list_portfolios(self, *, include_archived: bool = False) -> list[PortfolioSummary]:
        with self.database.reading() as repository:
            rows = repository.portfolios(include_archived=include_archived)
            return [_summary(row, _position_views(repository, row.id)) for row in rows]

    def show(self, portfolio_id: int) -> PortfolioDetail:
        with self.database.reading() as repository:
            row = repository.portfolio(portfolio_id)
            positions = _position_views(repository, portfolio_id)
            open_orders = [read_order(o) for o in repository.orders(portfolio_id, open_only=True)]
            return PortfolioDetail(
                summary=_summary(row, positions),
                settings=RunConfig.from_json(row.settings),
                positions=tuple(positions),
                open_orders=tuple(open_orders),
            )

    def orders(self, portfolio_id: int, *, limit: int | None = None) -> list[Order]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [read_order(o) for o in repository.orders(portfolio_id, limit=limit)]

    def fills(self, portfolio_id: int, *, limit: int | None = None) -> list[Fill]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [read_fill(f) for f in repository.fills(portfolio_id, limit=limit)]

    def trades(self, portfolio_id: int, *, limit: int | None = None) -> list[Trade]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [read_trade(t) for t in repository.trades(portfolio_id, limit=limit)]

    def signals(self, portfolio_id: int, *, limit: int | None = None) -> list[SignalView]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [SignalView.of(s) for s in repository.signals(portfolio_id, limit=limit)]

    def audit(self, portfolio_id: int, *, limit: int | None = None) -> list[AuditView]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [AuditView.of(a) for a in repository.audit(portfolio_id, limit=limit)]

    def equity_curve(self, portfolio_id: int) -> list[EquityView]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [EquityView.of(e) for e in repository.equity(portfolio_id)]

    def performance(self, portfolio_id: int) -> Stats:
        """Return, drawdown, Sharpe, win rate... over the equity snapshots and round trips."""
        with self.database.reading() as repository:
            row = repository.portfolio(portfolio_id)
            equity = [EquityView.of(e) for e in repository.equity(portfolio_id)]
            trades = [read_trade(t) for t in repository.trades(portfolio_id)]
            starting_cash = float(row.starting_cash)
        return performance_stats(equity, trades, starting_cash)

    def tick_runs(self, portfolio_id: int, *, limit: int | None = None) -> list[TickRunView]:
        with self.database.reading() as repository:
            repository.portfolio(portfolio_id)
            return [TickRunView.of(t) for t in repository.tick_runs(portfolio_id, limit=limit)]

    # ------------------------------------------------------------------------------ trading

    def tick(
        self,
        portfolio_id: int,
        symbol: str,
        *,
        strategies: Sequence[str] | None = None,
        dry_run: bool = False,
        catch_up: bool = True,
    ) -> list[CandleTick]:
        """Run the live tick for ``symbol`` (DRY: compute and show, write nothing)."""
        return self.runner.tick(
            portfolio_id,
            symbol.strip().upper(),
            strategies=strategies,
            dry_run=dry_run,
            catch_up=catch_up,
        )

    def place_order(self, portfolio_id: int, request: OrderRequest) -> list[Order]:
        """Submit a manual order; it fills on a later candle like any other order."""
        symbol = request.symbol.strip().upper()
        if not request.quantity.is_finite() or request.quantity <= 0:
            raise InvalidInputError(f"order quantity must be positive, got {request.quantity}")
        with self.database.transaction() as repository:
            state = restore(repository, portfolio_id, (symbol,))
            self._check_symbol(state, symbol)
            _check_ticks(
                symbol,
                limit=request.limit_price,
                stop=request.stop_price,
                stop_loss=request.stop_loss,
                take_profit=request.take_profit,
            )
            client_id = request.client_order_id
            if client_id is not None and state.kernel.orders.client_order_id_in_use(client_id):
                raise InvalidInputError(
                    f"client order id {client_id!r} is already used in portfolio {portfolio_id}"
                )
            if request.side is Side.BUY:
                self._check_cash(state, symbol, request)
            elif not state.settings.risk.allow_short:
                self._check_not_short(state, symbol, request.quantity)
            intent = OrderIntent(
                symbol,
                request.side,
                request.quantity,
                request.order_type,
                request.limit_price,
                request.stop_price,
                request.time_in_force,
                OrderRole.ENTRY if request.side is Side.BUY else OrderRole.EXIT,
                request.stop_loss,
                request.take_profit,
                strategy="manual",
                reason=request.reason,
            )
            at = self._market_time(repository, state)
            events = state.kernel.orders.submit(intent, at, client_id)
            rejected = [e for e in events if isinstance(e, OrderRejected)]
            if rejected:
                raise InvalidInputError(f"order rejected: {rejected[0].reason}")
            save(repository, state, list(events), at, recorded_at=self._now())
            return [e.order for e in events if not isinstance(e, SignalRejected)]

    def cancel_order(self, portfolio_id: int, order_id: str) -> Order:
        with self.database.transaction() as repository:
            state = restore(repository, portfolio_id)
            state.kernel.orders.get(order_id)  # an unknown order is named before anything else
            at = self._market_time(repository, state)
            events = state.kernel.orders.cancel(order_id, at, "canceled by user")
            save(repository, state, events, at, recorded_at=self._now())
            return state.kernel.orders.get(order_id)

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
            state = restore(repository, portfolio_id)
            self._check_modification(state, order_id, quantity, limit_price, stop_price)
            at = self._market_time(repository, state)
            events = state.kernel.orders.modify(
                order_id, at, quantity=quantity, limit_price=limit_price, stop_price=stop_price
            )
            save(repository, state, events, at, recorded_at=self._now())
            return state.kernel.orders.get(order_id)

    def close_position(self, portfolio_id: int, symbol: str) -> list[Order]:
        """Cancel the symbol's working orders and send a market order that flattens it."""
        symbol = symbol.strip().upper()
        with self.database.transaction() as repository:
            state = restore(repository, portfolio_id, (symbol,))
            position = state.kernel.ledger.positions.get(symbol)
            if position is None:
                raise InvalidInputError(f"portfolio {portfolio_id} holds no {symbol} position")
            at = self._market_time(repository, state)
            orders = state.kernel.orders
            events = orders.cancel_all(symbol, at, "position closed by user")
            side = Side.SELL if position.quantity > 0 else Side.BUY
            intent = OrderIntent(
                symbol,
                side,
                abs(position.quantity),
                role=OrderRole.EXIT,
                strategy="manual",
                reason="position closed by user",
            )
            events.extend(orders.submit(intent, at))
            save(repository, state, events, at, recorded_at=self._now())
            return [e.order for e in events if not isinstance(e, OrderRejected | SignalRejected)]

    def mark_to_market(self, portfolio_id: int) -> EquityView:
        """Record an equity snapshot at the positions' latest prices."""
        with self.database.transaction() as repository:
            state = restore(repository, portfolio_id)
            at = self._market_time(repository, state)
            snapshot = equity_snapshot(state, at, None)
            repository.add(snapshot)
            repository.add(
                audit_row(
                    portfolio_id,
                    "portfolio.marked",
                    f"marked to market: equity {snapshot.equity}",
                    at,
                    self._now(),
                    {
                        "equity": str(snapshot.equity),
                        "prices": {s: str(p) for s, p in marks(state).items()},
                    },
                )
            )
            repository.flush()
            return EquityView.of(snapshot)

    # ------------------------------------------------------------------------------ helpers

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _market_time(self, repository: LedgerRepository, state: RestoredPortfolio) -> datetime:
        """The portfolio's clock: the replay's position for a replay, else the clock's time."""
        if state.settings.source.kind == "replay":
            closes = [
                c.candle_close_at
                for c in repository.cursors(state.portfolio_id)
                if c.candle_close_at is not None
            ]
            if closes:
                return max(closes)
            raise InvalidInputError(
                f"portfolio {state.portfolio_id} replays history and its replay has not started: "
                "run a tick first (its orders are timed in the replay's clock)"
            )
        return self.clock.now()

    def _check_symbol(self, state: RestoredPortfolio, symbol: str) -> None:
        settings = state.settings
        if settings.symbols and symbol not in settings.symbols:
            watched = ", ".join(settings.symbols)
            raise InvalidInputError(
                f"portfolio {state.portfolio_id} does not trade {symbol} (it watches {watched})"
            )
        self.source.history(symbol, settings.bar_timeframe, settings.source)

    def _price(self, state: RestoredPortfolio, symbol: str, request: OrderRequest) -> Decimal:
        known = state.kernel.prices.get(symbol)
        if known is None:
            settings = state.settings
            frame = self.source.history(symbol, settings.bar_timeframe, settings.source)
            known = to_decimal(float(frame["close"].iloc[-1]))
        return max(p for p in (known, request.limit_price, request.stop_price) if p is not None)

    def _check_cash(self, state: RestoredPortfolio, symbol: str, request: OrderRequest) -> None:
        price = self._price(state, symbol, request)
        needed = request.quantity * price  # forex quantities are units, not lots
        cash = state.kernel.ledger.cash
        if needed > cash:
            raise InvalidInputError(
                f"insufficient cash: {request.quantity} {symbol} at about {price} needs "
                f"{needed}, the portfolio has {cash}"
            )

    def _check_modification(
        self,
        state: RestoredPortfolio,
        order_id: str,
        quantity: Decimal | None,
        limit_price: Decimal | None,
        stop_price: Decimal | None,
    ) -> None:
        """A modified order passes the checks a new one would: whole lots, no short sale in a
        long-only portfolio, no buy beyond the cash."""
        order = state.kernel.orders.get(order_id)
        _check_ticks(order.symbol, limit=limit_price, stop=stop_price)
        if quantity is None:
            return
        if not quantity.is_finite() or quantity <= 0:
            raise InvalidInputError(f"order quantity must be positive, got {quantity}")
        instrument = instrument_for(order.symbol)
        if instrument.round_quantity(quantity) != quantity:
            raise InvalidInputError(
                f"quantity {quantity} is not a whole number of {order.symbol} lots "
                f"(lot size {instrument.lot_size})"
            )
        remaining = quantity - order.filled_quantity
        if order.side is Side.SELL and not state.settings.risk.allow_short:
            self._check_not_short(state, order.symbol, remaining, replacing=order)
        if order.side is Side.BUY and order.role is OrderRole.ENTRY:
            request = OrderRequest(
                order.symbol,
                Side.BUY,
                remaining,
                order.order_type,
                limit_price if limit_price is not None else order.limit_price,
                stop_price if stop_price is not None else order.stop_price,
            )
            self._check_cash(state, order.symbol, request)

    def _check_not_short(
        self,
        state: RestoredPortfolio,
        symbol: str,
        quantity: Decimal,
        *,
        replacing: Order | None = None,
    ) -> None:
        """Selling ``quantity`` more must not take a long-only book short, counting what the
        open sells already sell; a modified order (``replacing``) does not count itself or its
        one-cancels-other sibling."""
        held = state.kernel.ledger.position(symbol).quantity
        selling = sum(
            (
                o.remaining
                for o in state.kernel.orders.open_orders(symbol)
                if o.side is Side.SELL
                and (
                    replacing is None
                    or (
                        o.order_id != replacing.order_id
                        and (replacing.parent_id is None or o.parent_id != replacing.parent_id)
                    )
                )
            ),
            ZERO,
        )
        if quantity + selling > held:
            shown = quantity if replacing is None else replacing.filled_quantity + quantity
            raise InvalidInputError(
                f"cannot sell {shown} {symbol}: the portfolio holds {held}"
                + (f" and {selling} are already being sold" if selling else "")
                + " (short selling is off for this portfolio)"
            )


def _position_views(repository: LedgerRepository, portfolio_id: int) -> list[PositionView]:
    """Each position marked at its symbol's last close (its average cost before any)."""
    prices = {c.symbol: c.last_price for c in repository.cursors(portfolio_id)}
    views = []
    for position in repository.positions(portfolio_id):
        price = prices.get(position.symbol) or position.average_price
        views.append(
            PositionView(
                symbol=position.symbol,
                quantity=position.quantity,
                average_price=position.average_price,
                cost=position.cost,
                last_price=price,
                market_value=position.quantity * price,
                unrealized_pnl=position.quantity * price - position.cost,
                opened_at=position.opened_at,
            )
        )
    return views


def _summary(row: PortfolioRow, positions: list[PositionView]) -> PortfolioSummary:
    value = sum((p.market_value for p in positions), ZERO)
    return PortfolioSummary(
        id=row.id,
        name=row.name,
        status=row.status,
        base_currency=row.base_currency,
        starting_cash=row.starting_cash,
        cash=row.cash,
        positions_value=value,
        equity=row.cash + value,
        realized_pnl=row.realized_pnl,
        unrealized_pnl=sum((p.unrealized_pnl for p in positions), ZERO),
        fees_paid=row.fees_paid,
        created_at=row.created_at,
    )


def _check_ticks(symbol: str, **prices: Decimal | None) -> None:
    """Prices typed in must be positive whole ticks of the instrument, as a venue requires."""
    tick = instrument_for(symbol).tick_size
    for name, price in prices.items():
        if price is None:
            continue
        if not price.is_finite() or price <= 0:
            raise InvalidInputError(f"{name.replace('_', ' ')} price must be positive, got {price}")
        if price % tick != 0:
            raise InvalidInputError(
                f"{name.replace('_', ' ')} price {price} is not a whole tick of {symbol} "
                f"(tick size {tick})"
            )
