"""The end of a unit of work on PostgreSQL in one statement: the outbox entries numbered and
written, and the watched portfolios' revision numbers read (store-only).

``LedgerWriter.finish`` used to send three statements just before the commit: a SELECT of the
revisions, the counter's UPDATE ... RETURNING and the outbox INSERT (an ``executemany``, which
psycopg sends as a pipeline). On PostgreSQL each is a round trip to the server process, and on
a loaded machine each round trip waits for that process to be scheduled. Here they are one
statement: a data-modifying CTE takes the counter row (its row lock, as before, so the numbers
are gap-free and in commit order), a second inserts the entries numbered from it (``unnest``
of one array per column ``WITH ORDINALITY``: one fixed statement text, prepared once by
psycopg, whatever the number of entries), and the main query reads the revisions. The
revisions are those the unit leaves: the statement's snapshot holds every earlier write of the
transaction and what their triggers bumped, and neither the counter nor the outbox is a table
whose writes bump a revision. The stored values are those the Core INSERT wrote: the payload is
the same ``json.dumps`` text (SQLAlchemy's JSON type on psycopg serialises with it) and the
times go through the same ``UtcDateTime`` check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from paperdesk.store.prebuilt import Prebuilt
from paperdesk.store.types import UtcDateTime

_NUMBER_AND_WRITE = Prebuilt(
    text(
        """
    WITH counter AS (
        UPDATE outbox_counter SET last_sequence = last_sequence + :entries
        WHERE id = 1
        RETURNING last_sequence
    ), written AS (
        INSERT INTO outbox (sequence, portfolio_id, kind, event_at, recorded_at, payload)
        SELECT counter.last_sequence - :entries + entry.position, entry.portfolio_id,
               entry.kind, entry.event_at, entry.recorded_at, CAST(entry.payload AS JSON)
        FROM counter, unnest(
            CAST(:portfolio_ids AS BIGINT[]), CAST(:kinds AS TEXT[]),
            CAST(:event_ats AS TIMESTAMPTZ[]), CAST(:recorded_ats AS TIMESTAMPTZ[]),
            CAST(:payloads AS TEXT[])
        ) WITH ORDINALITY AS entry(portfolio_id, kind, event_at, recorded_at, payload, position)
    )
    SELECT counter.last_sequence, portfolios.id, portfolios.revision
    FROM counter
    LEFT JOIN portfolios ON portfolios.id = ANY(CAST(:watched AS BIGINT[]))
    """
    )
)
_TIME = UtcDateTime()


def number_and_write(
    session: Session, entries: Sequence[Mapping[str, Any]], watched: Sequence[int]
) -> tuple[int, dict[int, int]]:
    """Take ``len(entries)`` outbox numbers, write the entries (portfolio_id, kind, event_at,
    recorded_at, payload) numbered in the order given, and read the revisions of the
    ``watched`` portfolios; returns the last number taken and the revisions."""
    dialect = session.get_bind().dialect

    def times(name: str) -> list[Any]:
        return [_TIME.process_bind_param(entry[name], dialect) for entry in entries]

    rows = _NUMBER_AND_WRITE.execute(
        session,
        {
            "entries": len(entries),
            "portfolio_ids": [entry["portfolio_id"] for entry in entries],
            "kinds": [entry["kind"] for entry in entries],
            "event_ats": times("event_at"),
            "recorded_ats": times("recorded_at"),
            "payloads": [json.dumps(entry["payload"]) for entry in entries],
            "watched": list(watched),
        },
    ).all()
    last = int(rows[0][0])
    revisions = {int(row[1]): int(row[2]) for row in rows if row[1] is not None}
    return last, revisions
