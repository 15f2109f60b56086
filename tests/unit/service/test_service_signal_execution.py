"""Executing a signal in one click: sized by the portfolio's own sizer (a bracket from the
signal's stop and target), forex in lots with pips; the preview writes nothing and shows what
the execution sends; a refusal carries the rule's code and writes nothing."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_FLOOR, Decimal

import pytest

from ledger_support import dump
from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import Direction, Instrument, OrderRole, Side
from paperdesk.routing import OrderRefusedError
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.signal_execution import SignalOrder, pip_distance
from paperdesk.store import Database
from quiet_strategy import QUIET

SPY_LAST_CLOSE = Decimal("396.33")  # lean_SPY_1d.csv, 2021-03-31 (the bundled file's last bar)


def _spy(database: Database) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(**QUIET, symbols=("SPY",))  # sizer: 80 % of equity (the default)
    return service, service.create_portfolio("spy", Decimal("10000"), settings=settings)


def test_the_preview_shows_what_the_execution_sends(database: Database) -> None:
    service, portfolio = _spy(database)
    order = SignalOrder("SPY", Direction.LONG, stop=Decimal("380"), target=Decimal("420"))
    before = dump(database)
    preview = service.preview_signal(portfolio, order)
    assert dump(database) == before
    expected = (Decimal("10000") * Decimal("0.8") / SPY_LAST_CLOSE).to_integral(ROUND_FLOOR)
    assert (preview.price, preview.quantity, preview.sized_by) == (
        SPY_LAST_CLOSE,
        expected,
        "sizer",
    )
    assert (preview.lots, preview.stop_pips) == (None, None)
    plan, orders = service.execute_signal(portfolio, order)
    assert plan == preview
    entry, stop, target = orders
    assert (entry.side, entry.quantity, entry.role) == (Side.BUY, expected, OrderRole.ENTRY)
    assert (stop.role, stop.stop_price, stop.quantity) == (
        OrderRole.STOP_LOSS,
        Decimal(380),
        expected,
    )
    assert (target.role, target.limit_price) == (OrderRole.TAKE_PROFIT, Decimal(420))
    assert [o.order_id for o in service.orders(portfolio)] == ["O1", "O2", "O3"]


def test_a_requested_quantity_replaces_the_sizers(database: Database) -> None:
    service, portfolio = _spy(database)
    plan, [order] = service.execute_signal(
        portfolio, SignalOrder("SPY", Direction.LONG, quantity=Decimal(3))
    )
    assert (plan.quantity, plan.sized_by, order.quantity) == (Decimal(3), "request", Decimal(3))


@pytest.mark.parametrize(
    ("order", "code", "named"),
    [
        (SignalOrder("SPY", Direction.LONG, quantity=Decimal(26)), "insufficient_cash", "26"),
        (SignalOrder("SPY", Direction.SHORT), "signal_refused", "short"),
        (SignalOrder("SPY", Direction.FLAT), "signal_refused", "no open position"),
        (SignalOrder("SPY", Direction.LONG, quantity=Decimal("0.5")), "lot_size", "0.5"),
    ],
)
def test_a_refused_execution_names_the_rule_and_writes_nothing(
    database: Database, order: SignalOrder, code: str, named: str
) -> None:
    service, portfolio = _spy(database)
    before = dump(database)
    with pytest.raises(OrderRefusedError, match=named) as refused:
        service.execute_signal(portfolio, order)
    assert refused.value.code == code
    assert dump(database) == before


def test_forex_is_sized_in_lots_with_pips(database: Database) -> None:
    """The EURUSD replay's first 1h bar after 2017-05-01 closes at 1.08995; a stop at 1.08 lies
    99.5 pips below (pip 0.0001) and a target at 1.1 100.5 pips above; a lot is 100,000."""
    service = PortfolioService(database)
    settings = RunConfig(
        **QUIET,
        symbols=("EURUSD",),
        timeframe="1h",
        source=SourceConfig("replay", replay_from=date(2017, 5, 1)),
    )
    portfolio = service.create_portfolio("fx", Decimal("10000"), settings=settings)
    service.tick(portfolio, "EURUSD")
    order = SignalOrder("EURUSD", Direction.LONG, stop=Decimal("1.08"), target=Decimal("1.1"))
    plan = service.preview_signal(portfolio, order)
    assert plan.price == Decimal("1.08995")
    assert (plan.stop_pips, plan.target_pips) == (Decimal("99.5"), Decimal("100.5"))
    assert plan.pip_size == Decimal("0.0001")
    assert plan.lots is not None
    assert plan.lots * 100_000 == plan.quantity
    assert plan.quantity * plan.price <= Decimal("8000")  # 80 % of equity, in units


def test_jpy_pairs_count_pips_of_a_hundredth() -> None:
    yen = Instrument.forex("USDJPY")
    assert pip_distance(yen, Decimal("110.50"), Decimal("110.00")) == Decimal(50)
    assert pip_distance(Instrument.equity("SPY"), Decimal(10), Decimal(9)) is None


def test_an_unknown_stored_signal_is_named(database: Database) -> None:
    service, portfolio = _spy(database)
    with pytest.raises(LookupError, match="no signal 7"):
        service.signal(portfolio, 7)
