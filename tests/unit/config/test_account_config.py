"""The account section: defaults unchanged, and each bad value one clear error naming the option
and what is allowed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.config import AccountConfig, RunConfig
from paperdesk.domain import AccountKind, CashCheck, OptionError

D = Decimal


def test_the_defaults_are_todays_cash_account_that_trims() -> None:
    account = RunConfig().account
    assert (account.kind, account.cash_check, account.leverage) == (
        AccountKind.CASH,
        CashCheck.TRIM,
        D(1),
    )
    assert account.multiplier is account.initial_margin is account.maintenance_margin is None


def test_a_futures_account_round_trips_through_the_stored_settings() -> None:
    config = RunConfig.parse(
        {
            "account": {
                "kind": "futures",
                "multiplier": "10",
                "initial_margin": "3000",
                "cash_check": "reject",
            }
        }
    )
    assert RunConfig.from_json(config.to_json()) == config
    assert config.account.maintenance_per_contract == D(3000)  # the initial margin by default


FUTURE = {"kind": "futures", "initial_margin": "3000"}
BAD_VALUES: list[tuple[dict[str, str], str]] = [
    ({"kind": "broker"}, "invalid value for kind: 'broker' (expected cash or margin or futures)"),
    ({"cash_check": "never"}, "invalid value for cash_check: 'never' (expected reject or trim"),
    ({"kind": "margin", "leverage": "0"}, "invalid value for leverage: '0' (expected a number"),
    ({"kind": "margin", "leverage": "-2"}, "invalid value for leverage: '-2' (expected a number"),
    ({**FUTURE, "multiplier": "-10"}, "invalid value for multiplier: '-10' (expected a number"),
    ({**FUTURE, "multiplier": "0"}, "invalid value for multiplier: '0'"),
    ({"kind": "futures", "initial_margin": "-1"}, "invalid value for initial_margin: '-1'"),
    (
        {**FUTURE, "maintenance_margin": "4000"},
        "invalid value for --maintenance-margin: 4000 (expected at most the initial margin 3000)",
    ),
    ({"kind": "futures"}, "--account futures needs --initial-margin"),
    ({"multiplier": "10"}, "--multiplier applies only to --account futures (the account is cash)"),
    ({"kind": "margin", "initial_margin": "10"}, "--initial-margin applies only to --account"),
    ({"leverage": "2"}, "--leverage 2 applies only to --account margin"),
    ({**FUTURE, "leverage": "2"}, "--leverage 2 applies only to --account margin"),
]


@pytest.mark.parametrize(("account", "message"), BAD_VALUES)
def test_bad_account_values_are_one_clear_error(account: dict[str, str], message: str) -> None:
    with pytest.raises(OptionError) as raised:
        RunConfig.parse({"account": account})
    assert str(raised.value).startswith(message)


def test_a_margin_account_takes_leverage_and_a_maintenance_percent() -> None:
    account = AccountConfig(kind="margin", leverage=D(2), maintenance_percent=D(30))
    assert (account.leverage, account.maintenance_percent) == (D(2), D(30))
