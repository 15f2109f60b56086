"""The ports an operator gives ``serve`` and ``worker --metrics-port``: a busy or unusable one is
one ``error:`` line naming it, the ledger untouched (``serve --port 0``: test_cli_serve.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_cli_helpers import fails


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return tmp_path


def test_serve_names_a_busy_port_before_it_opens_the_ledger(busy_port: int, home: Path) -> None:
    line = fails("serve", "--port", str(busy_port), code=1)
    assert line.startswith(f"error: port {busy_port} on 127.0.0.1 is already in use")
    assert list(home.iterdir()) == []  # no ledger made or migrated


def test_serve_names_an_address_it_cannot_listen_on(home: Path) -> None:
    line = fails("serve", "--host", "192.0.2.1", "--port", "8000", code=1)  # TEST-NET-1
    assert line.startswith("error: cannot listen on 192.0.2.1:8000: ")
    assert line.endswith("check --host and --port")
    assert list(home.iterdir()) == []


def test_the_worker_names_a_busy_metrics_port(busy_port: int) -> None:
    line = fails("worker", "--once", "--metrics-port", str(busy_port), code=2)
    assert line.startswith(
        f"error: --metrics-port {busy_port}: cannot listen on 127.0.0.1:{busy_port}: "
    )
