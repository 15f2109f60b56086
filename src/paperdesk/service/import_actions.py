"""The splits and dividends an exported portfolio booked, booked again when it is imported.

An export holds the fills, not the corporate actions; the portfolio booked every action of its
raw-price symbols whose ex-date came after its first bar and on or before the last bar it
processed (the mark in state.json), at the open of the first bar of the ex-date, before that
bar's fills (``TradingKernel``). Booking those same actions between the fills at the same
moment rebuilds its books exactly; an action before the first fill finds no position and books
nothing, as it did then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from paperdesk.config import Adjustment, RunConfig
from paperdesk.data import instrument_for
from paperdesk.data.corporate_actions import ledger_actions_for
from paperdesk.data.instruments import UnknownSymbolError
from paperdesk.data.resample_periods import is_period, period_start
from paperdesk.domain import (
    CorporateActionApplied,
    CorporateActionTerms,
    DataError,
    InvalidInputError,
    Timeframe,
)
from paperdesk.engine.kernel import trade_date
from paperdesk.portfolio import PortfolioLedger
from paperdesk.portfolio.accounting import CASH_ACCOUNT, AccountRules
from paperdesk.service.import_rows import ImportedFill


def booked_actions(
    settings: RunConfig, marks: Iterable[Mapping[str, Any]]
) -> list[CorporateActionTerms]:
    """The actions of each marked symbol up to its last processed bar's trade date: none on
    adjusted prices (``--adjust split`` or ``split-dividend``: the prices hold them, and the
    portfolio booked none, ``paperdesk.live.restore.corporate_actions``), nor for a symbol
    whose bars come from a file of the user's."""
    found: list[CorporateActionTerms] = []
    if settings.source.adjust not in (None, Adjustment.RAW):
        return found
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
    *,
    timeframe: str,
) -> tuple[PortfolioLedger, list[CorporateActionApplied]]:
    """A ledger with the fills and the actions booked in time order (an action at the start of
    its ex-date's first bar of ``timeframe``, before that bar's fills) by the portfolio's
    account ``rules``, and the actions that changed a position."""
    ledger = PortfolioLedger(starting_cash, rules)
    applied: list[CorporateActionApplied] = []
    bars = Timeframe.parse(timeframe)
    pending = sorted(actions, key=lambda action: action.ex_date)

    def book(action: CorporateActionTerms) -> None:
        event = ledger.apply_corporate_action(action, _start(action, bars))
        if event is not None:
            applied.append(event)

    for item in fills:
        while pending and _start(pending[0], bars) <= item.fill.ts:
            book(pending.pop(0))
        try:
            ledger.apply_fill(item.fill, strategy=item.strategy, reason=item.reason)
        except InvalidInputError as error:
            raise DataError(f"fills.csv line {item.line}: {error}") from None
    for action in pending:
        book(action)
    return ledger, applied


def _start(action: CorporateActionTerms, timeframe: Timeframe) -> datetime:
    """When the portfolio booked ``action``: the open of its first bar whose session is the
    ex-date or later, at or before which every fill of that bar lies and after the fills of
    the bar before.

    Intraday bars of the ex-date open at or after midnight New York (an evening bar of the
    day before, 19:00-20:00 New York, opens at 00:00 UTC in winter). A daily bar is labeled
    with its session's date at 00:00 UTC (the bundled and imported files) or at midnight New
    York (the providers'), so its fills lie from 00:00 UTC of the ex-date on, and the bar
    before closed the day before. Weeks, months and n-day bars (``1w``, ``2w``, ``3mo``,
    ``2d``) open on the first session of the period holding the ex-date, counted as
    ``resample_periods`` counts them (weeks from a Monday, months from January 1970, n-day
    bars in the symbol's sessions from 1970), and the period before closed before it."""
    ex_date = action.ex_date
    if timeframe.is_intraday:
        moment: datetime = (
            pd.Timestamp(ex_date).tz_localize("America/New_York").tz_convert("UTC")
        ).to_pydatetime()
        return moment
    if is_period(timeframe):
        ex_date = period_start(ex_date, timeframe, instrument_for(action.symbol).calendar)
    return datetime(ex_date.year, ex_date.month, ex_date.day, tzinfo=UTC)
