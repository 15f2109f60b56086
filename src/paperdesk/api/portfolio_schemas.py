"""Request and response models of a portfolio's resources beyond orders: settings edits,
performance, closed trades, signals, the audit log, ticks, strategies and transfers. Money goes
out as decimal strings, ratios as numbers, times as ISO-8601 UTC (see ``schemas``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from paperdesk.api.schemas import FillOut, Money, OptionalMoney, OrderOut, PortfolioOut, Strict
from paperdesk.api.times import Document
from paperdesk.domain import Side, Trade
from paperdesk.domain.records import AuditView
from paperdesk.domain.ticks import BarTick
from paperdesk.service.performance_periods import PerformanceBreakdown, PeriodPnl
from paperdesk.service.performance_views import DrawdownPoint, SignalDetail


class PortfolioUpdate(Strict):
    """The edits ``paperdesk portfolio edit`` and ``rename`` allow; only what is given changes."""

    name: str | None = Field(None, min_length=1, max_length=200, description="a new name")
    strategies: list[str] | None = Field(
        None, description="replaces the strategy list (with params: their parameters)"
    )
    params: list[str] = Field(
        default_factory=list,
        description="key=value or strategy.key=value texts; alone they change the "
        "parameters of the strategies the portfolio already runs",
    )
    symbols: list[str] | None = Field(None, description="replaces the watch list")
    settings: Document = Field(
        default_factory=dict, description="run-file keys to change (commission, size_pct, ...)"
    )


class ChangeOut(BaseModel):
    key: str = Field(description="the dotted settings key, e.g. risk.max_position_percent")
    before: Any = Field(description="the value before (null: not set)")
    after: Any = Field(description="the value now")


class UpdatedOut(BaseModel):
    portfolio: PortfolioOut = Field(description="the portfolio as GET /portfolios/{id} shows it")
    changes: list[ChangeOut] = Field(description="what changed, recorded in the audit log")


class EquityPointOut(BaseModel):
    ts: datetime
    cash: Money
    positions_value: Money
    equity: Money
    realized_pnl: Money
    unrealized_pnl: Money
    fees_paid: Money
    peak: Money = Field(description="the highest equity so far")
    drawdown: Money = Field(description="equity minus the peak (zero or negative)")
    drawdown_pct: float = Field(description="the drawdown in percent of the peak")

    @classmethod
    def of(cls, point: DrawdownPoint) -> EquityPointOut:
        snapshot = point.snapshot
        return cls(
            ts=snapshot.ts,
            cash=snapshot.cash,
            positions_value=snapshot.positions_value,
            equity=snapshot.equity,
            realized_pnl=snapshot.realized_pnl,
            unrealized_pnl=snapshot.unrealized_pnl,
            fees_paid=snapshot.fees_paid,
            peak=point.peak,
            drawdown=point.drawdown,
            drawdown_pct=point.drawdown_pct,
        )


class PeriodOut(BaseModel):
    period: str = Field(description="total, a UTC day (2020-01-15) or a month (2020-01)")
    start_equity: Money = Field(description="the last equity before the period (or the cash)")
    end_equity: Money = Field(description="the last equity in the period")
    pnl: Money = Field(description="end minus start, exact")
    return_pct: float | None = Field(description="pnl in percent of the start (6 places)")

    @classmethod
    def of(cls, period: PeriodPnl) -> PeriodOut:
        return cls(
            period=period.label,
            start_equity=period.start_equity,
            end_equity=period.end_equity,
            pnl=period.pnl,
            return_pct=period.return_pct,
        )


class BreakdownOut(BaseModel):
    total: PeriodOut = Field(description="from the starting cash to the last equity")
    day: PeriodOut | None = Field(description="the UTC day of the last equity snapshot")
    months: list[PeriodOut] = Field(description="each calendar month (UTC), oldest first")
    total_pips: OptionalMoney = Field(description="forex round trips' pips (null: none yet)")

    @classmethod
    def of(cls, breakdown: PerformanceBreakdown) -> BreakdownOut:
        return cls(
            total=PeriodOut.of(breakdown.total),
            day=None if breakdown.day is None else PeriodOut.of(breakdown.day),
            months=[PeriodOut.of(month) for month in breakdown.months],
            total_pips=breakdown.total_pips,
        )


class PerformanceOut(BaseModel):
    portfolio_id: int
    statistics: dict[str, Any] | None = Field(
        description="every statistic docs/statistics.md defines (null before the first tick); "
        "money as decimal strings, ratios and percentages as numbers, undefined ones null"
    )
    equity_curve: list[EquityPointOut]
    breakdown: BreakdownOut = Field(
        description="exact P&L: total, the last day's, by month; forex pips (docs/dashboard.md)"
    )


class TradeOut(BaseModel):
    symbol: str
    side: Literal["long", "short"] = Field(
        description="long or short: the round trip's direction, the words of `paperdesk trades "
        "--json` and a backtest's trades (its orders and fills are buys and sells)"
    )
    quantity: Money
    entry_price: Money
    exit_price: Money
    ts_entry: datetime
    ts_exit: datetime
    fees: Money
    pnl: Money = Field(description="net of fees")
    gross_pnl: Money
    return_pct: float
    strategy: str
    exit_reason: str

    @classmethod
    def of(cls, trade: Trade) -> TradeOut:
        fields = {name: getattr(trade, name) for name in cls.model_fields}
        fields["side"] = "long" if trade.side is Side.BUY else "short"
        return cls(**fields)


class TradePage(BaseModel):
    items: list[TradeOut]
    next_cursor: str | None


class SignalOut(BaseModel):
    id: int
    strategy: str
    symbol: str
    direction: int = Field(description="1 long, -1 short, 0 flat")
    confidence: float
    entry: OptionalMoney = Field(description="the close of the signal's bar (null if unknown)")
    stop: OptionalMoney
    target: OptionalMoney
    reward_to_risk: float | None = Field(
        description="|target - entry| / |entry - stop|; null without both a stop and a target"
    )
    decision: str = Field(description="the router's decision: accepted or rejected")
    decision_reason: str | None = Field(description="why the router rejected it")
    reason: str = Field(description="the strategy's reason")
    ts: datetime = Field(description="the signal's bar (its open label)")

    @classmethod
    def of(cls, detail: SignalDetail) -> SignalOut:
        signal = detail.signal
        return cls(
            id=signal.id,
            strategy=signal.strategy,
            symbol=signal.symbol,
            direction=signal.direction,
            confidence=signal.confidence,
            entry=detail.entry,
            stop=signal.stop,
            target=signal.target,
            reward_to_risk=detail.reward_to_risk,
            decision=signal.status,
            decision_reason=signal.rejection,
            reason=signal.reason,
            ts=signal.ts_bar,
        )


class SignalPage(BaseModel):
    items: list[SignalOut]
    next_cursor: str | None


class AuditOut(BaseModel):
    id: int
    ts_recorded: datetime
    ts_event: datetime
    kind: str
    message: str
    details: Document
    tick_id: int | None

    @classmethod
    def of(cls, entry: AuditView) -> AuditOut:
        return cls(**{name: getattr(entry, name) for name in cls.model_fields})


class AuditPage(BaseModel):
    items: list[AuditOut]
    next_cursor: str | None


class TickCreate(Strict):
    symbol: str | None = Field(
        None, min_length=1, max_length=32, description="one symbol (default: every watched one)"
    )
    catch_up: bool = Field(True, description="process every closed bar not yet processed")


class SignalOutcomeOut(BaseModel):
    strategy: str
    direction: int
    confidence: float
    reason: str
    accepted: bool
    rejection: str | None


class BarTickOut(BaseModel):
    symbol: str
    status: str = Field(description="processed, already-processed, no-new-bar, replay-finished")
    message: str
    strategies: list[str]
    ts_bar: datetime | None
    ts_bar_close: datetime | None
    close: OptionalMoney
    signals: list[SignalOutcomeOut]
    orders: list[OrderOut]
    fills: list[FillOut]
    cash: OptionalMoney
    equity: OptionalMoney
    behind: int = Field(description="closed bars still waiting after this one")

    @classmethod
    def of(cls, tick: BarTick) -> BarTickOut:
        return cls(
            symbol=tick.symbol,
            status=str(tick.status),
            message=tick.message,
            strategies=list(tick.strategies),
            ts_bar=tick.ts_bar,
            ts_bar_close=tick.ts_bar_close,
            close=tick.close,
            signals=[
                SignalOutcomeOut(
                    strategy=s.strategy,
                    direction=s.direction,
                    confidence=s.confidence,
                    reason=s.reason,
                    accepted=s.accepted,
                    rejection=s.rejection,
                )
                for s in tick.signals
            ],
            orders=[OrderOut.of(order) for order in tick.orders],
            fills=[FillOut.of(fill) for fill in tick.fills],
            cash=tick.cash,
            equity=tick.equity,
            behind=tick.behind,
        )


class TickOut(BaseModel):
    portfolio_id: int
    processed: int = Field(description="how many bars this request processed")
    ticks: list[BarTickOut]


class ImportedOut(BaseModel):
    id: int
    name: str
    source_id: int = Field(description="the exported portfolio's id")
    cash: Money
    positions: int
    orders: int
    fills: int
    trades: int
    snapshots: int
