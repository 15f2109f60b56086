"""The ``paperdesk simulate FILE`` command: a trade plan walked over real candles (the intraday
simulator), its trades written to ``sim_trades.csv`` and shown as a table or JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.fit import Column, console, fitted, text
from paperdesk.cli.money import NOT_AVAILABLE, exact, percent, price, quantity, symbol_money
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_options import WideFlag
from paperdesk.cli.services import services
from paperdesk.cli.sim_figures import open_at_end, pnl_after_fees
from paperdesk.domain.errors import OptionError
from paperdesk.domain.parsing import plain_decimal


def simulate_command(
    plan: Annotated[
        Path, typer.Argument(metavar="FILE", help="Trade plan: CSV, or JSON (a list of rows).")
    ],
    timeframe: Annotated[
        str,
        typer.Option(metavar="TF", help="The candles to walk: 1h, 15m, 1m... (intraday)."),
    ],
    out: Annotated[
        Path,
        typer.Option(metavar="DIR", help="Folder for sim_trades.csv and sim_summary.json."),
    ],
    mode: Annotated[
        str | None,
        typer.Option(
            metavar="MODE",
            help="intraday, fast, balanced or conservative; intraday closes each trade at "
            "its session's end (EOD). Filter a plan by mode with 'paperdesk plan filter'.",
        ),
    ] = None,
    max_hold_days: Annotated[
        str | None,
        typer.Option(metavar="N", help="Close a trade still open after N days. (default: 3)"),
    ] = None,
    resolve_with: Annotated[
        str | None,
        typer.Option(
            metavar="TF",
            help="Finer bars (e.g. 1m) that decide a candle touching both stop and target; "
            "without them the stop-loss is taken.",
        ),
    ] = None,
    entry: Annotated[
        str,
        typer.Option(
            metavar="limit|market",
            help="limit: a DAY limit at entry_price; market: the next candle's open.",
        ),
    ] = "limit",
    slippage_bps: Annotated[
        str, typer.Option(metavar="N", help="Slippage of market-like fills, in bps.")
    ] = "5",
    commission: Annotated[
        str,
        typer.Option(
            metavar="SPEC",
            help="Fee model: none, percent:P, per-share:R[:min=M][:max-pct=P], "
            "per-lot:A or per-contract:A.",
        ),
    ] = "none",
    spread_pips: opt.SpreadPips = None,
    plan_date: Annotated[
        str | None,
        typer.Option(
            metavar="YYYY-MM-DD",
            help="Entry day of rows without entry_datetime (their first candle that day).",
        ),
    ] = None,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Skip invalid rows (each is reported).")
    ] = False,
    take_profit_first: opt.TakeProfitFirst = False,
    no_eod_close: opt.NoEodClose = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of tables.")
    ] = False,
    wide: WideFlag = False,
) -> None:
    """Simulate a trade plan over real candles: take-profit, stop-loss, timeout, EOD."""
    from paperdesk.service.simulations import (  # pandas and the engine: not for --help
        EntryType,
        SimulationRequest,
        parse_mode,
    )

    request = SimulationRequest(
        plan=plan.expanduser(),
        timeframe=timeframe,
        mode=parse_mode(mode) if mode is not None else None,
        max_hold_days=_decimal(max_hold_days, "--max-hold-days") if max_hold_days else None,
        resolve_with=resolve_with,
        entry=_entry(entry, EntryType),
        slippage_bps=_decimal(slippage_bps, "--slippage-bps"),
        commission=commission,
        spread_pips=opt.spread_pips(spread_pips),
        plan_date=_date(plan_date) if plan_date is not None else None,
        skip_bad_rows=skip_bad_rows,
        stop_loss_priority=not take_profit_first,
        eod_close=not no_eod_close,
    )
    report = services().simulations.simulate(request, out.expanduser())
    document = report.document()
    if json_output:
        print_json(document)
        return
    _print(document, wide)


def _decimal(value: str, option: str) -> Decimal:
    try:
        number = plain_decimal(value.strip())
    except InvalidOperation:
        raise OptionError(f"invalid value for {option}: '{value}' (expected a number)") from None
    if not number.is_finite() or (number <= 0 and option == "--max-hold-days"):
        raise OptionError(f"invalid value for {option}: '{value}' (expected a number above 0)")
    return number


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise OptionError(
            f"invalid value for --plan-date: '{value}' (expected a date such as 2024-03-01)"
        ) from None


def _entry(value: str, kinds: Any) -> Any:
    try:
        return kinds(value.strip().lower())
    except ValueError:
        raise OptionError(
            f"invalid value for --entry: '{value}' (expected limit or market)"
        ) from None


TRADE_TABLE = (
    Column("Row", right=True),
    Column("Ticker"),
    Column("Side"),
    Column("Qty", right=True),
    Column("Outcome"),
    Column("Entry (UTC)", drop=2),
    Column("Entry", right=True),
    Column("Exit (UTC)", drop=2),
    Column("Exit", right=True),
    Column("P&L", right=True),
    Column("Hours", right=True, drop=1),
    text("Why", drop=3),
)


def _print(document: dict[str, Any], wide: bool) -> None:
    out = console(wide=wide)
    width = None if wide else out.width
    rows = [
        [
            str(trade["row"]),
            trade["ticker"],
            trade["side"],
            quantity(exact(trade["qty"])),
            trade["outcome"] + (" *" if trade["ambiguous"] else ""),
            _time(trade["entry_time"]),
            price(exact(trade["entry_price"] or None), trade["ticker"]),
            _time(trade["exit_time"]),
            price(exact(trade["exit_price"] or None), trade["ticker"]),
            symbol_money(exact(trade["pnl"] or None), trade["ticker"]),
            trade["hours_held"] or "-",
            trade["reason"],
        ]
        for trade in document["trades"]
    ]
    title = f"Simulated trades ({document['timeframe']} candles, {document['entry']} entries)"
    out.print(fitted(title, TRADE_TABLE, rows, width))
    summary = document["summary"]
    outcomes = ", ".join(f"{name} {count}" for name, count in summary["outcomes"].items() if count)
    same = summary["same_candle"]
    win_rate = summary["win_rate_pct"]
    lines = [
        ("Rows", f"{summary['rows']} ({outcomes or 'none'})"),
        ("P&L after fees", pnl_after_fees(summary)),
        (
            "Win rate",
            NOT_AVAILABLE
            if win_rate is None
            else f"{percent(win_rate)} of "
            f"{summary['closed']} closed ({summary['wins']} won, {summary['losses']} lost)",
        ),
        (
            "Same-candle exits (*)",
            f"{same['ambiguous']} ambiguous: {same['resolved_lower_timeframe']} resolved from "
            f"{document['resolve_with'] or 'finer bars'}, {same['stop_loss_first']} stop-loss "
            f"first, {same['take_profit_first']} take-profit first",
        ),
        (
            "Assumed",
            f"max hold {document['max_hold_days']} days, EOD close {_eod_close(document)}, "
            f"slippage {document['slippage_bps']} bps, commission {document['commission']}"
            + (f", spread {document['spread_pips']} pips" if document.get("spread_pips") else ""),
        ),
        ("Written", ", ".join(document["files"].values())),
    ]
    still_open = [
        (trade["ticker"], trade["qty"], trade["entry_price"], trade["entry_time"])
        for trade in document["trades"]
        if trade["outcome"] == "NO_DATA" and trade["entry_time"]
    ]
    if still_open:
        lines.insert(2, ("Open at the data's end", open_at_end(still_open)))
    if document["skipped_rows"]:
        lines.append(("Skipped rows", ", ".join(str(row) for row in document["skipped_rows"])))
    for problem in document["skipped_problems"]:
        lines.append(("", problem))
    out.print(
        fitted(
            None,
            (Column("What"), text("Value")),
            [[label, value] for label, value in lines],
            width,
            show_header=False,
        )
    )


def _time(value: str | None) -> str:
    return "-" if value is None else value.replace("+00:00", "").replace("T", " ")


def _eod_close(document: dict[str, Any]) -> str:
    """Whether trades closed at the session's end, and why not: the option or the mode."""
    if document["end_of_day_close"]:
        return "on"
    return "off (--no-eod-close)" if not document["eod_close"] else "off (not intraday mode)"
