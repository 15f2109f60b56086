"""The report document drawn as ONE self-contained HTML page (seed 002's trade monitor).

Nothing is fetched: the CSS and a tiny script are inline (allowed by their SHA-256 in the
page's own Content-Security-Policy, which forbids everything else), the equity curve and its
drawdown are inline SVG drawn from the data, and the data itself is embedded as JSON
(``<script type="application/json" id="report-data">``). Every text from the ledger (the
portfolio's name is user input) is escaped. The script does nothing from ``file://``; over
http(s) it shows a Refresh button and refreshes every 60 seconds (see ``SCRIPT``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from paperdesk.domain.currencies import money_text
from paperdesk.domain.money import figure_text

Document = dict[str, Any]
MISSING = "—"  # an undefined statistic (no trades, no losses...) is shown as this, never 0
MOST_CHART_POINTS = 1500  # the drawing's points; the embedded JSON keeps every snapshot
CHART_WIDTH, EQUITY_HEIGHT, DRAWDOWN_HEIGHT = 1000, 260, 110
REFRESH_SECONDS = 60

STYLE = """
:root{color-scheme:light dark;--bg:#f6f5fb;--panel:#fff;--text:#1d1b2a;--muted:#6b6880;
--line:#e3e0ef;--accent:#6d4bd8;--good:#11845b;--bad:#c8293b;
--area:rgba(109,75,216,.12);--fall:rgba(200,41,59,.22)}
@media (prefers-color-scheme:dark){:root{--bg:#14121c;--panel:#1e1b2b;--text:#ece9f7;
--muted:#a29eb8;--line:#332f46;--accent:#a58bff;--good:#4cd49a;
--bad:#ff6b7d;--area:rgba(165,139,255,.16);--fall:rgba(255,107,125,.25)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.top{background:linear-gradient(120deg,#4f32b8,#8a3fd1);color:#fff;
padding:.9rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.top h1{margin:0;font-size:1.25rem;overflow-wrap:anywhere;flex:1 1 12rem}
.top p{margin:0;font-size:.85rem;opacity:.9;flex-basis:100%}
.top button{font:inherit;border:1px solid rgba(255,255,255,.7);background:rgba(255,255,255,.15);
color:#fff;border-radius:.4rem;padding:.3rem .9rem;cursor:pointer}
.top button:disabled{opacity:.6;cursor:wait}
#refresh-state{font-size:.8rem;opacity:.9}
main{max-width:72rem;margin:0 auto;padding:1rem}
section{background:var(--panel);border:1px solid var(--line);border-radius:.6rem;
padding:.8rem 1rem;margin:0 0 1rem}
h2{font-size:1rem;margin:0 0 .6rem}
.kpis{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.6rem;
background:none;border:0;padding:0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:.6rem;padding:.6rem .8rem}
.card .label{display:block;font-size:.78rem;color:var(--muted);text-transform:uppercase;
letter-spacing:.03em}
.card .value{display:block;font-size:1.2rem;font-weight:600;font-variant-numeric:tabular-nums;
overflow-wrap:anywhere}
.card .detail{display:block;font-size:.75rem;color:var(--muted);overflow-wrap:anywhere}
.pos{color:var(--good)}.neg{color:var(--bad)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.85rem;font-variant-numeric:tabular-nums}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{color:var(--muted);font-weight:600}
.empty{color:var(--muted);margin:.2rem 0}
svg{display:block;width:100%}
svg.equity{height:14rem}svg.drawdown{height:5.5rem}
.equity-line{fill:none;stroke:var(--accent);stroke-width:2}
.equity-area{fill:var(--area);stroke:none}
.drawdown-area{fill:var(--fall);stroke:var(--bad);stroke-width:1}
.baseline{stroke:var(--line);stroke-width:1}
.chart-note{font-size:.8rem;color:var(--muted);margin:.3rem 0 .8rem}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr));gap:.4rem 1rem;margin:0}
dt{font-size:.78rem;color:var(--muted)}dd{margin:0;font-variant-numeric:tabular-nums}
footer{font-size:.75rem;color:var(--muted);text-align:center;padding:0 1rem 1rem}
""".strip()

SCRIPT = """
(function(){var live=location.protocol==="http:"||location.protocol==="https:";
var button=document.getElementById("refresh"),state=document.getElementById("refresh-state");
if(!live){state.textContent="opened from a file: regenerate it to update";return}
var key=null;try{key=sessionStorage.getItem("paperdesk.apiKey")}catch(e){}
function refresh(){if(!key){location.reload();return}button.disabled=true;
fetch(location.href,{headers:{Authorization:"Bearer "+key},cache:"no-store"})
.then(function(r){if(!r.ok)throw new Error("HTTP "+r.status);return r.text()})
.then(function(text){var next=new DOMParser().parseFromString(text,"text/html");
["portfolio-name","report","report-data"].forEach(function(id){var fresh=next.getElementById(id),
old=document.getElementById(id);if(fresh&&old)old.replaceWith(document.importNode(fresh,true))});
state.textContent="updated "+new Date().toLocaleTimeString()})
.catch(function(e){state.textContent="refresh failed: "+e.message})
.finally(function(){button.disabled=false})}
button.hidden=false;button.addEventListener("click",refresh);
setInterval(refresh,REFRESH_MS)})();
""".strip().replace("REFRESH_MS", str(REFRESH_SECONDS * 1000))


def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def page_policy(style: str, script: str, *, connect: str = "'none'") -> str:
    """The policy of a self-contained page: its one inline ``style`` and its one inline
    ``script`` allowed by their SHA-256, fetches of ``connect`` only, nothing else."""
    return (
        f"default-src 'none'; style-src 'sha256-{_digest(style)}'; "
        f"script-src 'sha256-{_digest(script)}'; connect-src {connect}; img-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )


def content_security_policy(*, header: bool = False) -> str:
    """The page's policy: its own style and script (by hash), fetches of its own origin only
    (the refresh), nothing else. ``header``: the HTTP header's form, which may also say who
    may frame the page (a ``<meta>`` policy may not)."""
    policy = page_policy(STYLE, SCRIPT, connect="'self'")
    return policy + "; frame-ancestors 'self'" if header else policy


def text(value: object) -> str:
    """Any value as escaped HTML text (quotes too: it may land in an attribute)."""
    return html.escape(str(value), quote=True)


def embedded_json(document: Document) -> str:
    """``document`` as JSON that cannot end its ``<script>`` element early (no ``<``, ``>``
    or ``&`` survive unescaped)."""
    payload = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------------------------- values


def money(value: str | None, currency: str = "USD") -> str:
    """An amount by the money rule (the CLI's and the dashboard's, ``currencies.money_text``):
    exact, thousands grouped, at least the currency's minor-unit decimals, or "—"."""
    return MISSING if value is None else money_text(Decimal(value), currency)


