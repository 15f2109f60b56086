"""``--plot FILE``: the equity curve and its drawdown written to a file.

``.html``: one self-contained page (inline SVG, the points as inline JSON; nothing is fetched).
``.png``: drawn with matplotlib, an optional extra (``pip install 'paperdesk[plot]'``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from paperdesk.cli.charts import buckets, chart_text, drawdowns
from paperdesk.domain import InvalidInputError
from paperdesk.domain.records import EquityView

SVG_WIDTH, SVG_HEIGHT, DRAWDOWN_HEIGHT, PAD = 900, 320, 120, 10
MOST_SVG_POINTS = 4000  # the inline JSON keeps every point; the drawing at most this many
FORMATS = (".html", ".png")


def check_plot_path(path: Path) -> Path:
    """``path`` if it names a file we can write (.html or .png, in an existing directory)."""
    if path.suffix.lower() not in FORMATS:
        raise InvalidInputError(
            f"invalid value for --plot: {str(path)!r} (expected a FILE.html or FILE.png)"
        )
    if not path.parent.expanduser().is_dir():
        raise InvalidInputError(
            f"invalid value for --plot: {str(path)!r} (directory {str(path.parent)!r} not found)"
        )
    if path.suffix.lower() == ".png":
        _pyplot()  # a missing extra is said before the run, not after
    return path.expanduser()


def write_plot(path: Path, times: Sequence[datetime], values: Sequence[float], title: str) -> None:
    """Write the chart of ``values`` (equity at ``times``) to ``path`` (.html or .png)."""
    if not values:
        raise InvalidInputError("there is no equity curve to plot (no bars or snapshots)")
    try:
        if path.suffix.lower() == ".png":
            _write_png(path, times, values, title)
        else:
            path.write_text(equity_html(times, values, title), encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"cannot write --plot {path}: {error.strerror or error}") from None


def _polyline(values: Sequence[float], height: int, low: float, high: float) -> str:
    stretches = buckets(len(values), MOST_SVG_POINTS)
    span = high - low or 1.0
    last = max(len(stretches) - 1, 1)
    points = []
    for index, stretch in enumerate(stretches):
        x = PAD + index * (SVG_WIDTH - 2 * PAD) / last
        y = PAD + (high - values[stretch[-1]]) / span * (height - 2 * PAD)
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def equity_html(times: Sequence[datetime], values: Sequence[float], title: str) -> str:
    """The self-contained page: two inline SVG charts and the data as JSON."""
    falls = drawdowns(values)
    data = [
        {"t": moment.isoformat(), "equity": value, "drawdown": fall}
        for moment, value, fall in zip(times, values, falls, strict=True)
    ]
    equity_line = _polyline(values, SVG_HEIGHT, min(values), max(values))
    drawdown_line = _polyline(falls, DRAWDOWN_HEIGHT, min(falls), 0.0)
    heading = html.escape(title)
    period = f"{html.escape(times[0].isoformat())} to {html.escape(times[-1].isoformat())}"
    payload = json.dumps(data, allow_nan=False).replace("</", "<\\/")
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{heading}</title>
<style>body{{font-family:sans-serif;margin:1.5em}} svg{{background:#fafafa;display:block}}</style>
</head>
<body>
<h1>{heading}</h1>
<p>{period}; equity {min(values):,.2f} to {max(values):,.2f};
max drawdown {min(falls) * 100:.2f}%</p>
<h2>Equity</h2>
<svg id="equity" xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{SVG_HEIGHT}">
<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{equity_line}"/>
</svg>
<h2>Drawdown</h2>
<svg id="drawdown" xmlns="http://www.w3.org/2000/svg"
 width="{SVG_WIDTH}" height="{DRAWDOWN_HEIGHT}">
<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="{drawdown_line}"/>
</svg>
<script type="application/json" id="equity-data">{payload}</script>
</body>
</html>
"""


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        raise InvalidInputError(
            "a PNG plot needs matplotlib, an optional extra: pip install 'paperdesk[plot]' "
            "(or write --plot FILE.html, which needs nothing)"
        ) from None
    return pyplot


def _write_png(path: Path, times: Sequence[datetime], values: Sequence[float], title: str) -> None:
    pyplot = _pyplot()
    figure, (top, bottom) = pyplot.subplots(
        2, 1, sharex=True, figsize=(10, 6), gridspec_kw={"height_ratios": [3, 1]}
    )
    top.plot(list(times), list(values), color="#1f77b4")
    top.set_title(title)
    top.set_ylabel("equity")
    bottom.fill_between(list(times), [fall * 100 for fall in drawdowns(values)], color="#d62728")
    bottom.set_ylabel("drawdown %")
    figure.tight_layout()
    figure.savefig(path, format="png")
    pyplot.close(figure)


PlotFile = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE.html|FILE.png", help="Write the equity curve and drawdown to a file."
    ),
]


def show_equity_history(
    snapshots: Sequence[EquityView], name: str, plot: Path | None, quiet: bool
) -> None:
    """A portfolio's equity snapshots: the terminal chart (unless ``quiet``) and the file."""
    times = [snapshot.ts for snapshot in snapshots]
    values = [float(snapshot.equity) for snapshot in snapshots]
    if not quiet:
        out = Console()
        text = chart_text(values, "Equity curve (snapshots)", out.width)
        if text:
            out.print(Text(text))
    if plot is not None:
        write_plot(plot, times, values, f"portfolio {name}")
