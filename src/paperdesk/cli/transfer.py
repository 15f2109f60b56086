"""``paperdesk export ID --to DIR`` and ``paperdesk import DIR``: seed 002's audit files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.money import money
from paperdesk.cli.output import print_json
from paperdesk.cli.portfolios import PortfolioId, open_service
from paperdesk.cli.services import services
from paperdesk.service.export_manifest import MANIFEST_FILE


def export_command(
    portfolio_id: PortfolioId,
    to: Annotated[Path, typer.Option("--to", metavar="DIR", help="Directory to write.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace DIR if it is not empty (atomically).")
    ] = False,
    json_output: opt.JsonFlag = False,
) -> None:
    """Write orders.csv, fills.csv, positions.csv, pnl_ledger.csv, state.json and MANIFEST.json
    (whole or not at all)."""
    report = services().transfers.export_folder(portfolio_id, to.expanduser(), force=force)
    if json_output:
        print_json(
            {
                "portfolio_id": portfolio_id,
                "directory": str(report.directory),
                "files": [path.name for path in report.files],
                "manifest": MANIFEST_FILE,
                "attachments": list(report.attachments),
                "orders": report.orders,
                "fills": report.fills,
                "trades": report.trades,
                "snapshots": report.snapshots,
            }
        )
        return
    typer.echo(
        f"exported portfolio {portfolio_id} to {report.directory}: {report.orders} orders, "
        f"{report.fills} fills, {report.trades} trades, {report.snapshots} P&L snapshots"
    )
    for name in [path.name for path in report.files] + list(report.attachments):
        typer.echo(f"  {name}")
    typer.echo(f"  {MANIFEST_FILE} (SHA-256 and size of every file)")


def import_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="An export's directory.")],
    name: Annotated[
        str | None, typer.Option(metavar="NAME", help="Name of the new portfolio.")
    ] = None,
    json_output: opt.JsonFlag = False,
) -> None:
    """Restore an export as a NEW portfolio (checked in full; nothing is written on error)."""
    from paperdesk.service.documents import decimal_text

    report = services().transfers.import_folder(directory.expanduser(), name=name)
    if json_output:
        print_json(
            {
                "id": report.portfolio_id,
                "name": report.name,
                "source_id": report.source_id,
                "cash": decimal_text(report.cash),
                "positions": report.positions,
                "orders": report.orders,
                "fills": report.fills,
                "trades": report.trades,
                "snapshots": report.snapshots,
            }
        )
        return
    typer.echo(report.portfolio_id)
    currency = open_service().show(report.portfolio_id).summary.base_currency
    typer.echo(
        f"imported {directory} as portfolio {report.portfolio_id} {report.name!r}: "
        f"{report.fills} fills, {report.trades} trades, {report.positions} positions, "
        f"cash {money(report.cash, currency)}",
        err=True,
    )
