"""The cash check (reject | trim | off), the margin account's buying power and the fee floor,
on the same orders over real bundled data; every cut, refusal and overdraft has its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from account_support import index_bars, index_instrument
from engine_builders import Scripted

from paperdesk.config import AccountConfig, ExecutionConfig, RiskConfig, RunConfig, SizingConfig
from paperdesk.data.bar_convert import BarArrays
from paperdesk.domain import (
    CashCheck,
    CashOverdrawn,
    Direction,
    Event,
    OrderCanceled,
    OrderModified,
    OrderStatus,
    Signal,
    SignalAccepted,
)
from paperdesk.engine.backtest import simulate
from paperdesk.engine.result import BacktestResult
from paperdesk.engine.wiring import build_kernel

D = Decimal


def settings(
    cash: str, quantity: str, *, check: str = "trim", commission: str = "none"
) -> RunConfig:
    return RunConfig(
        cash=D(cash),
        sizing=SizingConfig(method="fixed", quantity=D(quantity)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(commission=commission, slippage_bps=D(0)),
        account=AccountConfig(cash_check=check),
    )


def kernel_events(config: RunConfig, signal_row: int, rows: int) -> list[Event]:
    """Every event of a long signal at ``signal_row``'s close, bar by bar through the kernel."""
    instrument = index_instrument()
    kernel = build_kernel(config, {instrument.symbol: instrument}, None)
    feed = BarArrays(index_bars(), instrument.symbol, "1d")
    events: list[Event] = []
    for row in range(rows):
        bar = feed.bar(row)
        signals = (
            [Signal("hand", instrument.symbol, Direction.LONG, bar.ts_close)]
            if row == signal_row
            else []
        )
        events.extend(kernel.on_bar(bar, signals, row))
    return events


