"""Times in the API's answers, in one ISO-8601 UTC form: ``2021-03-31T20:00:00Z``.

It is what pydantic writes for a time field, what most answers already carried, and what
Alpaca's API answers with; ``utc_text`` writes it for the times the API formats itself (the
Alpaca endpoint, the streams, the quality gaps), and ``Document`` for the JSON documents an
answer passes on from the service or a file (statistics, audit details, evidence), whose times
the service writes as ``+00:00`` for the CLI's ``--json`` and the export files.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import PlainSerializer

# exactly a time at UTC as ``datetime.isoformat`` writes it (a text with more is not a time)
_UTC_ISOFORMAT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\+00:00")


def utc_text(value: datetime) -> str:
    """``value`` in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (a naive time is UTC already, as
    SQLite gives it back)."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().removesuffix("+00:00") + "Z"


def utc_document(value: Any) -> Any:
    """A JSON document with every UTC time in the API's form: a ``datetime``, or a text that
    is exactly an ISO-8601 time at ``+00:00``; everything else as it is."""
    if isinstance(value, dict):
        return {key: utc_document(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [utc_document(item) for item in value]
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, str) and value.endswith("+00:00") and _UTC_ISOFORMAT.fullmatch(value):
        return value.removesuffix("+00:00") + "Z"
    return value


Document = Annotated[dict[str, Any], PlainSerializer(utc_document, return_type=dict[str, Any])]
"""A JSON document in an answer, its times in the API's form."""
