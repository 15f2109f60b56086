"""The indicators a user can compute by name (``paperdesk indicator``): each one's parameters
with their defaults, the input columns it reads and the lines it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from paperdesk.analysis import indicators
from paperdesk.analysis.indicators import EMA_SEEDS, FloatArray
from paperdesk.domain.errors import InvalidInputError

__all__ = ["INDICATORS", "IndicatorSpec", "compute_indicator", "indicator_spec"]

SEED_HELP = "sma (TA-Lib, backtrader, Lean) or first (pandas ewm(adjust=False), the ta library)"


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """One indicator: its parameters (name -> default; an int is a period, a str the seed),
    the columns it reads, its output lines and how to compute them."""

    name: str
    description: str
    defaults: Mapping[str, object]
    columns: tuple[str, ...]
    lines: tuple[str, ...]
    compute: Callable[[Mapping[str, FloatArray], Mapping[str, Any]], tuple[FloatArray, ...]]


def _one(values: FloatArray) -> tuple[FloatArray, ...]:
    return (values,)


INDICATORS: dict[str, IndicatorSpec] = {
    spec.name: spec
    for spec in (
        IndicatorSpec(
            "sma",
            "simple moving average of the close",
            {"period": 20},
            ("close",),
            ("sma",),
            lambda data, p: _one(indicators.sma(data["close"], p["period"])),
        ),
        IndicatorSpec(
            "ema",
            "exponential moving average of the close, alpha 2/(period+1)",
            {"period": 20, "seed": "sma"},
            ("close",),
            ("ema",),
            lambda data, p: _one(indicators.ema(data["close"], p["period"], p["seed"])),
        ),
        IndicatorSpec(
            "rsi",
            "Wilder's RSI (StockCharts, backtrader)",
            {"period": 14},
            ("close",),
            ("rsi",),
            lambda data, p: _one(indicators.rsi(data["close"], p["period"])),
        ),
        IndicatorSpec(
            "macd",
            "MACD line, signal line and histogram",
            {"fast": 12, "slow": 26, "signal": 9, "seed": "sma"},
            ("close",),
            ("macd", "signal", "histogram"),
            lambda data, p: indicators.macd(
                data["close"], p["fast"], p["slow"], p["signal"], p["seed"]
            ),
        ),
        IndicatorSpec(
            "tsi",
            "True Strength Index",
            {"long": 25, "short": 13, "seed": "sma"},
            ("close",),
            ("tsi",),
            lambda data, p: _one(indicators.tsi(data["close"], p["long"], p["short"], p["seed"])),
        ),
        IndicatorSpec(
            "atr",
            "Wilder's average true range",
            {"period": 14},
            ("high", "low", "close"),
            ("atr",),
            lambda data, p: _one(
                indicators.atr(data["high"], data["low"], data["close"], p["period"])
            ),
        ),
    )
}


def indicator_spec(name: str) -> IndicatorSpec:
    """The indicator called ``name``; ``InvalidInputError`` listing the known ones otherwise."""
    spec = INDICATORS.get(name.strip().lower())
    if spec is None:
        known = ", ".join(INDICATORS)
        raise InvalidInputError(f"unknown indicator {name!r}: expected one of {known}")
    return spec


def _parameter(spec: IndicatorSpec, name: str, raw: object) -> object:
    default = spec.defaults[name]
    if isinstance(default, str):
        if not isinstance(raw, str) or raw.strip().lower() not in EMA_SEEDS:
            raise InvalidInputError(
                f"indicator {spec.name!r}: parameter {name!r} must be one of "
                f"{', '.join(EMA_SEEDS)}, got {raw!r}"
            )
        return raw.strip().lower()
    number: object = raw
    if isinstance(raw, str):
        try:
            number = int(raw.strip())
        except ValueError:
            number = raw
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidInputError(
            f"indicator {spec.name!r}: parameter {name!r} must be a whole number of bars "
            f"(at least 1), got {raw!r}"
        )
    return number


def resolve_parameters(spec: IndicatorSpec, given: Mapping[str, object]) -> dict[str, object]:
    """The defaults overlaid with ``given`` (names with ``-`` or ``_``), each checked.
    ``ema_seed``, the strategies' name of the seed, is accepted for ``seed``."""
    resolved = dict(spec.defaults)
    for key, raw in given.items():
        name = str(key).strip().replace("-", "_")
        if name == "ema_seed" and "seed" in spec.defaults:  # one name in every command
            name = "seed"
        if name not in spec.defaults:
            valid = ", ".join(spec.defaults)
            raise InvalidInputError(
                f"indicator {spec.name!r} has no parameter {key!r}; valid parameters: {valid}"
            )
        resolved[name] = _parameter(spec, name, raw)
    return resolved


def compute_indicator(
    spec: IndicatorSpec, frame: pd.DataFrame, parameters: Mapping[str, object]
) -> dict[str, FloatArray]:
    """Each output line of ``spec`` over ``frame`` (whose columns include ``spec.columns``),
    with ``parameters`` resolved by ``resolve_parameters``."""
    data = {
        column: np.ascontiguousarray(frame[column].to_numpy(dtype=np.float64))
        for column in spec.columns
    }
    return dict(zip(spec.lines, spec.compute(data, parameters), strict=True))
