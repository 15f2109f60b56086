"""The splits and dividends an exported portfolio booked, booked again when it is imported.

An export holds the fills, not the corporate actions; the portfolio booked every action of its
raw-price symbols whose ex-date came after its first bar and on or before the last bar it
processed (the mark in state.json). Booking those same actions between the fills, at the
ex-date's start, rebuilds its books exactly; an action before the first fill finds no position
and books nothing, as it did then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import datetime
from typing import Any

import pandas as pd

from paperdesk.config import RunConfig
from paperdesk.data import instrument_for
from paperdesk.data.corporate_actions import ledger_actions_for
from paperdesk.data.instruments import UnknownSymbolError
from paperdesk.domain import (
    CorporateActionApplied,
    CorporateActionTerms,
    DataError,
    InvalidInputError,
)
from paperdesk.engine.kernel import trade_date
from paperdesk.portfolio import PortfolioLedger
from paperdesk.portfolio.accounting import CASH_ACCOUNT, AccountRules
from paperdesk.service.import_rows import ImportedFill


def booked_actions(
    settings: RunConfig, marks: Iterable[Mapping[str, Any]]
) -> list[CorporateActionTerms]:
    """The actions of each marked symbol up to its last processed bar's trade date."""
    found: list[CorporateActionTerms] = []
    for mark in marks:
        symbol, closed = mark["symbol"], mark.get("candle_close_at")
        if closed is None or settings.source.file_for(symbol) is not None:
            continue
        with suppress(UnknownSymbolError):
            instrument = instrument_for(symbol, settings.source.asset_class_of(symbol))
            last = trade_date(datetime.fromisoformat(str(closed)))
            found.extend(a for a in ledger_actions_for(instrument) if a.ex_date <= last)
    return found


def rebuild(
    starting_cash: Any,
    fills: list[ImportedFill],
    actions: list[CorporateActionTerms],
    rules: AccountRules = CASH_ACCOUNT,
) -> tuple[PortfolioLedger, list[CorporateActionApplied]]:
    """A ledger with the fills and the actions booked in time order (an action at the start of
    its ex-date, before that day's fills) by the portfolio's account ``rules``, and the actions
    that changed a position."""
    ledger = PortfolioLedger(starting_cash, rules)
    applied: list[CorporateActionApplied] = []
    pending = sorted(actions, key=lambda action: action.ex_date)

    def book(action: CorporateActionTerms) -> None:
        event = ledger.apply_corporate_action(action, _start(action))
        if event is not None:
            applied.append(event)

    for item in fills:
        while pending and _start(pending[0]) <= item.fill.ts:
            book(pending.pop(0))
        try:
            ledger.apply_fill(item.fill, strategy=item.strategy, reason=item.reason)
        except InvalidInputError as error:
            raise DataError(f"fills.csv line {item.line}: {error}") from None
    for action in pending:
        book(action)
    return ledger, applied


def _start(action: CorporateActionTerms) -> datetime:
    """Midnight New York of the ex-date, in UTC."""
    moment: datetime = (
        pd.Timestamp(action.ex_date).tz_localize("America/New_York").tz_convert("UTC")
    ).to_pydatetime()
    return moment
