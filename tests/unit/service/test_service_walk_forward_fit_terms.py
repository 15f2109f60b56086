"""A walk-forward's re-fit backtests each candidate on the out-of-sample days' terms, one run
description (``WalkForwardRequest.fit_run``): the costs, and also the sizing (the share of the
capital a plan row commits per symbol), the exposure cap, shorts and the holding time. Before,
every candidate was sized at 80% of the capital per symbol, long only, held without limit,
whatever the walk-forward's ``--exposure-cap``, mode or ``--max-hold-days``."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from daily_frames import daily_frame
from paperdesk.analysis.strategies.registry import create_vectorised_strategy
from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig, StrategySpec
from paperdesk.data.instruments import instrument_for
from paperdesk.domain.errors import OptionError
from paperdesk.engine.backtest import simulate
from paperdesk.plans import wf_fit
from paperdesk.plans.settings import ExecutionMode
from paperdesk.service import Services
from paperdesk.service.walk_forward import WalkForwardRequest
from paperdesk.settings import Settings
from paperdesk.store import Database

PARAMS = {"fast": "3", "slow": "8"}
WINDOW_DAYS = 150


@pytest.fixture
def services(database: Database, tmp_path: Path, clean_environment: pytest.MonkeyPatch) -> Services:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path / "home"))
    return Services(Settings(), database=database)


def _request(out: Path, **changes: Any) -> WalkForwardRequest:
    base = WalkForwardRequest(
        out=out,
        first=date(2021, 3, 1),
        last=date(2021, 3, 2),
        strategy="sma-cross",
        symbols=("SPY",),
        fit_window="180d",
        fit_params=(("fast", "3,5"), ("slow", "8,20")),
        slippage_bps=Decimal(0),
    )
    return replace(base, **changes)


def test_the_fit_scores_its_candidates_on_the_walk_forwards_sizing_and_risk(
    services: Services, tmp_path: Path
) -> None:
    def candidates(name: str, **changes: Any) -> dict[str, Decimal]:
        report = services.walk_forward.run(_request(tmp_path / name, **changes))
        (window,) = report.summary["fitted_parameters"]
        return {json.dumps(c["params"]): Decimal(c["pnl"]) for c in window["candidates"]}

    default = candidates("default")
    traded = [key for key, pnl in default.items() if pnl != 0]
    assert traded, default
    # a plan row commits the exposure cap's share of the capital: a lower cap, smaller trades
    smaller = candidates("cap", exposure_cap=Decimal("0.4"))
    assert all(abs(smaller[key]) < abs(default[key]) for key in traded)
    # the trades' timeout: a day's hold, or intraday mode's, ends positions sooner
    for name, changes in (
        ("hold", {"max_hold_days": Decimal(1)}),
        ("intraday", {"mode": ExecutionMode.INTRADAY}),
    ):
        shorter = candidates(name, **changes)
        assert any(shorter[key] != default[key] for key in traded), name


def _daily(symbol: str, count: int) -> pd.DataFrame:
    """Daily bars that fall, then rise, then fall: crosses both ways, so shorts matter."""
    rng = np.random.default_rng(5)
    drift = np.concatenate([np.full(60, -0.004), np.full(70, 0.004), np.full(count - 130, -0.003)])
    closes = np.round(400 * np.exp(np.cumsum(drift + rng.normal(0, 0.006, count))), 2)
    return daily_frame(symbol, closes, 0.003, 1_000_000.0)


def _backtest(history: pd.DataFrame, as_of: Any, config: RunConfig) -> Decimal:
    strategy = create_vectorised_strategy("sma-cross", PARAMS)
    start = as_of - pd.Timedelta(days=WINDOW_DAYS)
    bars = wf_fit._in_sample(history, start, as_of, strategy.warmup)
    result = simulate(bars, strategy, config, instrument_for("SPY"))
    return result.final_equity - config.cash


def test_a_candidate_scores_as_a_backtest_on_the_plan_rows_terms(tmp_path: Path) -> None:
    history = _daily("SPY", 200)
    as_of = history["ts_close"].iloc[-1].to_pydatetime()
    request = _request(
        tmp_path,
        symbols=("SPY", "AAPL"),
        capital=Decimal(50000),
        exposure_cap=Decimal("0.6"),
        commission="per-share:0.005:min=1",
        max_hold_days=Decimal("2.5"),
    )
    result = wf_fit.fit(
        "sma-cross", {}, [PARAMS], {"SPY": history}, as_of, WINDOW_DAYS, request.capital,
        run=request.fit_run(),
    )  # fmt: skip
    ((_, pnl),) = result.scores
    # the terms written out: 60% of the capital over two symbols a row, shorts (a sell row),
    # the 2.5-day timeout as 3 daily bars, the exposure cap, the walk-forward's costs
    terms = RunConfig(
        strategies=(StrategySpec("sma-cross", PARAMS),),
        symbols=("SPY",),
        cash=Decimal(50000),
        execution=ExecutionConfig(commission="per-share:0.005:min=1", slippage_bps=Decimal(0)),
        sizing=SizingConfig(percent=Decimal(30)),
        risk=RiskConfig(exposure_cap_percent=Decimal(60), allow_short=True, max_holding_bars=3),
    )
    assert Decimal(pnl) == _backtest(history, as_of, terms)
    # each term counts here: without it the candidate would have scored otherwise
    for changed in (
        {"sizing": SizingConfig()},
        {"risk": terms.risk.model_copy(update={"allow_short": False})},
        {"risk": terms.risk.model_copy(update={"max_holding_bars": None})},
    ):
        assert _backtest(history, as_of, terms.model_copy(update=changed)) != Decimal(pnl)


def test_evidence_fitted_on_the_costs_alone_is_not_resumed(
    services: Services, tmp_path: Path
) -> None:
    out = tmp_path / "evidence"
    request = _request(out)
    services.walk_forward.run(request)
    manifest = out / "manifest.json"
    written = json.loads(manifest.read_text(encoding="utf-8"))
    del written["fit_terms"]  # as the evidence of a run before the fits took sizing and risk
    manifest.write_text(json.dumps(written), encoding="utf-8")
    with pytest.raises(OptionError, match=r"other inputs \(changed: fit_terms\)"):
        services.walk_forward.run(request)
    # a run without re-fitting written then resumes as before
    plain = tmp_path / "plain"
    services.walk_forward.run(_request(plain, fit_window=None, fit_params=()))
    written = json.loads((plain / "manifest.json").read_text(encoding="utf-8"))
    del written["fit_terms"]
    (plain / "manifest.json").write_text(json.dumps(written), encoding="utf-8")
    report = services.walk_forward.run(_request(plain, fit_window=None, fit_params=()))
    assert report.resumed == ("2021-03-01", "2021-03-02")
