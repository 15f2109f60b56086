"""Digests of a set of event-kernel runs, every result field by repr: the compiled kernel's and
the interpreted kernel's must be the same (``test_native_equivalence.py`` runs this file in a
process with ``PAPERDESK_NATIVE=0`` and compares its printed digests with its own).

    PAPERDESK_NATIVE=0 python tests/unit/engine/native_digest.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))  # engine_builders, when run as a script

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizeTiming, SizingConfig
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult

BARS = 6_000


def random_walk_bars(count: int = BARS, seed: int = 11) -> pd.DataFrame:
    """One-minute bars of a seeded random walk at two-decimal prices, volumes to cap."""
    generator = np.random.default_rng(seed)
    close = np.round(100.0 * np.exp(np.cumsum(generator.normal(0.0, 0.0012, count))), 2)
    open_ = np.round(np.r_[100.0, close[:-1]] * (1 + generator.normal(0, 0.0003, count)), 2)
    spread = np.abs(generator.normal(0, 0.0009, count)) * close
    index = pd.date_range("2024-01-01", periods=count, freq="1min", tz="UTC", name="ts")
    frame = pd.DataFrame(
        {
            "open": open_,
            "high": np.round(np.maximum(open_, close) + spread, 2),
            "low": np.round(np.minimum(open_, close) - spread, 2),
            "close": close,
            "volume": generator.integers(50, 5_000, count).astype(np.float64),
        },
        index=index,
    )
    frame["ts_close"] = index + pd.Timedelta(minutes=1)
    frame.attrs.update(symbol="SYNTH", timeframe="1m")
    return frame


def _config(strategy: str, parameters: dict[str, object], **parts: Any) -> RunConfig:
    return RunConfig(
        strategy=strategy, params=parameters, symbol="SYNTH", timeframe="1m", cash="100000", **parts
    )


BRACKET = {"stop_atr": 2.0, "target_atr": 3.0}
TIGHT = {"stop_atr": 0.7, "target_atr": 1.0}
SHORTS = RiskConfig(allow_short=True, exposure_cap_percent=None)
ALL_IN = SizingConfig(method="percent-equity", percent=Decimal(100), timing=SizeTiming.FILL)

# Runs that reach the kernel's rules: brackets, fees, slippage, fills at the close, a volume cap,
# caps, holding and daily loss limits, pyramiding, a cooldown.
RUNS: dict[str, RunConfig] = {
    "bracket all-in shorts": _config(
        "macd-cross",
        BRACKET,
        sizing=ALL_IN,
        risk=SHORTS,
        execution=ExecutionConfig(slippage_bps=Decimal(0)),
    ),
    "tight bracket, fee, slippage, at the close": _config(
        "macd-cross",
        TIGHT,
        risk=SHORTS,
        execution=ExecutionConfig(
            commission="percent:0.1", slippage_bps=Decimal(5), fill_timing="close"
        ),
    ),
    "bracket, per-share fee, volume cap, caps, holding limit": _config(
        "macd-cross",
        BRACKET,
        risk=RiskConfig(
            allow_short=True,
            exposure_cap_percent=Decimal(80),
            max_position_percent=Decimal(50),
            max_holding_bars=30,
        ),
        execution=ExecutionConfig(commission="per-share:0.005:min=1", volume_cap=Decimal("0.5")),
    ),
    "sma defaults": _config("sma-cross", {"fast": 10, "slow": 20}),
    "sma pyramiding, cooldown, daily loss": _config(
        "sma-cross",
        {"fast": 5, "slow": 12},
        risk=RiskConfig(
            pyramiding=True, cooldown_bars=3, daily_loss_limit_percent=Decimal(2), allow_short=True
        ),
        execution=ExecutionConfig(commission="percent:0.05", slippage_bps=Decimal(3)),
    ),
    "rsi fixed quantity": _config(
        "rsi-divergence",
        {},
        sizing=SizingConfig(method="fixed", quantity=Decimal(25)),
        risk=SHORTS,
    ),
}


def _fields(result: BacktestResult) -> list[str]:
    return [
        repr(result.orders),
        repr(result.fills),
        repr(result.trades),
        repr(result.rejections),
        repr(result.adjustments),
        repr(result.account_events),
        repr(result.final_equity),
        repr(result.final_cash),
        repr(result.last_close),
        repr(result.final_positions),
        repr(result.signals),
        repr(result.bars),
        result.equity_curve.to_numpy().tobytes().hex(),
        repr(result.stats),
    ]


def digest(name: str, bars: pd.DataFrame) -> tuple[str, int]:
    """The digest of one run's result and its number of fills (so a run that trades nothing
    cannot pass unseen)."""
    config = RUNS[name]
    instrument = Instrument.equity("SYNTH", calendar="24/7")
    strategy = create_strategy(config.strategy, dict(config.params))
    result = simulate(bars, strategy, config, instrument, engine="event")
    text = "\n".join(_fields(result))
    return hashlib.sha256(text.encode()).hexdigest(), len(result.fills)


def digests() -> dict[str, tuple[str, int]]:
    bars = random_walk_bars()
    return {name: digest(name, bars) for name in RUNS}


if __name__ == "__main__":
    from paperdesk import native

    print(json.dumps({"compiled": native.loaded_compiled(), "digests": digests()}))
