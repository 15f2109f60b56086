"""What ``paperdesk data import|list|check|backfill`` show: Rich tables, the rejection report
of a CSV import, the backfill progress bar, and the parsing of their date options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from paperdesk.domain.parsing import invalid
from paperdesk.service.market_data import (
    BackfillProgress,
    BackfillReport,
    ChunkReport,
    CsvImportError,
    ImportReport,
    QualityReport,
    SeriesInfo,
)

SHOWN_PROBLEMS = 20
SHOWN_FINDINGS = 10


def when_value(value: str | None, label: str) -> date | datetime | None:
    """``YYYY-MM-DD`` as a date, an ISO time as an aware datetime (UTC when no offset)."""
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(label, value, "a date such as 2024-01-31 or an ISO time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def required_when(value: str, label: str) -> date | datetime:
    moment = when_value(value, label)
    if moment is None:
        raise invalid(label, value, "a date such as 2024-01-31")
    return moment


def _time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    text = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    return text[:10] if text.endswith("00:00") else text


# ----------------------------------------------------------------------------------- import


def import_table(report: ImportReport) -> Table:
    table = Table(title=f"Imported {report.path.name} as {report.symbol} {report.timeframe}")
    table.add_column("Field")
    table.add_column("Value")
    table.add_row("Rows read", f"{report.rows_read:,}")
    table.add_row("Rows written", f"{report.rows_written:,}")
    table.add_row("Range", f"{_time(report.first)} to {_time(report.last)} (UTC)")
    table.add_row("Layout", report.layout)
    table.add_row("Source", report.source)
    table.add_row("Parquet cache", "written" if report.cached else "-")
    for note in report.notes:
        table.add_row("Note", note)
    return table


def rejection_lines(error: CsvImportError) -> list[str]:
    """The rejection report: a summary line, then the first problems with their line numbers."""
    plural = "s" if error.total != 1 else ""
    lines = [f"error: {error.label}: rejected, nothing imported: {error.total} problem{plural}"]
    for problem in error.problems[:SHOWN_PROBLEMS]:
        lines.append(f"  line {problem.line} {problem.column}: {problem.reason}")
    if error.total > SHOWN_PROBLEMS:
        lines.append(f"  ... and {error.total - SHOWN_PROBLEMS} more")
    return lines


def rejection_document(error: CsvImportError) -> dict[str, object]:
    return {
        "imported": False,
        "file": error.label,
        "total": error.total,
        "problems": [
            {"line": p.line, "column": p.column, "reason": p.reason} for p in error.problems
        ],
    }


# ------------------------------------------------------------------------------------- list


def series_table(series: list[SeriesInfo]) -> Table:
    table = Table(title="Market data series (stored in the database, then bundled samples)")
    for heading in ("Symbol", "Timeframe", "First", "Last"):
        table.add_column(heading)
    table.add_column("Rows", justify="right")
    table.add_column("Where")
    for info in series:
        table.add_row(
            info.symbol,
            info.timeframe,
            _time(info.first),
            _time(info.last),
            f"{info.rows:,}",
            info.where,
        )
    return table


# ------------------------------------------------------------------------------------ check


def quality_tables(report: QualityReport) -> list[Table]:
    summary = Table(title=f"Data quality of {report.symbol} {report.timeframe} ({report.calendar})")
    summary.add_column("Check")
    summary.add_column("Found")
    summary.add_row("Bars", f"{report.bars:,} ({_time(report.first)} to {_time(report.last)})")
    summary.add_row("Gaps", f"{len(report.gaps)} (about {report.missing_bars} missing bars)")
    summary.add_row("Duplicates", str(len(report.duplicates)))
    summary.add_row("Off-session bars", str(len(report.off_session)))
    summary.add_row("Outliers", f"{len(report.outliers)} (beyond {report.outlier_threshold:.0%})")
    volume = "no volume in this series" if report.no_volume else str(len(report.zero_volume_runs))
    summary.add_row("Zero-volume runs", volume)
    summary.add_row("Stale-price runs", str(len(report.stale_runs)))
    age = "-" if report.last_bar_age is None else str(report.last_bar_age).split(".")[0]
    summary.add_row("Feed age", f"{age}{' (stale)' if report.feed_stale else ''}")
    tables = [summary]
    details = Table(title=f"Findings (first {SHOWN_FINDINGS} of each kind)")
    details.add_column("Kind")
    details.add_column("When")
    details.add_column("Detail")
    for gap in report.gaps[:SHOWN_FINDINGS]:
        details.add_row("gap", f"{_time(gap.start)} to {_time(gap.end)}", f"{gap.missing} bars")
    for duplicate in report.duplicates[:SHOWN_FINDINGS]:
        details.add_row("duplicate", _time(duplicate.ts), f"{duplicate.count} bars")
    for outlier in report.outliers[:SHOWN_FINDINGS]:
        detail = f"{outlier.previous_close:g} -> {outlier.close:g} ({outlier.simple_return:+.1%})"
        details.add_row("outlier", _time(outlier.ts), detail)
    for kind, runs in (("zero volume", report.zero_volume_runs), ("stale", report.stale_runs)):
        for run in runs[:SHOWN_FINDINGS]:
            details.add_row(kind, f"{_time(run.start)} to {_time(run.end)}", f"{run.length} bars")
    if details.row_count:
        tables.append(details)
    return tables


# --------------------------------------------------------------------------------- backfill


@contextmanager
def backfill_progress(console: Console | None) -> Iterator[BackfillProgress | None]:
    """A progress callback drawing one step per chunk on ``console``, or None without one."""
    if console is None:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("backfill", total=None)

        def update(chunk: ChunkReport, done: int, total: int) -> None:
            description = f"{_time(chunk.start)[:7]} {chunk.status}"
            progress.update(task, completed=done, total=total, description=description)

        yield update


def backfill_table(report: BackfillReport) -> Table:
    title = (
        f"Backfill {report.symbol} {report.timeframe} {_time(report.start)} to "
        f"{_time(report.end)}: {report.fetched} fetched, {report.skipped} already stored, "
        f"{report.stale} stale, {report.failed} failed, {report.rows:,} bars written"
    )
    table = Table(title=title)
    for heading in ("Chunk from", "To", "Status", "Provider"):
        table.add_column(heading)
    table.add_column("Rows", justify="right")
    table.add_column("Note")
    for chunk in report.chunks:
        table.add_row(
            _time(chunk.start),
            _time(chunk.end),
            chunk.status,
            chunk.provider or "-",
            f"{chunk.rows:,}",
            chunk.reason,
        )
    return table
