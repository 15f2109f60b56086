"""The tables of ``apikey list`` and ``webhook list``: fitted to the terminal like every other
listing (ids and times kept whole, names, URLs and errors folding, ``--wide`` for every column)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table

from paperdesk.cli.fit import Column, fitted, number, text
from paperdesk.cli.paper_tables import Width
from paperdesk.cli.safe_text import printable
from paperdesk.domain.api_keys import ApiKeyRecord
from paperdesk.domain.webhooks import WebhookRecord


def _moment(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M")


def api_keys_table(keys: Sequence[ApiKeyRecord], width: Width = 80) -> Table:
    """One row a key: what it may do and on which portfolios, how it starts, its state."""
    columns = (
        number("ID"),
        text("Name"),
        Column("Scope"),
        text("Portfolios"),
        Column("Prefix", drop=1),
        Column("Created", drop=2),
        Column("State"),
    )
    rows = [
        (
            str(key.id),
            printable(key.name),
            str(key.scope),
            "all" if key.portfolio_ids is None else ", ".join(map(str, key.portfolio_ids)),
            f"{key.prefix}...",
            _moment(key.ts_created),
            f"revoked {_moment(key.ts_revoked)}" if key.is_revoked else "active",
        )
        for key in keys
    ]
    return fitted("API keys", columns, rows, width)


def webhooks_table(hooks: Sequence[WebhookRecord], width: Width = 80) -> Table:
    """One row a webhook: where it posts, which events, how far it has delivered, its state."""
    columns = (
        number("ID"),
        text("URL"),
        text("Events", drop=2),
        number("After event", drop=1),
        text("State"),
    )
    rows = [(str(hook.id), printable(hook.url), ", ".join(hook.kinds),
             str(hook.last_sequence), _state(hook)) for hook in hooks]  # fmt: skip
    return fitted("Webhooks", columns, rows, width)


def _state(hook: WebhookRecord) -> str:
    state = str(hook.status)
    if hook.attempts and hook.next_attempt_at is not None:
        retry = hook.next_attempt_at.isoformat(timespec="seconds")
        state += f", {hook.attempts} failed attempts, next attempt {retry}"
    if hook.last_error:
        state += f", last error: {printable(hook.last_error)}"
    return state
