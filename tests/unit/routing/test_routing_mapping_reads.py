"""The router, ``OnePositionPerSymbol`` and ``PortfolioLedger.market_value`` read a view's
positions and prices with ``in`` and ``[]`` (compiled: no call of a Mapping's ``get``): any
Mapping, not only a dict, gives the answers a dict gives."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TypeVar

import pytest

from paperdesk.domain import Direction, Instrument, PortfolioView, Position
from paperdesk.portfolio import PortfolioLedger
from paperdesk.routing import (
    CashAndBuyingPower,
    OnePositionPerSymbol,
    PercentOfEquity,
    SignalRouter,
)

D = Decimal
AAPL = Instrument.equity("AAPL")
V = TypeVar("V")


class Plain(Mapping[str, V]):
    """A Mapping of the three abstract methods only (``get`` and ``in`` its defaults)."""

    def __init__(self, values: Mapping[str, V]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> V:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def as_mappings(view: PortfolioView) -> list[PortfolioView]:
    return [
        view,
        view._replace(
            positions=MappingProxyType(dict(view.positions)),
            prices=MappingProxyType(dict(view.prices)),
        ),
        view._replace(positions=Plain(view.positions), prices=Plain(view.prices)),
    ]


VIEWS = [
    ({}, {}),
    ({"AAPL": ("10", "100")}, {"AAPL": "104.5"}),
    ({"AAPL": ("10", "100")}, {}),
    ({"AAPL": ("-7", "101")}, {"AAPL": "99"}),
    ({"MSFT": ("3", "300")}, {"MSFT": "310", "AAPL": "100"}),
]


@pytest.mark.parametrize(("positions", "prices"), VIEWS)
@pytest.mark.parametrize("direction", [Direction.LONG, Direction.SHORT, Direction.FLAT])
def test_a_decision_is_the_same_from_any_mapping(
    make_signal,
    make_view,
    positions: dict[str, tuple[str, str]],
    prices: dict[str, str],
    direction: Direction,
) -> None:
    router = SignalRouter(
        OnePositionPerSymbol(),
        PercentOfEquity(D(50)),
        CashAndBuyingPower(),
        allow_short=True,
    )
    signal = make_signal(direction)
    decisions = [
        router.route(signal, view, AAPL, D("102.25"))
        for view in as_mappings(make_view(positions=positions, prices=prices))
    ]
    assert decisions[1] == decisions[0]
    assert decisions[2] == decisions[0]
    filtered = [
        OnePositionPerSymbol().allow(signal, view)
        for view in as_mappings(make_view(positions=positions, prices=prices))
    ]
    assert filtered == [filtered[0]] * 3


@pytest.mark.parametrize(("positions", "prices"), VIEWS)
def test_market_value_is_the_same_from_any_mapping(
    positions: dict[str, tuple[str, str]], prices: dict[str, str]
) -> None:
    ledger = PortfolioLedger(D(100_000))
    for symbol, (quantity, average) in positions.items():
        ledger.positions[symbol] = Position(symbol, D(quantity), D(average))
    marks = {symbol: D(price) for symbol, price in prices.items()}
    expected = ledger.market_value(marks)
    for mapping in (MappingProxyType(marks), Plain(marks)):
        assert ledger.market_value(mapping).as_tuple() == expected.as_tuple()
    held = sum(
        (
            D(quantity) * marks.get(symbol, D(average))
            for symbol, (quantity, average) in positions.items()
        ),
        D(0),
    )
    assert expected == held
