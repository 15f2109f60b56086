"""What the entry orders still working take off a portfolio's buying power, as the cash check
counts them when a new buy is routed (``routing.risk.CashAndBuyingPower.working_cost``), for
the surfaces that report buying power (the Alpaca account)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from paperdesk.config import RunConfig
from paperdesk.domain import ZERO, Order, OrderRole, OrderStatus, PortfolioView, Side
from paperdesk.store import LedgerRepository

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def working_entry_cost(
    repository: LedgerRepository,
    portfolio_id: int,
    settings: RunConfig,
    open_orders: Iterable[Order],
) -> Decimal:
    """The working entries' notional (a contract's initial margin) plus their estimated fees,
    valued at each symbol's last close (the stored cursors' price, the kernel's mark) as the
    kernel values them: what a new buy's budget is reduced by. 0 when no entry is working."""
    working = [
        order
        for order in open_orders
        if order.role is OrderRole.ENTRY and order.status is not OrderStatus.PENDING
    ]
    if not working:
        return ZERO
    # the kernel's parts load only when an entry is working: a portfolio's detail
    # (`portfolio show`) without one loads no engine, no pandas
    from paperdesk.engine.wiring import with_contract_terms
    from paperdesk.engine.working_entries import working_entries
    from paperdesk.execution.fees import parse_fee_model
    from paperdesk.live.restore import traded_instrument
    from paperdesk.routing import CashAndBuyingPower

    account = settings.account
    cursors = repository.cursors(portfolio_id)
    prices = {c.symbol: c.last_price for c in cursors if c.last_price is not None}
    symbols = sorted({order.symbol for order in working})
    instruments = with_contract_terms(
        account, {symbol: traded_instrument(symbol, settings.source) for symbol in symbols}
    )
    rule = CashAndBuyingPower(
        parse_fee_model(settings.execution.commission), kind=account.kind, leverage=account.leverage
    )
    view = PortfolioView(
        _EPOCH, ZERO, ZERO, working_entries=working_entries(working, prices, instruments)
    )
    return rule.working_cost(view, Side.BUY) or ZERO
