"""What a per-bar strategy sees (``StrategyContext``) and what it answers (``Decision``)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from paperdesk.domain.enums import Direction
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.money import ZERO, to_decimal
from paperdesk.domain.orders import Order, OrderIntent
from paperdesk.domain.signals import Signal

__all__ = [
    "Action",
    "Decision",
    "StrategyContext",
    "dump_state",
    "freeze_state",
    "load_state",
]

Action = Signal | OrderIntent
"""What a decision may ask for: a signal (the router sizes it) or an exact order intent."""

Price = Decimal | float | int

_EMPTY_STATE: Mapping[str, Any] = MappingProxyType({})


def _state_problem(value: object, path: str) -> tuple[str, str] | None:
    """(key path, why) for the first part of ``value`` JSON cannot store, or None."""
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (path, f"holds {value!r}, which JSON cannot store")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return (path, f"has the key {key!r} ({type(key).__name__}), which is not a str")
            problem = _state_problem(item, f"{path}.{key}")
            if problem is not None:
                return problem
        return None
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            problem = _state_problem(item, f"{path}[{position}]")
            if problem is not None:
                return problem
        return None
    return (
        path,
        f"holds {value!r} ({type(value).__name__}); expected str, int, float, bool, None, "
        "a list or a dict with str keys (store a Decimal or a datetime as a str)",
    )


def freeze_state(state: Mapping[str, Any], owner: str = "strategy state") -> Mapping[str, Any]:
    """A read-only, JSON-equivalent copy of ``state`` (tuples become lists).

    Raises ``InvalidInputError`` naming ``owner`` and the first key whose value JSON cannot
    store (an object, a Decimal, NaN, a non-str key...).
    """
    if not isinstance(state, Mapping):
        raise InvalidInputError(
            f"{owner} must be a mapping of str keys to JSON values, got {type(state).__name__}"
        )
    for key, value in state.items():
        if not isinstance(key, str):
            raise InvalidInputError(
                f"{owner} is not JSON-serialisable: key {key!r} ({type(key).__name__}) is not a str"
            )
        problem = _state_problem(value, key)
        if problem is not None:
            path, why = problem
            raise InvalidInputError(f"{owner} is not JSON-serialisable: key {path!r} {why}")
    copied: dict[str, Any] = json.loads(json.dumps(dict(state), allow_nan=False))
    return MappingProxyType(copied)


def dump_state(state: Mapping[str, Any]) -> str:
    """``state`` as canonical JSON text (sorted keys), ready to persist."""
    return json.dumps(dict(freeze_state(state)), sort_keys=True, allow_nan=False)


def load_state(text: str) -> Mapping[str, Any]:
    """A read-only state from JSON text written by ``dump_state``."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInputError(f"strategy state is not valid JSON: {error}") from None
    return freeze_state(value)


