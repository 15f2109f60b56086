"""BarStrategy: parameters shared with Strategy, decide() called directly, decision() checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.base import require_at_least
from paperdesk.analysis.strategies.common import ParameterDescription, StrategyKind
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.domain import (
    Decision,
    Direction,
    InvalidInputError,
    OrderIntent,
    Side,
    Signal,
    StrategyContext,
)

D = Decimal


def make_bars(closes: list[float]) -> pd.DataFrame:
    values = np.asarray(closes, dtype=np.float64)
    return pd.DataFrame(
        {
            "open": values,
            "high": values + 0.5,
            "low": values - 0.5,
            "close": values,
            "volume": np.full(values.shape[0], 1000.0),
        },
        index=pd.date_range("2024-01-01", periods=values.shape[0], freq="D", tz="UTC"),
    )


def context_for(bars: pd.DataFrame, **changes: Any) -> StrategyContext:
    values: dict[str, Any] = {
        "strategy": "breakout",
        "symbol": "SPY",
        "ts": bars.index[-1].to_pydatetime().replace(hour=21),
        "bar_index": len(bars) - 1,
        "cash": D("10000"),
        "equity": D("10000"),
    }
    values.update(changes)
    return StrategyContext(**values)


@dataclass(frozen=True, slots=True)
class BreakoutParameters:
    lookback: int = 3
    stop_fraction: float = 0.0


class Breakout(BarStrategy[BreakoutParameters]):
    """Long when the close beats the highest of the previous ``lookback`` closes; exit when it
    falls below the lowest; counts breakouts in its state (a test double, not registered)."""

    name: ClassVar[str] = "breakout"
    description: ClassVar[str] = "test double"
    Parameters: ClassVar[type[BreakoutParameters]] = BreakoutParameters

    @classmethod
    def check_parameters(cls, params: BreakoutParameters) -> None:
        require_at_least("lookback", params.lookback, 1)

    @property
    def warmup(self) -> int:
        return self.params.lookback

    def decide(self, history: pd.DataFrame, context: StrategyContext) -> Signal | Decision | None:
        close = history["close"].to_numpy()
        previous = close[-1 - self.params.lookback : -1]
        if context.flat and close[-1] > previous.max():
            stop = (
                close[-1] * (1 - self.params.stop_fraction) if self.params.stop_fraction else None
            )
            count = int(context.state.get("breakouts", 0)) + 1
            return Decision(context.long(stop=stop, reason="breakout"), state={"breakouts": count})
        if not context.flat and close[-1] < previous.min():
            return context.exit(reason="breakdown")
        return None


class Scripted(BarStrategy[Any]):
    """Returns whatever the test put in ``answer`` (a test double, not registered)."""

    name: ClassVar[str] = "scripted"
    description: ClassVar[str] = "test double"
    answer: object = None

    @property
    def warmup(self) -> int:
        return 0

    def decide(self, history: pd.DataFrame, context: StrategyContext) -> Any:
        return self.answer


def scripted(answer: object) -> tuple[Scripted, pd.DataFrame, StrategyContext]:
    strategy = Scripted()
    strategy.answer = answer
    bars = make_bars([10.0, 11.0])
    return strategy, bars, context_for(bars, strategy="scripted")


# ---------------------------------------------------------------- parameters (shared base)
def test_bar_strategy_parses_parameters_like_a_vectorised_strategy() -> None:
    assert Breakout.kind is StrategyKind.PER_BAR
    params = Breakout.parse_params({"lookback": "5", "stop-fraction": "0.02"})
    assert params == BreakoutParameters(lookback=5, stop_fraction=0.02)
    assert Breakout(params).warmup == 5
    assert Breakout.describe_parameters() == [
        ParameterDescription("lookback", "int", 3),
        ParameterDescription("stop_fraction", "float", 0.0),
    ]
    with pytest.raises(InvalidInputError, match="no parameter 'period'; valid parameters: "):
        Breakout.parse_params({"period": 3})
    with pytest.raises(InvalidInputError, match="parameter 'lookback': value 'x' is not a valid"):
        Breakout.parse_params({"lookback": "x"})
    with pytest.raises(InvalidInputError, match="parameter 'lookback' must be at least 1, got 0"):
        Breakout(BreakoutParameters(lookback=0))
    with pytest.raises(InvalidInputError, match="expects BreakoutParameters, got dict"):
        Breakout({"lookback": 2})  # type: ignore[arg-type]


def test_a_bar_strategy_without_decide_cannot_be_created() -> None:
    class Undecided(BarStrategy[Any]):
        name: ClassVar[str] = "undecided"
        description: ClassVar[str] = ""

        @property
        def warmup(self) -> int:
            return 0

    with pytest.raises(TypeError, match="decide"):
        Undecided()  # type: ignore[abstract]


# ---------------------------------------------------------------- decide, called directly
def test_decide_with_a_hand_built_context() -> None:
    strategy = Breakout(BreakoutParameters(lookback=3, stop_fraction=0.1))
    bars = make_bars([10.0, 12.0, 11.0, 12.5])
    decision = strategy.decide(bars, context_for(bars, state={"breakouts": 4}))
    assert isinstance(decision, Decision)
    signal = decision.action
    assert isinstance(signal, Signal)
    assert signal.direction is Direction.LONG
    assert (signal.strategy, signal.symbol) == ("breakout", "SPY")
    assert signal.ts == datetime(2024, 1, 4, 21, 0, tzinfo=UTC)
    assert signal.stop == D("11.25")
    assert decision.state == {"breakouts": 5}

    held = context_for(bars, position=D(10), average_price=D("12.5"), bars_since_entry=1)
    assert strategy.decide(bars, held) is None  # already long: no second entry
    lower = make_bars([10.0, 12.0, 11.0, 9.0])
    exit_signal = strategy.decide(lower, context_for(lower, position=D(10), bars_since_entry=2))
    assert isinstance(exit_signal, Signal)
    assert exit_signal.direction is Direction.FLAT
    assert exit_signal.reason == "breakdown"


# ---------------------------------------------------------------- decision(): the checked door
def test_decision_waits_for_the_warmup_without_calling_decide() -> None:
    strategy = Breakout()  # lookback 3: decide needs 4 bars
    short_history = make_bars([10.0, 12.0, 13.0])
    assert strategy.decision(short_history, context_for(short_history)) == Decision()
    bars = make_bars([10.0, 12.0, 11.0, 12.5])
    assert strategy.decision(bars, context_for(bars)).state == {"breakouts": 1}


def test_decision_wraps_a_bare_action_and_keeps_the_state() -> None:
    strategy, bars, context = scripted(None)
    assert strategy.decision(bars, context) == Decision()
    signal = context.long()
    strategy.answer = signal
    assert strategy.decision(bars, context) == Decision(signal, None)


def test_decision_names_the_strategy_on_an_order_intent_without_one() -> None:
    strategy, bars, context = scripted(OrderIntent("SPY", Side.BUY, D(3), reason="fixed size"))
    action = strategy.decision(bars, context).action
    assert isinstance(action, OrderIntent)
    assert (action.strategy, action.quantity) == ("scripted", D(3))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("buy", "decide\\(\\) must return a Signal, an OrderIntent, a Decision or None, got str"),
        (
            OrderIntent("MSFT", Side.BUY, D(1)),
            "decide\\(\\) returned an action for 'MSFT'; expected 'SPY'",
        ),
    ],
)
def test_decision_refuses_a_bad_answer_naming_strategy_symbol_and_bar(
    answer: object, message: str
) -> None:
    strategy, bars, context = scripted(answer)
    with pytest.raises(
        InvalidInputError,
        match=f"strategy 'scripted' deciding SPY at 2024-01-02T21:00:00\\+00:00: {message}",
    ):
        strategy.decision(bars, context)


def test_a_state_json_cannot_store_is_refused_naming_the_strategy_and_the_key() -> None:
    class Hoarder(Scripted):
        name: ClassVar[str] = "hoarder"

        def decide(self, history: pd.DataFrame, context: StrategyContext) -> Decision:
            return Decision(state={"last_close": D(str(history["close"].iloc[-1]))})

    bars = make_bars([10.0, 11.0])
    with pytest.raises(InvalidInputError) as error:
        Hoarder().decision(bars, context_for(bars, strategy="hoarder"))
    assert str(error.value).startswith("strategy 'hoarder' deciding SPY at ")
    assert "key 'last_close' holds Decimal('11.0')" in str(error.value)


def test_decision_checks_the_history_and_the_context() -> None:
    strategy, bars, context = scripted(None)
    with pytest.raises(InvalidInputError, match="missing column\\(s\\) volume"):
        strategy.decision(bars.drop(columns="volume"), context)
    with pytest.raises(InvalidInputError, match="was given the context of strategy 'breakout'"):
        strategy.decision(bars, context_for(bars))
