"""``paperdesk orders|fills|trades|signals|audit PORTFOLIO_ID``: the portfolio's records."""

from __future__ import annotations

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import (
    audit_table,
    console,
    fills_table,
    orders_table,
    signals_table,
    trades_table,
    trades_total,
    width_of,
)
from paperdesk.cli.portfolios import PortfolioId, open_service
from paperdesk.cli.trade_rows import income_words
from paperdesk.service.instruments import instrument_of
from paperdesk.service.paper_documents import (
    audit_document,
    fill_document,
    order_document,
    signal_detail_document,
    trade_document,
)
from paperdesk.service.trade_income import priced_by_move


def _empty(kind: str, portfolio_id: int) -> None:
    typer.echo(f"No {kind} in portfolio {portfolio_id}.")


def orders_command(
    portfolio_id: PortfolioId,
    limit: opt.Limit = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Every order of the portfolio (oldest first), with its status."""
    orders = open_service().orders(portfolio_id, limit=limit)
    if json_output:
        print_json({"portfolio_id": portfolio_id, "orders": [order_document(o) for o in orders]})
    elif orders:
        out = console(wide=wide)
        out.print(orders_table(orders, width=width_of(out, wide)))
    else:
        _empty("orders", portfolio_id)


def fills_command(
    portfolio_id: PortfolioId,
    limit: opt.Limit = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Every fill of the portfolio, with price and fee."""
    fills = open_service().fills(portfolio_id, limit=limit)
    if json_output:
        print_json({"portfolio_id": portfolio_id, "fills": [fill_document(f) for f in fills]})
    elif fills:
        out = console(wide=wide)
        out.print(fills_table(fills, width=width_of(out, wide)))
    else:
        _empty("fills", portfolio_id)


def trades_command(
    portfolio_id: PortfolioId,
    limit: opt.Limit = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """The portfolio's closed round trips with their P&L."""
    service = open_service()
    trades = service.trades(portfolio_id, limit=limit)
    if json_output:
        print_json({"portfolio_id": portfolio_id, "trades": [trade_document(t) for t in trades]})
    elif trades:
        out = console(wide=wide)
        out.print(trades_table(trades, width_of(out, wide)))
        out.print(trades_total(trades))
        settings = service.settings(portfolio_id)
        if priced_by_move(settings):
            for line in income_words(trades, instrument_of(trades[0].symbol).currency):
                out.print(line, highlight=False, markup=False)
    else:
        _empty("closed trades", portfolio_id)


def signals_command(
    portfolio_id: PortfolioId,
    limit: opt.Limit = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Every signal the strategies gave, accepted or rejected with the reason."""
    service = open_service()
    signals = service.signals(portfolio_id, limit=limit)
    if json_output:  # the CLI's keys and the API's for the same things (signal_detail_document)
        from paperdesk.service.performance_views import signal_details  # pandas: not for --help

        documents = [
            signal_detail_document(d) for d in signal_details(service, portfolio_id, signals)
        ]
        print_json({"portfolio_id": portfolio_id, "signals": documents})
    elif signals:
        out = console(wide=wide)
        out.print(signals_table(signals, width=width_of(out, wide)))
    else:
        _empty("signals", portfolio_id)


def audit_command(
    portfolio_id: PortfolioId,
    limit: opt.Limit = None,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """The append-only audit log: every change to the portfolio."""
    entries = open_service().audit(portfolio_id, limit=limit)
    if json_output:
        print_json({"portfolio_id": portfolio_id, "audit": [audit_document(e) for e in entries]})
    elif entries:
        out = console(wide=wide)
        out.print(audit_table(entries, width=width_of(out, wide)))
    else:
        _empty("audit entries", portfolio_id)


def register(app: typer.Typer) -> None:
    app.command("orders")(orders_command)
    app.command("fills")(fills_command)
    app.command("trades")(trades_command)
    app.command("signals")(signals_command)
    app.command("audit")(audit_command)
