"""A backtest's ``--json`` gives each account event's money as exact decimal strings: a margin
call's equity and requirement, an overdraft's cash (not only inside the reason's text)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from paperdesk.config import (
    AccountConfig,
    ExecutionConfig,
    RiskConfig,
    RunConfig,
    SizingConfig,
)
from paperdesk.domain import CashOverdrawn, MarginCalled
from paperdesk.domain.accounts import CashCheck
from paperdesk.service.backtests import run_backtest
from paperdesk.service.documents import result_to_dict

D = Decimal


def test_account_events_carry_their_money_as_exact_strings() -> None:
    """Bundled 2006 index series as a futures contract (multiplier 50, margin 3000/2500, 4000
    of cash, no cash check): the April slide margin-calls the short at equity 2109.50, and a
    later entry overdraws cash to -763.00 (the reasons say so; the JSON must carry them)."""
    config = RunConfig(
        strategy="sma-cross", params={"fast": 1, "slow": 15}, symbol="2006-DAY-001",
        cash=D(4000), end=date(2006, 4, 30),
        sizing=SizingConfig(method="fixed", quantity=D(1)),
        risk=RiskConfig(exposure_cap_percent=None, allow_short=True),
        execution=ExecutionConfig(commission="per-contract:2", slippage_bps=D(0)),
        account=AccountConfig(kind="futures", multiplier=D(50), initial_margin=D(3000),
                              maintenance_margin=D(2500), cash_check=CashCheck.OFF),
    )  # fmt: skip
    result = run_backtest(config)
    document = result_to_dict(result)

    called = next(e for e in result.account_events if isinstance(e, MarginCalled))
    overdrawn = next(e for e in result.account_events if isinstance(e, CashOverdrawn))
    assert (called.equity, called.requirement) == (D("2109.50"), D(2500))
    assert overdrawn.cash == D("-763.00")
    events: dict[str, dict[str, object]] = {}
    for entry in document["account_events"]:  # type: ignore[attr-defined]
        events.setdefault(entry["kind"], entry)  # the first of each kind
    assert events["MarginCalled"]["equity"] == "2109.50"
    assert events["MarginCalled"]["requirement"] == "2500"
    assert events["MarginCalled"]["symbols"] == ["2006-DAY-001"]
    assert events["CashOverdrawn"]["cash"] == "-763.00"
    assert events["CashOverdrawn"]["symbol"] == "2006-DAY-001"
