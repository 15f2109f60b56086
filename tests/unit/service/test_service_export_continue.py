"""Export, import, continue: a copy carried elsewhere (with the data file its settings name)
trades the later bars exactly as the original does, after the original's files are gone."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.domain import DataError
from paperdesk.live import TickStatus
from paperdesk.service import imports
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

LATER_BARS = 60


def _write_waves(path: Path, days: int) -> None:
    """Daily bars rising and falling in waves, so that sma-cross trades both ways."""
    lines = ["date,open,high,low,close,volume"]
    price = Decimal("50")
    start = date(2023, 1, 2).toordinal()
    for day in range(days):
        when = date.fromordinal(start + day)
        if when.weekday() >= 5:
            continue
        price += Decimal("0.5") if (day // 7) % 2 == 0 else Decimal("-0.4")
        lines.append(f"{when},{price},{price + 1},{price - 1},{price + Decimal('0.2')},1000")
    path.write_text("\n".join(lines) + "\n")


def _later(service: PortfolioService, pid: int) -> None:
    for _ in range(LATER_BARS):
        (tick,) = service.tick(pid, "ACME")
        assert tick.status is TickStatus.PROCESSED, tick


def _signals_after(service: PortfolioService, pid: int, bar: datetime) -> list[tuple[object, ...]]:
    return sorted(
        (s.ts_bar, s.strategy, s.direction, s.status, s.rejection, s.stop, s.target)
        for s in service.signals(pid)
        if s.ts_bar > bar
    )


def test_an_imported_copy_continues_exactly_like_the_original(
    database: Database, tmp_path: Path
) -> None:
    machine = tmp_path / "first-machine"
    machine.mkdir()
    _write_waves(machine / "acme.csv", 260)
    settings = RunConfig(
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 8}),),
        symbols=("ACME",),
        source=SourceConfig(
            "replay", files={"ACME": str(machine / "acme.csv")}, replay_from=date(2023, 2, 1)
        ),
        execution=ExecutionConfig(commission="percent:0.1"),
    )
    service = PortfolioService(database)
    original = service.create_portfolio("original", Decimal("10000"), settings=settings)
    exported_bar = [service.tick(original, "ACME") for _ in range(30)][-1][0].ts_bar
    assert exported_bar is not None
    assert service.fills(original), "the waves make sma-cross trade before the export"
    export_portfolio(database, original, tmp_path / "export")
    carried = tmp_path / "carried"
    (tmp_path / "export").rename(carried)  # the folder is taken to another machine
    copy = import_portfolio(
        database, carried, name="copy", attachments_home=tmp_path / "home" / "imports"
    ).portfolio_id
    exported_fills = len(service.fills(original))

    _later(service, original)
    shutil.rmtree(machine)  # the original's data file and the carried export are gone
    shutil.rmtree(carried)
    _later(service, copy)

    later_fills = service.fills(original)
    assert len(later_fills) > exported_fills, "the original trades after the export too"
    assert service.fills(copy) == later_fills
    later_signals = _signals_after(service, original, exported_bar)
    assert later_signals, "the original signals after the export"
    assert _signals_after(service, copy, exported_bar) == later_signals
    assert service.show(copy).summary.cash == service.show(original).summary.cash
    assert service.show(copy).positions == service.show(original).positions


def test_a_data_file_changed_during_the_import_is_refused(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_waves(tmp_path / "acme.csv", 120)
    settings = RunConfig(
        symbols=("ACME",),
        source=SourceConfig("replay", files={"ACME": str(tmp_path / "acme.csv")}),
    )
    service = PortfolioService(database)
    pid = service.create_portfolio("original", Decimal("10000"), settings=settings)
    export_portfolio(database, pid, tmp_path / "export")
    real_check = imports.check_run

    def check_then_tamper(config: RunConfig) -> None:  # after the manifest was verified
        real_check(config)
        (tmp_path / "export" / "data" / "ACME.csv").write_text("swapped\n")

    monkeypatch.setattr(imports, "check_run", check_then_tamper)
    with pytest.raises(DataError, match=r"^data/ACME.csv changed while it was being imported$"):
        import_portfolio(database, tmp_path / "export", attachments_home=tmp_path / "imports")
    assert [p.id for p in service.list_portfolios()] == [pid]
    assert list((tmp_path / "imports").iterdir()) == []