def exact(value: str | None) -> str:
    """A price or quantity with every digit it has (they are on the tick or lot already) and
    thousands separators, or "—"."""
    return MISSING if value is None else format(Decimal(value), ",f")


def percent(value: float | None) -> str:
    """A statistic's percent as the CLI prints it (``domain.money.figure_text``), or "—"."""
    return MISSING if value is None else f"{figure_text(value)}%"


def ratio(value: float | None) -> str:
    return MISSING if value is None else figure_text(value)


def pips(value: str | None) -> str:
    return MISSING if value is None else f"{format(Decimal(value), ',f')} pips"


def moment(value: str | None) -> str:
    """An ISO-8601 UTC time as ``2020-01-06 21:00 UTC``."""
    if value is None:
        return MISSING
    return f"{value[:10]} {value[11:16]} UTC" if len(value) >= 16 else value


def tone(value: str | float | None) -> str:
    """The class colouring a gain or a loss (none for zero or undefined)."""
    if value is None:
        return ""
    number = Decimal(str(value))
    return "pos" if number > 0 else "neg" if number < 0 else ""


# ----------------------------------------------------------------------------------- parts

KpiFormat = Callable[[Any], str]
KPI_CARDS: tuple[tuple[str, str, KpiFormat, bool], ...] = (
    # key, label, format, coloured by sign
    ("equity", "Equity", money, False),
    ("cash", "Cash", money, False),
    ("unrealized_pnl", "Unrealized P&L", money, True),
    ("realized_pnl", "Realized P&L", money, True),
    ("todays_pnl", "Today's P&L", money, True),
    ("total_pnl", "Total P&L", money, True),
    ("win_rate_pct", "Win rate", percent, False),
    ("profit_factor", "Profit factor", ratio, False),
    ("max_drawdown_pct", "Max drawdown", percent, False),
    ("sharpe", "Sharpe", ratio, False),
    ("total_pips", "Total pips", pips, True),
)


