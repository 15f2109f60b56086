"""``paperdesk db upgrade|status``: the ledger database and its migrations."""

from __future__ import annotations

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.output import print_json
from paperdesk.cli.services import services

db_app = typer.Typer(help="The ledger database (DATABASE_URL, else SQLite in PAPERDESK_HOME).")
db_app.callback(no_args_is_help=True)(lambda: None)


def _revision(revision: str | None) -> str:
    return revision or "(empty database)"


@db_app.command("upgrade")
def upgrade_command(json_output: opt.JsonFlag = False) -> None:
    """Apply every pending migration."""
    from paperdesk.service.admin import upgrade_database  # loaded when run, not for --help

    report = upgrade_database(services().settings.database_url_value())
    if json_output:
        print_json(
            {
                "database": report.database,
                "before": report.before,
                "after": report.after,
                "changed": report.changed,
            }
        )
        return
    typer.echo(f"database: {report.database}")
    if report.changed:
        typer.echo(f"upgraded from {_revision(report.before)} to {_revision(report.after)}")
    else:
        typer.echo(f"already at the newest revision {_revision(report.after)}")


@db_app.command("status")
def status_command(json_output: opt.JsonFlag = False) -> None:
    """Show the database and whether its schema is up to date."""
    from paperdesk.service.admin import database_status

    status = database_status(services().settings.database_url_value())
    if json_output:
        print_json(
            {
                "database": status.database,
                "dialect": status.dialect,
                "current": status.current,
                "head": status.head,
                "up_to_date": status.up_to_date,
                "exists": status.exists,
            }
        )
        return
    typer.echo(f"database: {status.database}")
    if not status.exists:
        typer.echo("no database file there yet: any other command creates it on first use")
        return
    typer.echo(f"revision: {_revision(status.current)} (newest: {status.head})")
    typer.echo(
        "up to date"
        if status.up_to_date
        else "migrations pending: run paperdesk db upgrade (or any command migrates on first use)"
    )
