"""A persistent portfolio's settings: what it trades, on which data, with which rules.

Stored as JSON on the portfolio row; every assumption of the run (sizing, risk, execution) is the
same frozen config a backtest uses, so a paper portfolio and a backtest configured alike trade
alike.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from typing import Any

from paperdesk.analysis.strategies.registry import create_strategy
from paperdesk.domain import InvalidInputError, Timeframe
from paperdesk.engine.config import ExecutionConfig, RiskConfig, SizingConfig

SOURCE_KINDS = ("bundled", "replay")


@dataclass(frozen=True, slots=True)
class StrategySpec:
    name: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceSettings:
    """Where candles come from.

    ``bundled``: the bundled data (or ``files``), candles visible once closed by the wall clock.
    ``replay``: the same files served as if live, one new candle per tick, starting at the first
    candle on or after ``replay_from`` (the candles before it are the strategies' history).
    """

    kind: str = "bundled"
    files: Mapping[str, str] = field(default_factory=dict)  # symbol -> CSV path
    replay_from: date | None = None

    def file_for(self, symbol: str) -> Path | None:
        path = self.files.get(symbol)
        return Path(path) if path else None


@dataclass(frozen=True, slots=True)
class PortfolioSettings:
    strategies: tuple[StrategySpec, ...] = (StrategySpec("macd-cross"),)
    symbols: tuple[str, ...] = ()
    timeframe: str = "1d"
    source: SourceSettings = field(default_factory=SourceSettings)
    sizing: SizingConfig = field(default_factory=SizingConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)

    def __post_init__(self) -> None:
        if not self.strategies:
            raise InvalidInputError("a portfolio needs at least one strategy")
        names = [spec.name for spec in self.strategies]
        if len(set(names)) != len(names):
            raise InvalidInputError(f"strategies are listed twice: {', '.join(names)}")
        for spec in self.strategies:
            create_strategy(spec.name, spec.params)  # unknown names and bad params fail here
        Timeframe.parse(self.timeframe)
        if self.source.kind not in SOURCE_KINDS:
            raise InvalidInputError(
                f"data source must be one of {', '.join(SOURCE_KINDS)}, got {self.source.kind!r}"
            )

    def strategy(self, name: str) -> StrategySpec:
        for spec in self.strategies:
            if spec.name == name:
                return spec
        listed = ", ".join(spec.name for spec in self.strategies)
        raise InvalidInputError(f"this portfolio does not run strategy {name!r} (it runs {listed})")

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = _plain(self)
        return document

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> PortfolioSettings:
        try:
            built: PortfolioSettings = _build(cls, document)
        except (TypeError, ValueError, KeyError, InvalidOperation) as error:
            raise InvalidInputError(f"malformed portfolio settings: {error}") from None
        return built


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | date | Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _build(cls: Any, document: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(document) - known
    if unknown:
        raise ValueError(f"unknown setting(s) {', '.join(sorted(unknown))} in {cls.__name__}")
    values = {name: _convert(hints[name], raw) for name, raw in document.items()}
    return cls(**values)


def _convert(hint: Any, raw: Any) -> Any:
    if raw is None:
        return None
    origin = typing.get_origin(hint)
    arguments = [a for a in typing.get_args(hint) if a is not type(None)]
    if origin in (typing.Union, types.UnionType):
        return _convert(arguments[0], raw)
    if origin is tuple:
        return tuple(_convert(arguments[0], item) for item in raw)
    if origin is Mapping or hint is Mapping:
        return dict(raw)
    if dataclasses.is_dataclass(hint):
        return _build(hint, raw)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(raw)
    if hint is Decimal:
        return Decimal(str(raw))
    if hint is date:
        return date.fromisoformat(str(raw))
    if hint in (int, float, str, bool):
        if hint is bool and not isinstance(raw, bool):
            raise ValueError(f"expected true or false, got {raw!r}")
        return hint(raw)
    return raw