def _kpi_detail(key: str, document: Document) -> str:
    kpis = document["kpis"]
    currency = document["portfolio"]["base_currency"]
    details: dict[str, str] = {
        "equity": f"started at {money(document['portfolio']['starting_cash'])} {currency}",
        "cash": currency,
        "realized_pnl": (
            f"net of fees: gross {money(kpis['realized_pnl_gross'])}, "
            f"fees {money(kpis['fees_paid'])}"
        ),
        "todays_pnl": f"on {kpis['today']}" if kpis["today"] else "no equity history yet",
        "total_pnl": "equity minus starting cash",
        "win_rate_pct": f"{document['trades']['count']} closed trade(s)",
        "total_pips": "closed forex trades",
    }
    return details.get(key, "")


def kpi_cards(document: Document) -> str:
    cards = []
    for key, label, shown, signed in KPI_CARDS:
        if key == "total_pips" and not document["forex"]:
            continue
        value = document["kpis"][key]
        raw = "" if value is None else str(value)
        classes = f"value {tone(value)}" if signed else "value"
        cards.append(
            f'<div class="card" data-kpi="{key}" data-value="{text(raw)}">'
            f'<span class="label">{text(label)}</span>'
            f'<span class="{classes.strip()}">{text(shown(value))}</span>'
            f'<span class="detail">{text(_kpi_detail(key, document))}</span></div>'
        )
    return f'<section class="kpis" aria-label="Key figures">{"".join(cards)}</section>'


def table_html(
    headings: Sequence[str], rows: Sequence[Sequence[tuple[str, str]]], name: str, empty: str
) -> str:
    """A table of pre-escaped cells (each ``(html, class)``), or one line saying it is empty."""
    if not rows:
        return f'<p class="empty" data-table="{name}">{text(empty)}</p>'
    head = "".join(f"<th>{text(h)}</th>" for h in headings)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{c}">{cell}</td>' if c else f"<td>{cell}</td>" for cell, c in row)
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table data-table="{name}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def positions_table(document: Document) -> str:
    rows = [
        [
            (text(p["symbol"]), ""),
            (text(exact(p["quantity"])), ""),
            (text(exact(p["average_price"])), ""),
            (text(exact(p["last_price"])), ""),
            (text(money(p["market_value"])), ""),
            (text(money(p["unrealized_pnl"])), tone(p["unrealized_pnl"])),
            (text(moment(p["opened_at"])), ""),
        ]
        for p in document["positions"]
    ]
    headings = (
        "Symbol",
        "Quantity",
        "Average price",
        "Last price",
        "Market value",
        "Unrealized P&L",
        "Opened",
    )
    table = table_html(headings, rows, "positions", "No open positions.")
    return f"<section><h2>Open positions</h2>{table}</section>"


def fills_table(document: Document) -> str:
    rows = [
        [
            (text(moment(f["filled_at"])), ""),
            (text(f["symbol"]), ""),
            (text(f["side"]), ""),
            (text(exact(f["quantity"])), ""),
            (text(exact(f["price"])), ""),
            (text(money(f["fee"])), ""),
            (text(f["order_id"]), ""),
        ]
        for f in document["fills"]
    ]
    headings = ("Time", "Symbol", "Side", "Quantity", "Price", "Fee", "Order")
    shown, total = len(document["fills"]), document["fill_count"]
    title = f"Last fills ({shown} of {total}, newest first)" if total > shown else "Fills"
    table = table_html(headings, rows, "fills", "No fills yet.")
    return f"<section><h2>{text(title)}</h2>{table}</section>"


def trades_summary(document: Document) -> str:
    trades = document["trades"]
    entries = [
        ("Closed trades", str(trades["count"]), ""),
        ("Won", str(trades["wins"]), ""),
        ("Lost", str(trades["losses"]), ""),
        ("Gross P&L", money(trades["gross_pnl"]), tone(trades["gross_pnl"])),
        ("Fees", money(trades["fees"]), ""),
        ("Net P&L", money(trades["net_pnl"]), tone(trades["net_pnl"])),
        ("Best trade", money(trades["best"]), tone(trades["best"])),
        ("Worst trade", money(trades["worst"]), tone(trades["worst"])),
    ]
    if document["forex"]:
        entries.append(("Pips", pips(trades["total_pips"]), tone(trades["total_pips"])))
    items = "".join(
        f'<div><dt>{text(label)}</dt><dd class="{c}">{text(value)}</dd></div>'
        for label, value, c in entries
    )
    return f'<section><h2>Closed trades</h2><dl data-summary="trades">{items}</dl></section>'


