"""``paperdesk signals --json`` gives a signal the keys ``GET /portfolios/{id}/signals`` gives
it (``ts``, ``decision``, ``decision_reason``, ``entry``, ``reward_to_risk``) with the same
values and words, beside its own (``candle_at``, ``status``, ``rejection``), which stay: one
portfolio's signals read through both doors (the API's scenario, so it lives with the API's
tests)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from api_fixtures import Harness, api
from portfolio_scenario import traded_portfolio
from typer.testing import CliRunner

from paperdesk.cli import app

__all__ = ["api"]

SAME = ("id", "strategy", "symbol", "direction", "confidence", "stop", "target", "reason")
API_KEYS = ("entry", "reward_to_risk", "decision", "decision_reason")


def test_the_cli_and_the_api_read_one_portfolios_signals_with_the_same_keys(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    portfolio = traded_portfolio(api)  # a long, a short, then a long the router rejects
    answer = api.get(f"/portfolios/{portfolio}/signals", api.reader)
    assert answer.status_code == 200, answer.text
    through_the_api = answer.json()["items"]
    monkeypatch.setenv("DATABASE_URL", api.url)
    result = CliRunner().invoke(app, ["signals", str(portfolio), "--json"])
    assert result.exit_code == 0, (result.stdout, result.stderr)
    cli = json.loads(result.stdout)["signals"]
    assert [s["decision"] for s in through_the_api] == ["accepted", "accepted", "rejected"]
    assert len(cli) == len(through_the_api)
    for mine, theirs in zip(cli, through_the_api, strict=True):
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
