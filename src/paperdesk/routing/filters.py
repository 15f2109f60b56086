"""Filter rules: whether a signal may be acted on at all, with the reason when it may not.

Compiled with the event kernel (``paperdesk.native``): the router asks a rule once a signal.
The filters that remember accepted signals are found by ``routing.signal_memory``, interpreted
(a ``runtime_checkable`` protocol does not compile)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from paperdesk.domain import Direction, InvalidInputError, PortfolioView, Signal
from paperdesk.routing.wording import amount

_LONG, _SHORT, _FLAT = Direction.LONG, Direction.SHORT, Direction.FLAT  # enum lookups are slow


class FilterRule(Protocol):
    """One filter stage: None lets the signal through, a string is the rejection reason."""

    def allow(self, signal: Signal, view: PortfolioView) -> str | None: ...


class NullFilter:
    """Lets every signal through."""

    __slots__ = ()

    def allow(self, signal: Signal, view: PortfolioView) -> str | None:
        return None


class MinimumConfidence:
    """Rejects signals whose confidence is below ``minimum``."""

    __slots__ = ("minimum",)

    def __init__(self, minimum: float) -> None:
        if not 0.0 <= minimum <= 1.0:
            raise InvalidInputError(f"minimum confidence must be between 0 and 1, got {minimum}")
        self.minimum = minimum

    def allow(self, signal: Signal, view: PortfolioView) -> str | None:
        if signal.confidence < self.minimum:
            return f"confidence {signal.confidence:.2f} is below the minimum {self.minimum:.2f}"
        return None


class AllowedSymbols:
    """Rejects signals for symbols outside ``symbols``."""

    __slots__ = ("symbols",)

    def __init__(self, symbols: Iterable[str]) -> None:
        self.symbols = frozenset(symbols)
        if not self.symbols:
            raise InvalidInputError("allowed symbols must name at least one symbol")

    def allow(self, signal: Signal, view: PortfolioView) -> str | None:
        if signal.symbol not in self.symbols:
            listed = ", ".join(sorted(self.symbols))
            return f"symbol {signal.symbol} is not among the allowed symbols: {listed}"
        return None


class Cooldown:
    """Rejects a signal until ``bars`` bars have passed since the last accepted one per symbol."""

    __slots__ = ("_bar_index", "_last_accepted", "bars")

    def __init__(self, bars: int) -> None:
        if bars < 0:
            raise InvalidInputError(f"cooldown bars must not be negative, got {bars}")
        self.bars = bars
        self._bar_index = 0
        self._last_accepted: dict[str, int] = {}

    def advance(self, bar_index: int) -> None:
        self._bar_index = bar_index

    def remember(self, signal: Signal) -> None:
        self._last_accepted[signal.symbol] = self._bar_index

    def restore(self, symbol: str, bar_index: int) -> None:
        self._last_accepted[symbol] = bar_index

    def reset(self) -> None:
        """Forget every accepted signal (for a new run)."""
        self._bar_index = 0
        self._last_accepted.clear()

    def allow(self, signal: Signal, view: PortfolioView) -> str | None:
        last = self._last_accepted.get(signal.symbol)
        if last is None:
            return None
        passed = self._bar_index - last
        if passed < self.bars:
            return (
                f"cooldown: {passed} bars since the last accepted {signal.symbol} signal, "
                f"{self.bars} required"
            )
        return None


class OnePositionPerSymbol:
    """Rejects a signal in the direction of the position already held, or any entry while an
    entry order for the symbol is still working (resting limit, volume-capped), unless
    pyramiding."""

    __slots__ = ("pyramiding",)

    def __init__(self, pyramiding: bool = False) -> None:
        self.pyramiding = pyramiding

    def allow(self, signal: Signal, view: PortfolioView) -> str | None:
        if self.pyramiding:
            return None
        symbol = signal.symbol
        if symbol in view.working_entry_symbols and signal.direction is not _FLAT:
            return f"an entry order for {symbol} is still working; pyramiding is disabled"
        positions = view.positions  # a Mapping: ``in`` and ``[]``, not a call of ``get``
        if symbol not in positions:
            return None
        position = positions[symbol]
        held = position.quantity
        if (held > 0 and signal.direction is _LONG) or (held < 0 and signal.direction is _SHORT):
            side = "long" if held > 0 else "short"
            return f"already {side} {amount(abs(held))} {signal.symbol}; pyramiding is disabled"
        return None


class CompositeFilter:
    """Applies ``rules`` in order; the first rejection wins."""

    __slots__ = ("rules",)

    def __init__(self, rules: Iterable[FilterRule]) -> None:
        self.rules = tuple(rules)

    def allow(self, signal: Signal, view: PortfolioView) -> str | None:
        for rule in self.rules:
            reason = rule.allow(signal, view)
            if reason is not None:
                return reason
        return None