def _sampled(count: int, most: int) -> list[range]:
    """``count`` indexes in at most ``most`` consecutive stretches."""
    if count <= most:
        return [range(i, i + 1) for i in range(count)]
    size = -(-count // most)
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def _points(values: Sequence[float], height: int, low: float, high: float) -> list[str]:
    span = high - low or 1.0
    last = max(len(values) - 1, 1)
    return [
        f"{index * CHART_WIDTH / last:.1f},{(high - value) / span * (height - 4) + 2:.1f}"
        for index, value in enumerate(values)
    ]


def equity_charts(document: Document) -> str:
    """The equity curve and, under it, the drawdown shaded below zero (inline SVG)."""
    curve = document["equity_curve"]
    if not curve:
        return (
            '<section><h2>Equity curve</h2><p class="empty">No equity history yet: '
            "the portfolio has not ticked.</p></section>"
        )
    stretches = _sampled(len(curve), MOST_CHART_POINTS)
    equity = [float(curve[s[-1]]["equity"]) for s in stretches]
    falls = [min(float(curve[i]["drawdown_pct"]) for i in s) for s in stretches]  # deepest
    if len(equity) == 1:
        equity, falls = equity * 2, falls * 2
    low, high = min(equity), max(equity)
    line = " ".join(_points(equity, EQUITY_HEIGHT, low, high))
    area = f"0,{EQUITY_HEIGHT} {line} {CHART_WIDTH},{EQUITY_HEIGHT}"
    deepest = min(falls)
    fall_points = " ".join(_points(falls, DRAWDOWN_HEIGHT, deepest, 0.0))
    fall_area = f"0,2 {fall_points} {CHART_WIDTH},2"
    first, final = curve[0], curve[-1]
    highest = max(curve, key=lambda p: Decimal(p["equity"]))["equity"]
    lowest = min(curve, key=lambda p: Decimal(p["equity"]))["equity"]
    note = (
        f"{moment(first['ts'])} to {moment(final['ts'])}: {len(curve)} snapshot(s), "
        f"high {money(highest)}, low {money(lowest)}, last {money(final['equity'])}"
    )
    return (
        "<section><h2>Equity curve</h2>"
        f'<svg viewBox="0 0 {CHART_WIDTH} {EQUITY_HEIGHT}" preserveAspectRatio="none" '
        f'class="equity" role="img" aria-label="Equity curve" data-chart="equity">'
        f'<polygon class="equity-area" points="{area}"/>'
        f'<polyline class="equity-line" vector-effect="non-scaling-stroke" points="{line}"/>'
        "</svg>"
        f'<p class="chart-note">{text(note)}</p>'
        "<h2>Drawdown</h2>"
        f'<svg viewBox="0 0 {CHART_WIDTH} {DRAWDOWN_HEIGHT}" preserveAspectRatio="none" '
        f'class="drawdown" role="img" aria-label="Drawdown from the running peak" '
        'data-chart="drawdown">'
        f'<line class="baseline" x1="0" y1="2" x2="{CHART_WIDTH}" y2="2" '
        'vector-effect="non-scaling-stroke"/>'
        f'<polygon class="drawdown-area" vector-effect="non-scaling-stroke" '
        f'points="{fall_area}"/></svg>'
        f'<p class="chart-note">deepest {text(percent(deepest))} below the running peak</p>'
        "</section>"
    )


def render_report(document: Document) -> str:
    """The whole page of ``document`` (a ``portfolio_report``)."""
    portfolio = document["portfolio"]
    name = text(portfolio["name"])
    heading = (
        f"Portfolio {text(portfolio['id'])} · {text(portfolio['base_currency'])} · "
        f"{text(portfolio['status'])} · generated {text(moment(document['generated_at']))}"
    )
    body = "".join(
        (
            kpi_cards(document),
            equity_charts(document),
            positions_table(document),
            trades_summary(document),
            fills_table(document),
        )
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{text(content_security_policy())}">'
        '<meta name="color-scheme" content="light dark">'
        f"<title>{name} · paperdesk report</title><style>{STYLE}</style></head>\n<body>"
        f'<header class="top"><h1 id="portfolio-name">{name}</h1>'
        '<button id="refresh" type="button" hidden>Refresh</button>'
        '<span id="refresh-state" role="status"></span></header>\n'
        f'<main id="report" data-portfolio-id="{text(portfolio["id"])}">'
        f'<p class="chart-note">{heading}</p>{body}</main>\n'
        f"<footer>paperdesk report · {text(document['format'])} · the data of this page is "
        "embedded below as JSON (#report-data)</footer>\n"
        f'<script type="application/json" id="report-data">{embedded_json(document)}</script>\n'
        f"<script>{SCRIPT}</script>\n</body></html>\n"
    )


__all__ = [
    "MISSING",
    "STYLE",
    "content_security_policy",
    "embedded_json",
    "exact",
    "moment",
    "money",
    "page_policy",
    "render_report",
    "table_html",
    "text",
    "tone",
]
