"""Where a trade plan comes from: a file (the CLI) or text (an upload through the API).

Both go through the same reader (``paperdesk.plans.reader``), so an uploaded plan is checked
exactly as a file is, row by row and field by field; only the way the bytes arrive differs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from paperdesk.plans.reader import (
    LEDGER_TICKERS,
    MAX_PLAN_BYTES,
    DataSpan,
    EntryWindow,
    PlanReading,
    parse_plan,
    plan_text,
    read_plan,
    too_large,
)

__all__ = ["MAX_PLAN_BYTES", "PlanSource", "PlanText", "read_plan_source"]


@dataclass(frozen=True, slots=True)
class PlanText:
    """A plan given as text: its content, whether it is JSON (else CSV) and the name its
    problems quote (``upload`` unless the client named its file)."""

    text: str
    json_format: bool = False
    source: str = "upload"

    def __str__(self) -> str:
        return self.source

    @classmethod
    def of_upload(cls, data: bytes, name: str, json_format: bool | None = None) -> PlanText:
        """An uploaded file's bytes as a plan: UTF-8 (a byte-order mark is dropped) at most
        the reader's size; JSON when ``json_format`` says so, else when the name ends in
        ``.json`` (as ``read_plan`` decides for a path)."""
        text = plan_text(data, name)
        if json_format is None:
            json_format = name.lower().endswith(".json")
        return cls(text, json_format=json_format, source=name)


PlanSource = str | Path | PlanText


def read_plan_source(
    plan: PlanSource,
    *,
    skip_bad_rows: bool = False,
    known_tickers: Mapping[str, DataSpan | None] | None = None,
    as_of: datetime | None = None,
    entry_window: EntryWindow | None = None,
    tickers_known_as: str = LEDGER_TICKERS,
) -> PlanReading:
    """Read and check ``plan``: a path is read as ``read_plan`` reads it (``.json`` is JSON),
    text as ``parse_plan`` parses it, under the same size bound as a file."""
    if not isinstance(plan, PlanText):
        return read_plan(
            plan,
            skip_bad_rows=skip_bad_rows,
            known_tickers=known_tickers,
            as_of=as_of,
            entry_window=entry_window,
            tickers_known_as=tickers_known_as,
        )
    size = len(plan.text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_PLAN_BYTES:
        raise too_large(plan.source)
    return parse_plan(
        plan.text.removeprefix("\ufeff"),
        source=plan.source,
        json_format=plan.json_format,
        skip_bad_rows=skip_bad_rows,
        known_tickers=known_tickers,
        as_of=as_of,
        entry_window=entry_window,
        tickers_known_as=tickers_known_as,
    )
