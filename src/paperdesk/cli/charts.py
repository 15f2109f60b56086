"""A compact equity curve with its drawdown, drawn with block characters for the terminal.

``equity_chart(values)`` returns plain text lines: an area chart of the equity (``height`` rows
of eighth blocks, at most ``width`` columns, each column the last value of its stretch of the
curve) with the highest and lowest value on the left, then one line of the drawdown (deeper is
taller, each column the deepest point of its stretch) and one with the maximum drawdown.
"""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = " ▁▂▃▄▅▆▇█"
WIDTH = 60
HEIGHT = 8


def buckets(length: int, width: int) -> list[range]:
    """``length`` points split into at most ``width`` consecutive, nearly equal stretches."""
    count = min(length, width)
    return [range(i * length // count, (i + 1) * length // count) for i in range(count)]


def drawdowns(values: Sequence[float]) -> list[float]:
    """Each point's fall from the highest point before it, as a fraction (0 or negative)."""
    peak = float("-inf")
    found: list[float] = []
    for value in values:
        peak = max(peak, value)
        found.append(value / peak - 1.0 if peak > 0 else 0.0)
    return found


def column_levels(values: Sequence[float], levels: int) -> list[int]:
    """Each value as a bar of 1..``levels`` eighths between the lowest and highest value."""
    low, high = min(values), max(values)
    if high == low:
        return [levels // 2] * len(values)
    return [1 + round((value - low) / (high - low) * (levels - 1)) for value in values]


def area_rows(levels: Sequence[int], height: int) -> list[str]:
    """Bars of ``levels`` eighths drawn as ``height`` text rows, top row first."""
    rows: list[str] = []
    for row in range(height):
        bottom = (height - 1 - row) * 8
        rows.append("".join(BLOCKS[min(max(level - bottom, 0), 8)] for level in levels))
    return rows


def equity_chart(values: Sequence[float], width: int = WIDTH, height: int = HEIGHT) -> list[str]:
    """The chart's lines (empty for an empty curve); see the module docstring."""
    if not values:
        return []
    stretches = buckets(len(values), width)
    shown = [values[stretch[-1]] for stretch in stretches]
    falls = drawdowns(values)
    deepest = [min(falls[i] for i in stretch) for stretch in stretches]
    high, low = f"{max(shown):,.2f}", f"{min(shown):,.2f}"
    margin = max(len(high), len(low), len("drawdown"))
    lines = []
    for index, row in enumerate(area_rows(column_levels(shown, height * 8), height)):
        label = high if index == 0 else low if index == height - 1 else ""
        lines.append(f"{label:>{margin}} │{row}")
    worst = min(falls)
    depth = [0 if worst == 0 else round(fall / worst * 8) for fall in deepest]
    spark = "".join(BLOCKS[level] for level in depth)
    lines.append(f"{'drawdown':>{margin}} │{spark}")
    lines.append(f"{'':>{margin}} └ max drawdown {worst * 100:.2f}%")
    return lines


def fitting_width(values: Sequence[float], columns: int | None) -> int:
    """The chart's width for a terminal of ``columns`` (None: no limit): at most ``WIDTH``,
    and no wider than what is left beside the value labels (each row is the label, " │" and
    the columns), at least 10, so no row wraps."""
    if columns is None or not values:
        return WIDTH
    label = max(len(f"{max(values):,.2f}"), len(f"{min(values):,.2f}"), len("drawdown"))
    return max(10, min(WIDTH, columns - label - 2))


def chart_text(values: Sequence[float], title: str, columns: int | None = None) -> str:
    """The chart under a title line, ready to print in ``columns`` (empty for an empty
    curve)."""
    lines = equity_chart(values, fitting_width(values, columns))
    return "\n".join([title, *lines]) if lines else ""
