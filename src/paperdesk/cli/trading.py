"""``paperdesk trade``, ``order place|cancel|modify``, ``position close`` and ``mark``."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import amount, console, orders_table, print_ticks, width_of
from paperdesk.cli.portfolios import PortfolioId, open_service
from paperdesk.domain import Order, OrderType, Side, TimeInForce
from paperdesk.domain import parsing as values
from paperdesk.domain.errors import OptionError
from paperdesk.service.order_requests import OrderRequest
from paperdesk.service.paper_documents import equity_document, order_document, tick_document

order_app = typer.Typer(help="Place, cancel and modify manual orders.", no_args_is_help=True)
position_app = typer.Typer(help="Act on a position.", no_args_is_help=True)

MODES = ("DRY", "LIVE")
ORDER_TYPES = {
    "market": OrderType.MARKET,
    "limit": OrderType.LIMIT,
    "stop": OrderType.STOP,
    "stop-limit": OrderType.STOP_LIMIT,
}
Symbol = Annotated[str, typer.Argument(metavar="SYMBOL", help="The instrument, e.g. SPY.")]
OrderId = Annotated[str, typer.Argument(metavar="ORDER_ID", help="The order's id, e.g. O3.")]
LimitPrice = Annotated[
    str | None, typer.Option("--limit-price", metavar="PRICE", help="Limit price.")
]
StopPrice = Annotated[
    str | None, typer.Option("--stop-price", metavar="PRICE", help="Stop (trigger) price.")
]
OldLimit = Annotated[str | None, typer.Option("--limit", hidden=True)]  # before --limit-price
OldStop = Annotated[str | None, typer.Option("--stop", hidden=True)]  # before --stop-price
NEEDS_LIMIT = (OrderType.LIMIT, OrderType.STOP_LIMIT)
NEEDS_STOP = (OrderType.STOP, OrderType.STOP_LIMIT)


def trade_command(
    portfolio_id: PortfolioId,
    symbol: Symbol,
    mode: Annotated[str, typer.Argument(metavar="DRY|LIVE", help="DRY writes nothing.")],
    strategy: Annotated[
        list[str] | None,
        typer.Option("--strategy", "-s", metavar="NAME", help="Run only these strategies."),
    ] = None,
    catch_up: Annotated[
        bool,
        typer.Option("--catch-up/--no-catch-up", help="Process every missed bar in order."),
    ] = True,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Run the strategies on the latest bar of SYMBOL: DRY shows, LIVE commits."""
    wanted = mode.strip().upper()
    if wanted not in MODES:
        raise values.invalid("mode", mode, "DRY or LIVE")
    dry_run = wanted == "DRY"
    service = open_service()
    ticks = service.tick(
        portfolio_id, symbol, strategies=strategy or None, dry_run=dry_run, catch_up=catch_up
    )
    if json_output:
        print_json(
            {
                "portfolio_id": portfolio_id,
                "symbol": symbol.strip().upper(),
                "mode": wanted,
                "ticks": [tick_document(tick) for tick in ticks],
            }
        )
    else:
        currency = service.show(portfolio_id).summary.base_currency
        print_ticks(ticks, dry_run=dry_run, currency=currency, wide=wide)


def _price(value: str | None, label: str) -> Decimal | None:
    return None if value is None else values.decimal_value(value, label)


def _required_prices(kind: OrderType, limit: str | None, stop: str | None) -> None:
    """A limit (stop) order names its price: one message about the missing option."""
    if kind in NEEDS_LIMIT and limit is None:
        raise OptionError(f"--limit-price is required for a {kind.value} order")
    if kind in NEEDS_STOP and stop is None:
        raise OptionError(f"--stop-price is required for a {kind.value} order")


def _print_orders(orders: list[Order], title: str, json_output: bool) -> None:
    if json_output:
        print_json({"orders": [order_document(o) for o in orders]})
    else:
        out = console()
        out.print(orders_table(orders, title, width_of(out, wide=False)))


QUANTITY_HELP = "Units: whole lots of the instrument (shares, coins; forex: 100000 units a lot)."


