"""The plan simulation service: what ``paperdesk simulate`` (and later the API) calls.

It reads the plan with the plans reader, loads each ticker's candles (and the finer bars asked
for) through the DataManager, the door every other service uses (imported, backfilled or
bundled bars; raw prices, as a plan's prices are quoted), keeps the regular-session candles of
US equities as a backtest does, and runs the pure simulator (``paperdesk.plans.simulator``)
with the engine's cost models. Nothing is written to the ledger; the result can be written to
a folder (``sim_trades.csv``, ``sim_summary.json``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.domain import Instrument, PaperdeskError, Timeframe
from paperdesk.domain.errors import OptionError
from paperdesk.plans.settings import EntryType, ExecutionMode, PlanSettings, parse_mode

if TYPE_CHECKING:
    from paperdesk.data.manager import DataManager
    from paperdesk.domain import Bar
    from paperdesk.plans.rows import PlanRow
    from paperdesk.plans.sim_results import SimulationResult

__all__ = [
    "EntryType",
    "ExecutionMode",
    "SimulationReport",
    "SimulationRequest",
    "SimulationService",
    "parse_mode",
]

TRADES_FILE = "sim_trades.csv"
SUMMARY_FILE = "sim_summary.json"
_MARGIN = timedelta(days=5)  # past the last deadline: weekends and holidays inside a hold


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """One simulation: the plan file and the assumptions (each a CLI option).

    ``mode`` None: no execution mode (no EOD close); ``max_hold_days`` None: the guardrail's
    default (3); ``resolve_with``: a finer timeframe deciding same-candle exits; ``plan_date``:
    the entry of rows without ``entry_datetime`` (the start of that day, UTC: its first
    candle); ``slippage_bps`` and ``commission`` as a backtest's."""

    plan: Path
    timeframe: str
    mode: ExecutionMode | None = None
    max_hold_days: Decimal | None = None
    resolve_with: str | None = None
    entry: EntryType = EntryType.LIMIT
    slippage_bps: Decimal = Decimal(5)
    commission: str = "none"
    plan_date: date | None = None
    skip_bad_rows: bool = False


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """The result, with what was read and assumed (for the summary document)."""

    request: SimulationRequest
    result: SimulationResult
    skipped_rows: tuple[int, ...] = ()
    skipped_problems: tuple[str, ...] = ()
    max_hold_days: Decimal = Decimal(3)
    end_of_day_close: bool = False
    candles: dict[str, int] = field(default_factory=dict)
    finer_bars: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def document(self) -> dict[str, object]:
        """The JSON document: the assumptions, the summary and every trade."""
        from paperdesk.service.documents import decimal_text
        from paperdesk.service.simulation_documents import summary_document, trade_document

        request = self.request
        return {
            "plan": str(request.plan),
            "timeframe": request.timeframe,
            "mode": request.mode.value if request.mode is not None else None,
            "entry": request.entry.value,
            "max_hold_days": decimal_text(self.max_hold_days),
            "eod_close": self.end_of_day_close,
            "resolve_with": request.resolve_with,
            "slippage_bps": decimal_text(request.slippage_bps),
            "commission": request.commission,
            "plan_date": request.plan_date.isoformat() if request.plan_date else None,
            "skipped_rows": list(self.skipped_rows),
            "skipped_problems": list(self.skipped_problems),
            "candles": dict(self.candles),
            "finer_bars": dict(self.finer_bars),
            "summary": summary_document(self.result.summary),
            "trades": [trade_document(trade) for trade in self.result.trades],
            "files": dict(self.files),
        }


