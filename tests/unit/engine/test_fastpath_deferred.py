"""The fast path's result builds its orders, fills and trades on first read, and behaves exactly
like a result holding tuples; the vectorised helpers it relies on equal what they replace."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal, localcontext

import numpy as np
import pandas as pd
import pytest
from engine_builders import Scripted
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.config import (
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizeTiming,
    SizingConfig,
)
from paperdesk.domain import Instrument
from paperdesk.engine.backtest import _rows_of, simulate
from paperdesk.engine.equity_curve import equity_arrays
from paperdesk.engine.fastpath.materialise import units_to_floats
from paperdesk.engine.result import BacktestResult, Deferred, assemble_result

TEST = Instrument.equity("TEST", calendar="24/7")
CONFIG = RunConfig(
    strategy="scripted",
    symbol="TEST",
    timeframe="1h",
    sizing=SizingConfig(method="percent-equity", percent=Decimal(100), timing=SizeTiming.FILL),
    risk=RiskConfig(allow_short=True, exposure_cap_percent=None),
    execution=ExecutionConfig(slippage_bps=Decimal(0), commission="percent:0.1"),
)
SCRIPT = {1: 1, 3: -1, 5: 0, 6: 1, 8: -1}


def _runs(bars: pd.DataFrame) -> tuple[BacktestResult, BacktestResult]:
    fast = simulate(bars, Scripted(SCRIPT), CONFIG, TEST, engine="fastpath")
    slow = simulate(bars, Scripted(SCRIPT), CONFIG, TEST, engine="event")
    return fast, slow


def _stored(result: BacktestResult, name: str) -> object:
    """What the field's slot holds, without resolving it."""
    return type(result).__dict__[name]._slot.__get__(result, type(result))


def test_objects_are_built_on_first_read_and_kept(flat_bars: pd.DataFrame) -> None:
    fast, slow = _runs(flat_bars)
    assert all(type(_stored(fast, name)) is Deferred for name in ("orders", "fills", "trades"))
    assert fast.stats.trades == len(slow.trades) == 3
    trades = fast.trades
    assert trades is fast.trades
    assert type(trades) is tuple
    assert type(_stored(fast, "trades")) is tuple
    assert type(_stored(fast, "fills")) is Deferred
    assert (fast.orders, fast.fills, trades) == (slow.orders, slow.fills, slow.trades)
    assert all(type(_stored(fast, name)) is tuple for name in ("orders", "fills", "trades"))
    assert fast.fills[0].price is fast.orders[0].average_price  # one build made them all


def test_a_deferred_result_reads_as_tuples(flat_bars: pd.DataFrame) -> None:
    fast, slow = _runs(flat_bars)
    assert repr(fast.fills) == repr(slow.fills)  # repr first: it resolves the field
    fresh, _ = _runs(flat_bars)
    assert fresh.fills == slow.fills
    assert slow.fills == fresh.fills
    assert list(fresh.fills) == list(slow.fills)
    assert len(fresh.fills) == len(slow.fills)
    assert fresh.fills[-1] == slow.fills[-1]
    assert fresh.fills[1:] == slow.fills[1:]
    again, _ = _runs(flat_bars)
    assert repr(again).startswith("BacktestResult(")
    assert repr(again) == repr(fast)
    copied = pickle.loads(pickle.dumps(_runs(flat_bars)[0]))
    assert copied.trades == slow.trades
    replaced = dataclasses.replace(_runs(flat_bars)[0], signals=99)
    assert replaced.orders == slow.orders
    assert replaced.signals == 99
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.trades = ()  # type: ignore[misc]


def test_deferred_trades_need_their_pnl_column(flat_bars: pd.DataFrame) -> None:
    closes = flat_bars["close"].to_numpy()
    with pytest.raises(ValueError, match="P&L"):
        assemble_result(
            CONFIG,
            symbol="TEST",
            timeframe="1h",
            ts_close_ns=pd.DatetimeIndex(flat_bars.index).asi8,
            closes=closes,
            equity=closes.copy(),
            in_market=np.zeros(len(closes), dtype=bool),
            final_equity=Decimal(1),
            final_cash=Decimal(1),
            trades=Deferred(tuple),
            fills=(),
            orders=(),
            rejections=(),
            fees=0.0,
            ambiguous_bars=0,
            signals=0,
        )


@settings(max_examples=200, deadline=None)
@given(
    length=st.integers(1, 60),
    data=st.data(),
    start=st.floats(1, 1e9),
)
def test_equity_arrays_hold_each_level_from_its_row(
    length: int, data: st.DataObject, start: float
) -> None:
    rows = sorted(data.draw(st.sets(st.integers(0, length - 1), max_size=length)))
    cash = data.draw(st.lists(st.floats(-1e9, 1e9), min_size=len(rows), max_size=len(rows)))
    held = data.draw(
        st.lists(st.sampled_from([0.0, 3.0, -7.0]), min_size=len(rows), max_size=len(rows))
    )
    closes = np.linspace(10.0, 20.0, length)
    equity, in_market = equity_arrays(start, rows, cash, held, closes)
    for row in range(length):  # the last change at or before the row, else the start
        last = max((i for i, changed in enumerate(rows) if changed <= row), default=None)
        level, quantity = (start, 0.0) if last is None else (cash[last], held[last])
        assert equity[row] == level + quantity * closes[row]
        assert in_market[row] == (quantity != 0)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_signal_rows_match_get_indexer(data: st.DataObject) -> None:
    gaps = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=40))
    index = pd.DatetimeIndex(np.cumsum(gaps) * 60_000_000_000, tz="UTC")
    probes = data.draw(st.lists(st.integers(-2, int(np.sum(gaps)) + 2), max_size=20))
    labels = pd.DatetimeIndex(np.array(probes, dtype=np.int64) * 60_000_000_000, tz="UTC")
    expected = index.get_indexer(labels)
    assert _rows_of(index, labels).tolist() == expected.tolist()
    other_zone = labels.tz_convert("America/New_York")  # another dtype: pandas decides
    assert _rows_of(index, other_zone).tolist() == index.get_indexer(other_zone).tolist()


@settings(max_examples=300, deadline=None)
@given(
    units=st.lists(
        st.one_of(st.integers(-(2**60), 2**60), st.integers(-(10**40), 10**40)), max_size=8
    ),
    places=st.integers(0, 30),
)
def test_units_convert_to_floats_as_decimals_do(units: list[int], places: int) -> None:
    expected = [float(Decimal(unit).scaleb(-places)) for unit in units]
    assert units_to_floats(units, places).tolist() == expected
    small = [unit % 2**50 for unit in units]
    assert units_to_floats(np.array(small, dtype=np.int64), places).tolist() == [
        float(Decimal(unit).scaleb(-places)) for unit in small
    ]


def test_objects_are_built_in_the_runs_decimal_context(flat_bars: pd.DataFrame) -> None:
    fast, slow = _runs(flat_bars)
    with localcontext() as context:
        context.prec = 4  # a later read under another context builds as the run would have
        assert repr(fast.trades) == repr(slow.trades)
