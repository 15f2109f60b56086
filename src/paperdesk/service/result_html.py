"""A result report (``result_reports``) drawn as ONE self-contained HTML page, in the style and
under the safety rules of the portfolio report (``report_html``): the CSS and a small script
inline, allowed by their SHA-256 in the page's own Content-Security-Policy (which forbids every
other source, so nothing is fetched and the page works from ``file://``), the charts inline SVG
drawn from the data, the data embedded as JSON (``#report-data``), every text escaped. The
script adds hover read-outs (``result_page_assets.SCRIPT``).
"""

from __future__ import annotations

from collections.abc import Callable

from paperdesk.domain.money import figure_text
from paperdesk.service.report_html import (
    MISSING,
    embedded_json,
    exact,
    moment,
    money,
    page_policy,
    table_html,
    text,
    tone,
)
from paperdesk.service.result_charts import (
    equity_charts,
    monthly_heat_map,
    outcome_chart,
    percent_shown,
    pnl_histogram,
)
from paperdesk.service.result_page_assets import SCRIPT, STYLE
from paperdesk.service.result_parts import Document

MOST_TRADE_ROWS = 1000  # the table's rows; the embedded JSON keeps every trade
KINDS = {"walk_forward": "Walk-forward", "backtest": "Backtest"}


def ratio_text(value: str | None) -> str:
    return MISSING if value is None else figure_text(value)


def count_text(value: object) -> str:
    return MISSING if value is None else str(value)


Format = Callable[[str | None], str]
KPI_CARDS: tuple[tuple[str, str, Format, bool], ...] = (
    # key, label, format, coloured by sign
    ("pnl", "Total P&L", money, True),
    ("total_return_pct", "Total return", percent_shown, True),
    ("final_equity", "Final equity", money, False),
    ("trades", "Trades", count_text, False),
    ("win_rate_pct", "Win rate", percent_shown, False),
    ("profit_factor", "Profit factor", ratio_text, False),
    ("max_drawdown_pct", "Max drawdown", percent_shown, False),
    ("cagr_pct", "CAGR", percent_shown, True),
    ("sharpe", "Sharpe", ratio_text, False),
    ("sortino", "Sortino", ratio_text, False),
    ("take_profit", "Take-profit", count_text, False),
    ("stop_loss", "Stop-loss", count_text, False),
    ("timeout", "Timeout", count_text, False),
)


def kpi_cards(document: Document) -> str:
    summary = document["summary"]
    details = {
        "pnl": f"gross {money(summary['gross_pnl'])}, fees {money(summary['fees'])}",
        "final_equity": f"started at {money(summary['start_equity'])}",
        "trades": f"{summary['wins']} won, {summary['losses']} lost",
        "win_rate_pct": "closed trades with a P&L above zero",
        "max_drawdown_pct": "below the running peak",
    }
    cards = []
    for key, label, shown, signed in KPI_CARDS:
        value = summary.get(key)
        raw = "" if value is None else str(value)
        classes = f"value {tone(raw or None)}".strip() if signed else "value"
        cards.append(
            f'<div class="card" data-kpi="{key}" data-value="{text(raw)}">'
            f'<span class="label">{text(label)}</span>'
            f'<span class="{classes}">{text(shown(value))}</span>'
            f'<span class="detail">{text(details.get(key, ""))}</span></div>'
        )
    return f'<section class="kpis" aria-label="Key figures">{"".join(cards)}</section>'


def trades_table(document: Document) -> str:
    trades = document["trades"]
    shown = trades[:MOST_TRADE_ROWS]
    rows = [
        [
            (text(trade["symbol"]), ""),
            (text(trade["side"]), ""),
            (text(moment(trade["entry_time"])), ""),
            (text(moment(trade["exit_time"])), ""),
            (text(exact(trade["entry_price"])), ""),
            (text(exact(trade["exit_price"])), ""),
            (text(exact(trade["quantity"])), ""),
            (text(money(trade["pnl"])), tone(trade["pnl"])),
            (text(trade["outcome"]), ""),
            (text(MISSING if trade["hours_held"] is None else trade["hours_held"]), ""),
        ]
        for trade in shown
    ]
    headings = (
        "Symbol", "Side", "Entry", "Exit", "Entry price", "Exit price", "Quantity", "P&L",
        "Outcome", "Hours held",
    )  # fmt: skip
    title = (
        f"Trades (the first {len(shown)} of {len(trades)})"
        if len(trades) > len(shown)
        else f"Trades ({len(trades)})"
    )
    table = table_html(headings, rows, "trades", "No trades.")
    return f"<section><h2>{text(title)}</h2>{table}</section>"


def warning_box(document: Document) -> str:
    """The run's warnings (its data's long gaps), first on the page; nothing without any."""
    warnings = document.get("warnings") or []
    if not warnings:
        return ""
    items = "".join(f"<p>{text(warning)}</p>" for warning in warnings)
    heading = "<h2>Warning</h2>"
    return f'<section class="warnings" id="report-warnings" role="alert">{heading}{items}</section>'


def details_list(document: Document) -> str:
    entries = [
        (key.replace("_", " "), MISSING if value is None else str(value))
        for key, value in document["details"].items()
        if not isinstance(value, dict | list)
    ]
    items = "".join(f"<div><dt>{text(k)}</dt><dd>{text(v)}</dd></div>" for k, v in entries)
    return f'<section><h2>Run</h2><dl data-summary="details">{items}</dl></section>'


def content_security_policy() -> str:
    """The page's policy: its style and script by hash, nothing else (no fetch at all)."""
    return page_policy(STYLE, SCRIPT)


def render_result_report(document: Document) -> str:
    """The whole page of ``document`` (a walk-forward's or a backtest's report)."""
    title = text(document["title"])
    period = document["period"]
    kind = KINDS.get(document["kind"], document["kind"])
    heading = f"{moment(period['start'])} to {moment(period['end'])}"
    body = "".join(
        (
            warning_box(document),
            kpi_cards(document),
            equity_charts(document),
            monthly_heat_map(document),
            pnl_histogram(document),
            outcome_chart(document),
            trades_table(document),
            details_list(document),
        )
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{text(content_security_policy())}">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{title} · paperdesk report</title><style>{STYLE}</style></head>\n<body>"
        f'<header class="top"><h1 id="report-title">{title}</h1>'
        f'<span class="kind">{text(kind)}</span><p>{text(heading)}</p></header>\n'
        f'<main id="report" data-kind="{text(document["kind"])}">{body}</main>\n'
        f"<footer>paperdesk report · {text(document['format'])} · the data of this page is "
        "embedded below as JSON (#report-data)</footer>\n"
        f'<script type="application/json" id="report-data">{embedded_json(document)}</script>\n'
        f"<script>{SCRIPT}</script>\n</body></html>\n"
    )


__all__ = ["content_security_policy", "render_result_report"]
