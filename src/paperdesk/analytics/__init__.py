"""Performance analytics over equity curves and trades (pure; floats allowed).

The exports load on first use (``paperdesk._lazy``): ``Stats`` alone does not import pandas.
"""

from typing import TYPE_CHECKING

from paperdesk._lazy import lazy_exports

if TYPE_CHECKING:
    from paperdesk.analytics.metrics import compute_stats, max_drawdown
    from paperdesk.analytics.stats import Stats

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "paperdesk.analytics.metrics": ("compute_stats", "max_drawdown"),
        "paperdesk.analytics.stats": ("Stats",),
    },
)

__all__ = ["Stats", "compute_stats", "max_drawdown"]
