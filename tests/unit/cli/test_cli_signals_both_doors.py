"""``paperdesk signals --json`` gives a signal the keys ``GET /portfolios/{id}/signals`` gives
it (``ts``, ``decision``, ``decision_reason``, ``entry``, ``reward_to_risk``) with the same
values and words, beside its own (``candle_at``, ``status``, ``rejection``), which stay: one
portfolio's signals read through both doors."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from paperdesk.api import create_app
from paperdesk.cli import app
from paperdesk.service import Services
from paperdesk.store import Database

MACD = {  # a long, a short, then a long of confidence 0.52 the router rejects (2020-01-08)
    "name": "macd desk",
    "cash": "10000",
    "symbols": ["SPY"],
    "strategies": ["macd-cross"],
    "params": ["fast=3", "slow=6", "signal=2", "stop_atr=2", "target_atr=3"],
    "settings": {"source": "replay", "replay_from": "2020-01-02", "min_confidence": "0.6"},
}
SAME = ("id", "strategy", "symbol", "direction", "confidence", "stop", "target", "reason")
API_KEYS = ("entry", "reward_to_risk", "decision", "decision_reason")


def _through_the_api(database: Database) -> tuple[int, list[dict[str, Any]]]:
    services = Services(database=database)
    token = services.api_keys.create("trader", "trade").token
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(services)) as client:
        created = client.post("/api/v1/portfolios", json=MACD, headers=headers)
        assert created.status_code == 201, created.text
        portfolio = int(created.json()["summary"]["id"])
        for _ in range(6):
            services.portfolios.tick(portfolio, "SPY")
        answer = client.get(f"/api/v1/portfolios/{portfolio}/signals", headers=headers)
        assert answer.status_code == 200, answer.text
        return portfolio, answer.json()["items"]


def test_the_cli_and_the_api_read_one_portfolios_signals_with_the_same_keys(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio, api = _through_the_api(database)
    monkeypatch.setenv("DATABASE_URL", database.url)
    result = CliRunner().invoke(app, ["signals", str(portfolio), "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    cli = json.loads(result.stdout)["signals"]
    assert [s["decision"] for s in api] == ["accepted", "accepted", "rejected"]
    assert len(cli) == len(api)
    for mine, theirs in zip(cli, api, strict=True):
        for key in (*SAME, *API_KEYS):
            assert mine[key] == theirs[key], key
        # the same bar, each door's time text (the CLI's +00:00, the API's Z)
        assert datetime.fromisoformat(mine["ts"]) == datetime.fromisoformat(theirs["ts"])
        # the CLI's own keys stay, with the same things
        assert (mine["candle_at"], mine["status"]) == (mine["ts"], theirs["decision"])
        assert mine["rejection"] == theirs["decision_reason"]
    assert "below the minimum 0.60" in cli[2]["decision_reason"]
    assert cli[0]["entry"] is not None  # the bar's close: the values compared are not all null
    assert cli[0]["reward_to_risk"] is not None
