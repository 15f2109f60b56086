"""``paperdesk data ...``: market data (providers now; import, list, check, backfill to come).

Each subcommand is a function registered on ``data_app``; add new ones with
``@data_app.command("name")`` and keep their logic in ``paperdesk.service.market_data``.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from paperdesk.cli import paper_options as opt
from paperdesk.cli.output import print_json
from paperdesk.service.market_data import (
    MarketDataService,
    ProviderStatus,
    provider_status_document,
)

data_app = typer.Typer(help="Market data: providers, quotas and stored bars.")
data_app.callback(no_args_is_help=True)(lambda: None)


def market_data_service() -> MarketDataService:
    """The service the commands use (tests may replace it)."""
    return MarketDataService()


# paperdesk data providers


def _state(status: ProviderStatus) -> str:
    if not status.enabled:
        return f"skipped: {status.skipped_reason or 'disabled'}"
    if status.blocked_reason:
        return f"enabled (waiting: {status.blocked_reason})"
    return "enabled"


def _used_today(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    limit = "no limit" if status.per_day is None else f"{status.per_day:,}"
    return f"{status.used_today:,} / {limit}"


def _left_today(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    return "unlimited" if status.left_today is None else f"{status.left_today:,}"


def _this_minute(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    limit = "no limit" if status.per_minute is None else str(status.per_minute)
    return f"{status.used_this_minute} / {limit}"


def _circuit(status: ProviderStatus) -> str:
    if not status.enabled:
        return "-"
    text = status.circuit
    if status.open_until is not None:
        text += f" until {status.open_until.strftime('%Y-%m-%d %H:%M:%S %Z')}"
    if status.circuit != "closed" and status.last_error:
        text += f" ({status.last_error})"
    return text


def providers_table(statuses: list[ProviderStatus]) -> Table:
    table = Table(title="Price providers (enabled ones in priority order, then skipped ones)")
    table.add_column("Provider")
    table.add_column("Status")
    table.add_column("Used today", justify="right")
    table.add_column("Left today", justify="right")
    table.add_column("This minute", justify="right")
    table.add_column("Circuit")
    for status in statuses:
        table.add_row(
            status.name,
            _state(status),
            _used_today(status),
            _left_today(status),
            _this_minute(status),
            _circuit(status),
        )
    return table


@data_app.command("providers")
def providers_command(json_output: opt.JsonFlag = False) -> None:
    """Show each price provider: enabled or why skipped, quota used and left today (UTC),
    use this minute and circuit-breaker state."""
    statuses = market_data_service().providers()
    if json_output:
        print_json({"providers": [provider_status_document(status) for status in statuses]})
        return
    Console().print(providers_table(statuses))
