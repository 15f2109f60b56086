"""Each measured side by its key: what ``bench_peers.py --worker KEY`` runs in its process.

The heavy imports (paperdesk, vectorbt, backtesting.py, SQLAlchemy) happen inside each worker,
so a row's process loads only what its side needs.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from peers.rows import Facts, Worker


def paperdesk_fastpath(size: int, _work: Path, _options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.backtests import paperdesk_sma

    return paperdesk_sma(size, "fastpath")


def paperdesk_event(size: int, _work: Path, _options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.backtests import paperdesk_sma

    return paperdesk_sma(size, "event")


def vectorbt_numba(size: int, _work: Path, _options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.backtests import vectorbt_sma

    return vectorbt_sma(size, "numba")


def vectorbt_rust(size: int, _work: Path, _options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.backtests import vectorbt_sma

    return vectorbt_sma(size, "rust")


def backtesting_sma(size: int, _work: Path, _options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.backtests import backtesting_sma as run

    return run(size)


def paperdesk_bracket(size: int, _work: Path, _options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.backtests import paperdesk_bracket as run

    return run(size)


def paperdesk_bracket_auto(
    size: int, _work: Path, _options: argparse.Namespace
) -> tuple[float, Facts]:
    from peers.backtests import paperdesk_bracket as run

    return run(size, "auto")


def backtesting_bracket(
    size: int, _work: Path, _options: argparse.Namespace
) -> tuple[float, Facts]:
    from peers.backtests import backtesting_bracket as run

    return run(size)


def paperdesk_sma_default(
    size: int, _work: Path, _options: argparse.Namespace
) -> tuple[float, Facts]:
    from peers.backtests import paperdesk_default

    return paperdesk_default(size, "sma-cross")


def backtesting_sma_default(
    size: int, _work: Path, _options: argparse.Namespace
) -> tuple[float, Facts]:
    from peers.backtests import backtesting_default

    return backtesting_default(size, "sma-cross")


def paperdesk_bracket_default(
    size: int, _work: Path, _options: argparse.Namespace
) -> tuple[float, Facts]:
    from peers.backtests import paperdesk_default

    return paperdesk_default(size, "macd-cross")


def backtesting_bracket_default(
    size: int, _work: Path, _options: argparse.Namespace
) -> tuple[float, Facts]:
    from peers.backtests import backtesting_default

    return backtesting_default(size, "macd-cross")


def read_csv(_size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.storage import read_csv_side

    return read_csv_side(Path(options.input))


def import_in_process(_size: int, work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.storage import import_in_process_side

    return import_in_process_side(Path(options.input), work)


def load_bars(_size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.storage import load_side

    return load_side(options.input)


def raw_fetch(_size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.storage import raw_fetch_side

    return raw_fetch_side(options.input)


def tick_sqlite(size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.live import tick_side

    return tick_side("sqlite", size, options.ticks)


def tick_sqlite_short(_size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.live import tick_side

    return tick_side("sqlite", SHORT_HISTORY, options.ticks)


def commit_sqlite(_size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.live import commit_side

    return commit_side("sqlite", options.ticks)


def tick_postgresql(size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.live import tick_side

    return tick_side("postgresql", size, options.ticks)


def commit_postgresql(_size: int, _work: Path, options: argparse.Namespace) -> tuple[float, Facts]:
    from peers.live import commit_side

    return commit_side("postgresql", options.ticks)


SHORT_HISTORY = 500

WORKERS: dict[str, Worker] = {
    "paperdesk-fastpath": paperdesk_fastpath,
    "paperdesk-event": paperdesk_event,
    "vectorbt-numba": vectorbt_numba,
    "vectorbt-rust": vectorbt_rust,
    "backtesting-sma": backtesting_sma,
    "paperdesk-bracket": paperdesk_bracket,
    "paperdesk-bracket-auto": paperdesk_bracket_auto,
    "backtesting-bracket": backtesting_bracket,
    "paperdesk-sma-default": paperdesk_sma_default,
    "backtesting-sma-default": backtesting_sma_default,
    "paperdesk-bracket-default": paperdesk_bracket_default,
    "backtesting-bracket-default": backtesting_bracket_default,
    "read-csv": read_csv,
    "import-in-process": import_in_process,
    "load-bars": load_bars,
    "raw-fetch": raw_fetch,
    "tick-sqlite": tick_sqlite,
    "tick-sqlite-short": tick_sqlite_short,
    "commit-sqlite": commit_sqlite,
    "tick-postgresql": tick_postgresql,
    "commit-postgresql": commit_postgresql,
}
