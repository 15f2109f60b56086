"""Sample data files shipped inside the package (see README.md), and lookup by symbol."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from paperdesk.data.csv_source import symbol_from_file_name, timeframe_from_file_name
from paperdesk.data.instruments import compact_symbol
from paperdesk.domain import InvalidInputError, Timeframe, UnknownNameError
from paperdesk.domain.suggestions import did_you_mean

BUNDLED_DIRECTORY = Path(__file__).resolve().parent
PREFERRED_PREFIX = "lean_"
QUOTES_SUFFIX = "_quotes.csv"  # a trade file's quote bars: lean_SPY_1m.csv, lean_SPY_1m_quotes.csv


@dataclass(frozen=True, slots=True)
class BundledFile:
    """One bundled CSV: its symbol, timeframe, location and number of bars."""

    symbol: str
    timeframe: str
    path: Path
    rows: int


def bundled_files() -> list[BundledFile]:
    """Every bundled CSV, sorted by symbol, timeframe and file name."""
    return list(_bundled_files())


@functools.cache
def _bundled_files() -> tuple[BundledFile, ...]:
    files = []
    for path in sorted(BUNDLED_DIRECTORY.glob("*.csv")):
        timeframe = timeframe_from_file_name(path.name)
        if timeframe is None:
            continue
        files.append(
            BundledFile(symbol_from_file_name(path.name), timeframe, path, _count_rows(path))
        )
    files.sort(key=lambda item: (item.symbol, item.timeframe, item.path.name))
    return tuple(files)


def find_bundled_quotes(symbol: str, timeframe: str) -> Path | None:
    """The bundled quote file beside ``symbol``'s bundled bars at ``timeframe``
    (``lean_SPY_1m.csv`` -> ``lean_SPY_1m_quotes.csv``), or None when it has none."""
    try:
        trades = find_bundled(symbol, timeframe)
    except UnknownNameError:
        return None
    quotes = trades.with_name(f"{trades.stem}{QUOTES_SUFFIX}")
    return quotes if quotes.is_file() else None


def _count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        content = handle.read()
    lines = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)
    return max(lines - 1, 0)


def find_bundled(symbol: str, timeframe: str) -> Path:
    """The bundled CSV for ``symbol`` (case-insensitive) at ``timeframe``.

    When two files match (e.g. EURUSD 1h from Lean and from backtesting.py) the ``lean_`` file
    wins. Raises UnknownNameError listing what is bundled when nothing matches.
    """
    wanted_symbol = compact_symbol(symbol)
    try:
        wanted_timeframe = str(Timeframe.parse(timeframe))
    except InvalidInputError as error:
        raise UnknownNameError(str(error)) from None
    matches = [
        item
        for item in _bundled_files()
        if compact_symbol(item.symbol) == wanted_symbol and item.timeframe == wanted_timeframe
    ]
    if not matches:
        available = ", ".join(f"{item.symbol} {item.timeframe}" for item in _bundled_files())
        same = [item for item in _bundled_files() if compact_symbol(item.symbol) == wanted_symbol]
        held = sorted({item.timeframe for item in same}, key=lambda tf: Timeframe.parse(tf).seconds)
        hint = (
            f" ({same[0].symbol} is bundled at {', '.join(held)})"
            if same
            else did_you_mean(symbol, (item.symbol for item in _bundled_files()), inline=True)
        )
        raise UnknownNameError(
            f"no bundled data for {symbol!r} at {timeframe!r}{hint}; bundled: {available}"
        )
    matches.sort(key=lambda item: (not item.path.name.startswith(PREFERRED_PREFIX), item.path.name))
    return matches[0].path
