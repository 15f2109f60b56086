"""Result report speed: the document and the page of a backtest on bundled SPY bars (daily
and hourly), from the result to the JSON-ready document and to the HTML page.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_result_report.py [--timeframe 1d --timeframe 1h] [--rounds 3]

Checks on the way that the document's P&L is the trades' and its histogram holds every trade,
then reports the best of ``--rounds`` for each step, the bars and the page's size.
"""

from __future__ import annotations

import argparse
import time
from decimal import Decimal

from paperdesk.service.backtests import run_backtest
from paperdesk.service.result_reports import backtest_report, render_result_report
from paperdesk.service.run_files import build_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeframe", action="append", default=None)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    for timeframe in arguments.timeframe or ["1d", "1h"]:
        config = build_config(
            {"strategy": "macd-cross", "symbol": "SPY", "timeframe": timeframe,
             "max_holding_bars": 15},
            ["stop_atr=2", "target_atr=3"],
        )  # fmt: skip
        result = run_backtest(config)
        trades = result.trades  # built before the clock starts
        documents, pages = [], []
        for _ in range(arguments.rounds):
            started = time.perf_counter()
            document = backtest_report(result)
            documents.append(time.perf_counter() - started)
            started = time.perf_counter()
            page = render_result_report(document)
            pages.append(time.perf_counter() - started)
        assert Decimal(document["summary"]["pnl"]) == sum((t.pnl for t in trades), Decimal(0))
        assert sum(b["count"] for b in document["pnl_distribution"]) == len(trades)
        print(
            f"SPY {timeframe}: {result.bars} bars, {len(trades)} trades: document "
            f"{min(documents):.2f} s, page {min(pages):.2f} s, {len(page) / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
