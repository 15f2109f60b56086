"""A backtest refuses a strategy from outside paperdesk whose signals use bars after their own
(``analysis.strategies.causality``): computed on the whole history it would trade on prices
nobody had yet, while its paper portfolio, fed each bar only once closed, could not."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted, make_bars, make_config

from paperdesk.analysis.strategies.base import NoParameters, Strategy, column, make_signal_frame
from paperdesk.domain import InvalidInputError
from paperdesk.domain.instruments import Instrument
from paperdesk.engine.backtest import simulate
from peeking_strategy import NextClose

TEST = Instrument.equity("TEST", calendar="24/7")


def _walk(count: int, seed: int = 7) -> pd.DataFrame:
    closes = np.round(
        100 * np.exp(np.cumsum(np.random.default_rng(seed).normal(0, 0.01, count))), 2
    )
    opens = np.r_[100.0, closes[:-1]]
    return make_bars(
        [(o, max(o, c) + 0.05, min(o, c) - 0.05, c) for o, c in zip(opens, closes, strict=True)]
    )


class _CentredMean(Strategy[NoParameters]):
    """Long on a close above its centred 5-bar mean (two bars after it in the window)."""

    name: ClassVar[str] = "centred-mean"
    description: ClassVar[str] = "test double"
    warmup: ClassVar[int] = 4

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        close = pd.Series(column(bars, "close"))
        above = close > close.rolling(5, center=True).mean()
        rows = np.flatnonzero(above.to_numpy())
        return make_signal_frame(bars, rows, 1, reason="above the centred mean")


class _Coin(Strategy[NoParameters]):
    """A new random direction on every call: not the same signals twice."""

    name: ClassVar[str] = "coin"
    description: ClassVar[str] = "test double"
    warmup: ClassVar[int] = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        directions = np.random.default_rng().choice(np.array([-1, 1], np.int8), len(bars))
        return make_signal_frame(bars, np.arange(len(bars)), directions, reason="coin")


@pytest.mark.parametrize("engine", ["auto", "event"])
@pytest.mark.parametrize("strategy", [NextClose(), _CentredMean(), _Coin()], ids=str)
def test_a_strategy_that_reads_later_bars_is_refused(
    strategy: Strategy[NoParameters], engine: str
) -> None:
    bars = _walk(300)
    with pytest.raises(
        InvalidInputError, match=f"strategy '{strategy.name}' looks ahead: at the bar"
    ):
        simulate(bars, strategy, make_config(), TEST, engine=engine)


def test_the_refusal_names_the_bar_and_both_signals() -> None:
    bars = make_bars([(10, 11, 9, c) for c in (10.0, 10.5, 10.2, 10.8, 10.1, 10.6, 10.9)])
    with pytest.raises(InvalidInputError) as refused:
        simulate(bars, NextClose(), make_config(), TEST)
    message = str(refused.value)
    # the first cut point is row 0: the whole history says long there (10.5 > 10.0), the bar
    # alone can only say flat
    assert f"at the bar {bars.index[0].isoformat()} it gives a flat signal" in message
    assert "and a long signal (confidence 1) computed on the whole history" in message


class _CheckedScript(Scripted):
    """A scripted strategy the backtest checks (the tests' ``Scripted`` is not checked)."""

    check_look_ahead: ClassVar[bool] = True


def test_a_causal_strategy_runs_as_before() -> None:
    bars = _walk(300)
    script = {5: 1, 40: 0, 90: -1, 150: 0, 200: 1}
    checked = simulate(bars, _CheckedScript(script), make_config(), TEST, engine="event")
    # long-only: the long of row 5 fills at row 6's open and closes at row 41's; the short of
    # row 90 only closes nothing; the long of row 200 is still open
    (trade,) = checked.trades
    assert (float(trade.entry_price), float(trade.exit_price)) == (
        bars["open"].iloc[6],
        bars["open"].iloc[41],
    )
    assert checked.final_equity != checked.final_cash
    with pytest.raises(InvalidInputError, match="looks ahead"):
        simulate(bars, NextClose(), make_config(), TEST, engine="event")


class _TrustedPeek(NextClose):
    """The peeking strategy with the check turned off, as a costly model's plug-in may."""

    name: ClassVar[str] = "trusted-peek"
    check_look_ahead: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def compute(self, bars: pd.DataFrame) -> pd.DataFrame:
        self.calls += 1
        return super().compute(bars)


def test_a_strategy_may_turn_the_check_off_and_is_then_called_once() -> None:
    bars = _walk(300)
    trusted = _TrustedPeek()
    result = simulate(bars, trusted, make_config(), TEST, engine="event")
    # not refused, and ``compute`` ran on the whole history alone: no cut point re-ran it
    assert trusted.calls == 1
    assert result.trades
