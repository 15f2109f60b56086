"""Request and response models of the walk-forward endpoints (docs/api-plans.md): the options
of ``paperdesk walkforward`` as a JSON body, the daily plans inline as the files' text, and the
run's state and evidence."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from paperdesk.api.plan_schemas import (
    MAX_PLAN_CHARACTERS,
    JobError,
    JobProgress,
    SpreadPips,
    ZeroOrMore,
)
from paperdesk.api.schemas import Amount, Strict
from paperdesk.service.plans import EntryType, ExecutionMode
from paperdesk.service.walk_forward_runs import WalkForwardRunView

PLAN_NAME = r"^\d{4}-\d{2}-\d{2}\.(csv|json)$"
NAME = r"^[A-Za-z0-9_.-]{1,64}$"
PARAMETER_VALUE = r"^[^,\s][^,]{0,99}$"  # one value: a comma separates values
MONTH = r"^\d{4}-\d{2}$"
# The market calendar's range at most: a date beyond it cannot be a session.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2099, 12, 31)


class DayPlanIn(Strict):
    name: str = Field(
        pattern=PLAN_NAME,
        description="the daily plan's file name: its trading day, YYYY-MM-DD.csv or .json",
    )
    plan: str = Field(
        max_length=MAX_PLAN_CHARACTERS,
        description="the file's text: CSV with a header, or a JSON list of objects",
    )


class WalkForwardIn(Strict):
    """``paperdesk walkforward``'s options; the server chooses the evidence folder."""

    plans: list[DayPlanIn] | None = Field(
        None, max_length=65, description="the daily plans (instead of `strategy`)"
    )
    strategy: str | None = Field(
        None, pattern=NAME, description="a registered strategy making each day's plan"
    )
    params: dict[str, str] = Field(
        default_factory=dict, max_length=50, description="the strategy's parameters"
    )
    symbols: list[str] = Field(
        default_factory=lambda: ["SPY", "AAPL"],
        min_length=1,
        max_length=20,
        description="the symbols the strategy plans",
    )
    fit_window: int | None = Field(
        None, ge=1, le=1000, description="re-fit on this many calendar days before each block"
    )
    fit_params: dict[str, list[str]] = Field(
        default_factory=dict, max_length=10, description="each parameter's candidates"
    )
    refit_every: int = Field(5, ge=1, le=250, description="trading days per out-of-sample block")
    month: str | None = Field(None, pattern=MONTH, description="the period: one month, YYYY-MM")
    start: date | None = Field(None, description="the period's first date (with `end`)")
    end: date | None = Field(None, description="the period's last date (with `start`)")
    mode: ExecutionMode | None = Field(None, description="the filter; intraday closes at EOD")
    capital: Amount = Field(Decimal(100_000), description="the starting capital")
    exposure_cap: Amount = Field(Decimal("0.8"), description="share of the equity committed")
    timeframe: str = Field("1h", min_length=1, max_length=16, description="candles simulated")
    resolve_with: str | None = Field(
        "1m", min_length=1, max_length=16, description="finer bars; null for none"
    )
    entry: EntryType = EntryType.LIMIT
    max_hold_days: Amount | None = Field(None, description="timeout in days (default 3)")
    slippage_bps: ZeroOrMore = Decimal(5)
    commission: str = Field("none", min_length=1, max_length=100)
    spread_pips: SpreadPips = None
    skip_bad_rows: bool = False
    stop_loss_priority: bool = Field(
        True, description="same-candle exits at the stop (true) or the target (false)"
    )
    eod_close: bool = Field(True, description="intraday mode closes trades at the session's end")

    @model_validator(mode="after")
    def _one_source_one_period(self) -> Self:
        if (self.plans is None) == (self.strategy is None):
            raise ValueError("give either plans (the daily plan files) or strategy (one of them)")
        if self.plans is not None and not self.plans:
            raise ValueError("plans: give at least one daily plan file")
        if self.month is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either month or start and end, not both")
        if self.month is None and (self.start is None or self.end is None):
            raise ValueError("give the period: month (YYYY-MM), or start and end")
        for name, day in (("start", self.start), ("end", self.end)):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise ValueError(f"{name}: a date from {FIRST_DAY} to {LAST_DAY}")
        if self.month is not None and not "1970" <= self.month[:4] <= "2099":
            raise ValueError("month: a month from 1970-01 to 2099-12")
        if (self.fit_window is None) != (not self.fit_params):
            raise ValueError("re-fitting needs both fit_window (days) and fit_params")
        for key, values in self.fit_params.items():
            if not re.fullmatch(NAME, key) or not values or len(values) > 20:
                raise ValueError(f"fit_params.{key[:64]}: 1 to 20 candidate values")
            if not all(re.fullmatch(PARAMETER_VALUE, value) for value in values):
                raise ValueError(f"fit_params.{key[:64]}: a value is empty or holds a comma")
        for key, value in self.params.items():
            if not re.fullmatch(NAME, key) or len(value) > 100:
                raise ValueError(f"params.{key[:64]}: a parameter name and a value of at most 100")
        for symbol in self.symbols:
            if not re.fullmatch(r"^[A-Za-z0-9._/-]{1,32}$", symbol):
                raise ValueError(f"symbols: '{symbol[:40]}' is not a symbol")
        return self


class WalkForwardStartedOut(BaseModel):
    run_id: str
    job_id: str
    state: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgress = Field(description="trading days done of the period's total")
    created: datetime


class TradesPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]] = Field(description="all_trades.csv's rows, as its text")


class WalkForwardOut(BaseModel):
    run_id: str
    state: Literal["queued", "running", "succeeded", "failed", "stopped"] = Field(
        description="stopped: the process that ran it ended before it finished (start it again)"
    )
    progress: JobProgress = Field(description="trading days done of the period's total")
    inputs: dict[str, Any] = Field(description="the run's inputs, as its manifest records them")
    created: datetime
    started: datetime | None
    finished: datetime | None
    error: JobError | None = Field(None, description="once failed: why")
    evidence: dict[str, Any] | None = Field(
        None,
        description="once succeeded: summary, daily equity with drawdown, monthly table, "
        "outcome counts",
    )
    trades: TradesPage | None = Field(None, description="once succeeded: a page of the trades")

    @classmethod
    def of(
        cls,
        view: WalkForwardRunView,
        error: JobError | None = None,
        evidence: dict[str, Any] | None = None,
        trades: TradesPage | None = None,
    ) -> WalkForwardOut:
        return cls(
            run_id=view.run_id,
            state=view.state,  # type: ignore[arg-type]
            progress=JobProgress(done=view.done, total=view.total),
            inputs=view.inputs,
            created=view.created,
            started=view.started,
            finished=view.finished,
            error=error,
            evidence=evidence,
            trades=trades,
        )


class WalkForwardListOut(BaseModel):
    runs: list[WalkForwardOut] = Field(description="the key's runs, newest first (no evidence)")