def _price(value: Price | None, name: str) -> Decimal | None:
    """A positive Decimal price from a Decimal, int or float (via its shortest repr)."""
    if value is None:
        return None
    price = to_decimal(value, name)
    if price <= 0:
        raise InvalidInputError(f"{name} must be a positive price, got {value!r}")
    return price


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyContext:
    """Everything a per-bar strategy knows besides the bars, at the close of one bar.

    ``ts`` is the current bar's close (UTC) and ``bar_index`` its 0-based row in the history.
    ``position`` is the signed quantity held (0 when flat), ``average_price`` its average entry
    price, ``unrealized_pnl`` its open profit at the bar's close. ``open_orders`` are the
    strategy's working orders for ``symbol``. ``bars_since_entry`` counts bars as the engine's
    max holding period does: ``bar_index`` minus the row of the bar whose fill opened the
    position, so 0 on that bar (None when flat). ``state`` is the strategy's own persisted
    state (read-only; return ``Decision(state=...)`` to change it).
    """

    strategy: str
    symbol: str
    ts: datetime
    bar_index: int
    cash: Decimal
    equity: Decimal
    position: Decimal = ZERO
    average_price: Decimal | None = None
    unrealized_pnl: Decimal = ZERO
    open_orders: tuple[Order, ...] = ()
    bars_since_entry: int | None = None
    state: Mapping[str, Any] = field(default_factory=lambda: _EMPTY_STATE)

    def __post_init__(self) -> None:
        if not self.strategy or not self.symbol:
            raise InvalidInputError(
                f"a strategy context needs a strategy and a symbol, got strategy="
                f"{self.strategy!r}, symbol={self.symbol!r}"
            )
        if self.ts.tzinfo is None:
            raise InvalidInputError(f"context ts must be timezone-aware, got {self.ts!r}")
        if self.bar_index < 0:
            raise InvalidInputError(f"context bar_index must be >= 0, got {self.bar_index}")
        setattr_ = object.__setattr__
        setattr_(self, "ts", self.ts.astimezone(UTC))
        for name in ("cash", "equity", "position", "unrealized_pnl"):
            setattr_(self, name, to_decimal(getattr(self, name), name))
        if self.average_price is not None:
            setattr_(self, "average_price", to_decimal(self.average_price, "average_price"))
        setattr_(self, "open_orders", tuple(self.open_orders))
        flat = self.position == 0
        if flat and self.bars_since_entry is not None:
            raise InvalidInputError(
                f"bars_since_entry must be None when flat, got {self.bars_since_entry}"
            )
        if not flat and (self.bars_since_entry is None or self.bars_since_entry < 0):
            raise InvalidInputError(
                f"bars_since_entry must be >= 0 while a position is held, "
                f"got {self.bars_since_entry!r}"
            )
        if self.state is not _EMPTY_STATE:
            setattr_(self, "state", freeze_state(self.state, f"state of {self.strategy!r}"))

    @property
    def flat(self) -> bool:
        """True when no position is held."""
        return self.position == 0

    def long(
        self,
        confidence: float = 1.0,
        stop: Price | None = None,
        target: Price | None = None,
        reason: str = "",
    ) -> Signal:
        """A signal to be long ``symbol`` from this bar's close."""
        return self._signal(Direction.LONG, confidence, stop, target, reason)

    def short(
        self,
        confidence: float = 1.0,
        stop: Price | None = None,
        target: Price | None = None,
        reason: str = "",
    ) -> Signal:
        """A signal to be short ``symbol`` from this bar's close."""
        return self._signal(Direction.SHORT, confidence, stop, target, reason)

    def exit(self, reason: str = "") -> Signal:
        """A signal to close whatever position is held in ``symbol`` (direction flat)."""
        return self._signal(Direction.FLAT, 1.0, None, None, reason)

    def _signal(
        self,
        direction: Direction,
        confidence: float,
        stop: Price | None,
        target: Price | None,
        reason: str,
    ) -> Signal:
        return Signal(
            strategy=self.strategy,
            symbol=self.symbol,
            direction=direction,
            ts=self.ts,
            confidence=float(confidence),
            stop=_price(stop, "stop"),
            target=_price(target, "target"),
            reason=reason,
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """A per-bar strategy's answer for one bar: an action and, optionally, its new state.

    ``action`` None means "nothing to do". ``state`` None leaves the stored state unchanged;
    a mapping replaces it (an empty one clears it) and must be JSON-serialisable: str keys,
    values str, int, finite float, bool, None, lists and dicts of those.
    """

    action: Action | None = None
    state: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.action is not None and not isinstance(self.action, Signal | OrderIntent):
            raise InvalidInputError(
                f"a decision's action must be a Signal, an OrderIntent or None, "
                f"got {type(self.action).__name__}"
            )
        if self.state is not None:
            object.__setattr__(self, "state", freeze_state(self.state, "decision state"))

    @staticmethod
    def of(outcome: Decision | Action | None) -> Decision:
        """``outcome`` as a Decision (a bare action or None keeps the state unchanged)."""
        if isinstance(outcome, Decision):
            return outcome
        return Decision(outcome)
