"""A strategy that raises or returns garbage is refused with an error naming it and what is
wrong (an ``InvalidInputError``, which every door shows as one line), never a traceback."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from paperdesk.analysis.strategies.base import (
    NoParameters,
    Strategy,
    make_signal_frame,
    to_signals,
)
from paperdesk.analysis.strategies.per_bar import BarStrategy
from paperdesk.analysis.strategies.registry import StrategyRegistry
from paperdesk.domain import InvalidInputError, Signal, StrategyContext
from paperdesk.domain.errors import StrategyLoadError


def _bars(count: int = 12) -> pd.DataFrame:
    index = pd.date_range("2024-01-02", periods=count, freq="D", tz="UTC")
    close = np.linspace(100.0, 111.0, count)
    return pd.DataFrame(
        {"open": close, "high": close + 1, "low": close - 1, "close": close, "volume": 1000.0},
        index=index,
    )


class _Raises(Strategy[NoParameters]):
    name: ClassVar[str] = "test-raises"
    description: ClassVar[str] = "compute() divides by zero"
    warmup = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        return make_signal_frame(bars, [1 // (len(bars) - len(bars))], 1)


class _InfiniteStop(Strategy[NoParameters]):
    name: ClassVar[str] = "test-infinite-stop"
    description: ClassVar[str] = "a stop no price can be"
    warmup = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        return make_signal_frame(bars, [3], 1, stop=float("inf"))


class _BadDirection(Strategy[NoParameters]):
    name: ClassVar[str] = "test-bad-direction"
    description: ClassVar[str] = "a frame edited after make_signal_frame"
    warmup = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        frame = make_signal_frame(bars, [2], 1)
        frame["direction"] = np.int8(5)
        return frame


class _DecideRaises(BarStrategy[NoParameters]):
    name: ClassVar[str] = "test-decide-raises"
    description: ClassVar[str] = "decide() reads a key its state does not hold"
    warmup = 0

    def decide(self, history: pd.DataFrame, context: StrategyContext) -> Signal | None:
        return context.long(reason=str(context.state["missing"]))


def test_an_exception_in_compute_names_the_strategy_the_error_and_its_line() -> None:
    with pytest.raises(InvalidInputError) as raised:
        _Raises().signals(_bars())
    message = str(raised.value)
    assert message.startswith(
        "strategy 'test-raises': compute() raised ZeroDivisionError: integer division or modulo"
    )
    assert f"(at {__file__}, line " in message
    assert isinstance(raised.value.__cause__, ZeroDivisionError)


def test_an_input_error_inside_compute_is_prefixed_with_the_strategy() -> None:
    class Short(Strategy[NoParameters]):
        name: ClassVar[str] = "test-short-frame"
        description: ClassVar[str] = "one direction per row, two rows, three directions"
        warmup = 0

        def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
            return make_signal_frame(bars, [1, 2], [1, -1, 1])

    with pytest.raises(
        InvalidInputError,
        match=r"^strategy 'test-short-frame': signal direction has shape \(3,\) for 2",
    ):
        Short().signals(_bars())


@pytest.mark.parametrize(
    ("strategy", "bar", "wrong"),
    [
        (_InfiniteStop(), 3, "stop must be a finite number, got inf"),
        (_BadDirection(), 2, "5 is not a valid Direction"),
    ],
)
def test_an_unusable_signal_row_names_the_strategy_the_symbol_and_the_bar(
    strategy: Strategy[NoParameters], bar: int, wrong: str
) -> None:
    bars = _bars()
    frame = strategy.signals(bars)
    with pytest.raises(InvalidInputError) as raised:
        to_signals(frame, strategy.name, "SPY")
    assert str(raised.value) == (
        f"strategy {strategy.name!r}: its signal for SPY on the bar of "
        f"{bars.index[bar].isoformat()} is not usable: {wrong}"
    )


def test_an_exception_in_decide_names_the_strategy_the_symbol_and_the_bar() -> None:
    bars = _bars()
    ts = datetime(2024, 1, 14, tzinfo=UTC)
    context = StrategyContext(
        strategy="test-decide-raises",
        symbol="SPY",
        ts=ts,
        bar_index=len(bars) - 1,
        cash=Decimal(10_000),
        equity=Decimal(10_000),
    )
    with pytest.raises(InvalidInputError) as raised:
        _DecideRaises().decision(bars, context)
    assert str(raised.value).startswith(
        f"strategy 'test-decide-raises' deciding SPY at {ts.isoformat()}: decide() raised "
        "KeyError: 'missing' (at "
    )


def test_a_file_whose_strategy_is_abstract_says_what_it_does_not_implement(
    tmp_path: Path,
) -> None:
    path = tmp_path / "no_warmup.py"
    path.write_text(
        textwrap.dedent(
            """
            from typing import ClassVar
            from paperdesk.analysis.strategies.base import Strategy, make_signal_frame

            class NoWarmup(Strategy):
                name: ClassVar[str] = "no-warmup"
                description: ClassVar[str] = "forgets the warm-up"

                def compute(self, bars):
                    return make_signal_frame(bars, [0], 1)
            """
        )
    )
    with pytest.raises(StrategyLoadError) as raised:
        StrategyRegistry(entry_points=lambda: ()).load_path(str(path))
    assert str(raised.value) == (
        f"strategy path {str(path)!r} defines no strategy class (a subclass of Strategy or "
        "BarStrategy implementing it) (only abstract ones: NoWarmup does not implement warmup)"
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Window:
    lookback: int = 20


class _CheckRaises(Strategy[_Window]):
    name: ClassVar[str] = "test-check-raises"
    description: ClassVar[str] = "check_parameters() refuses with a plain ValueError"
    Parameters: ClassVar[type[_Window]] = _Window
    warmup = 0

    @classmethod
    def check_parameters(cls, params: _Window) -> None:
        if params.lookback > 10:
            raise ValueError("lookback above what the model was trained on")

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        return make_signal_frame(bars, [0], 1)


def test_an_exception_in_check_parameters_names_the_strategy_when_built_or_parsed() -> None:
    expected = (
        "strategy 'test-check-raises': check_parameters() raised ValueError: lookback above "
        f"what the model was trained on (at {__file__}, line "
    )
    with pytest.raises(InvalidInputError) as built:
        _CheckRaises()
    with pytest.raises(InvalidInputError) as parsed:
        _CheckRaises.parse_params({"lookback": "30"})
    assert str(built.value).startswith(expected)
    assert str(parsed.value).startswith(expected)
    assert _CheckRaises.parse_params({"lookback": "5"}) == _Window(5)


@pytest.mark.parametrize(
    ("warmup", "shown"),
    [('"20"', "'20'"), ("-1", "-1"), ("2.5", "2.5"), ("True", "True"), ("None", "None")],
)
def test_a_warmup_that_is_no_whole_number_of_bars_is_refused_when_loaded(
    tmp_path: Path, warmup: str, shown: str
) -> None:
    """``warmup = "20"`` loaded and ran (no check anywhere) until this check."""
    path = tmp_path / "odd_warmup.py"
    path.write_text(
        textwrap.dedent(
            f"""
            from typing import ClassVar
            from paperdesk.analysis.strategies.base import Strategy, make_signal_frame

            class OddWarmup(Strategy):
                name: ClassVar[str] = "odd-warmup"
                description: ClassVar[str] = "a warm-up of text"
                warmup = {warmup}

                def compute(self, bars):
                    return make_signal_frame(bars, [0], 1)
            """
        )
    )
    with pytest.raises(StrategyLoadError) as raised:
        StrategyRegistry(entry_points=lambda: ()).load_path(str(path))
    assert str(raised.value).endswith(
        "('odd-warmup') needs a 'warmup' of 0 or more bars (a whole number, or a property "
        f"giving one), got {shown}"
    )
