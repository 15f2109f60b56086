"""``POST /walkforwards`` takes ``spread_pips`` as ``paperdesk walkforward --spread-pips`` does
(a forex pair's market entry at the ask), records it with the run's inputs, refuses a bad one
naming the field and no CLI flag, and starts nothing then."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from api_fixtures import Harness, api

from paperdesk.service.walk_forward_runs import runs_root

__all__ = ["api"]

WAIT = 300  # seconds: a bound on waiting for a job, never an assertion about speed
HEADER = "ticker,side,qty,entry_price,take_profit,stop_loss,strength,etth_days\n"
# entered at the NYSE close before 2018-03-01, when the bundled EURUSD hour opens at 1.220005
EURUSD = HEADER + "EURUSD,buy,50000,1.2300,1.2400,1.2200,0.6,1\n"
SPY = HEADER + "SPY,buy,10,270,280,260,0.6,1\n"


@pytest.fixture(autouse=True)
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))


def body(plan: str = EURUSD, **options: Any) -> dict[str, Any]:
    return {
        "plans": [{"name": "2018-03-01.csv", "plan": plan}],
        "start": "2018-03-01",
        "end": "2018-03-01",
        "entry": "market",
        "resolve_with": None,
        "slippage_bps": "0",
        **options,
    }


def run_of(api: Harness, document: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/walkforwards", document)
    assert response.status_code == 202, response.text
    answer = response.json()
    assert api.services.jobs.wait(answer["job_id"], WAIT)
    run: dict[str, Any] = api.get(f"/walkforwards/{answer['run_id']}", token=api.trader).json()
    assert run["state"] == "succeeded", run
    return run


def test_a_spread_moves_a_forex_market_entry_to_the_ask(api: Harness) -> None:
    plain = run_of(api, body())
    spread = run_of(api, body(spread_pips="1"))
    assert (plain["inputs"]["spread_pips"], spread["inputs"]["spread_pips"]) == (None, "1")
    [without] = plain["trades"]["items"]
    [within] = spread["trades"]["items"]
    assert Decimal(without["entry_price"]) == Decimal("1.220005")  # the hour's open
    assert Decimal(within["entry_price"]) == Decimal("1.22006")  # + half a pip, up to the tick


def _runs(api: Harness) -> list[Path]:
    root = runs_root(api.services.settings.home, api.services.database.url)
    return sorted(root.iterdir()) if root.is_dir() else []


@pytest.mark.parametrize(
    ("plan", "value", "said"),
    [
        (EURUSD, "0", "invalid value for spread_pips: '0' (expected a number greater than 0)"),
        (EURUSD, "-2", "invalid value for spread_pips: '-2' (expected a number greater than 0)"),
        (SPY, "1", "spread_pips applies to forex pairs; SPY is equity (use slippage_bps)"),
    ],
)
def test_a_bad_spread_is_422_naming_the_field_and_starts_nothing(
    api: Harness, plan: str, value: str, said: str
) -> None:
    response = api.post("/walkforwards", body(plan, spread_pips=value))
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert said in message
    assert "--" not in message
    assert _runs(api) == []
    assert api.get("/walkforwards", token=api.trader).json() == {"runs": []}
