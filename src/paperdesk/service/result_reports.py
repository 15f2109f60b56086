"""Reports of a walk-forward or a backtest result (issue 13 item 7): one JSON-ready document
(``walk_forward_report``, ``backtest_report``; its shape in docs/report.md) and its page
(``render_result_report``), reached through ``Services.result_reports``.

The document's functions are pure: they read the evidence folder or the result and compute,
nothing else (no database, no clock, no network).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.service.result_parts import RESULT_REPORT_FORMAT, Document

if TYPE_CHECKING:
    from paperdesk.engine.result import BacktestResult


def walk_forward_report(folder: Path, title: str | None = None) -> Document:
    """The document of a walk-forward evidence folder (a bad or incomplete folder is an
    ``InvalidInputError`` naming the file)."""
    from paperdesk.service.result_walk_forward import walk_forward_report as build

    return build(folder, title)


def backtest_report(result: BacktestResult, title: str | None = None) -> Document:
    """The document of a backtest result."""
    from paperdesk.service.result_backtest import backtest_report as build

    return build(result, title)


def render_result_report(document: Document) -> str:
    """The self-contained HTML page of a result report document."""
    from paperdesk.service.result_html import render_result_report as render

    return render(document)


def write_result_report(document: Document, html: Path) -> None:
    """Write the page of ``document`` to ``html`` in one rename (``report_files``)."""
    from paperdesk.service.report_files import write_atomically

    write_atomically(html, render_result_report(document))


class ResultReportService:
    """The result reports as the CLI and the API reach them (``Services.result_reports``)."""

    def walk_forward(self, folder: Path, title: str | None = None) -> Document:
        return walk_forward_report(folder, title)

    def backtest(self, result: BacktestResult, title: str | None = None) -> Document:
        return backtest_report(result, title)

    def render(self, document: Document) -> str:
        return render_result_report(document)

    def write(self, document: Document, html: Path) -> None:
        write_result_report(document, html)


__all__ = [
    "RESULT_REPORT_FORMAT",
    "ResultReportService",
    "backtest_report",
    "render_result_report",
    "walk_forward_report",
    "write_result_report",
]
