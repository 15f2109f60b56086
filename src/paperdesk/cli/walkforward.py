"""The ``paperdesk walkforward`` command: a period of daily trade plans (a folder of files, or
a registered strategy) filtered and simulated day by day, written as an evidence folder, with
a progress bar over the days; a rerun resumes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.fit import Column, console, fitted, text
from paperdesk.cli.interrupt import note_committed
from paperdesk.cli.money import exact, money, percent, ratio
from paperdesk.cli.output import gap_lines, print_json, print_wrapped
from paperdesk.cli.services import services
from paperdesk.cli.sim_figures import open_at_end, pnl_after_fees
from paperdesk.domain.errors import OptionError
from paperdesk.domain.parsing import plain_decimal


def walkforward_command(
    out: Annotated[
        Path, typer.Option(metavar="DIR", help="The evidence folder (made, or resumed).")
    ],
    plans: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Folder of daily plans named YYYY-MM-DD.csv or YYYY-MM-DD.json."
        ),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            "-s",
            metavar="NAME",
            help="A registered strategy making each day's plan from the daily bars known at "
            "the previous close (instead of --plans).",
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p", metavar="KEY=VALUE", help="A strategy parameter (repeatable)."
        ),
    ] = None,
    symbol: Annotated[
        list[str] | None,
        typer.Option(metavar="SYM", help="A symbol the strategy plans (repeatable; SPY, AAPL)."),
    ] = None,
    month: Annotated[
        str | None, typer.Option(metavar="YYYY-MM", help="The period: one calendar month.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="The period's first date.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="The period's last date.")
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            metavar="MODE",
            help="intraday, fast, balanced or conservative: the filter (etth limit, score) and, "
            "for intraday, the close at the session's end (default: none, every row in the "
            "file's order).",
        ),
    ] = None,
    capital: Annotated[str, typer.Option(metavar="N", help="Starting capital.")] = "100000",
    exposure_cap: Annotated[
        str,
        typer.Option(
            metavar="F",
            help="Share of the running equity the open trades may commit, above 0 and at most "
            "1 (a backtest's --exposure-cap is a percent).",
        ),
    ] = "0.8",
    timeframe: Annotated[str, typer.Option(metavar="TF", help="The candles simulated.")] = "1h",
    resolve_with: Annotated[
        str,
        typer.Option(
            metavar="TF|none",
            help="Finer bars deciding a candle touching stop and target, where held.",
        ),
    ] = "1m",
    entry: Annotated[str, typer.Option(metavar="limit|market", help="Entry order.")] = "limit",
    max_hold_days: Annotated[
        str | None, typer.Option(metavar="N", help="Timeout in days. (default: 3)")
    ] = None,
    slippage_bps: Annotated[
        str, typer.Option(metavar="N", help="Slippage of market-like fills, in bps.")
    ] = "5",
    commission: Annotated[
        str, typer.Option(metavar="SPEC", help="Fee model, as the backtest's.")
    ] = "none",
    spread_pips: opt.SpreadPips = None,
    fit_window: Annotated[
        str | None,
        typer.Option(
            metavar="60d",
            help="Re-fit the strategy's parameters on this many days of daily bars before each "
            "out-of-sample block (grid search on backtest P&L).",
        ),
    ] = None,
    fit_param: Annotated[
        list[str] | None,
        typer.Option(metavar="KEY=V1,V2", help="A parameter's candidates (repeatable)."),
    ] = None,
    refit_every: Annotated[
        int, typer.Option(metavar="N", help="Trading days per out-of-sample block.")
    ] = 5,
    skip_bad_rows: Annotated[
        bool, typer.Option("--skip-bad-rows", help="Skip invalid plan rows (each reported).")
    ] = False,
    restart: Annotated[
        bool,
        typer.Option("--restart", help="Discard the evidence already in --out; start again."),
    ] = False,
    take_profit_first: opt.TakeProfitFirst = False,
    no_eod_close: opt.NoEodClose = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary as one JSON object.")
    ] = False,
) -> None:
    """Walk-forward: simulate each trading day's plan with the data of the day before."""
    from paperdesk.service.walk_forward import (  # pandas and the engine: not for --help
        EntryType,
        WalkForwardRequest,
        month_period,
        parse_day,
        parse_mode,
    )

    if month is not None and (start is not None or end is not None):
        raise OptionError("give either --month or --from and --to, not both")
    if month is not None:
        first, last = month_period(month)
    elif start is not None and end is not None:
        first, last = parse_day(start, "--from"), parse_day(end, "--to")
    else:
        raise OptionError("give the period: --month YYYY-MM, or --from DATE --to DATE")
    request = WalkForwardRequest(
        out=out.expanduser(),
        first=first,
        last=last,
        plans=plans.expanduser() if plans is not None else None,
        strategy=strategy,
        params=tuple(_pair(item, "--param") for item in param or ()),
        symbols=tuple(s.strip().upper() for s in symbol) if symbol else ("SPY", "AAPL"),
        mode=parse_mode(mode) if mode is not None else None,
        capital=_decimal(capital, "--capital"),
        exposure_cap=_decimal(exposure_cap, "--exposure-cap"),
        timeframe=timeframe,
        resolve_with=None if resolve_with.strip().lower() == "none" else resolve_with,
        entry=_entry(entry, EntryType),
        max_hold_days=_decimal(max_hold_days, "--max-hold-days") if max_hold_days else None,
        slippage_bps=_decimal(slippage_bps, "--slippage-bps"),
        commission=commission,
        spread_pips=opt.spread_pips(spread_pips),
        skip_bad_rows=skip_bad_rows,
        restart=restart,
        fit_window=fit_window,
        fit_params=tuple(_pair(item, "--fit-param") for item in fit_param or ()),
        refit_every=refit_every,
        stop_loss_priority=not take_profit_first,
        eod_close=not no_eod_close,
    )
    report = _run_with_progress(request, quiet=json_output)
    if json_output:
        print_json(
            {
                "out": str(report.out),
                "days": report.days,
                "simulated": list(report.simulated),
                "resumed": list(report.resumed),
                "summary": report.summary,
                "data_gaps": report.summary.get("data_gaps"),
            }
        )
        return
    _print(report)


