"""Performance analytics over equity curves and trades (pure; floats allowed)."""

from paperdesk.analytics.metrics import compute_stats, max_drawdown
from paperdesk.analytics.stats import Stats

__all__ = ["Stats", "compute_stats", "max_drawdown"]
