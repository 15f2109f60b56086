"""The charts of a result report's page as inline SVG and HTML, drawn from the document: the
equity curve and its drawdown (with a crosshair the page's script moves), the monthly returns
heat map, the P&L histogram and the outcome counts. Every text is escaped (``report_html.text``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from paperdesk.domain.money import figure_text
from paperdesk.service.report_html import MISSING, moment, money, table_html, text
from paperdesk.service.result_page_assets import (
    CHART_WIDTH,
    DRAWDOWN_HEIGHT,
    EQUITY_HEIGHT,
    HISTOGRAM_HEIGHT,
)
from paperdesk.service.result_parts import Document

MOST_CHART_POINTS = 1500  # the drawing's points; the read-out and the JSON keep every one
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HEAT_STEPS = (Decimal(1), Decimal(3), Decimal(6))  # percent: the heat map's shades


def percent_shown(value: str | None) -> str:
    """A percentage's decimal text shown to 2 places, or "—"."""
    return MISSING if value is None else f"{figure_text(value)}%"


def _shown(count: int) -> list[int]:
    """The indexes drawn: every one, or the last of each of ``MOST_CHART_POINTS`` stretches."""
    if count <= MOST_CHART_POINTS:
        return list(range(count))
    size = -(-count // MOST_CHART_POINTS)
    return [min(start + size, count) - 1 for start in range(0, count, size)]


def _line(
    indexes: Sequence[int],
    values: Sequence[float],
    count: int,
    height: int,
    low: float,
    high: float,
) -> str:
    span = high - low or 1.0
    last = max(count - 1, 1)
    return " ".join(
        f"{(index * CHART_WIDTH / last) if count > 1 else CHART_WIDTH / 2:.1f},"
        f"{(high - value) / span * (height - 4) + 2:.1f}"
        for index, value in zip(indexes, values, strict=True)
    )


def _chart(name: str, label: str, height: int, shapes: str) -> str:
    return (
        f'<p class="readout" id="{name}-readout" aria-live="polite">Hover the chart for the date '
        "and the value.</p>"
        f'<svg viewBox="0 0 {CHART_WIDTH} {height}" preserveAspectRatio="none" class="{name}" '
        f'role="img" aria-label="{text(label)}" data-chart="{name}" data-width="{CHART_WIDTH}">'
        f"{shapes}"
        f'<line class="crosshair" x1="0" y1="0" x2="0" y2="{height}" visibility="hidden" '
        'vector-effect="non-scaling-stroke"/></svg>'
    )


def equity_charts(document: Document) -> str:
    """The equity curve and, under it, the drawdown below the running peak."""
    curve = document["equity"]
    if not curve:
        return '<section><h2>Equity curve</h2><p class="empty">No equity curve.</p></section>'
    count = len(curve)
    indexes = _shown(count)
    equity = [float(curve[i]["equity"]) for i in indexes]
    falls = [float(curve[i]["drawdown"] or 0) for i in indexes]
    low, high = min(equity), max(equity)
    line = _line(indexes, equity, count, EQUITY_HEIGHT, low, high)
    deepest = min(falls)
    fall_line = _line(indexes, falls, count, DRAWDOWN_HEIGHT, deepest, 0.0)
    first_x, last_x = line.split(" ")[0].split(",")[0], line.split(" ")[-1].split(",")[0]
    equity_shapes = (
        f'<polygon class="equity-area" points="{first_x},{EQUITY_HEIGHT} {line} '
        f'{last_x},{EQUITY_HEIGHT}"/>'
        f'<polyline class="equity-line" vector-effect="non-scaling-stroke" points="{line}"/>'
    )
    drawdown_shapes = (
        f'<line class="baseline" x1="0" y1="2" x2="{CHART_WIDTH}" y2="2" '
        'vector-effect="non-scaling-stroke"/>'
        f'<polygon class="drawdown-area" vector-effect="non-scaling-stroke" '
        f'points="{first_x},2 {fall_line} {last_x},2"/>'
    )
    summary = document["summary"]
    note = (
        f"{moment(curve[0]['time'])} to {moment(curve[-1]['time'])}: {count} point(s), "
        f"start {money(summary['start_equity'])}, final {money(summary['final_equity'])}"
    )
    return (
        "<section><h2>Equity curve</h2>"
        + _chart("equity", "Equity curve", EQUITY_HEIGHT, equity_shapes)
        + f'<p class="chart-note">{text(note)}</p><h2>Drawdown</h2>'
        + _chart("drawdown", "Drawdown below the running peak", DRAWDOWN_HEIGHT, drawdown_shapes)
        + f'<p class="chart-note">deepest {text(percent_shown(summary["max_drawdown_pct"]))} '
        "below the running peak (the starting equity is the first peak)</p></section>"
    )


def _heat_class(value: str | None) -> str:
    if value is None:
        return ""
    number = Decimal(value)
    if number == 0:
        return ""
    step = 1 + sum(1 for edge in HEAT_STEPS if abs(number) >= edge)
    return f"heat-{'p' if number > 0 else 'n'}{step}"


def monthly_heat_map(document: Document) -> str:
    """Years down, months across; each cell's return shaded by its size and sign."""
    months = document["monthly_returns"]
    if not months:
        return '<section><h2>Monthly returns</h2><p class="empty">No months.</p></section>'
    by_year: dict[str, dict[int, Document]] = defaultdict(dict)
    for month in months:
        by_year[month["month"][:4]][int(month["month"][5:7])] = month
    head = "".join(f"<th>{name}</th>" for name in ("Year", *MONTHS))
    body = []
    for year in sorted(by_year):
        cells = [f"<td>{text(year)}</td>"]
        for number in range(1, 13):
            month = by_year[year].get(number)
            if month is None:
                cells.append("<td></td>")
                continue
            value = month["return"]
            cells.append(
                f'<td class="{_heat_class(value)}" tabindex="0" data-month="{text(month["month"])}"'
                f' data-return="{text(value or "")}" data-pnl="{text(month["pnl"])}">'
                f"{text(MISSING if value is None else f'{Decimal(value):.1f}%')}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        "<section><h2>Monthly returns</h2>"
        '<p class="readout" id="monthly-readout" aria-live="polite">Hover or focus a month for '
        "its return and P&amp;L.</p>"
        f'<div class="scroll"><table class="heat" data-table="monthly"><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
        '<p class="chart-note">each month from the last equity before it (UTC months)</p>'
        "</section>"
    )


def pnl_histogram(document: Document) -> str:
    """One bar per P&L bin: green wholly above zero, red wholly below, purple across it."""
    bins = document["pnl_distribution"]
    if not bins:
        return (
            '<section><h2>Trade P&amp;L distribution</h2><p class="empty">No closed trades.'
            "</p></section>"
        )
    most = max(b["count"] for b in bins) or 1
    width = CHART_WIDTH / len(bins)
    bars = []
    for index, found in enumerate(bins):
        low, high = Decimal(found["low"]), Decimal(found["high"])
        kind = "bar-win" if low >= 0 else "bar-loss" if high <= 0 else "bar-mixed"
        tall = found["count"] / most * (HISTOGRAM_HEIGHT - 4)
        bars.append(
            f'<rect class="{kind}" tabindex="0" x="{index * width + 1:.1f}" '
            f'y="{HISTOGRAM_HEIGHT - tall:.1f}" width="{max(width - 2, 1):.1f}" '
            f'height="{tall:.1f}" data-low="{text(found["low"])}" '
            f'data-high="{text(found["high"])}" data-count="{found["count"]}">'
            f"<title>{text(money(found['low']))} to {text(money(found['high']))}: "
            f"{found['count']}</title></rect>"
        )
    note = f"from {money(bins[0]['low'])} to {money(bins[-1]['high'])}, {len(bins)} bin(s)"
    return (
        "<section><h2>Trade P&amp;L distribution</h2>"
        '<p class="readout" id="histogram-readout" aria-live="polite">Hover a bar for its '
        "range and count.</p>"
        f'<svg viewBox="0 0 {CHART_WIDTH} {HISTOGRAM_HEIGHT}" preserveAspectRatio="none" '
        'class="histogram" role="img" aria-label="Trade P&amp;L distribution" '
        f'data-chart="histogram">{"".join(bars)}</svg>'
        f'<p class="chart-note">{text(note)}</p></section>'
    )


def outcome_chart(document: Document) -> str:
    """How the trades ended: a bar per outcome, scaled to the most frequent."""
    outcomes: dict[str, int] = document["outcomes"]
    most = max(outcomes.values(), default=0) or 1
    rows = [
        [
            (text(name), ""),
            (str(count), ""),
            (
                f'<svg viewBox="0 0 100 10" preserveAspectRatio="none" class="outcome" '
                f'role="img" aria-label="{text(name)}: {count}"><rect x="0" y="0" '
                f'width="{count / most * 100:.1f}" height="10"/></svg>',
                "bar-cell",
            ),
        ]
        for name, count in outcomes.items()
    ]
    table = table_html(("Outcome", "Trades", ""), rows, "outcomes", "No trades.")
    return f'<section class="outcomes"><h2>Outcomes</h2>{table}</section>'


__all__ = [
    "equity_charts",
    "monthly_heat_map",
    "outcome_chart",
    "percent_shown",
    "pnl_histogram",
]
