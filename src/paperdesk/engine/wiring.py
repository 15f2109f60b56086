"""Builds the kernel's parts (router, order book, venue, ledger) from the run description."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from paperdesk.config import MarkPrice, RunConfig, TradingSession
from paperdesk.data.sessions import RegularSession
from paperdesk.domain import CorporateActionTerms, Instrument
from paperdesk.engine.kernel import TradingKernel
from paperdesk.execution import OrderBook, SimulatedVenue
from paperdesk.execution.costs import cost_models
from paperdesk.portfolio import LedgerState, PortfolioLedger
from paperdesk.routing import MaxHoldingPeriod, build_router

SessionClose = Callable[[str, datetime], datetime]


def build_kernel(
    config: RunConfig,
    instruments: Mapping[str, Instrument],
    session_close: SessionClose | None,
    *,
    cash: Decimal | None = None,
    ledger: LedgerState | None = None,
    corporate_actions: Mapping[str, Sequence[CorporateActionTerms]] | None = None,
) -> TradingKernel:
    """A kernel for ``instruments`` run by ``config`` (``cash``: the starting cash, when it is
    not the config's, as for a stored portfolio; ``ledger``: the books to continue from;
    ``corporate_actions``: the splits and dividends to book on raw prices, by symbol)."""
    costs = cost_models(config.execution, instruments.values())
    router = build_router(config.sizing, config.risk, fees=costs.fees)
    orders = OrderBook(instruments, session_close=session_close)
    venue = SimulatedVenue(instruments, costs, volume_cap=config.execution.volume_cap)
    risk = config.risk
    max_holding = (
        MaxHoldingPeriod(risk.max_holding_bars) if risk.max_holding_bars is not None else None
    )
    return TradingKernel(
        instruments,
        router,
        orders,
        venue,
        _ledger(config.cash if cash is None else cash, ledger),
        fill_timing=config.execution.fill_timing,
        max_holding=max_holding,
        session=session_rule(config, instruments),
        corporate_actions=corporate_actions,
        mark_at_mid=config.execution.mark is MarkPrice.MID,
    )


def session_rule(config: RunConfig, instruments: Mapping[str, Instrument]) -> RegularSession | None:
    """The regular session's rule when the run trades it and holds an instrument it judges."""
    if config.execution.session is not TradingSession.REGULAR:
        return None
    rule = RegularSession(dict(instruments))
    return rule if rule.judged else None


def check_run(config: RunConfig, instruments: Mapping[str, Instrument] | None = None) -> None:
    """Build every part of a run once, so a bad strategy name or parameter, a malformed fee
    spec or an option that fits none of the instruments is refused before anything is stored."""
    from paperdesk.data import instrument_for
    from paperdesk.data.adjustment import portfolio_prices
    from paperdesk.engine.strategies import run_strategies

    run_strategies(config)
    held = instruments or {
        symbol: instrument_for(symbol, config.source.asset_class_of(symbol))
        for symbol in config.symbols
    }
    for symbol in config.symbols:  # an adjustment needs a factor file, and a readable one
        portfolio_prices(symbol, held[symbol], config.source)
    build_kernel(config, held, None)


def _ledger(starting_cash: Decimal, state: LedgerState | None) -> PortfolioLedger:
    if state is None:
        return PortfolioLedger(starting_cash)
    return PortfolioLedger.restore(starting_cash, state)
