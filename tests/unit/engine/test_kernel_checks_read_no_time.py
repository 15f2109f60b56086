"""The pre-trade checks of a person's order never read the time they are given.

``TradingKernel.submit_checked`` places an intent checked earlier: the order desk checks an
order before it reads the portfolio's clock (``check_order`` without ``ts`` judges at the
epoch) and does not check it again at the clock's time. That is sound only while no risk rule
reads the view's time; a future rule that did (a session rule, a time-based cooldown, a daily
limit keyed by date) would judge every manual order at 1970-01-01. Here the checks get a time
that refuses to be read, with every risk rule on, so such a rule fails this test: it must then
be given the clock's time (check after the clock, or check again in ``submit_checked``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

import pytest

from paperdesk.config import AccountConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.domain import Instrument, OrderIntent, OrderRole, OrderType, Side
from paperdesk.engine.kernel import TradingKernel
from paperdesk.engine.wiring import build_kernel
from paperdesk.routing import OrderRefusedError

D = Decimal
SPY = Instrument.equity("SPY", calendar="24/7")
PRICE = D(100)


class UnreadableTime:
    """Stands for the time a check is given; any use of it but passing it on fails."""

    def __bool__(self) -> bool:  # ``ts or _EPOCH`` keeps it
        return True

    def _read(self, *arguments: Any) -> NoReturn:
        raise AssertionError("a pre-trade check read the time it was given")

    def __getattr__(self, name: str) -> NoReturn:
        self._read()

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _read  # type: ignore[assignment]
    __add__ = __radd__ = __sub__ = __rsub__ = __hash__ = __str__ = __format__ = _read  # type: ignore[assignment]


def every_rule_kernel(account: str) -> TradingKernel:
    """A kernel with each risk rule of ``RiskConfig`` on (wide enough to pass a small order)."""
    risk = RiskConfig(
        allow_short=True,
        pyramiding=True,
        cooldown_bars=3,
        exposure_cap_percent=D(90),
        max_position_percent=D(50),
        max_open_positions=2,
        max_holding_bars=5,
        daily_loss_limit_percent=D(5),
    )
    config = RunConfig(
        strategy="scripted",
        symbol="SPY",
        timeframe="1h",
        cash=D(10_000),
        sizing=SizingConfig(method="fixed", quantity=D(1)),
        risk=risk,
        account=AccountConfig(kind=account, cash_check="reject"),
    )
    return build_kernel(config, {"SPY": SPY}, None)


@pytest.mark.parametrize("account", ["cash", "margin"])
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
@pytest.mark.parametrize("order_type", [OrderType.MARKET, OrderType.LIMIT])
def test_the_risk_chain_reads_no_time(account: str, side: Side, order_type: OrderType) -> None:
    kernel = every_rule_kernel(account)
    limit = PRICE if order_type is OrderType.LIMIT else None
    intent = OrderIntent("SPY", side, D(2), order_type, limit_price=limit)
    unreadable: Any = UnreadableTime()
    checked = kernel.check_order(intent, price=PRICE, ts=unreadable)
    assert checked.role is OrderRole.ENTRY
    too_big = intent._replace(quantity=D(80))  # above the position cap: a rule refuses it
    with pytest.raises(OrderRefusedError):
        kernel.check_order(too_big, price=PRICE, ts=unreadable)