class SimulationService:
    """Simulates trade plans over the bars the DataManager serves."""

    def __init__(self, data: Callable[[], DataManager] | None = None) -> None:
        self._data = data

    def simulate(self, request: SimulationRequest, out: Path | None = None) -> SimulationReport:
        """Read, load, simulate; with ``out``, write ``sim_trades.csv`` and
        ``sim_summary.json`` there (the folder is made if missing)."""
        from paperdesk.data.instruments import UnknownSymbolError, instrument_for
        from paperdesk.execution.costs import CostModels, basis_points_model
        from paperdesk.execution.fees import parse_fee_model
        from paperdesk.plans.reader import read_plan
        from paperdesk.plans.sim_rules import SimulationRules
        from paperdesk.plans.simulator import simulate_plan

        timeframe = _timeframe(request.timeframe, "--timeframe")
        finer_timeframe = None
        if request.resolve_with is not None:
            finer_timeframe = _timeframe(request.resolve_with, "--resolve-with")
            if Timeframe.parse(finer_timeframe).seconds >= Timeframe.parse(timeframe).seconds:
                raise OptionError(
                    f"invalid value for --resolve-with: '{request.resolve_with}' (expected a "
                    f"timeframe finer than --timeframe {timeframe}, e.g. 1m)"
                )
        if request.slippage_bps < 0 or not request.slippage_bps.is_finite():
            raise OptionError(
                f"invalid value for --slippage-bps: '{request.slippage_bps}' (expected 0 or more)"
            )
        defaults = PlanSettings()
        settings = PlanSettings(
            entry_type=request.entry,
            max_hold_days=defaults.max_hold_days
            if request.max_hold_days is None
            else request.max_hold_days,
        )
        costs = CostModels(
            parse_fee_model(request.commission), basis_points_model(request.slippage_bps)
        )
        reading = read_plan(request.plan, skip_bad_rows=request.skip_bad_rows)
        default_entry = (
            datetime.combine(request.plan_date, time(0), tzinfo=UTC)
            if request.plan_date is not None
            else None
        )
        instruments: dict[str, Instrument] = {}
        for ticker in {row.ticker for row in reading.rows}:
            try:
                instruments[ticker] = instrument_for(ticker)
            except UnknownSymbolError:
                continue  # no candles either: its rows come out NO_DATA
        rules = SimulationRules.from_settings(
            settings,
            request.mode,
            costs=costs,
            instruments=instruments,
            default_entry_time=default_entry,
        )
        spans = _spans(reading.rows, default_entry, rules.max_hold_days)
        candles = self._load(spans, timeframe)
        finer = self._load(spans, finer_timeframe) if finer_timeframe is not None else None
        result = simulate_plan(reading.rows, candles, rules, finer)
        report = SimulationReport(
            request,
            result,
            reading.skipped_rows,
            tuple(problem.message for problem in reading.skipped),
            rules.max_hold_days,
            rules.end_of_day_close,
            {ticker: len(bars) for ticker, bars in candles.items()},
            {ticker: len(bars) for ticker, bars in (finer or {}).items()},
        )
        if out is not None:
            report = _written(report, out)
        return report

    def _load(
        self, spans: dict[str, tuple[datetime, datetime]], timeframe: str
    ) -> dict[str, list[Bar]]:
        """Each ticker's regular-session bars over its span (none when nothing is held)."""
        from paperdesk.data.manager import DataManager
        from paperdesk.plans.candles import candles_of

        manager = self._data() if self._data is not None else DataManager()
        loaded: dict[str, list[Bar]] = {}
        for ticker, (start, end) in sorted(spans.items()):
            try:
                frame = manager.get_bars(ticker, timeframe, start, end)
            except PaperdeskError:
                continue  # an unknown or unreadable series: its rows come out NO_DATA
            bars = candles_of(frame, ticker, timeframe)
            if bars:
                loaded[ticker] = bars
        return loaded


def _timeframe(text: str, option: str) -> str:
    try:
        parsed = Timeframe.parse(text)
    except PaperdeskError:
        raise OptionError(
            f"invalid value for {option}: '{text}' (expected a timeframe such as 1m, 5m, 1h)"
        ) from None
    if not parsed.is_intraday:
        raise OptionError(
            f"invalid value for {option}: '{text}' (the simulator walks intraday candles: "
            "1m, 5m, 15m, 1h, 4h...)"
        )
    return str(parsed)


def _spans(
    rows: tuple[PlanRow, ...], default_entry: datetime | None, max_hold_days: Decimal
) -> dict[str, tuple[datetime, datetime]]:
    """The time each ticker's bars are needed for: from its first entry to its last entry's
    hold, plus a margin for weekends and holidays."""
    spans: dict[str, tuple[datetime, datetime]] = {}
    for row in rows:
        entry = row.entry_datetime or default_entry
        if entry is None:
            continue
        hold = row.max_hold_days if row.max_hold_days is not None else max_hold_days
        end = entry + timedelta(days=float(hold)) + _MARGIN
        first, last = spans.get(row.ticker, (entry, end))
        spans[row.ticker] = (min(first, entry), max(last, end))
    return spans


def _written(report: SimulationReport, out: Path) -> SimulationReport:
    from dataclasses import replace

    from paperdesk.service.simulation_documents import write_trades_csv

    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OptionError(
            f"invalid value for --out: '{out}' (cannot make the folder: {error.strerror or error})"
        ) from None
    trades_path, summary_path = out / TRADES_FILE, out / SUMMARY_FILE
    write_trades_csv(trades_path, report.result.trades)
    report = replace(report, files={"trades": str(trades_path), "summary": str(summary_path)})
    document = report.document()
    document.pop("trades")
    summary_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return report
