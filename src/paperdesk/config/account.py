"""The account section of the run description: cash, margin or futures, and the cash check.

Each option is declared once (``Option``), so it is a command-line flag, a run-file key and a
stored portfolio setting at once. The contract terms (``multiplier``, ``initial_margin``,
``maintenance_margin``) apply to every instrument of the run (a futures run trades one
contract); ``paperdesk.engine.wiring`` puts them on the instruments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import model_validator

from paperdesk.config.model import ConfigModel
from paperdesk.config.options import Option, Panel
from paperdesk.domain import AccountKind, CashCheck
from paperdesk.domain import parsing as values
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import setting_mark

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


def _choice(choices: Any) -> Any:
    def parse(value: object, label: str) -> Any:
        return values.choice_value(value, label, choices)

    return parse


def _leverage(value: object, label: str) -> Decimal:
    return values.decimal_value(value, label, maximum=_HUNDRED, places=None)


def _percent(value: object, label: str) -> Decimal:
    return values.decimal_value(value, label, maximum=_HUNDRED, places=None)


def _money_per_contract(value: object, label: str) -> Decimal | None:
    """A non-negative amount of money per contract, or None ("none")."""
    if values.is_none_word(value):
        return None
    return values.decimal_value(value, label, allow_zero=True)


def _declare(key: str, help_text: str, parse: Any, metavar: str, **extra: Any) -> Option:
    return Option(key, help_text, parse, metavar, Panel.ACCOUNT, **extra)


class AccountConfig(ConfigModel):
    """How fills move cash, what an entry must fit and when positions are liquidated."""

    kind: Annotated[
        AccountKind,
        _declare("account", "cash (pay in full), margin (leverage, equities and forex) or "
                 "futures (margin per contract, variation P&L into cash each bar).",
                 _choice(AccountKind), "cash|margin|futures"),
    ] = AccountKind.CASH  # fmt: skip
    cash_check: Annotated[
        CashCheck,
        _declare("cash_check", "An entry the account cannot pay for: reject it, trim it to "
                 "what fits, or off (cash may go negative); each is recorded with its reason.",
                 _choice(CashCheck), "reject|trim|off"),
    ] = CashCheck.TRIM  # fmt: skip
    leverage: Annotated[
        Decimal,
        _declare("leverage", "Margin account: buying power = equity x leverage - gross "
                 "exposure.", _leverage, "X"),
    ] = _ONE  # fmt: skip
    maintenance_percent: Annotated[
        Decimal,
        _declare("maintenance_pct", "Margin account: the maintenance requirement in percent of "
                 "gross exposure (FINRA Rule 4210: 25).", _percent, "PCT", unit="%"),
    ] = Decimal(25)  # fmt: skip
    multiplier: Annotated[
        Decimal | None,
        _declare("multiplier", "Futures: point value, money per unit of price per contract.",
                 values.optional_decimal, "N", shown_default="1"),
    ] = None  # fmt: skip
    initial_margin: Annotated[
        Decimal | None,
        _declare("initial_margin", "Futures: margin blocked per contract while it is held.",
                 _money_per_contract, "AMOUNT"),
    ] = None  # fmt: skip
    maintenance_margin: Annotated[
        Decimal | None,
        _declare("maintenance_margin", "Futures: equity required per contract held; below "
                 "it the account is margin-called.", _money_per_contract, "AMOUNT",
                 shown_default="the initial margin"),
    ] = None  # fmt: skip

    @property
    def is_futures(self) -> bool:
        return self.kind is AccountKind.FUTURES

    @property
    def maintenance_per_contract(self) -> Decimal | None:
        """The maintenance margin per contract (the initial margin when not set)."""
        return (
            self.maintenance_margin if self.maintenance_margin is not None else self.initial_margin
        )

    @model_validator(mode="after")
    def _consistent(self) -> AccountConfig:
        kind = self.kind
        if self.leverage != _ONE and kind is not AccountKind.MARGIN:
            raise OptionError(
                f"{setting_mark('leverage')} {self.leverage} applies only to "
                f"{setting_mark('account')} margin (the account is {kind.value}; allowed "
                "accounts: cash, margin, futures)"
            )
        if kind is not AccountKind.FUTURES:
            for name in ("multiplier", "initial_margin", "maintenance_margin"):
                if getattr(self, name) is not None:
                    raise OptionError(
                        f"{setting_mark(name)} applies only to {setting_mark('account')} futures "
                        f"(the account is {kind.value})"
                    )
            return self
        initial = self.initial_margin
        if initial is None:
            raise OptionError(
                f"{setting_mark('account')} futures needs {setting_mark('initial_margin')} (money "
                "blocked per contract)"
            )
        maintenance = self.maintenance_margin
        if maintenance is not None and maintenance > initial:
            raise OptionError(
                f"invalid value for {setting_mark('maintenance_margin')}: {maintenance} (expected "
                f"at most the initial margin {initial})"
            )
        return self
