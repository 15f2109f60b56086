"""Builds the kernel's parts (router, order book, venue, ledger) from the run description."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal

from paperdesk.config import MarkPrice, RunConfig
from paperdesk.domain import Instrument
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
) -> TradingKernel:
    """A kernel for ``instruments`` run by ``config`` (``cash``: the starting cash, when it is
    not the config's, as for a stored portfolio; ``ledger``: the books to continue from)."""
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
        mark_at_mid=config.execution.mark is MarkPrice.MID,
    )


def check_run(config: RunConfig, instruments: Mapping[str, Instrument] | None = None) -> None:
    """Build every part of a run once, so a bad strategy name or parameter, a malformed fee
    spec or an option that fits none of the instruments is refused before anything is stored."""
    from paperdesk.data import instrument_for
    from paperdesk.engine.strategies import run_strategies

    run_strategies(config)
    held = instruments or {
        symbol: instrument_for(symbol, config.source.asset_class_of(symbol))
        for symbol in config.symbols
    }
    build_kernel(config, held, None)


def _ledger(starting_cash: Decimal, state: LedgerState | None) -> PortfolioLedger:
    if state is None:
        return PortfolioLedger(starting_cash)
    return PortfolioLedger.restore(starting_cash, state)
