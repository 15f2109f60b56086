"""The per-bar strategy kind: ``decide(history, context)`` once per closed bar."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar, TypeVar

import pandas as pd

from paperdesk.analysis.strategies.base import check_bars
from paperdesk.analysis.strategies.common import StrategyBase, StrategyKind
from paperdesk.domain.decisions import Decision, StrategyContext
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.orders import OrderIntent
from paperdesk.domain.signals import Signal

__all__ = ["BarStrategy"]

ParametersT = TypeVar("ParametersT")


class BarStrategy(StrategyBase[ParametersT]):
    """A strategy that decides one bar at a time: a model (ML, LLM) or a rule that keeps state.

    Subclasses set ``name``, ``description`` and ``Parameters`` exactly as a vectorised
    ``Strategy`` does, implement ``warmup`` and ``decide`` and may override
    ``check_parameters``. Callers use ``decision``, which checks what goes in and out.

    ``decide`` is called at the close of every bar once the history holds more than ``warmup``
    bars. It returns a ``Signal`` (usually built with ``context.long()``, ``context.short()``
    or ``context.exit()``; the router sizes it like a vectorised strategy's signal), an
    ``OrderIntent`` (an exact order), a ``Decision`` (either of those plus a new persisted
    ``state``) or None (nothing to do). It must be causal by construction: ``history`` holds
    the closed bars up to and including the current one, nothing later.
    """

    kind: ClassVar[StrategyKind] = StrategyKind.PER_BAR

    @abstractmethod
    def decide(
        self, history: pd.DataFrame, context: StrategyContext
    ) -> Signal | OrderIntent | Decision | None:
        """What to do at the close of the last bar of ``history`` (see the class docstring).

        ``history`` is a bars frame like the one ``Strategy.signals`` receives (UTC
        ``DatetimeIndex`` of bar open labels, float64 ``open, high, low, close, volume``).
        """

    def decision(self, history: pd.DataFrame, context: StrategyContext) -> Decision:
        """The checked ``Decision`` for the last bar of ``history``.

        An empty decision while the history holds ``warmup`` bars or fewer (``decide`` is not
        called). A bare action or None from ``decide`` becomes a Decision that leaves the state
        unchanged; an order intent without a strategy name gets this strategy's. Raises
        ``InvalidInputError`` naming the strategy, the symbol and the bar for a bad return
        value, an action for another symbol, or any error raised inside ``decide``
        (such as a state JSON cannot store).
        """
        check_bars(history)
        if context.strategy != self.name:
            raise InvalidInputError(
                f"strategy {self.name!r} was given the context of strategy {context.strategy!r}"
            )
        if len(history) <= self.warmup:
            return Decision()
        where = f"strategy {self.name!r} deciding {context.symbol} at {context.ts.isoformat()}"
        try:
            outcome = self.decide(history, context)
        except Exception as error:
            raise self.failure(where, "decide()", error) from error
        if outcome is not None and not isinstance(outcome, Decision | Signal | OrderIntent):
            raise InvalidInputError(
                f"{where}: decide() must return a Signal, an OrderIntent, a Decision or None, "
                f"got {type(outcome).__name__}"
            )
        decision = Decision.of(outcome)
        action = decision.action
        if action is None:
            return decision
        if action.symbol != context.symbol:
            raise InvalidInputError(
                f"{where}: decide() returned an action for {action.symbol!r}; "
                f"expected {context.symbol!r}"
            )
        if isinstance(action, OrderIntent) and not action.strategy:
            return Decision(action._replace(strategy=self.name), decision.state)
        return decision
