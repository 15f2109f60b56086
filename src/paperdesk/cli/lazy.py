"""Commands loaded on first use, so ``paperdesk --help`` starts in a fraction of a second.

Each command's module (and what it imports: pandas, SQLAlchemy, httpx...) is imported only when
that command runs or shows its own help. The root help lists every command from ``COMMANDS``
(name and one-line help) without importing any of them; a test checks the lines there equal the
commands' own help.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand
from typer.main import get_group

from paperdesk.cli.errors import ErrorReportingGroup

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """A command (``group=False``: a Typer command function) or a group (a ``typer.Typer``)
    at ``target`` (``module:attribute``), with the help line the root help shows."""

    name: str
    target: str
    help: str
    group: bool = False

    def load(self) -> Any:
        module, attribute = self.target.split(":")
        value: Any = getattr(importlib.import_module(module), attribute)
        holder = typer.Typer()
        if self.group:
            holder.add_typer(value, name=self.name)
        else:
            holder.command(self.name)(value)
        return get_group(holder).commands[self.name]

    def placeholder(self) -> TyperCommand:
        """What the root help lists: the name and help line, nothing imported."""
        return TyperCommand(self.name, help=self.help)


def _command(name: str, module: str, function: str, help_line: str) -> LazyCommand:
    return LazyCommand(name, f"paperdesk.cli.{module}:{function}", help_line)


def _group(name: str, module: str, attribute: str, help_line: str) -> LazyCommand:
    return LazyCommand(name, f"paperdesk.cli.{module}:{attribute}", help_line, group=True)


COMMANDS: tuple[LazyCommand, ...] = (
    _command("backtest", "backtest", "backtest_command", "Backtest a strategy on one instrument."),
    _command("strategies", "strategies", "strategies_command", "List the registered strategies."),
    _command(
        "create-portfolio",
        "portfolios",
        "create_portfolio_command",
        "Create a persistent paper portfolio and print its id.",
    ),
    _command(
        "trade",
        "trading",
        "trade_command",
        "Run the strategies on the latest bar of SYMBOL: DRY shows, LIVE commits.",
    ),
    _command(
        "orders",
        "ledger",
        "orders_command",
        "Every order of the portfolio (oldest first), with its status.",
    ),
    _command(
        "fills", "ledger", "fills_command", "Every fill of the portfolio, with price and fee."
    ),
    _command(
        "trades", "ledger", "trades_command", "The portfolio's closed round trips with their P&L."
    ),
    _command(
        "signals",
        "ledger",
        "signals_command",
        "Every signal the strategies gave, accepted or rejected with the reason.",
    ),
    _command(
        "audit",
        "ledger",
        "audit_command",
        "The append-only audit log: every change to the portfolio.",
    ),
    _command(
        "mark",
        "trading",
        "mark_command",
        "Record an equity snapshot at the positions' latest prices.",
    ),
    _command(
        "run",
        "run",
        "run_command",
        "Tick every watched symbol each interval until Ctrl-C or SIGTERM (stops between ticks).",
    ),
    _command(
        "export",
        "transfer",
        "export_command",
        "Write orders.csv, fills.csv, positions.csv, pnl_ledger.csv and state.json.",
    ),
    _command(
        "import",
        "transfer",
        "import_command",
        "Restore an export as a NEW portfolio (checked in full; nothing is written on error).",
    ),
    _command(
        "demo",
        "demo",
        "demo_command",
        "Create a demo portfolio in the embedded database and replay bundled real data through\n"
        "the live runner, one bar per tick; then show the portfolio, its trades and performance.",
    ),
    _group("portfolio", "portfolios", "portfolio_app", "List, show and archive paper portfolios."),
    _group("order", "trading", "order_app", "Place, cancel and modify manual orders."),
    _group("position", "trading", "position_app", "Act on a position."),
    _group(
        "db",
        "database",
        "db_app",
        "The ledger database (DATABASE_URL, else SQLite in PAPERDESK_HOME).",
    ),
    _group("data", "data", "data_app", "Market data: providers, quotas and stored bars."),
)


class LazyGroup(ErrorReportingGroup):
    """The root group: the commands in ``COMMANDS`` are imported when first asked for; while
    the root help is being written they are listed from their placeholders."""

    lazy: ClassVar[dict[str, LazyCommand]] = {command.name: command for command in COMMANDS}
    _listing = False

    @contextmanager
    def listing(self) -> Iterator[None]:
        self._listing = True
        try:
            yield
        finally:
            self._listing = False

    def format_help(self, ctx: Any, formatter: Any) -> None:
        with self.listing():
            super().format_help(ctx, formatter)

    def list_commands(self, ctx: Any) -> list[str]:
        eager = [name for name in super().list_commands(ctx) if name not in self.lazy]
        return [*self.lazy, *eager]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        entry = self.lazy.get(cmd_name)
        if command is not None or entry is None:
            return command
        if self._listing:
            return entry.placeholder()
        log.debug("loading command %r from %s", cmd_name, entry.target)
        loaded = entry.load()
        self.commands[cmd_name] = loaded
        return loaded
