"""Fixtures for CLI tests: the fake engine (``backtest_fakes``), data files and a home."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from backtest_fakes import FakeEngine
from paperdesk.service import backtests


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()
    monkeypatch.setattr(backtests, "run_backtest", fake)
    return fake


@pytest.fixture
def prices_csv(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An existing (content-free) data file: the fake engine never reads it."""
    path = tmp_path_factory.mktemp("data") / "prices.csv"
    path.write_text("ts,open,high,low,close,volume\n")
    return str(path)


@pytest.fixture
def paper_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PAPERDESK_HOME (its SQLite ledger) and no DATABASE_URL."""
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port on 127.0.0.1 another socket listens on (serve's and the worker's refusals)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])
