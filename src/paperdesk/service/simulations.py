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

from paperdesk.domain import Instrument, InvalidInputError, PaperdeskError, Timeframe
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark
from paperdesk.plans.settings import EntryType, ExecutionMode, PlanSettings, parse_mode
from paperdesk.service.plan_sources import PlanText

if TYPE_CHECKING:
    from paperdesk.data.manager import DataManager
    from paperdesk.domain import Bar
    from paperdesk.plans.reader import PlanReading
    from paperdesk.plans.rows import PlanRow
    from paperdesk.plans.sim_results import SimulationResult
    from paperdesk.plans.sim_rules import SimulationRules

__all__ = [
    "EntryType",
    "ExecutionMode",
    "PlanText",
    "PreparedSimulation",
    "SimulationLimits",
    "SimulationReport",
    "SimulationRequest",
    "SimulationService",
    "SimulationTooLargeError",
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
    candle); ``slippage_bps``, ``commission`` and ``spread_pips`` (forex pairs pay half of
    it instead of the bps; limits trade the ask or the bid) as a backtest's;
    ``stop_loss_priority`` and ``eod_close`` the guardrails of the same names
    (``PlanSettings``)."""

    plan: Path | PlanText
    timeframe: str
    mode: ExecutionMode | None = None
    max_hold_days: Decimal | None = None
    resolve_with: str | None = None
    entry: EntryType = EntryType.LIMIT
    slippage_bps: Decimal = Decimal(5)
    commission: str = "none"
    plan_date: date | None = None
    skip_bad_rows: bool = False
    stop_loss_priority: bool = True
    eod_close: bool = True
    spread_pips: Decimal | None = None


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
            "eod_close": request.eod_close,  # the option as set, as a walk-forward records it
            "end_of_day_close": self.end_of_day_close,  # in effect: the option, intraday mode
            "stop_loss_priority": request.stop_loss_priority,
            "resolve_with": request.resolve_with,
            "slippage_bps": decimal_text(request.slippage_bps),
            "commission": request.commission,
            "spread_pips": None
            if request.spread_pips is None
            else decimal_text(request.spread_pips),
            "plan_date": request.plan_date.isoformat() if request.plan_date else None,
            "skipped_rows": list(self.skipped_rows),
            "skipped_problems": list(self.skipped_problems),
            "candles": dict(self.candles),
            "finer_bars": dict(self.finer_bars),
            "summary": summary_document(self.result.summary),
            "trades": [trade_document(trade) for trade in self.result.trades],
            "files": dict(self.files),
        }


@dataclass(frozen=True, slots=True)
class SimulationLimits:
    """Bounds on one simulation, so a request cannot take a server down (the API passes them;
    the CLI, run by the machine's owner, does not): rows in the plan, distinct tickers, the
    days from a ticker's first entry to its last hold, the days a trade may be held, and the
    candles (finer bars included) loaded in all."""

    max_rows: int = 1000
    max_tickers: int = 20
    max_span_days: int = 366
    max_hold_days: Decimal = Decimal(30)
    max_candles: int = 250_000

    def as_dict(self) -> dict[str, object]:
        return {
            "max_rows": self.max_rows,
            "max_tickers": self.max_tickers,
            "max_span_days": self.max_span_days,
            "max_hold_days": str(self.max_hold_days),
            "max_candles": self.max_candles,
        }


class SimulationTooLargeError(InvalidInputError):
    """A simulation beyond its ``SimulationLimits``: refused before (or while) loading bars."""

    code = "simulation_too_large"


# done, total: the steps of a simulation (each ticker's bars loaded, then the walk)
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PreparedSimulation:
    """A request whose plan and options have been read and checked: what is left is loading
    bars and walking them (``SimulationService.run``), the part worth a background job."""

    request: SimulationRequest
    reading: PlanReading
    rules: SimulationRules
    timeframe: str
    finer_timeframe: str | None
    spans: dict[str, tuple[datetime, datetime]]
    limits: SimulationLimits | None = None

    @property
    def rows(self) -> int:
        return len(self.reading.rows)

    @property
    def steps(self) -> int:
        """The progress total: one step per ticker loaded, and the walk."""
        return len(self.spans) + 1


class SimulationService:
    """Simulates trade plans over the bars the DataManager serves."""

    def __init__(self, data: Callable[[], DataManager] | None = None) -> None:
        self._data = data

    def simulate(
        self,
        request: SimulationRequest,
        out: Path | None = None,
        *,
        limits: SimulationLimits | None = None,
        progress: ProgressCallback | None = None,
    ) -> SimulationReport:
        """Read, load, simulate; with ``out``, write ``sim_trades.csv`` and
        ``sim_summary.json`` there (the folder is made if missing)."""
        return self.run(self.prepare(request, limits), out, progress=progress)

    def prepare(
        self, request: SimulationRequest, limits: SimulationLimits | None = None
    ) -> PreparedSimulation:
        """Check the options and read the plan (a bad value is refused here, before any bar
        is loaded); with ``limits``, refuse a plan beyond them."""
        from paperdesk.data.instruments import UnknownSymbolError, instrument_for
        from paperdesk.domain.parsing import decimal_value
        from paperdesk.execution.costs import costs_of
        from paperdesk.plans.sim_rules import SimulationRules
        from paperdesk.service.plan_sources import read_plan_source

        timeframe = _timeframe(request.timeframe, field_mark("timeframe"))
        finer_timeframe = None
        if request.resolve_with is not None:
            finer_timeframe = _timeframe(request.resolve_with, field_mark("resolve_with"))
            if Timeframe.parse(finer_timeframe).seconds >= Timeframe.parse(timeframe).seconds:
                raise OptionError(
                    f"invalid value for {field_mark('resolve_with')}: '{request.resolve_with}' "
                    f"(expected a timeframe finer than {field_mark('timeframe')} {timeframe}"
                    f"{', e.g. 1m' if Timeframe.parse(timeframe).seconds > 60 else ''})"
                )
        if request.slippage_bps < 0 or not request.slippage_bps.is_finite():
            raise OptionError(
                f"invalid value for {field_mark('slippage_bps')}: '{request.slippage_bps}' "
                "(expected 0 or more)"
            )
        if request.spread_pips is not None:  # the backtest's rule: a number above 0
            decimal_value(request.spread_pips, field_mark("spread_pips"))
        defaults = PlanSettings()
        settings = PlanSettings(
            entry_type=request.entry,
            max_hold_days=defaults.max_hold_days
            if request.max_hold_days is None
            else request.max_hold_days,
            stop_loss_priority=request.stop_loss_priority,
            eod_close_intraday=request.eod_close,
        )
        from paperdesk.plans.problems import refused_as

        with refused_as("nothing simulated"):
            reading = read_plan_source(request.plan, skip_bad_rows=request.skip_bad_rows)
        default_entry = (
            datetime.combine(request.plan_date, time(0), tzinfo=UTC)
            if request.plan_date is not None
            else None
        )
        if limits is not None:
            _check_rows(reading, settings.max_hold_days, limits)
        instruments: dict[str, Instrument] = {}
        for ticker in {row.ticker for row in reading.rows}:
            try:
                instruments[ticker] = instrument_for(ticker)
            except UnknownSymbolError:
                continue  # no candles either: its rows come out NO_DATA
        costs = costs_of(
            request.commission,
            request.slippage_bps,
            request.spread_pips,
            instruments.values(),
            field_mark,
        )
        rules = SimulationRules.from_settings(
            settings,
            request.mode,
            costs=costs,
            instruments=instruments,
            default_entry_time=default_entry,
        )
        spans = _spans(reading.rows, default_entry, rules.max_hold_days)
        if limits is not None:
            _check_spans(spans, limits)
        return PreparedSimulation(
            request, reading, rules, timeframe, finer_timeframe, spans, limits
        )

    def run(
        self,
        prepared: PreparedSimulation,
        out: Path | None = None,
        *,
        progress: ProgressCallback | None = None,
    ) -> SimulationReport:
        """Load the bars and walk the plan over them (``progress(done, total)`` after each
        ticker's bars and after the walk)."""
        from paperdesk.plans.simulator import simulate_plan

        total = prepared.steps
        loaded = _Counter(prepared.limits, progress, total)
        candles = self._load(prepared.spans, prepared.timeframe, loaded)
        finer = (
            self._load(prepared.spans, prepared.finer_timeframe, loaded, step=False)
            if prepared.finer_timeframe is not None
            else None
        )
        reading = prepared.reading
        result = simulate_plan(reading.rows, candles, prepared.rules, finer)
        if progress is not None:
            progress(total, total)
        report = SimulationReport(
            prepared.request,
            result,
            reading.skipped_rows,
            tuple(problem.message for problem in reading.skipped),
            prepared.rules.max_hold_days,
            prepared.rules.end_of_day_close,
            {ticker: len(bars) for ticker, bars in candles.items()},
            {ticker: len(bars) for ticker, bars in (finer or {}).items()},
        )
        if out is not None:
            report = _written(report, out)
        return report

    def _load(
        self,
        spans: dict[str, tuple[datetime, datetime]],
        timeframe: str,
        counter: _Counter,
        *,
        step: bool = True,
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
                frame = None  # an unknown or unreadable series: its rows come out NO_DATA
            bars = candles_of(frame, ticker, timeframe) if frame is not None else []
            counter.add(len(bars), step=step)
            if bars:
                loaded[ticker] = bars
        return loaded


class _Counter:
    """Counts the candles loaded against the limit and reports the steps done."""

    def __init__(
        self, limits: SimulationLimits | None, progress: ProgressCallback | None, total: int
    ) -> None:
        self.limits = limits
        self.progress = progress
        self.total = total
        self.candles = 0
        self.done = 0

    def add(self, candles: int, *, step: bool) -> None:
        self.candles += candles
        if self.limits is not None and self.candles > self.limits.max_candles:
            raise SimulationTooLargeError(
                f"the simulation needs more than {self.limits.max_candles} candles (the "
                "limit per request): simulate fewer tickers, a shorter span or a coarser "
                "timeframe"
            )
        if step:
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)


def _check_rows(reading: PlanReading, default_hold: Decimal, limits: SimulationLimits) -> None:
    rows = reading.rows
    if len(rows) > limits.max_rows:
        raise SimulationTooLargeError(
            f"the plan has {len(rows)} rows; a simulation takes at most {limits.max_rows}"
        )
    tickers = {row.ticker for row in rows}
    if len(tickers) > limits.max_tickers:
        raise SimulationTooLargeError(
            f"the plan has {len(tickers)} tickers; a simulation takes at most {limits.max_tickers}"
        )
    if default_hold > limits.max_hold_days:
        raise SimulationTooLargeError(
            f"max_hold_days {default_hold} is above the limit of {limits.max_hold_days} days"
        )
    for row in rows:
        if row.max_hold_days is not None and row.max_hold_days > limits.max_hold_days:
            raise SimulationTooLargeError(
                f"row {row.row}, max_hold_days: '{row.max_hold_days}' (at most "
                f"{limits.max_hold_days} days in a simulation)"
            )


def _check_spans(spans: dict[str, tuple[datetime, datetime]], limits: SimulationLimits) -> None:
    longest = timedelta(days=limits.max_span_days)
    for ticker, (start, end) in sorted(spans.items()):
        if end - start > longest:
            raise SimulationTooLargeError(
                f"the plan's {ticker} rows span {start.date()} to {end.date()}, more than "
                f"{limits.max_span_days} days with their holds: simulate them in parts"
            )


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