@order_app.command("place")
def place_command(
    portfolio_id: PortfolioId,
    symbol: Symbol,
    side: Annotated[str, typer.Argument(metavar="buy|sell", help="The order's side.")],
    quantity: Annotated[str, typer.Argument(metavar="QTY", help=QUANTITY_HELP)],
    order_type: Annotated[
        str, typer.Option("--type", metavar="market|limit|stop|stop-limit")
    ] = "market",
    limit: LimitPrice = None,
    stop: StopPrice = None,
    tif: Annotated[str, typer.Option(metavar="day|gtc|ioc|fok", help="Time in force.")] = "gtc",
    stop_loss: Annotated[
        str | None,
        typer.Option(metavar="PRICE", help="A bracket's stop-loss (below a buy, above a sell)."),
    ] = None,
    take_profit: Annotated[
        str | None,
        typer.Option(metavar="PRICE", help="A bracket's take-profit (above a buy, below a sell)."),
    ] = None,
    client_id: Annotated[str | None, typer.Option(metavar="ID", help="Client order id.")] = None,
    json_output: opt.JsonFlag = False,
    old_limit: OldLimit = None,
    old_stop: OldStop = None,
) -> None:
    """Submit a manual order; it fills on a later bar like any other order."""
    kind = ORDER_TYPES.get(order_type.strip().lower().replace("_", "-"))
    if kind is None:
        raise values.invalid("--type", order_type, " or ".join(ORDER_TYPES))
    limit, stop = limit or old_limit, stop or old_stop
    _required_prices(kind, limit, stop)
    request = OrderRequest(
        symbol=symbol,
        side=values.choice_value(side, "SIDE", Side),
        quantity=values.decimal_value(quantity, "QTY"),
        order_type=kind,
        limit_price=_price(limit, "--limit-price"),
        stop_price=_price(stop, "--stop-price"),
        time_in_force=values.choice_value(tif, "--tif", TimeInForce),
        stop_loss=_price(stop_loss, "--stop-loss"),
        take_profit=_price(take_profit, "--take-profit"),
        client_order_id=client_id,
    )
    orders = open_service().place_order(portfolio_id, request)
    _print_orders(orders, "Orders placed", json_output)


@order_app.command("cancel")
def cancel_command(
    portfolio_id: PortfolioId, order_id: OrderId, json_output: opt.JsonFlag = False
) -> None:
    """Cancel a working order."""
    order = open_service().cancel_order(portfolio_id, order_id)
    _print_orders([order], "Order canceled", json_output)


@order_app.command("modify")
def modify_command(
    portfolio_id: PortfolioId,
    order_id: OrderId,
    quantity: Annotated[
        str | None, typer.Option(metavar="QTY", help=f"The new quantity. {QUANTITY_HELP}")
    ] = None,
    limit: LimitPrice = None,
    stop: StopPrice = None,
    json_output: opt.JsonFlag = False,
    old_limit: OldLimit = None,
    old_stop: OldStop = None,
) -> None:
    """Change a working order's quantity, limit or stop price."""
    limit, stop = limit or old_limit, stop or old_stop
    if quantity is None and limit is None and stop is None:
        raise OptionError("nothing to modify: pass --quantity, --limit-price or --stop-price")
    order = open_service().modify_order(
        portfolio_id,
        order_id,
        quantity=None if quantity is None else values.decimal_value(quantity, "--quantity"),
        limit_price=_price(limit, "--limit-price"),
        stop_price=_price(stop, "--stop-price"),
    )
    _print_orders([order], "Order modified", json_output)


@position_app.command("close")
def close_command(
    portfolio_id: PortfolioId, symbol: Symbol, json_output: opt.JsonFlag = False
) -> None:
    """Cancel the symbol's working orders and send a market order that flattens it (run again
    while that order stands, it shows it and changes nothing)."""
    closed = open_service().close_position(portfolio_id, symbol)
    title = "Closing orders" if closed.placed else "Closing order already standing (no change)"
    _print_orders(closed.orders, title, json_output)


def mark_command(portfolio_id: PortfolioId, json_output: opt.JsonFlag = False) -> None:
    """Record an equity snapshot at the positions' latest prices."""
    service = open_service()
    point = service.mark_to_market(portfolio_id)
    if json_output:
        print_json({"portfolio_id": portfolio_id, **equity_document(point)})
    else:
        ccy = service.show(portfolio_id).summary.base_currency
        typer.echo(
            f"portfolio {portfolio_id}: cash {amount(point.cash, ccy)}, positions "
            f"{amount(point.positions_value, ccy)}, equity {amount(point.equity, ccy)}, "
            f"unrealized P&L {amount(point.unrealized_pnl, ccy)}, realized P&L gross "
            f"{amount(point.realized_pnl, ccy)}, fees {amount(point.fees_paid, ccy)}, net "
            f"{amount(point.realized_pnl - point.fees_paid, ccy)}"
        )
