"""``paperdesk webhook add|list|remove|deliver``: a portfolio's webhooks and their delivery."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.access_tables import webhooks_table
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import console, width_of
from paperdesk.cli.services import services
from paperdesk.domain.webhooks import DEFAULT_EVENTS, EVENT_GROUPS, WebhookRecord

webhook_app = typer.Typer(help="Webhooks: a portfolio's events POSTed, signed, to a URL.")
webhook_app.callback(no_args_is_help=True)(lambda: None)

PortfolioArgument = Annotated[int, typer.Argument(metavar="PORTFOLIO_ID", help="The portfolio.")]


def _document(record: WebhookRecord) -> dict[str, object]:
    def when(value: object) -> str | None:
        return None if value is None else value.isoformat()  # type: ignore[attr-defined]

    return {
        "id": record.id,
        "portfolio": record.portfolio_id,
        "url": record.url,
        "events": list(record.kinds),
        "status": str(record.status),
        "created": record.ts_created.isoformat(),
        "last_sequence": record.last_sequence,
        "attempts": record.attempts,
        "next_attempt": when(record.next_attempt_at),
        "last_error": record.last_error,
        "last_delivered": when(record.ts_last_delivered),
    }


@webhook_app.command("add")
def add_command(
    portfolio_id: PortfolioArgument,
    url: Annotated[str, typer.Argument(help="Where to POST the events (http or https).")],
    events: Annotated[
        str,
        typer.Option(
            help=f"Comma-separated: {', '.join(EVENT_GROUPS)}, or outbox kinds (order.filled...).",
        ),
    ] = ",".join(DEFAULT_EVENTS),
    secret: Annotated[
        str | None,
        typer.Option(help="The signing secret, 16+ characters (default: one is generated)."),
    ] = None,
    json_output: opt.JsonFlag = False,
) -> None:
    """Register a webhook; its signing secret is printed once."""
    created = services().webhooks.add(portfolio_id, url, events.split(","), secret)
    record = created.record
    if json_output:
        print_json({**_document(record), "secret": created.secret})
        return
    typer.echo(f"webhook {record.id} of portfolio {record.portfolio_id}: {record.url}")
    typer.echo(f"events: {', '.join(record.kinds)}")
    typer.echo(created.secret)
    typer.echo("(the signing secret, shown once)", err=True)


@webhook_app.command("list")
def list_command(
    portfolio_id: PortfolioArgument, json_output: opt.JsonFlag = False, wide: opt.WideFlag = False
) -> None:
    """List the portfolio's webhooks and their delivery state (never their secrets)."""
    hooks = services().webhooks.list_webhooks(portfolio_id)
    if json_output:
        print_json({"webhooks": [_document(h) for h in hooks]})
    elif hooks:
        out = console(wide=wide)
        out.print(webhooks_table(hooks, width_of(out, wide)))
    else:
        typer.echo(f"portfolio {portfolio_id} has no webhooks (paperdesk webhook add ID URL)")


@webhook_app.command("remove")
def remove_command(
    portfolio_id: PortfolioArgument,
    webhook_id: Annotated[
        int, typer.Argument(metavar="WEBHOOK_ID", help="The webhook's id (webhook list).")
    ],
) -> None:
    """Remove a webhook: nothing more is sent to it."""
    record = services().webhooks.remove(portfolio_id, webhook_id)
    typer.echo(f"removed webhook {record.id} ({record.url})")


@webhook_app.command("deliver")
def deliver_command(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering until Ctrl-C.")] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between rounds with --loop.")
    ] = 5.0,
) -> None:
    """Send the due events of every webhook now (the worker does this each interval)."""
    container = services()
    while True:
        report = container.webhook_dispatcher.deliver_due(container.clock.now())
        typer.echo(
            f"delivered {report.delivered} events, {report.failed} failed attempts "
            f"({report.webhooks} webhooks due)"
        )
        for error in report.errors:
            typer.echo(f"  {error}", err=True)
        if not loop:
            return
        time.sleep(interval)
