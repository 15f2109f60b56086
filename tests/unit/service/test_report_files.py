"""Writing the report file: each write replaces the whole file in one rename (a reader never
sees half a page, no temporary file is left), the repeating writer stops when asked, a path
that is a directory is refused, and a failed first write is said at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from paperdesk.domain import OptionError
from paperdesk.service.report_files import ReportWriter, check_report_path, write_atomically

OLD = "<!doctype html>" + "a" * 2_000_000 + "</html>\n"
NEW = "<!doctype html>" + "b" * 3_000_000 + "</html>\n"


def test_a_reader_sees_the_old_page_or_the_new_one_never_a_mix(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_atomically(target, OLD)
    seen: set[str] = set()
    done = threading.Event()

    def read_continuously() -> None:
        while not done.is_set():
            text = target.read_text(encoding="utf-8")
            seen.add("old" if text == OLD else "new" if text == NEW else "torn")

    reader = threading.Thread(target=read_continuously)
    reader.start()
    pages = iter([NEW, OLD] * 10)
    writer = ReportWriter(lambda: write_atomically(target, next(pages)), 0.0)
    try:
        assert writer.run(rounds=20) == 20
    finally:
        done.set()
        reader.join()
    assert "torn" not in seen
    assert target.read_text(encoding="utf-8") == OLD  # the last of the 20 writes
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


def test_the_writer_rewrites_until_it_is_stopped(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    written: list[int] = []

    def write() -> None:
        write_atomically(target, f"<p>{len(written) + 1}</p>")

    def after(count: int) -> None:
        written.append(count)
        if count == 3:
            writer.stop()  # as Ctrl-C does, between two writes

    writer = ReportWriter(write, 0.01, on_write=after)
    assert writer.run() == 3
    assert writer.stopped
    assert written == [1, 2, 3]
    assert target.read_text() == "<p>3</p>"


def test_a_failed_first_write_raises_and_a_later_one_is_reported(tmp_path: Path) -> None:
    def broken() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        ReportWriter(broken, 0.0).run(rounds=3)

    outcomes = iter([None, OSError("disk full"), None])
    errors: list[str] = []

    def sometimes() -> None:
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome

    writer = ReportWriter(sometimes, 0.0, on_error=lambda e: errors.append(str(e)))
    assert writer.run(rounds=3) == 2
    assert (writer.failures, errors) == (1, ["disk full"])


def test_a_directory_or_a_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="is a directory"):
        check_report_path(tmp_path)
    with pytest.raises(OptionError, match="not found"):
        check_report_path(tmp_path / "missing" / "report.html")
    assert check_report_path(tmp_path / "report.html") == tmp_path / "report.html"
    assert list(tmp_path.iterdir()) == []