def run(
    cash: str,
    quantity: str,
    *,
    check: str = "trim",
    commission: str = "none",
    account: str = "cash",
    leverage: str = "1",
    maintenance_pct: str = "25",
    script: dict[int, int] | None = None,
) -> BacktestResult:
    config = RunConfig(
        cash=D(cash),
        sizing=SizingConfig(method="fixed", quantity=D(quantity)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(commission=commission, slippage_bps=D(0)),
        account=AccountConfig(
            kind=account,
            cash_check=check,
            leverage=D(leverage),
            maintenance_percent=D(maintenance_pct),
        ),
    )
    return simulate(
        index_bars(), Scripted(script or {0: 1}), config, index_instrument(), engine="event"
    )


# 3 units at row 0's close 3604.33 cost 10812.99 > cash 10000; they would fill at row 1's
# open 3604.08 (10812.24); 2 units cost 7208.66 at the signal, 7208.16 at the fill.


def test_trim_cuts_the_entry_to_what_cash_pays_and_says_so() -> None:
    result = run("10000", "3")
    (fill,) = result.fills
    assert fill.quantity == D(2)
    assert result.final_cash == D("10000") - D("7208.16")
    assert result.rejections == ()
    (order,) = result.orders
    assert order.quantity == D(2)
    ((_, reason),) = result.adjustments  # the backtest keeps the reason too
    assert reason.endswith("2006-DAY-001 quantity trimmed from 3 to 2")
    (accepted,) = [
        e for e in kernel_events(settings("10000", "3"), 0, 2) if isinstance(e, SignalAccepted)
    ]
    assert accepted.notes == (
        "cash 10,000.00 cannot pay for the 2006-DAY-001 entry and its fee; "
        "2006-DAY-001 quantity trimmed from 3 to 2",
    )


def test_reject_refuses_the_entry_with_the_reason() -> None:
    result = run("10000", "3", check="reject")
    assert result.fills == ()
    (rejected,) = result.rejections
    assert "cash 10,000.00 cannot pay" in rejected.reason
    assert "cash_check=reject" in rejected.reason
    assert result.final_cash == D(10000)


def test_off_fills_the_whole_entry_and_records_the_overdraft() -> None:
    result = run("10000", "3", check="off")
    (fill,) = result.fills
    assert fill.quantity == D(3)
    assert result.final_cash == D("-812.24")  # 10000 - 3 x 3604.08
    (overdrawn,) = result.account_events
    assert isinstance(overdrawn, CashOverdrawn)
    assert overdrawn.cash == D("-812.24")
    assert overdrawn.reason.startswith("cash_check=off: buy 3 2006-DAY-001 at 3604.08 fee 0")
    assert overdrawn.cash_check is CashCheck.OFF  # carried, for the audit's words


def test_a_gap_at_the_fill_trims_the_entry_with_a_recorded_reason() -> None:
    # signal at row 1's close 3614.34: 2 units = 7228.68 fit cash 7229; row 2 opens at 3615.23,
    # where 2 units cost 7230.46 > 7229: trimmed to 1 at the fill, and the order event says why
    result = run("7229", "2", script={1: 1})
    (fill,) = result.fills
    assert (fill.quantity, fill.price) == (D(1), D("3615.23"))
    (order,) = result.orders
    assert order.quantity == D(1)
    assert result.final_cash == D("7229") - D("3615.23")
    assert [reason for _, reason in result.adjustments] == [
        "trimmed at fill: cash 7,229.00 cannot pay for the 2006-DAY-001 entry and its fee; "
        "2006-DAY-001 quantity trimmed from 2 to 1"
    ]
    events = kernel_events(settings("7229", "2"), 1, 3)
    (modified,) = [e for e in events if isinstance(e, OrderModified)]
    assert modified.order.quantity == D(1)
    assert modified.reason == (
        "trimmed at fill: cash 7,229.00 cannot pay for the 2006-DAY-001 entry and its fee; "
        "2006-DAY-001 quantity trimmed from 2 to 1"
    )


def test_a_gap_at_the_fill_under_reject_cancels_the_entry_with_the_reason() -> None:
    result = run("7229", "2", check="reject", script={1: 1})
    assert result.fills == ()
    (order,) = result.orders
    assert order.status is OrderStatus.CANCELED
    ((_, cut),) = result.adjustments
    assert cut.startswith("nothing fits at fill: cash 7,229.00")
    events = kernel_events(settings("7229", "2", check="reject"), 1, 3)
    (canceled,) = [e for e in events if isinstance(e, OrderCanceled)]
    assert canceled.reason.startswith("nothing fits at fill: cash 7,229.00 cannot pay")
    assert canceled.reason.endswith("cash_check=reject refuses it")


def test_the_fee_floor_a_fee_never_takes_cash_below_zero_without_a_reason() -> None:
    # cash 7210; 2 units at the signal 3604.33 cost 7208.66, plus per-contract:2 fee 4 =
    # 7212.66 > 7210: the notional fits, the fee does not
    trimmed = run("7210", "2", commission="per-contract:2")
    assert [f.quantity for f in trimmed.fills] == [D(1)]  # 3604.08 + 2 fits
    assert trimmed.final_cash == D("7210") - D("3604.08") - D(2)
    assert trimmed.account_events == ()

    rejected = run("7210", "2", commission="per-contract:2", check="reject")
    assert rejected.fills == ()
    assert "cannot pay for the 2006-DAY-001 entry and its fee" in rejected.rejections[0].reason

    off = run("7210", "2", commission="per-contract:2", check="off")
    assert [f.quantity for f in off.fills] == [D(2)]
    assert off.final_cash == D("-2.16")  # 7210 - 7208.16 - 4
    (overdrawn,) = off.account_events
    assert isinstance(overdrawn, CashOverdrawn)
    assert overdrawn.cash == D("-2.16")
    assert "fee 4" in overdrawn.reason


def test_a_margin_account_with_leverage_two_buys_twice_its_cash() -> None:
    # buying power = equity 10000 x 2 - gross exposure 0 = 20000: 5 units = 18020.40 at the
    # fill fit (a cash account trims them to 2); cash goes to -8020.40, borrowed, no overdraft
    result = run("10000", "5", account="margin", leverage="2")
    (fill,) = result.fills
    assert fill.quantity == D(5)
    assert result.final_cash == D("-8020.40")
    assert result.account_events == ()
    assert run("10000", "5").fills[0].quantity == D(2)


def test_a_margin_account_trims_to_buying_power_with_the_reason() -> None:
    # 6 units = 21625.98 at the signal > 20000: trimmed to 5 (18021.65 fits) with a note
    result = run("10000", "6", account="margin", leverage="2")
    assert [f.quantity for f in result.fills] == [D(5)]
    rejected = run("10000", "6", account="margin", leverage="2", check="reject")
    assert rejected.fills == ()
    reason = rejected.rejections[0].reason
    assert reason.startswith("buying power 20,000.00 (equity 10,000.00 x leverage 2")


@pytest.mark.parametrize("check", ["trim", "reject"])
def test_orders_that_fit_are_untouched_by_either_check(check: str) -> None:
    result = run("10000", "2", check=check)
    assert [f.quantity for f in result.fills] == [D(2)]
    assert result.account_events == ()
    events = kernel_events(settings("10000", "2", check=check), 0, 2)
    assert not any(isinstance(e, OrderModified | OrderCanceled) for e in events)
    (accepted,) = [e for e in events if isinstance(e, SignalAccepted)]
    assert accepted.notes == ()


def test_a_margin_account_below_its_maintenance_percent_is_called_and_liquidated() -> None:
    # 5 units bought at 3604.08 on 10000 x leverage 2: cash 10000 - 18020.40 = -8020.40
    # row 1 close 3614.34: equity -8020.40 + 5 x 3614.34 = 10051.30; requirement 56% of the
    # gross exposure 18071.70 = 10120.152 > equity: called, sold at row 2's open 3615.23
    result = run("10000", "5", account="margin", leverage="2", maintenance_pct="56")
    (called,) = result.account_events
    assert (called.equity, called.requirement) == (D("10051.30"), D("10120.15200"))
    assert [(f.side.value, f.quantity, f.price) for f in result.fills] == [
        ("buy", D(5), D("3604.08")),
        ("sell", D(5), D("3615.23")),
    ]
    assert result.final_cash == D("10055.75")  # -8020.40 + 5 x 3615.23
    # at the FINRA minimum of 25% the same position is never called on these bars
    assert run("10000", "5", account="margin", leverage="2").account_events == ()
