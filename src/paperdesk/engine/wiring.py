"""Builds the kernel's parts (router, order book, venue, ledger) from the run description."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from paperdesk.config import AccountConfig, MarkPrice, RunConfig, TradingSession
from paperdesk.data.sessions import RegularSession
from paperdesk.domain import CorporateActionTerms, Instrument, OptionError
from paperdesk.domain.fields import setting_mark
from paperdesk.engine.kernel import TradingKernel
from paperdesk.execution import OrderBook, SimulatedVenue
from paperdesk.execution.costs import cost_models
from paperdesk.portfolio import AccountRules, ContractTerms, LedgerState, PortfolioLedger
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
    account = config.account
    instruments = with_contract_terms(account, instruments)
    costs = cost_models(config.execution, instruments.values())
    router = build_router(config.sizing, config.risk, fees=costs.fees, account=account)
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
        _ledger(config.cash if cash is None else cash, ledger, account_rules(account, instruments)),
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
    from paperdesk.data.adjustment import portfolio_prices, read_factor_file
    from paperdesk.engine.strategies import run_strategies

    run_strategies(config)
    held = instruments or {
        symbol: instrument_for(symbol, config.source.asset_class_of(symbol))
        for symbol in config.symbols
    }
    for symbol in config.symbols:  # an adjustment needs a factor file, and a readable one
        portfolio_prices(symbol, held[symbol], config.source)
    if not config.symbols and config.source.factor_file is not None:  # no watch list yet
        read_factor_file(config.source.factor_file, "")
    build_kernel(config, held, None)


def with_contract_terms(
    account: AccountConfig, instruments: Mapping[str, Instrument]
) -> dict[str, Instrument]:
    """The instruments with the run's contract terms (a futures account's multiplier and
    margins per contract); other accounts trade the instruments as they are."""
    if not account.is_futures:
        return dict(instruments)
    multiplier = account.multiplier if account.multiplier is not None else Decimal(1)
    return {
        symbol: replace(
            instrument,
            multiplier=multiplier,
            initial_margin=account.initial_margin,
            maintenance_margin=account.maintenance_per_contract,
        )
        for symbol, instrument in instruments.items()
    }


def account_rules(account: AccountConfig, instruments: Mapping[str, Instrument]) -> AccountRules:
    return AccountRules.for_instruments(
        account.kind,
        instruments,
        cash_check=account.cash_check,
        leverage=account.leverage,
        maintenance_percent=account.maintenance_percent,
    )


def account_rules_for_symbols(account: AccountConfig, symbols: Iterable[str]) -> AccountRules:
    """The account rules of a run trading ``symbols`` (the run's contract terms apply to each),
    for rebuilding a ledger without building instruments (an import)."""
    terms = ContractTerms(
        account.multiplier if account.is_futures and account.multiplier else Decimal(1),
        account.initial_margin or Decimal(0),
        account.maintenance_per_contract or Decimal(0),
    )
    return AccountRules(
        account.kind,
        account.cash_check,
        account.leverage,
        account.maintenance_percent,
        dict.fromkeys(symbols, terms),
    )


def check_contract_price(account: AccountConfig, symbol: str, price: Decimal) -> None:
    """Refuse an initial margin above one contract's notional (price x multiplier) at
    ``price`` (a run's first close): such a margin is a typo, not a contract."""
    if not account.is_futures or account.initial_margin is None:
        return
    multiplier = account.multiplier if account.multiplier is not None else Decimal(1)
    notional = price * multiplier
    if account.initial_margin > notional:
        raise OptionError(
            f"invalid value for {setting_mark('initial_margin')}: {account.initial_margin} "
            f"(expected at most one {symbol} contract's notional, {price} x multiplier "
            f"{multiplier} = {notional})"
        )


def _ledger(
    starting_cash: Decimal, state: LedgerState | None, rules: AccountRules
) -> PortfolioLedger:
    if state is None:
        return PortfolioLedger(starting_cash, rules)
    return PortfolioLedger.restore(starting_cash, state, rules)
