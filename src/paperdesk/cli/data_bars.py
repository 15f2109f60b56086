"""What ``paperdesk data import|list|check|backfill`` show: Rich tables, the rejection report
of a CSV import, the backfill progress bar, and the parsing of their date options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from paperdesk.cli.fit import Column, fitted, number, text
from paperdesk.cli.money import duration
from paperdesk.domain.fields import as_option
from paperdesk.domain.parsing import invalid

if TYPE_CHECKING:  # only named in annotations: the help of `data` commands stays light
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


def _through(end: datetime) -> str:
    """An exclusive end as people read a range: a midnight end is the day before it, the last
    whole day inside (``--to 2024-06-30`` ends at 2024-07-01 00:00 and reads ``2024-06-30``);
    any other end (a time, or now when the range reaches it) is that moment."""
    moment = end.astimezone(UTC)
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        return (moment - timedelta(days=1)).strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


# ----------------------------------------------------------------------------------- import


def import_table(report: ImportReport, width: int | None = 80) -> Table:
    rows = [
        ("Rows read", f"{report.rows_read:,}"),
        ("Rows written", f"{report.rows_written:,}"),
        ("Range", f"{_time(report.first)} to {_time(report.last)} (UTC)"),
        ("Layout", report.layout),
        ("Source", report.source),
        ("Parquet cache", "written" if report.cached else "-"),
        *(("Note", note) for note in report.notes),
    ]
    title = f"Imported {report.path.name} as {report.symbol} {report.timeframe}"
    return fitted(title, (Column("Field"), text("Value")), rows, width)


def rejection_lines(error: CsvImportError) -> list[str]:
    """The rejection report: a summary line, then the first problems with their line numbers."""
    plural = "s" if error.total != 1 else ""
    lines = [f"error: {error.label}: rejected, nothing imported: {error.total} problem{plural}"]
    for problem in error.problems[:SHOWN_PROBLEMS]:
        where = f"line {problem.line} {problem.column}".rstrip()  # a whole-line problem: no column
        lines.append(f"  {where}: {problem.reason_in(as_option)}")
    if error.total > SHOWN_PROBLEMS:
        lines.append(f"  ... and {error.total - SHOWN_PROBLEMS} more")
    if error.stopped is not None:
        lines.append(f"  {error.stopped}")
    return lines


def rejection_document(error: CsvImportError) -> dict[str, object]:
    return {
        "imported": False,
        "file": error.label,
        "total": error.total,
        "problems": [
            {"line": p.line, "column": p.column, "reason": p.reason_in(as_option)}
            for p in error.problems
        ],
        "stopped": error.stopped,
    }


# ------------------------------------------------------------------------------------- list


def series_table(series: list[SeriesInfo], width: int | None = 80) -> Table:
    columns = (
        Column("Symbol"),
        Column("Timeframe"),
        Column("First"),
        Column("Last"),
        number("Rows"),
        text("Where"),
    )
    rows = [
        (
            info.symbol,
            info.timeframe,
            _time(info.first),
            _time(info.last),
            f"{info.rows:,}",
            info.where,
        )
        for info in series
    ]
    title = "Market data series (stored in the database, then bundled samples)"
    return fitted(title, columns, rows, width)


# ------------------------------------------------------------------------------------ check


def quality_tables(report: QualityReport, width: int | None = 80) -> list[Table]:
    volume = "no volume in this series" if report.no_volume else str(len(report.zero_volume_runs))
    age = duration(report.last_bar_age)
    rows = [
        ("Bars", f"{report.bars:,} ({_time(report.first)} to {_time(report.last)})"),
        ("Gaps", f"{len(report.gaps)} (about {report.missing_bars} missing bars)"),
        ("Duplicates", str(len(report.duplicates))),
        ("Off-session bars", str(len(report.off_session))),
        ("Outliers", f"{len(report.outliers)} (beyond {report.outlier_threshold:.0%})"),
        ("Zero-volume runs", volume),
        ("Stale-price runs", str(len(report.stale_runs))),
        _age_row(report, age),
    ]
    title = f"Data quality of {report.symbol} {report.timeframe} ({report.calendar})"
    tables = [fitted(title, (Column("Check"), text("Found")), rows, width)]
    findings: list[tuple[str, str, str]] = []
    for gap in report.gaps[:SHOWN_FINDINGS]:
        findings.append(("gap", f"{_time(gap.start)} to {_time(gap.end)}", f"{gap.missing} bars"))
    for duplicate in report.duplicates[:SHOWN_FINDINGS]:
        findings.append(("duplicate", _time(duplicate.ts), f"{duplicate.count} bars"))
    for outlier in report.outliers[:SHOWN_FINDINGS]:
        detail = f"{outlier.previous_close:g} -> {outlier.close:g} ({outlier.simple_return:+.1%})"
        findings.append(("outlier", _time(outlier.ts), detail))
    for kind, runs in (("zero volume", report.zero_volume_runs), ("stale", report.stale_runs)):
        for run in runs[:SHOWN_FINDINGS]:
            when = f"{_time(run.start)} to {_time(run.end)}"
            findings.append((kind, when, f"{run.length} bars"))
    if findings:
        title = f"Findings (first {SHOWN_FINDINGS} of each kind)"
        columns = (Column("Kind"), Column("When"), text("Detail"))
        tables.append(fitted(title, columns, findings, width))
    return tables


def _age_row(report: QualityReport, age: str) -> tuple[str, str]:
    """How old the last bar is: a live portfolio's feed is stale or not; history just ends."""
    if report.history:
        series = f"{report.symbol} {report.timeframe}"
        return (
            "Ends",
            f"{_time(report.last_close)} UTC, {age} ago (history: no live portfolio trades "
            f"{series}, so its age is no staleness)",
        )
    live = ", ".join(map(str, report.live_portfolios or ()))
    notes = (["stale"] if report.feed_stale else []) + ([f"live portfolio {live}"] if live else [])
    return ("Feed age", f"{age} ({'; '.join(notes)})" if notes else age)


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


def backfill_table(report: BackfillReport, width: int | None = 80) -> Table:
    title = (
        f"Backfill {report.symbol} {report.timeframe} {_time(report.start)} to "
        f"{_through(report.end)}: {report.fetched} fetched, {report.skipped} already stored, "
        f"{report.stale} stale, {report.failed} failed, {report.rows:,} bars written"
    )
    columns = (
        Column("Chunk from"),
        Column("To"),
        Column("Status"),
        Column("Provider"),
        number("Rows"),
        text("Note"),
    )
    rows = [
        (
            _time(chunk.start),
            _through(chunk.end),
            chunk.status,
            chunk.provider or "-",
            f"{chunk.rows:,}",
            chunk.reason,
        )
        for chunk in report.chunks
    ]
    return fitted(title, columns, rows, width)
