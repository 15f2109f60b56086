"""``paperdesk plan filter|execute`` and ``paperdesk reconcile`` (docs/trade-plans.md)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.conventions import NumberFriendlyCommand
from paperdesk.cli.fit import Column, fitted, number, text
from paperdesk.cli.money import money, price, quantity
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import amount, console, width_of
from paperdesk.cli.portfolios import PortfolioId
from paperdesk.cli.services import services
from paperdesk.domain import parsing as values
from paperdesk.service.paper_documents import equity_document
from paperdesk.service.plans import (
    EntryType,
    ExecutionMode,
    FitRule,
    PlanExecution,
    PlanFilterResult,
    PlanSettings,
    Reconciliation,
    RowDecision,
    parse_mode,
)

plan_app = typer.Typer(
    help="Trade plans: filter one by an execution mode, or place it into a portfolio.",
    no_args_is_help=True,
)

DEFAULT_CAPITAL = "100000"
PlanFile = Annotated[
    Path,
    typer.Argument(metavar="FILE", help="The plan: CSV, or JSON (a list of objects)."),
]
ExposureCap = Annotated[
    str,
    typer.Option(
        "--exposure-cap", metavar="SHARE", help="Share of capital all rows may commit (0-1]."
    ),
]
MaxPosition = Annotated[
    str | None,
    typer.Option(
        "--max-position",
        metavar="SHARE",
        help="Share of capital one row may commit (default: the exposure cap).",
    ),
]
Trim = Annotated[
    bool,
    typer.Option("--trim", help="Trim a row that does not fit to the whole units that do."),
]
SkipBadRows = Annotated[
    bool,
    typer.Option("--skip-bad-rows", help="Skip (and report) bad rows instead of refusing."),
]


def _settings(
    exposure_cap: str, max_position: str | None, trim: bool, entry: str = "limit"
) -> PlanSettings:
    cap = values.decimal_value(exposure_cap, "--exposure-cap", maximum=Decimal(1), places=None)
    position = (
        None
        if max_position is None
        else values.decimal_value(max_position, "--max-position", maximum=Decimal(1), places=None)
    )
    return PlanSettings(
        exposure_cap=cap,
        max_position_fraction=position,
        fit=FitRule.TRIM if trim else FitRule.KEEP,
        entry_type=values.choice_value(entry, "--entry", EntryType),
    )


def _mode(mode: str | None) -> ExecutionMode | None:
    return None if mode is None else parse_mode(mode)


@plan_app.command("filter")
def filter_command(
    file: PlanFile,
    mode: Annotated[
        str,
        typer.Option("--mode", metavar="MODE", help="intraday, fast, balanced or conservative."),
    ],
    out: Annotated[
        Path,
        typer.Option("--out", metavar="DIR", help="Folder for the filtered plan and audit."),
    ],
    capital: Annotated[
        str, typer.Option("--capital", metavar="AMOUNT", help="Capital the cap applies to.")
    ] = DEFAULT_CAPITAL,
    exposure_cap: ExposureCap = "0.8",
    max_position: MaxPosition = None,
    trim: Trim = False,
    skip_bad_rows: SkipBadRows = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files already in --out.")
    ] = False,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Filter a trade plan by an execution mode under the exposure cap; write
    trade_plan_filtered.csv and audit.json."""
    chosen = parse_mode(mode)
    amount_value = values.decimal_value(capital, "--capital")
    settings = _settings(exposure_cap, max_position, trim)
    plans = services().plans
    result = plans.filter(
        file, mode=chosen, capital=amount_value, settings=settings, skip_bad_rows=skip_bad_rows
    )
    written = plans.write_filter_outputs(result, out, force=force)
    if json_output:
        print_json({"files": [str(path) for path in written], **result.audit()})
        return
    _print_filter(result, written, wide)


def _print_filter(result: PlanFilterResult, written: Sequence[Path], wide: bool) -> None:
    out = console(wide=wide)
    filtered = result.filtered
    out.print(decisions_table(filtered.decisions, width_of(out, wide)))
    _print_skipped(result.reading.skipped)
    kept = len(filtered.rows)
    typer.echo(
        f"{kept} of {len(filtered.decisions)} rows kept; capital {money(filtered.capital)}, "
        f"cap {money(filtered.cap)}, exposure used {money(filtered.exposure_used)}"
    )
    typer.echo("wrote " + " and ".join(str(path) for path in written), err=True)


def decisions_table(decisions: Sequence[RowDecision], width: int | None) -> object:
    columns = (
        number("Row"),
        Column("Ticker"),
        Column("Side", drop=1),
        number("Qty"),
        number("Kept"),
        number("Score"),
        number("Rank", drop=2),
        Column("Decision"),
        text("Reason"),
    )
    rows = [
        (
            str(d.row),
            d.ticker,
            d.side,
            quantity(d.qty),
            quantity(d.kept_qty),
            _score(d.score),
            "-" if d.rank is None else str(d.rank),
            d.decision.value,
            d.reason,
        )
        for d in decisions
    ]
    return fitted("Plan rows", columns, rows, width)


def _score(value: Decimal | None) -> str:
    """Four decimals for reading (the audit keeps every digit)."""
    if value is None:
        return "-"
    return f"{value.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP)}"


