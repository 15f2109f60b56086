"""Tables that fit the terminal (80 columns and up) without losing what matters.

A column is either *kept whole* (ids, symbols, amounts, times: never wrapped, never cut, at
least as wide as its widest cell) or *text* (names, messages, reasons: folded onto more lines
when space is short). Columns marked ``drop`` are the less important ones: when even the
narrowest layout is wider than the terminal they are left out, highest ``drop`` first, and the
caption says which (``--wide`` shows every column at its full width).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

TEXT_MIN_WIDTH = 12  # a folded text column is never narrower than this
GAP = 2  # the space between two columns
WIDE = 10_000  # the console width of --wide: every table at its natural width


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    right: bool = False  # numbers are right-aligned
    text: bool = False  # long text that may fold; otherwise kept whole
    drop: int = 0  # > 0: left out at narrow widths, highest first


def number(heading: str, drop: int = 0) -> Column:
    return Column(heading, right=True, drop=drop)


def text(heading: str, drop: int = 0) -> Column:
    return Column(heading, text=True, drop=drop)


VALUE = Column("Value", right=True, text=True)  # a key-value table's values: amounts or text


def console(*, wide: bool = False) -> Console:
    """The console every table prints on: the terminal's width (``COLUMNS`` when set, 80 when
    not a terminal), or no limit with ``--wide``."""
    return Console(highlight=False, soft_wrap=True, width=WIDE if wide else None)


def fitted(
    title: str | None,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int | None,
    *,
    show_header: bool = True,
    row_lines: bool = False,
) -> Table:
    """A table of ``rows`` laid out for ``width`` columns (None: no limit); ``row_lines``
    leaves a blank line between rows (for cells of several lines)."""
    natural = [
        max([cell_len(c.heading) if show_header else 0, *(_cell_width(row[i]) for row in rows)])
        for i, c in enumerate(columns)
    ]
    least = [_least_width(c, natural[i], [row[i] for row in rows]) for i, c in enumerate(columns)]
    shown = list(range(len(columns)))
    if width is not None:
        for level in sorted({c.drop for c in columns if c.drop > 0}, reverse=True):
            if _narrowest(shown, least) <= width:
                break
            shown = [i for i in shown if columns[i].drop != level]
    hidden = [columns[i].heading for i in range(len(columns)) if i not in shown]
    caption = f"not shown: {', '.join(hidden)} (--wide shows every column)" if hidden else None
    table = Table(
        title=title,
        caption=caption,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        title_justify="left",
        caption_justify="left",
        show_header=show_header,
        show_lines=row_lines,
    )
    for i in shown:
        column = columns[i]
        table.add_column(
            column.heading,
            justify="right" if column.right else "left",
            no_wrap=not column.text,
            overflow="fold",
            min_width=least[i],
        )
    for row in rows:
        table.add_row(*(row[i] for i in shown))
    return table


def _shown_text(cell: str) -> str:
    """The text a cell shows: its markup (``\\[`` for a bracket) read."""
    return Text.from_markup(cell).plain if "[" in cell else cell


def _cell_width(cell: str) -> int:
    """The width of a cell's widest line (a cell may hold several)."""
    return max(cell_len(line) for line in _shown_text(cell).split("\n"))


def _narrowest(shown: Sequence[int], least: Sequence[int]) -> int:
    return sum(least[i] for i in shown) + GAP * max(len(shown) - 1, 0)


def _least_width(column: Column, natural: int, cells: Sequence[str]) -> int:
    """Kept columns need their widest cell; text needs its longest word (a variable name to
    set is never broken), at least ``TEXT_MIN_WIDTH``, at most its widest cell."""
    if not column.text:
        return natural
    longest_word = max(
        (cell_len(word) for cell in cells for word in _shown_text(cell).split()), default=0
    )
    return min(natural, max(TEXT_MIN_WIDTH, longest_word))
