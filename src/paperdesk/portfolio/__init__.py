"""Portfolio accounting: cash, positions, realized and unrealized P&L, round-trip trades."""

from paperdesk.portfolio.ledger import PortfolioLedger

__all__ = ["PortfolioLedger"]