def _print_skipped(skipped: Sequence[object]) -> None:
    for problem in skipped:
        typer.echo(f"skipped {getattr(problem, 'message', problem)}", err=True)


def portfolio_first(args: list[str]) -> list[str]:
    """``FILE --portfolio ID`` (``plan execute``'s form before 2026-12-06) as ``ID FILE``, the
    order of every other command (``--portfolio=ID`` too); other arguments as given."""
    rest = list(args)
    for at, arg in enumerate(rest):
        if arg == "--":
            break
        if arg.startswith("--portfolio="):
            del rest[at]
            return [arg.partition("=")[2], *rest]
        if arg == "--portfolio" and at + 1 < len(rest):
            identifier = rest[at + 1]
            del rest[at : at + 2]
            return [identifier, *rest]
    return rest


class PortfolioFirst(NumberFriendlyCommand):
    """A command taking PORTFOLIO_ID first that still reads the old ``--portfolio ID``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, portfolio_first(args))


@plan_app.command("execute", cls=PortfolioFirst)
def execute_command(
    portfolio: PortfolioId,
    file: PlanFile,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            metavar="MODE",
            help="Filter first: intraday, fast, balanced or conservative (default: no filter "
            "by score; the cap still applies).",
        ),
    ] = None,
    exposure_cap: ExposureCap = "0.8",
    max_position: MaxPosition = None,
    trim: Trim = False,
    entry: Annotated[
        str,
        typer.Option(
            "--entry", metavar="limit|market", help="Entry order: a limit at the plan's price."
        ),
    ] = "limit",
    plan_date: Annotated[
        str | None,
        typer.Option(
            "--plan-date",
            metavar="DATE",
            help="The plan's date in its orders' client ids (default: its first entry's date).",
        ),
    ] = None,
    skip_bad_rows: SkipBadRows = False,
    json_output: opt.JsonFlag = False,
    wide: opt.WideFlag = False,
) -> None:
    """Place a trade plan into a portfolio as bracket orders (once per plan date and row).

    The old form, FILE --portfolio PORTFOLIO_ID, still works."""
    settings = _settings(exposure_cap, max_position, trim, entry)
    chosen = _mode(mode)
    day = None if plan_date is None else values.date_value(plan_date, "--plan-date")
    result = services().plans.execute(
        portfolio,
        file,
        mode=chosen,
        settings=settings,
        plan_date=day,
        skip_bad_rows=skip_bad_rows,
    )
    if json_output:
        print_json(result.as_dict())
        return
    _print_execution(result, wide)


def _print_execution(result: PlanExecution, wide: bool) -> None:
    out = console(wide=wide)
    columns = (
        number("Row"),
        Column("Ticker"),
        Column("Side", drop=1),
        number("Qty"),
        Column("Status"),
        Column("Orders"),
        Column("Client id", drop=2),
        text("Reason"),
    )
    rows = [
        (
            str(r.row),
            r.ticker,
            r.side,
            quantity(r.qty),
            r.status,
            " ".join(r.order_ids) or "-",
            r.client_order_id,
            r.reason,
        )
        for r in result.rows
    ]
    title = f"Plan {result.plan_date.isoformat()} into portfolio {result.portfolio_id}"
    out.print(fitted(title, columns, rows, width_of(out, wide)))
    _print_skipped(result.skipped)
    row_word = "row" if result.placed == 1 else "rows"
    order_word = "order" if len(result.orders) == 1 else "orders"
    typer.echo(f"{result.placed} {row_word} placed, {len(result.orders)} {order_word}")


def reconcile_command(
    portfolio_id: PortfolioId, json_output: opt.JsonFlag = False, wide: opt.WideFlag = False
) -> None:
    """Mark a portfolio to market at its latest prices and append it to its equity ledger."""
    container = services()
    result = container.plans.reconcile(portfolio_id)
    if json_output:
        print_json(
            {
                "portfolio_id": portfolio_id,
                **equity_document(result.point),
                "marks": {s: str(p) for s, p in result.marks.items()},
                "closed": [hold.as_dict() for hold in result.closed],
            }
        )
        return
    currency = container.portfolios.show(portfolio_id).summary.base_currency
    _print_reconciliation(result, currency, wide)


def _print_reconciliation(result: Reconciliation, currency: str, wide: bool) -> None:
    out = console(wide=wide)
    for hold in result.closed:
        placed = f"closing order {hold.order_id}" if hold.order_id else "nothing left to close"
        typer.echo(f"{hold.symbol} plan {hold.plan_date} row {hold.row}: {hold.reason}; {placed}")
    columns = (Column("Symbol"), number("Qty"), number("Mark"), number("Value"))
    rows = [
        (
            symbol,
            quantity(result.quantities[symbol]),
            price(mark, symbol),
            amount(result.quantities[symbol] * mark, currency),
        )
        for symbol, mark in result.marks.items()
    ]
    if rows:
        out.print(fitted("Positions marked", columns, rows, width_of(out, wide)))
    point = result.point
    typer.echo(
        f"portfolio {result.portfolio_id} reconciled at {point.ts.isoformat()}: cash "
        f"{amount(point.cash, currency)}, positions {amount(point.positions_value, currency)}, "
        f"equity {amount(point.equity, currency)}, unrealized P&L "
        f"{amount(point.unrealized_pnl, currency)}"
    )
