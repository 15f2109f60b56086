"""The driver skips bars where nothing can happen; visiting every bar must give the same run."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
from engine_builders import make_config

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.data import instrument_for, load_bars, session_close
from paperdesk.data.bundled import find_bundled
from paperdesk.domain import Bar, Direction, Fill, Signal, to_decimal
from paperdesk.engine.backtest import simulate
from paperdesk.engine.wiring import build_kernel

D = Decimal


def walk_every_bar(
    bars: pd.DataFrame, strategy_name: str, params: dict[str, object], config: RunConfig
) -> tuple[list[Fill], Decimal]:
    """A deliberately naive driver: every bar, in order, through the shared kernel."""
    instrument = instrument_for("SPY")
    kernel = build_kernel(config, {"SPY": instrument}, session_close)
    frame = create_strategy(strategy_name, params).signals(bars)
    by_label = dict(frame.iterrows())
    for index, (label, row) in enumerate(bars.iterrows()):
        ts_close = row["ts_close"].to_pydatetime()
        bar = Bar(
            "SPY",
            "1d",
            label.to_pydatetime(),
            ts_close,
            to_decimal(row["open"]),
            to_decimal(row["high"]),
            to_decimal(row["low"]),
            to_decimal(row["close"]),
            to_decimal(row["volume"]),
        )
        signals = []
        if label in by_label:
            s = by_label[label]
            signals.append(
                Signal(
                    strategy_name,
                    "SPY",
                    Direction(int(s["direction"])),
                    ts_close,
                    float(s["confidence"]),
                    None,
                    None if pd.isna(s["stop"]) else to_decimal(s["stop"]),
                    None if pd.isna(s["target"]) else to_decimal(s["target"]),
                    s["reason"],
                )
            )
        kernel.on_bar(bar, signals, index)
    last = to_decimal(bars["close"].iloc[-1])
    return kernel.ledger.fills, kernel.ledger.equity({"SPY": last})


CASES = {
    "brackets, shorts and a holding limit": (
        "macd-cross",
        {"stop_atr": 1.5, "target_atr": 2.5},
        RiskConfig(allow_short=True, max_holding_bars=15),
    ),
    "percent sizing under the default exposure cap": ("tsi-momentum", {}, RiskConfig()),
    "divergence stops with a volume cap": ("rsi-divergence", {}, RiskConfig(allow_short=True)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_skipping_bars_gives_exactly_the_run_that_visits_every_bar(case: str) -> None:
    strategy_name, params, risk = CASES[case]
    bars = load_bars(find_bundled("SPY", "1d")).iloc[-1500:]
    volume_cap = D("0.000001") if "volume cap" in case else None
    config = make_config().with_changes(
        strategy=strategy_name,
        symbol="SPY",
        timeframe="1d",
        risk=risk,
        sizing=SizingConfig(percent=D(50)),
        execution=ExecutionConfig(
            commission="per-share:0.005:min=1", slippage_bps=D(2), volume_cap=volume_cap
        ),
    )
    skipped = simulate(bars, create_strategy(strategy_name, params), config, instrument_for("SPY"))
    fills, equity = walk_every_bar(bars, strategy_name, params, config)
    assert len(fills) > 10
    assert list(skipped.fills) == fills
    assert skipped.final_equity == equity
