"""Commands loaded on first use, so ``paperdesk --help`` starts in a fraction of a second.

Each command's module (and what it imports: pandas, SQLAlchemy, httpx...) is imported only when
that command runs or shows its own help. The root help lists every command from ``COMMANDS``
without importing any of them (each help line is read from the command's source); a test checks
they equal the commands' own help.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand
from typer.main import get_group

from paperdesk.cli.conventions import PaperdeskGroup, tidy, unwrapped

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """A command (``group=False``: a Typer command function) or a group (a ``typer.Typer``)
    at ``target`` (``module:attribute``)."""

    name: str
    target: str
    group: bool = False
    extend: str | None = None  # ``module:function`` adding more commands to the group

    def load(self) -> Any:
        module, attribute = self.target.split(":")
        value: Any = getattr(importlib.import_module(module), attribute)
        if self.extend is not None:
            _extend_once(self.extend, value)
        holder = typer.Typer()
        if self.group:
            holder.add_typer(value, name=self.name)
        else:
            holder.command(self.name)(value)
        command = get_group(holder).commands[self.name]
        command.help = unwrapped(command.help)  # as its placeholder lists it
        return command

    def help_text(self) -> str:
        """The command's help read from its module's source, not imported: the function's
        docstring, or the group's ``typer.Typer(help=...)``."""
        module, attribute = self.target.split(":")
        for node in _source_of(module):
            if isinstance(node, ast.FunctionDef) and node.name == attribute:
                return ast.get_docstring(node) or ""
            names = [t.id for t in getattr(node, "targets", ()) if isinstance(t, ast.Name)]
            if attribute in names and isinstance(node, ast.Assign):
                for keyword in getattr(node.value, "keywords", ()):
                    if keyword.arg == "help" and isinstance(keyword.value, ast.Constant):
                        return str(keyword.value.value)
        return ""

    def placeholder(self) -> TyperCommand:
        """What the root help lists: the name and help, nothing imported."""
        return TyperCommand(self.name, help=unwrapped(self.help_text()))


@functools.cache
def _extend_once(extend: str, group: typer.Typer) -> None:
    """Register ``extend``'s commands on ``group`` once per process."""
    module, function = extend.split(":")
    getattr(importlib.import_module(module), function)(group)


@functools.cache
def _source_of(module: str) -> list[ast.stmt]:
    """The top-level statements of ``module``'s source file, parsed once, not imported."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return []
    return ast.parse(Path(spec.origin).read_text(encoding="utf-8")).body


def _command(name: str, module: str, function: str) -> LazyCommand:
    return LazyCommand(name, f"paperdesk.cli.{module}:{function}")


def _group(name: str, module: str, app: str, extend: str | None = None) -> LazyCommand:
    extension = f"paperdesk.cli.{extend}" if extend else None
    return LazyCommand(name, f"paperdesk.cli.{module}:{app}", group=True, extend=extension)


COMMANDS: tuple[LazyCommand, ...] = (
    _command("backtest", "backtest", "backtest_command"),
    _command("simulate", "simulate", "simulate_command"),
    _command("walkforward", "walkforward", "walkforward_command"),
    _command("strategies", "strategies", "strategies_command"),
    _command("indicator", "indicator", "indicator_command"),
    _command("sweep", "sweep", "sweep_command"),
    _command("create-portfolio", "portfolios", "create_portfolio_command"),
    _command("trade", "trading", "trade_command"),
    _command("orders", "ledger", "orders_command"),
    _command("fills", "ledger", "fills_command"),
    _command("trades", "ledger", "trades_command"),
    _command("signals", "ledger", "signals_command"),
    _command("audit", "ledger", "audit_command"),
    _command("mark", "trading", "mark_command"),
    _command("reconcile", "plans", "reconcile_command"),
    _command("run", "run", "run_command"),
    _command("report", "report", "report_command"),
    _command("export", "transfer", "export_command"),
    _command("import", "transfer", "import_command"),
    _command("demo", "demo", "demo_command"),
    _command("up", "up", "up_command"),
    _command("serve", "serve", "serve_command"),
    _command("worker", "worker", "worker_command"),
    _group("portfolio", "portfolios", "portfolio_app", extend="portfolio_changes:register"),
    _group("order", "trading", "order_app"),
    _group("position", "trading", "position_app"),
    _group("db", "database", "db_app"),
    _group("data", "data", "data_app"),
    _group("apikey", "apikeys", "apikey_app"),
    _group("webhook", "webhooks", "webhook_app"),
    _group("plan", "plans", "plan_app"),
)


HELP_ONLY = "paperdesk.help_only"  # ``ctx.meta`` key: the command line asks for a help only


def asks_for_help(args: list[str]) -> bool:
    """Whether the arguments after the root options ask for a command's help (``--help``
    before any ``--``): the root callback then reads no settings."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--help":
            return True
    return False


class LazyGroup(PaperdeskGroup):
    """The root group: the commands in ``COMMANDS`` are imported when first asked for; while
    the root help is being written they are listed from their placeholders."""

    lazy: ClassVar[dict[str, LazyCommand]] = {command.name: command for command in COMMANDS}
    _listing = False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        rest: list[str] = super().parse_args(ctx, args)
        ctx.meta[HELP_ONLY] = asks_for_help(rest)
        return rest

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
        tidy(loaded)  # the conventions the root group gives every command (cli/conventions.py)
        self.commands[cmd_name] = loaded
        return loaded
