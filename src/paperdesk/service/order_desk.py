"""The order desk: one locked portfolio inside one transaction, where orders are placed
through the same checks as ``PortfolioService.place_order`` (which uses it for its one order).

A trade plan places many orders in one unit of work: what the desk places is written when the
transaction commits, and nothing is when any step raises. The desk also answers what a plan
needs to decide first: the equity, the exposure held, and whether a client order id was used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from paperdesk.domain import (
    Event,
    InvalidInputError,
    Order,
    OrderError,
    OrderEvent,
    OrderIntent,
    UnknownNameError,
    limits,
)
from paperdesk.routing import OrderRefusedError
from paperdesk.service.market_hours import IMMEDIATE, check_market_open
from paperdesk.service.order_checks import check_order_request

if TYPE_CHECKING:
    from paperdesk.domain.instruments import Instrument
    from paperdesk.live.restore import RestoredPortfolio
    from paperdesk.service.order_requests import OrderRequest
    from paperdesk.store import LedgerRepository

ORDER_ID = re.compile(r"O[1-9][0-9]*")  # as the book issues them: O1, O2, ...


class OrderDesk:
    """Place orders on a restored, locked portfolio; ``events`` collects what to persist."""

    def __init__(
        self,
        repository: LedgerRepository,
        state: RestoredPortfolio,
        market_time: Callable[[], datetime],
        reference_price: Callable[[RestoredPortfolio, str], Decimal],
    ) -> None:
        self.repository = repository
        self.state = state
        self._market_time = market_time
        self._reference_price = reference_price
        self.events: list[Event] = []
        self.client_order_ids: list[str] = []  # those the desk placed, in order

    @cached_property
    def at(self) -> datetime:
        """The portfolio's clock (read when first needed: an order is checked before a replay
        that has not started is refused)."""
        return self._market_time()

    @property
    def portfolio_id(self) -> int:
        return self.state.portfolio_id

    def reference_price(self, symbol: str) -> Decimal:
        """The symbol's last known close; refuses a symbol the portfolio does not trade."""
        return self._reference_price(self.state, symbol)

    def instrument(self, symbol: str) -> Instrument:
        """The instrument as the portfolio trades it (its lot and tick)."""
        try:
            return self.state.kernel.instrument(symbol)
        except UnknownNameError:  # a symbol restore did not load (not traded yet)
            from paperdesk.live.restore import traded_instrument

            return traded_instrument(symbol, self.state.settings.source)

    def existing_order(self, client_order_id: str) -> Order | None:
        """The order placed earlier with this client order id (any status), if any."""
        return self.repository.order_by_client_id(self.portfolio_id, client_order_id)

    def first_fill_at(self, order_id: str) -> datetime | None:
        """When order ``order_id`` first filled (None before its first fill)."""
        return self.repository.first_fill_at(self.portfolio_id, order_id)

    def stored_order(self, order_id: str) -> Order:
        """Order ``order_id`` as the ledger holds it (finished orders too)."""
        return self.repository.order(self.portfolio_id, order_id)

    def is_working(self, order_id: str) -> bool:
        """Whether ``order_id`` is in the book now (after what the desk did so far)."""
        return any(order.order_id == order_id for order in self.state.kernel.open_orders())

    def cancel(self, order_id: str, reason: str) -> None:
        """Cancel a working order (its cancellation is written with the desk's orders)."""
        self.events.extend(self.state.kernel.cancel_order(order_id, self.at, reason))

    def equity(self) -> Decimal:
        return self.state.kernel.equity_point(self.at).equity

    def exposure(self) -> Decimal:
        """What the portfolio commits now, as the router's exposure cap counts it
        (``Kernel.committed``): its positions at their marks plus the entries still working
        at the price the risk rules value them at, longs and shorts alike. No fee: exposure
        is notional (the plan's rows are counted at theirs); the cash check adds the fee
        model's estimate because fees are paid in cash."""
        return self.state.kernel.committed(self.at)

    def place(self, request: OrderRequest) -> list[Order]:
        """Check and submit ``request`` (the checks of any manual order: quantity, prices its
        type takes, client order id, lots and ticks, the portfolio's risk chain)."""
        symbol = limits.symbol_value(request.symbol, "symbol")
        if not request.quantity.is_finite() or request.quantity <= 0:
            raise InvalidInputError(f"order quantity must be positive, got {request.quantity}")
        check_order_request(request)
        kernel = self.state.kernel
        price = self.reference_price(symbol)
        intent = OrderIntent(
            symbol,
            request.side,
            request.quantity,
            request.order_type,
            request.limit_price,
            request.stop_price,
            request.time_in_force,
            stop_loss=request.stop_loss,
            take_profit=request.take_profit,
            strategy=request.strategy,
            reason=request.reason,
        )
        client_id = request.client_order_id
        # checked before the clock's refusals (a rule's refusal comes first), once: reading
        # the clock changes nothing the checks read (``TradingKernel.submit_checked``); the
        # day's start equity is an input computed here, as a tick computes it, not a time the
        # rules read
        checked = kernel.check_order(
            intent,
            price=price,
            client_order_id=client_id,
            day_start_equity=self._day_start_equity(),
        )
        self._check_market_open(symbol, request)
        # the book knows its working orders' client ids; a finished order's is refused by the
        # ledger's unique key when the unit writes (``used_client_order_id`` names it then)
        events = kernel.submit_checked(checked, self.at, client_order_id=client_id)
        if client_id is not None:
            self.client_order_ids.append(client_id)
        self.events.extend(events)
        return orders_of(events)

    def _day_start_equity(self) -> Decimal | None:
        """The equity the daily loss limit measures from at the portfolio's clock: the same
        rule as a tick's (``live.day_start``), so a trader's entry is refused where a
        strategy's would be. None without the limit, and for a replay that has not started:
        it has no clock, so no day yet and no limit (its order is then refused for that, after
        the checks, when the clock is read to place it)."""
        if self.state.settings.risk.daily_loss_limit_percent is None:
            return None
        try:
            at = self.at
        except InvalidInputError:  # the replay has not started (``_market_time``)
            return None
        from paperdesk.live.day_start import day_start_equity

        return day_start_equity(self.repository, self.state, at)

    def _check_market_open(self, symbol: str, request: OrderRequest) -> None:
        """Refuse an IOC or FOK order while its market is closed at the portfolio's clock
        (``service.market_hours``; the clock is read only for those)."""
        if request.time_in_force not in IMMEDIATE:
            return
        from paperdesk.config.run import TradingSession

        settings = self.state.settings
        check_market_open(
            symbol,
            request.time_in_force,
            calendar=self.instrument(symbol).calendar,
            timeframe=settings.bar_timeframe,
            extended=settings.execution.session is TradingSession.EXTENDED,
            at=self.at,
        )