def _run_with_progress(request: Any, *, quiet: bool) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    service = services().walk_forward
    errors = Console(stderr=True)
    with Progress(
        TextColumn("walk-forward {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        disable=quiet or not errors.is_terminal,  # a log or a pipe gets the result alone
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def advance(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name)
            note_committed(f"{done} of {total} days written to {request.out}; a rerun resumes")

        return service.run(request, advance)


def _pair(item: str, option: str) -> tuple[str, str]:
    key, sign, value = item.partition("=")
    if not sign or not key.strip():
        raise OptionError(f"invalid value for {option}: '{item}' (expected KEY=VALUE)")
    return key.strip(), value.strip()


def _decimal(value: str, option: str) -> Decimal:
    try:
        number = plain_decimal(value.strip())
    except InvalidOperation:
        raise OptionError(f"invalid value for {option}: '{value}' (expected a number)") from None
    if not number.is_finite():
        raise OptionError(f"invalid value for {option}: '{value}' (expected a number)")
    return number


def _entry(value: str, kinds: Any) -> Any:
    try:
        return kinds(value.strip().lower())
    except ValueError:
        raise OptionError(
            f"invalid value for --entry: '{value}' (expected limit or market)"
        ) from None


def _print(report: Any) -> None:
    summary = report.summary
    outcomes = ", ".join(f"{name} {count}" for name, count in summary["outcomes"].items() if count)
    start, final = summary["start_equity"], summary["final_equity"]
    currency = summary.get("currency")  # the instruments', as a backtest's is its symbol's
    lines = [
        ("Period", f"{summary['from']} to {summary['to']} ({report.days} trading days)"),
        ("Days", f"{len(report.simulated)} simulated now, {len(report.resumed)} already done"),
        ("Plan rows", f"{summary['rows']} ({outcomes or 'none'})"),
        ("Trades closed", str(summary["trades"])),
        *(
            [("Open at the data's end", open_at_end([_opened(t) for t in report.open_at_end]))]
            if report.open_at_end
            else []
        ),
        ("P&L after fees", pnl_after_fees(summary, currency)),
        ("Equity", f"{money(exact(start), currency)} -> {money(exact(final), currency)}"),
        ("Win rate", percent(summary["win_rate_pct"])),
        ("Max drawdown", percent(summary["max_drawdown_pct"])),
        ("CAGR", percent(summary["cagr_pct"])),
        ("Sharpe", ratio(summary["sharpe"])),
        ("Evidence", str(report.out)),
    ]
    for window in summary.get("fitted_parameters") or []:
        params = ", ".join(f"{key}={value}" for key, value in window["params"].items())
        lines.append(
            (
                f"Fit {window['window']}",
                f"{params} for {window['out_of_sample_from']}..{window['out_of_sample_to']}"
                + (f" ({window['note']})" if window.get("note") else ""),
            )
        )
    out = console()
    out.print(
        fitted(
            "Walk-forward",
            (Column("What"), text("Value")),
            [[label, value] for label, value in lines],
            out.width,
            show_header=False,
        )
    )
    print_wrapped(out, [line for gaps in report.gaps for line in gap_lines(gaps)], out.width)


def _opened(trade: Any) -> tuple[str, str, str, str]:
    """A walk-forward row still open at the candles' end as ``open_at_end`` reads it."""
    return trade.ticker, str(trade.qty), str(trade.entry_price), trade.entry_time.isoformat()
