"""Request and response models of the trade-plan and simulation endpoints (docs/api-plans.md).

A plan travels as the text of its file (CSV with a header, or a JSON list of objects) inside
a JSON body, so that a JSON number in a JSON plan keeps its exact digits (the plans reader
parses it as a Decimal; a pydantic model of the rows would see a float first). Money goes out
as decimal strings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core.core_schema import ValidationInfo

from paperdesk.api.schemas import Amount, ErrorOut, Money, Strict
from paperdesk.domain import parsing as values
from paperdesk.service.jobs import JobView
from paperdesk.service.plans import (
    EntryType,
    ExecutionMode,
    PlanExecution,
    PlanFilterResult,
    PlanText,
    Reconciliation,
    plan_row_document,
)

# The text of a plan in a request: a day's plan is kilobytes; 2 MB bounds a mistake.
MAX_PLAN_CHARACTERS = 2_000_000


def _zero_or_more(value: object, info: ValidationInfo) -> Decimal:
    label = info.field_name or "the amount"  # a query parameter has no field name here
    if isinstance(value, float):
        raise ValueError(f'send {label} as a decimal string such as "5" (exact), not a float')
    return values.decimal_value(value, label, allow_zero=True)


# An exact amount of 0 or more in a request (a decimal string or an integer).
ZeroOrMore = Annotated[Decimal, BeforeValidator(_zero_or_more, json_schema_input_type=str | int)]
# A forex spread, as ``--spread-pips`` of simulate, walkforward and the backtest.
SpreadPips = Annotated[
    Amount | None,
    Field(
        description="a forex spread in pips, as a backtest's: forex pairs' limits trade the ask "
        "or the bid, their market-like fills pay half of it instead of slippage_bps",
    ),
]


class PlanUpload(Strict):
    plan: str = Field(
        max_length=MAX_PLAN_CHARACTERS,
        description="the plan file's text: CSV with a header, or a JSON list of objects "
        "(docs/trade-plans.md)",
    )
    format: Literal["csv", "json"] = Field("csv", description="how to read `plan`")
    name: str = Field(
        "upload", min_length=1, max_length=200, description="the plan's name in messages"
    )
    skip_bad_rows: bool = Field(
        False, description="skip bad rows (each reported) instead of refusing the plan"
    )

    def plan_text(self) -> PlanText:
        return PlanText(self.plan, json_format=self.format == "json", source=self.name)


class PlanChoice(PlanUpload):
    mode: ExecutionMode | None = Field(None, description="filter by this mode's score first")
    exposure_cap: Amount = Field(
        Decimal("0.8"), description="share of capital all kept rows may commit (0 to 1)"
    )
    max_position: Amount | None = Field(None, description="share of capital one row may commit")
    trim: bool = Field(False, description="trim a row that does not fit instead of skipping it")


class PlanFilterIn(PlanChoice):
    capital: Amount = Field(Decimal(100_000), description="the capital the cap is a share of")


class PlanExecuteIn(PlanChoice):
    entry: EntryType = Field(EntryType.LIMIT, description="a limit at entry_price, or market")
    plan_date: date | None = Field(
        None, description="the date in the client order ids (default: the first entry's date)"
    )


class SimulationIn(PlanUpload):
    timeframe: str = Field(min_length=1, max_length=16, description="intraday candles: 1h, 1m...")
    mode: ExecutionMode | None = Field(None, description="intraday closes at the session's end")
    max_hold_days: Amount | None = Field(None, description="timeout of rows without their own")
    resolve_with: str | None = Field(
        None, min_length=1, max_length=16, description="finer bars deciding same-candle exits"
    )
    entry: EntryType = EntryType.LIMIT
    slippage_bps: ZeroOrMore = Decimal(5)
    commission: str = Field("none", min_length=1, max_length=100)
    spread_pips: SpreadPips = None
    plan_date: date | None = Field(None, description="the entry day of rows without a time")
    stop_loss_priority: bool = Field(
        True,
        description="a candle touching stop and target (undecided by finer bars) exits at the "
        "stop (true) or at the target (false: the optimistic bound)",
    )
    eod_close: bool = Field(True, description="intraday mode closes trades at the session's end")


class PlanProblemOut(BaseModel):
    row: int | None = Field(description="the data row (1 = first); null for the whole file")
    field: str
    value: str
    expected: str
    message: str


class PlanErrorOut(ErrorOut):
    problems: list[PlanProblemOut] | None = Field(
        None, description="every problem of a refused plan, each naming its row and field"
    )


class PlanRowOut(BaseModel):
    row: int = Field(description="the row's number in the uploaded plan")
    ticker: str
    side: str
    qty: str
    entry_price: str
    take_profit: str | None
    stop_loss: str | None
    prob_win: str | None
    strength: str | None
    etth_days: str | None
    entry_datetime: str | None
    max_hold_days: str | None


class PlanFilterOut(BaseModel):
    rows: list[PlanRowOut] = Field(description="the kept rows in rank order, quantities trimmed")
    skipped: list[PlanProblemOut]
    audit: dict[str, Any] = Field(description="audit.json: every row's score and decision")

    @classmethod
    def of(cls, result: PlanFilterResult) -> PlanFilterOut:
        return cls(
            rows=[
                PlanRowOut.model_validate(plan_row_document(row)) for row in result.filtered.rows
            ],
            skipped=[PlanProblemOut.model_validate(p.as_dict()) for p in result.reading.skipped],
            audit=result.audit(),
        )


class PlacedRowOut(BaseModel):
    row: int
    ticker: str
    side: str
    qty: str
    client_order_id: str
    status: str = Field(description="placed, already placed, not kept or skipped")
    order_ids: list[str]
    reason: str


class PlanExecutionOut(BaseModel):
    portfolio_id: int
    plan_date: date
    placed: int
    rows: list[PlacedRowOut]
    skipped: list[PlanProblemOut]
    audit: dict[str, Any]

    @classmethod
    def of(cls, execution: PlanExecution) -> PlanExecutionOut:
        return cls.model_validate(execution.as_dict())


class ClosedHoldOut(BaseModel):
    symbol: str
    row: int = Field(description="the row of the plan of plan_date")
    plan_date: str
    entry: str = Field(description="the entry's client order id")
    reason: str
    order_id: str | None = Field(description="the market order closing the row's trade")


class ReconcileOut(BaseModel):
    portfolio_id: int
    ts: datetime
    cash: Money
    positions_value: Money
    equity: Money
    realized_pnl: Money
    unrealized_pnl: Money
    fees_paid: Money
    marks: dict[str, Money] = Field(description="each position's mark (its last price)")
    closed: list[ClosedHoldOut] = Field(
        default_factory=list,
        description="plan rows whose holding time ran out (or whose trade had ended): the "
        "order closing each (null when nothing was left to close) and why",
    )

    @classmethod
    def of(cls, result: Reconciliation) -> ReconcileOut:
        point = result.point
        return cls(
            portfolio_id=result.portfolio_id,
            ts=point.ts,
            cash=point.cash,
            positions_value=point.positions_value,
            equity=point.equity,
            realized_pnl=point.realized_pnl,
            unrealized_pnl=point.unrealized_pnl,
            fees_paid=point.fees_paid,
            marks=dict(result.marks),
            closed=[ClosedHoldOut.model_validate(hold.as_dict()) for hold in result.closed],
        )


class SimulationOut(BaseModel):
    """The simulation document (as ``paperdesk simulate --json``): assumptions, summary and
    every trade, exact decimals as strings."""

    plan: str
    timeframe: str
    mode: str | None
    entry: str
    max_hold_days: str = Field(description="the timeout in effect (the default is 3, never null)")
    eod_close: bool = Field(description="the option as set (intraday mode closes at the end)")
    end_of_day_close: bool = Field(
        description="whether trades were closed at the session's end: eod_close in intraday mode"
    )
    stop_loss_priority: bool
    resolve_with: str | None
    slippage_bps: str
    commission: str
    spread_pips: str | None = Field(description="the forex spread charged, null without one")
    plan_date: str | None
    skipped_rows: list[int]
    skipped_problems: list[str]
    candles: dict[str, int]
    finer_bars: dict[str, int]
    summary: dict[str, Any]
    trades: list[dict[str, Any]]


class JobProgress(BaseModel):
    done: int
    total: int


class JobError(BaseModel):
    code: str
    message: str
    problems: list[PlanProblemOut] | None = None


class JobOut(BaseModel):
    job_id: str
    kind: str
    state: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgress
    result: dict[str, Any] | None = Field(None, description="once succeeded: the answer")
    error: JobError | None = Field(None, description="once failed: why")
    created: datetime
    started: datetime | None
    finished: datetime | None

    @classmethod
    def of(cls, job: JobView, error: JobError | None = None) -> JobOut:
        return cls(
            job_id=job.job_id,
            kind=job.kind,
            state=job.state.value,
            progress=JobProgress(done=job.done, total=job.total),
            result=job.result,
            error=error,
            created=job.created,
            started=job.started,
            finished=job.finished,
        )
