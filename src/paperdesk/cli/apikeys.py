"""``paperdesk apikey create|list|revoke``: the keys of the service API (stored hashed)."""

from __future__ import annotations

from typing import Annotated

import typer

from paperdesk.cli import paper_options as opt
from paperdesk.cli.access_tables import api_keys_table
from paperdesk.cli.output import print_json
from paperdesk.cli.paper_tables import console, width_of
from paperdesk.cli.services import services
from paperdesk.domain.api_keys import ApiKeyRecord

apikey_app = typer.Typer(help="API keys of the service API (paperdesk serve).")
apikey_app.callback(no_args_is_help=True)(lambda: None)


def _document(record: ApiKeyRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "name": record.name,
        "scope": str(record.scope),
        "portfolios": None if record.portfolio_ids is None else list(record.portfolio_ids),
        "prefix": record.prefix,
        "created": record.ts_created.isoformat(),
        "revoked": None if record.ts_revoked is None else record.ts_revoked.isoformat(),
    }


@apikey_app.command("create")
def create_command(
    name: Annotated[str, typer.Argument(help="What the key is for.")],
    scope: Annotated[
        str, typer.Option(metavar="read|trade|admin", help="What the key may do.")
    ] = "read",
    portfolio: Annotated[
        list[int] | None,
        typer.Option("--portfolio", help="Limit the key to this portfolio (repeatable)."),
    ] = None,
    json_output: opt.JsonFlag = False,
) -> None:
    """Create a key; its token is printed once and never stored."""
    created = services().api_keys.create(name, scope, portfolio or None)
    if json_output:
        print_json({**_document(created.record), "key": created.token})
        return
    record = created.record
    where = (
        "every portfolio"
        if record.portfolio_ids is None
        else ("portfolios " + ", ".join(map(str, record.portfolio_ids)))
    )
    typer.echo(f"API key {record.id} {record.name!r}: scope {record.scope}, {where}")
    typer.echo(created.token)
    typer.echo("(shown once: only its SHA-256 is stored)", err=True)


@apikey_app.command("list")
def list_command(json_output: opt.JsonFlag = False, wide: opt.WideFlag = False) -> None:
    """List the keys (never their tokens)."""
    keys = services().api_keys.list_keys()
    if json_output:
        print_json({"keys": [_document(k) for k in keys]})
    elif keys:
        out = console(wide=wide)
        out.print(api_keys_table(keys, width_of(out, wide)))
    else:
        typer.echo("no API keys (create one with: paperdesk apikey create NAME --scope read)")


@apikey_app.command("revoke")
def revoke_command(
    key_id: Annotated[int, typer.Argument(metavar="ID", help="The key's id (apikey list).")],
) -> None:
    """Revoke a key: it is refused from the next request on."""
    record = services().api_keys.revoke(key_id)
    typer.echo(f"revoked API key {record.id} {record.name!r}")
