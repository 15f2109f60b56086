"""A position still open when the bars run out is reported, marked at the last close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from engine_builders import Scripted, make_bars, make_config

from paperdesk.config import RiskConfig, SizeTiming, SizingConfig
from paperdesk.domain import Instrument, Side
from paperdesk.engine.backtest import simulate
from paperdesk.service.documents import result_to_dict

TEST = Instrument.equity("TEST", calendar="24/7")
BARS = [(100 + i, 101 + i, 99 + i, 100.5 + i) for i in range(8)]


ALL_IN = SizingConfig(method="percent-equity", percent=Decimal(100), timing=SizeTiming.FILL)


@pytest.mark.parametrize("engine", ["event", "fastpath"])
def test_long_left_open_is_marked_at_the_last_close(engine: str) -> None:
    bars = make_bars(BARS)
    config = make_config(sizing=ALL_IN)
    result = simulate(bars, Scripted({1: 1}), config, TEST, engine=engine)
    assert result.trades == ()
    (held,) = result.open_positions
    entry = result.fills[0]
    assert held.symbol == "TEST"
    assert held.side is Side.BUY
    assert held.quantity == entry.quantity
    assert held.average_price == entry.price
    assert held.mark == Decimal(str(bars["close"].iloc[-1]))
    assert held.unrealized_pnl == entry.quantity * (held.mark - entry.price)
    assert result.final_cash + held.market_value == result.final_equity


def test_short_left_open_has_negative_value() -> None:
    bars = make_bars(BARS)
    config = make_config(risk=RiskConfig(allow_short=True, exposure_cap_percent=None))
    result = simulate(bars, Scripted({2: -1}), config, TEST)
    (held,) = result.open_positions
    assert held.side is Side.SELL
    assert held.market_value == -held.quantity * held.mark
    assert held.unrealized_pnl == held.quantity * (held.average_price - held.mark)
    assert result.final_cash + held.market_value == result.final_equity


def test_a_flat_run_has_no_open_positions_and_json_lists_them() -> None:
    bars = make_bars(BARS)
    flat = simulate(bars, Scripted({1: 1, 4: 0}), make_config(), TEST)
    assert flat.open_positions == ()
    assert result_to_dict(flat)["open_positions"] == []
    held = simulate(bars, Scripted({1: 1}), make_config(), TEST)
    (document,) = result_to_dict(held)["open_positions"]
    position = held.open_positions[0]
    assert document["side"] == "long"
    assert document["quantity"] == format(position.quantity, "f")
    assert document["mark"] == format(position.mark, "f")
    assert document["unrealized_pnl"] == format(position.unrealized_pnl, "f")
