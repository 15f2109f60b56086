"""Account rules the ledger books by: cash, margin (leverage) or futures (margin per contract).

Futures (as a futures commission merchant books them, and as Lean's ``FutureMarginModel``):
opening a contract blocks ``initial_margin`` from cash, closing it releases it, the variation
P&L ``quantity x (close - previous close) x multiplier`` is settled into cash at every close,
and equity = cash + blocked margin. The ledger keeps the cash *before* the open positions'
variation and derives the variation from the positions (``quantity x (mark - average price) x
multiplier``), the same sum as crediting each bar's change, so nothing else has to be stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from paperdesk.domain import ZERO, AccountKind, CashCheck, Instrument, InvalidInputError

_ONE = Decimal(1)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class ContractTerms:
    """Money per unit of price per contract, and margin per contract (0: none)."""

    multiplier: Decimal = _ONE
    initial_margin: Decimal = ZERO
    maintenance_margin: Decimal = ZERO


_SPOT = ContractTerms()


@dataclass(frozen=True, slots=True)
class AccountRules:
    """What kind of account a ledger books and the terms of its instruments."""

    kind: AccountKind = AccountKind.CASH
    cash_check: CashCheck = CashCheck.TRIM
    leverage: Decimal = _ONE
    maintenance_percent: Decimal = Decimal(25)
    contracts: Mapping[str, ContractTerms] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.leverage.is_finite() or self.leverage <= 0:
            raise InvalidInputError(
                f"invalid value for leverage: {self.leverage} (expected a number greater than 0)"
            )

    @classmethod
    def for_instruments(
        cls,
        kind: AccountKind,
        instruments: Mapping[str, Instrument],
        *,
        cash_check: CashCheck = CashCheck.TRIM,
        leverage: Decimal = _ONE,
        maintenance_percent: Decimal = Decimal(25),
    ) -> AccountRules:
        contracts = {
            symbol: ContractTerms(
                instrument.multiplier,
                instrument.initial_margin or ZERO,
                instrument.maintenance_margin
                if instrument.maintenance_margin is not None
                else instrument.initial_margin or ZERO,
            )
            for symbol, instrument in instruments.items()
        }
        return cls(kind, cash_check, leverage, maintenance_percent, contracts)

    @property
    def is_futures(self) -> bool:
        return self.kind is AccountKind.FUTURES

    @property
    def is_margin(self) -> bool:
        return self.kind is AccountKind.MARGIN

    @property
    def maintenance_fraction(self) -> Decimal:
        return self.maintenance_percent / _HUNDRED

    def terms(self, symbol: str) -> ContractTerms:
        return self.contracts.get(symbol, _SPOT)


CASH_ACCOUNT = AccountRules()
