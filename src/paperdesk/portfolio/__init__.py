"""Portfolio accounting: cash, positions, realized and unrealized P&L, round-trip trades."""

from paperdesk.portfolio.accounting import AccountRules, ContractTerms
from paperdesk.portfolio.ledger import LedgerState, PortfolioLedger
from paperdesk.portfolio.round_trips import OpenTrade

__all__ = ["AccountRules", "ContractTerms", "LedgerState", "OpenTrade", "PortfolioLedger"]
