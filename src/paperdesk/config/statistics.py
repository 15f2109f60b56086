"""The statistics section of the run description: return basis, risk-free rate and benchmark.

The formulas these options feed are written out in ``docs/statistics.md``.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from paperdesk.config.model import ConfigModel
from paperdesk.config.options import BACKTEST, Option, Panel, Parser
from paperdesk.domain import limits
from paperdesk.domain import parsing as values


class ReturnBasis(StrEnum):
    """Which returns the Sharpe, Sortino, volatility and benchmark statistics are computed on."""

    BAR = "bar"  # one return per bar, annualised by bars per year (default, as before)
    DAILY = "daily"  # one return per trading day (the last equity of each session), as Lean


def returns_value(value: object, label: str) -> ReturnBasis:
    return values.choice_value(value, label, ReturnBasis)


def risk_free_rate_value(value: object, label: str) -> Decimal:
    """An annual rate in percent, -100 to 100 (negative rates happened: EUR 2015-2021)."""
    return values.decimal_value(
        value, label, minimum=Decimal(-100), allow_zero=True, maximum=Decimal(100), places=None
    )


def benchmark_value(value: object, label: str) -> str | None:
    """A benchmark symbol, or None for "none"."""
    if values.is_none_word(value):
        return None
    return limits.symbol_value(value, label)


def benchmark_data_value(value: object, label: str) -> Path:
    if isinstance(value, Path):
        return value
    return Path(values.text_value(value, label)).expanduser()


def _statistics(key: str, help_text: str, parse: Parser, metavar: str, **extra: Any) -> Option:
    return Option(key, help_text, parse, metavar, Panel.STATISTICS, **extra)


class StatisticsConfig(ConfigModel):
    """How the run's statistics are computed (see docs/statistics.md)."""

    returns: Annotated[
        ReturnBasis,
        _statistics("returns", "Returns the Sharpe, Sortino, volatility and benchmark "
                    "statistics use: bar or daily.", returns_value, "bar|daily"),
    ] = ReturnBasis.BAR  # fmt: skip
    risk_free_rate: Annotated[
        Decimal,
        _statistics("risk_free_rate", "Annual risk-free rate for Sharpe, Sortino, alpha and "
                    "Treynor.", risk_free_rate_value, "PCT", unit="%"),
    ] = Decimal(0)  # fmt: skip
    benchmark: Annotated[
        str | None,
        _statistics("benchmark", "Symbol for alpha, beta, tracking error, information and "
                    "Treynor ratio, or none.", benchmark_value, "SYMBOL|none"),
    ] = None  # fmt: skip
    benchmark_data: Annotated[
        Path | None,
        _statistics("benchmark_data", "OHLCV CSV file of the benchmark (its symbol from "
                    "--benchmark, else the file name).", benchmark_data_value, "FILE.csv",
                    commands=frozenset({BACKTEST})),
    ] = None  # fmt: skip

    @property
    def has_benchmark(self) -> bool:
        return self.benchmark is not None or self.benchmark_data is not None