def used_client_order_id(
    repository: LedgerRepository, portfolio_id: int, client_order_ids: Sequence[str]
) -> OrderRefusedError:
    """The refusal of a unit whose write hit the unique key of a portfolio's client order ids:
    the first of the unit's ``client_order_ids`` that an order of the ledger holds, named with
    that order and its status (read after the unit rolled back)."""
    for client_id in client_order_ids:
        used = repository.order_by_client_id(portfolio_id, client_id)
        if used is not None:
            return OrderRefusedError(
                f"client order id {client_id!r} is already used by order {used.order_id} "
                f"({used.status.value}); a client order id names one order for good",
                "duplicate_client_order_id",
            )
    return OrderRefusedError(
        "a client order id of this request is already used; a client order id names one "
        "order for good",
        "duplicate_client_order_id",
    )


def working_order(
    repository: LedgerRepository, state: RestoredPortfolio, order_id: str, change: str
) -> Order:
    """Order ``order_id`` of the book, to ``change`` (cancel, modify); a finished order the
    ledger holds is named with its status rather than called unknown."""
    try:
        return state.kernel.order(order_id)
    except OrderError as unknown:
        try:
            stored = repository.order(state.portfolio_id, order_id)
        except UnknownNameError:
            raise _no_such_order(state, order_id, unknown) from None
        raise OrderError(
            f"order {order_id} is {stored.status.value}: only a working order can be {change}"
        ) from None


def _no_such_order(state: RestoredPortfolio, order_id: str, unknown: OrderError) -> OrderError:
    """The refusal of an order id the ledger does not hold: one written as ids are (``O12``)
    is named with the ids the portfolio has, since "ids look like O10" says nothing of it;
    any other keeps the book's hint (what ids look like, the closest ones)."""
    if ORDER_ID.fullmatch(order_id) is None:
        return unknown
    last = state.kernel.account().order_sequence  # ids are issued O1, O2, ... with none skipped
    held = {0: "it has no order yet", 1: "its one order is O1"}.get(
        last, f"its orders are O1 to O{last}"
    )
    return OrderError(f"portfolio {state.portfolio_id} has no order {order_id}; {held}")


class PositionClose(NamedTuple):
    """What closing a position did: the orders it placed or canceled, or, for a retried close
    whose order still stands, that order alone and ``placed`` False (nothing was written)."""

    orders: list[Order]
    placed: bool = True


def orders_of(events: Sequence[Event]) -> list[Order]:
    """The orders ``events`` placed or changed, each once, in the order they came."""
    found: dict[str, Order] = {}
    for event in events:
        if isinstance(event, OrderEvent):
            found[event.order.order_id] = event.order
    return list(found.values())
