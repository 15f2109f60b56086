"""JSON-ready documents of the market-data service's results (times ISO 8601, UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from paperdesk.data.bar_store import SeriesInfo
from paperdesk.data.importer import ImportReport

if TYPE_CHECKING:  # annotations only: the backfill and the providers load when used
    from paperdesk.data.backfill import BackfillReport, ChunkReport
    from paperdesk.data.providers import ProviderStatus


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def provider_status_document(status: ProviderStatus) -> dict[str, object]:
    """``status`` as a JSON-ready dictionary."""
    return {
        "name": status.name,
        "enabled": status.enabled,
        "skipped_reason": status.skipped_reason,
        "blocked_reason": status.blocked_reason,
        "per_day": status.per_day,
        "used_today": status.used_today,
        "left_today": status.left_today,
        "per_minute": status.per_minute,
        "used_this_minute": status.used_this_minute,
        "circuit": status.circuit if status.enabled else None,
        "open_until": _iso(status.open_until),
        "last_error": status.last_error,
    }


def series_document(info: SeriesInfo) -> dict[str, object]:
    return {
        "symbol": info.symbol,
        "timeframe": info.timeframe,
        "first": _iso(info.first),
        "last": _iso(info.last),
        "rows": info.rows,
        "where": info.where,
        "path": info.path,
    }


def import_document(report: ImportReport) -> dict[str, object]:
    return {
        "path": str(report.path),
        "symbol": report.symbol,
        "timeframe": report.timeframe,
        "source": report.source,
        "rows_read": report.rows_read,
        "rows_written": report.rows_written,
        "first": _iso(report.first),
        "last": _iso(report.last),
        "layout": report.layout,
        "notes": list(report.notes),
        "cached": report.cached,
    }


def chunk_document(chunk: ChunkReport) -> dict[str, object]:
    return {
        "start": _iso(chunk.start),
        "end": _iso(chunk.end),
        "status": chunk.status,
        "rows": chunk.rows,
        "provider": chunk.provider,
        "skipped": chunk.skipped,
        "stale": chunk.stale,
        "reason": chunk.reason,
        "attempts": [
            {"provider": a.provider, "outcome": a.outcome, "reason": a.reason}
            for a in chunk.attempts
        ],
    }


def backfill_document(report: BackfillReport) -> dict[str, object]:
    return {
        "symbol": report.symbol,
        "timeframe": report.timeframe,
        "start": _iso(report.start),
        "end": _iso(report.end),
        "planned": report.planned,
        "fetched": report.fetched,
        "skipped": report.skipped,
        "stale": report.stale,
        "failed": report.failed,
        "rows": report.rows,
        "complete": report.complete,
        "chunks": [chunk_document(chunk) for chunk in report.chunks],
    }
