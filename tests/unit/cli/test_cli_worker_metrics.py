"""``paperdesk worker --metrics-port``: the worker, which commits most ticks, orders and fills,
serves its own Prometheus metrics; a scrape after a round shows the tick it committed."""

from __future__ import annotations

import signal
import socket
from pathlib import Path

import httpx
import pytest
from paper_cli_helpers import create_replay, ok
from prometheus_client.parser import text_string_to_metric_families

from paperdesk.service.worker import Worker


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ticks_scraped(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return next(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "paperdesk_ticks_total"
    )


def test_the_worker_serves_the_ticks_it_committed(monkeypatch: pytest.MonkeyPatch) -> None:
    create_replay()
    port = free_port()
    scraped: list[float] = []
    real_round = Worker.run_round

    def round_then_scrape(self: Worker) -> object:
        scraped.append(ticks_scraped(port))  # before the round
        report = real_round(self)
        scraped.append(ticks_scraped(port))  # after it
        signal.raise_signal(signal.SIGTERM)  # stop between rounds
        return report

    monkeypatch.setattr(Worker, "run_round", round_then_scrape)
    result = ok("worker", "--interval", "1h", "--metrics-port", str(port))
    assert f"metrics on http://127.0.0.1:{port}/metrics" in result.stderr
    assert "1 bar(s)" in result.stdout
    before, after = scraped
    assert after - before == 1  # the one bar this round ticked
