"""Writing the report to a file, once or again every interval (seed 002's model: a file
regenerated on disk and served by a plain web server, the page reloading itself).

Each write is atomic: the page goes to a temporary file in the target's directory, is flushed
to disk, then renamed over the target, so a web server or a browser reading the file sees the
old page or the new one, never half of one.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.domain import OptionError
from paperdesk.service.report import Document, portfolio_report
from paperdesk.service.report_html import render_report

if TYPE_CHECKING:
    from paperdesk.service.portfolios import PortfolioService

log = logging.getLogger(__name__)


def check_report_path(path: Path, option: str = "--html") -> Path:
    """``path`` if a report may be written there: not a directory, in an existing directory."""
    target = path.expanduser()
    if target.is_dir():
        raise OptionError(f"invalid value for {option}: {str(path)!r} is a directory (give a file)")
    if not target.parent.is_dir():
        raise OptionError(
            f"invalid value for {option}: {str(path)!r} (directory {str(path.parent)!r} not found)"
        )
    return target


def write_atomically(path: Path, content: str) -> None:
    """Replace ``path`` with ``content`` in one rename (a temporary file in its directory)."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)  # readable by a web server, as an ordinary file would be
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(service: PortfolioService, portfolio_id: int, html: Path) -> Document:
    """Build the report of ``portfolio_id``, write its page to ``html`` (atomically) and
    return the document (what ``--json`` prints)."""
    document = portfolio_report(service, portfolio_id)
    write_atomically(html, render_report(document))
    return document


class ReportWriter:
    """Writes the report every ``interval`` seconds until ``stop()`` (Ctrl-C, SIGTERM) or
    ``rounds`` writes. The first write happens at once; a failed write after the first is
    reported through ``on_error`` and the next one tried at its time (a database that is
    briefly away must not end a monitor); a failed FIRST write raises, so a wrong id or path
    is said at once."""

    def __init__(
        self,
        write: Callable[[], None],
        interval: float,
        *,
        on_write: Callable[[int], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._write = write
        self._interval = interval
        self._on_write = on_write
        self._on_error = on_error
        self._stopped = threading.Event()
        self.writes = 0
        self.failures = 0

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        self._stopped.set()

    def run(self, rounds: int | None = None) -> int:
        """Write until stopped (or ``rounds`` attempts); the number of writes made."""
        attempts = 0
        while not self.stopped:
            attempts += 1
            try:
                self._write()
            except Exception as error:
                if self.writes == 0 and self.failures == 0:
                    raise
                self.failures += 1
                log.warning("report not written: %s", error)
                if self._on_error is not None:
                    self._on_error(error)
            else:
                self.writes += 1
                if self._on_write is not None:
                    self._on_write(self.writes)
            if rounds is not None and attempts >= rounds:
                break
            self._stopped.wait(self._interval)
        return self.writes


__all__ = [
    "ReportWriter",
    "check_report_path",
    "write_atomically",
    "write_report",
]
