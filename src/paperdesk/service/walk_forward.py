"""The walk-forward service (issue 13 item 6, seed 002's ``wf_paper_month``): each trading day
of a period, its plan made or checked with the data known at the previous session's close,
filtered by the execution mode under the exposure cap of the running equity, simulated over
the day's candles from its open on, and written as evidence anyone can audit.

Per day (``days/YYYY-MM-DD/``): the plan as given or generated (``trade_plan.csv`` or
``.json``), the rows simulated (``trade_plan_filtered.csv``), the filter's ``audit.json``,
``sim_trades.csv`` and ``day_report.json``. For the period: ``all_trades.csv``,
``daily_equity.csv``, ``summary.json``, and ``manifest.json`` (the inputs; a rerun with the
same inputs resumes, skipping the complete days). docs/walk-forward.md has the rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.domain import PaperdeskError
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark, marked
from paperdesk.plans.settings import EntryType, ExecutionMode, PlanSettings, parse_mode
from paperdesk.service import walk_forward_documents as documents
from paperdesk.service import walk_forward_inputs as checks
from paperdesk.service.walk_forward_inputs import CALENDAR

if TYPE_CHECKING:
    import pandas as pd

    from paperdesk.config import RunConfig
    from paperdesk.data.manager import DataManager
    from paperdesk.domain import Bar
    from paperdesk.plans.modes import FilteredPlan
    from paperdesk.plans.rows import PlanRow
    from paperdesk.plans.sim_results import SimulationResult
    from paperdesk.plans.wf_days import TradingDay
    from paperdesk.plans.wf_summary import TradeRecord
    from paperdesk.service.walk_forward_gaps import CandleGaps

__all__ = [
    "EntryType",
    "ExecutionMode",
    "ProgressCallback",
    "WalkForwardReport",
    "WalkForwardRequest",
    "WalkForwardService",
    "parse_mode",
]

DAILY = "1d"
_HISTORY_BEFORE = timedelta(days=10)  # candles before the period: which tickers are known
_CANDLES_AFTER = timedelta(days=40)  # candles after the period: trades held past its end
MANIFEST_VERSION = 1
FIT_TERMS = "costs, sizing, risk"  # what a fit candidate shares with the out-of-sample days

ProgressCallback = Callable[[int, int, str], None]
Simulator = Callable[..., "SimulationResult"]


@dataclass(frozen=True, slots=True)
class WalkForwardRequest:
    """One walk-forward: the period, where the plans come from (a folder of daily plans, or a
    registered strategy on ``symbols``), and the assumptions (each a CLI option)."""

    out: Path
    first: date
    last: date
    plans: Path | None = None
    strategy: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    symbols: tuple[str, ...] = ("SPY", "AAPL")
    mode: ExecutionMode | None = None
    capital: Decimal = Decimal(100000)
    exposure_cap: Decimal = Decimal("0.8")
    timeframe: str = "1h"
    resolve_with: str | None = "1m"
    entry: EntryType = EntryType.LIMIT
    max_hold_days: Decimal | None = None
    slippage_bps: Decimal = Decimal(5)
    commission: str = "none"
    skip_bad_rows: bool = False
    restart: bool = False
    fit_window: str | None = None
    fit_params: tuple[tuple[str, str], ...] = ()
    refit_every: int = 5
    stop_loss_priority: bool = True
    eod_close: bool = True
    spread_pips: Decimal | None = None  # simulate's and the backtest's: forex pairs pay half

    def inputs(self, plan_files: Mapping[str, Path]) -> dict[str, object]:
        """What the manifest records: every input that changes the evidence (the plan files
        by name and content hash; not the output folder)."""
        return {
            "version": MANIFEST_VERSION,
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "calendar": CALENDAR,
            "plans": {name: documents.sha256(path) for name, path in sorted(plan_files.items())}
            if self.plans is not None
            else None,
            "strategy": self.strategy,
            "params": dict(self.params),
            "symbols": list(self.symbols) if self.strategy is not None else None,
            "mode": self.mode.value if self.mode is not None else None,
            "capital": format(self.capital, "f"),
            "exposure_cap": format(self.exposure_cap, "f"),
            "timeframe": self.timeframe,
            "resolve_with": self.resolve_with,
            "entry": self.entry.value,
            "max_hold_days": format(self.hold_days, "f"),
            "slippage_bps": format(self.slippage_bps, "f"),
            "commission": self.commission,
            "skip_bad_rows": self.skip_bad_rows,
            "fit_window": self.fit_window,
            "fit_params": dict(self.fit_params),
            "refit_every": self.refit_every if self.fit_window is not None else None,
            # every assumption as it is in effect (evidence written before that recorded a
            # default as null or left it out resumes: walk_forward_files.written_before)
            "stop_loss_priority": self.stop_loss_priority,
            "eod_close": self.eod_close,
            "spread_pips": None if self.spread_pips is None else format(self.spread_pips, "f"),
            # the terms a fit's candidates run on (``fit_run``): days fitted on other terms
            # are not resumed into this run's evidence
            "fit_terms": FIT_TERMS if self.fit_window is not None else None,
        }

    def fit_run(self) -> RunConfig:
        """The run description each fit candidate is backtested with (``plans.wf_fit``): the
        out-of-sample days' terms, as a daily backtest of one symbol holds them. Costs: the
        fee model, basis points and spread. Sizing: percent of equity, the share of the
        capital a generated plan row commits (the position fraction, the exposure cap, split
        over the symbols: ``plans.wf_generate``). Risk: the exposure cap; shorts allowed (a
        short signal is a sell row); a position held at most the trades' timeout in daily
        bars (``max_hold_days`` rounded up; one bar in intraday mode, whose trades end with
        their day). Entries fill at the next open (the plans' limit at the previous close has
        no daily-bar counterpart)."""
        from paperdesk.config import ExecutionConfig, RiskConfig, RunConfig, SizingConfig

        hundred = Decimal(100)
        fraction = PlanSettings(exposure_cap=self.exposure_cap).position_fraction
        intraday = self.mode is ExecutionMode.INTRADAY and self.eod_close
        holding = 1 if intraday else max(math.ceil(self.hold_days), 1)
        return RunConfig(
            cash=self.capital,
            execution=ExecutionConfig(
                commission=self.commission,
                slippage_bps=self.slippage_bps,
                spread_pips=self.spread_pips,
            ),
            sizing=SizingConfig(percent=fraction * hundred / max(len(self.symbols), 1)),
            risk=RiskConfig(
                exposure_cap_percent=self.exposure_cap * hundred,
                allow_short=True,
                max_holding_bars=holding,
            ),
        )

    @property
    def hold_days(self) -> Decimal:
        """The timeout in effect: ``max_hold_days``, else the guardrail's default (3)."""
        return PlanSettings().max_hold_days if self.max_hold_days is None else self.max_hold_days


@dataclass(frozen=True, slots=True)
class WalkForwardReport:
    """What a run did: the days simulated now and those found complete, and the summary."""

    out: Path
    days: int
    simulated: tuple[str, ...]
    resumed: tuple[str, ...]
    summary: dict[str, object] = field(default_factory=dict)
    gaps: tuple[CandleGaps, ...] = ()  # each traded symbol's candles' gaps (the summary's too)
    # the rows whose trade opened and was still open when the candles ended (``NO_DATA``)
    open_at_end: tuple[TradeRecord, ...] = ()


class WalkForwardService:
    """Runs walk-forwards over the bars the DataManager serves (nothing written to the
    ledger). ``simulator`` is the plan simulator (``plans.simulator.simulate_plan``; a test
    may wrap it to see what each day was given)."""

    def __init__(
        self,
        data: Callable[[], DataManager] | None = None,
        simulator: Simulator | None = None,
    ) -> None:
        self._data = data
        self._simulator = simulator

    def check(self, request: WalkForwardRequest) -> int:
        """Check ``request`` as ``run`` does before it writes anything (the options, the
        plans folder, the strategy and its symbols' daily bars); the number of trading days
        of its period. The API calls it before it starts a run as a job."""
        return len(self._prepared(request)[1])

    def _prepared(
        self, request: WalkForwardRequest
    ) -> tuple[_Run, list[TradingDay], dict[str, object], list[str]]:
        from paperdesk.plans.wf_days import trading_days

        checks.check_request(request)
        days = trading_days(CALENDAR, request.first, request.last)
        plan_files, unused = checks.plan_files(request.plans, days) if request.plans else ({}, [])
        strategy = _strategy(request) if request.strategy is not None else None
        inputs = request.inputs(plan_files)
        # every option is checked (settings, costs) before the folder is touched
        run = _Run(request, self._market, self._simulator, plan_files, strategy, days)
        if strategy is not None:
            run.check_symbols(days[0])
        return run, days, inputs, unused

    def run(
        self, request: WalkForwardRequest, progress: ProgressCallback | None = None
    ) -> WalkForwardReport:
        from paperdesk.service import walk_forward_files as files

        run, days, inputs, unused = self._prepared(request)
        files.prepare(request.out, inputs, restart=request.restart)
        complete = files.complete_days(request.out)
        simulated: list[str] = []
        resumed: list[str] = []
        for number, day in enumerate(days, start=1):
            if day.name in complete:
                resumed.append(day.name)
            else:
                run.simulate_day(day)
                simulated.append(day.name)
            run.trades.extend(documents.read_trades(request.out, day.name))
            if progress is not None:
                progress(number, len(days), day.name)
        gaps = run.candle_gaps(days)
        summary = run.write_period(days, unused, gaps)
        still_open = tuple(t for t in run.trades if t.outcome == "NO_DATA" and t.entry_time)
        return WalkForwardReport(
            request.out,
            len(days),
            tuple(simulated),
            tuple(resumed),
            summary,
            tuple(gaps),
            still_open,
        )

    def _market(self) -> _Market:
        from paperdesk.data.manager import DataManager

        manager = self._data() if self._data is not None else DataManager()
        return _Market(manager)


class _Market:
    """Each ticker's candles, finer bars and daily bars, loaded once per run."""

    def __init__(self, manager: DataManager) -> None:
        self.manager = manager
        self._bars: dict[tuple[str, str], list[Bar]] = {}
        self._daily: dict[str, pd.DataFrame] = {}

    def bars(self, ticker: str, timeframe: str, start: datetime, end: datetime) -> list[Bar]:
        """Regular-session bars of ``ticker`` from ``start`` to ``end`` (none when nothing is
        held), loaded on first use."""
        key = (ticker, timeframe)
        if key not in self._bars:
            from paperdesk.plans.candles import candles_of

            try:
                frame = self.manager.get_bars(ticker, timeframe, start, end)
                self._bars[key] = candles_of(frame, ticker, timeframe)
            except PaperdeskError:
                self._bars[key] = []  # an unknown or unreadable series: its rows say NO_DATA
        return self._bars[key]

    def daily(self, ticker: str, end: datetime) -> pd.DataFrame:
        if ticker not in self._daily:
            self._daily[ticker] = self.manager.get_bars(ticker, DAILY, None, end)
        return self._daily[ticker]


class _Run:
    """The state of one walk-forward: its inputs, the market and the trades so far."""

    def __init__(
        self,
        request: WalkForwardRequest,
        market: Callable[[], _Market],
        simulator: Simulator | None,
        plan_files: Mapping[str, Path],
        strategy: Any,
        days: Sequence[TradingDay],
    ) -> None:
        from paperdesk.execution.costs import costs_of
        from paperdesk.plans.simulator import simulate_plan

        self.request = request
        self._make_market = market
        self._market: _Market | None = None
        self.simulate = simulator or simulate_plan
        self.plan_files = plan_files
        self.strategy = strategy
        self.days = list(days)
        self.fits: dict[int, dict[str, object]] = {}
        self.settings = PlanSettings(
            exposure_cap=request.exposure_cap,
            entry_type=request.entry,
            max_hold_days=request.hold_days,
            stop_loss_priority=request.stop_loss_priority,
            eod_close_intraday=request.eod_close,
        )
        self.costs = costs_of(
            request.commission,
            request.slippage_bps,
            request.spread_pips,
            self._instruments() if request.spread_pips is not None else (),
            field_mark,
        )
        self.trades: list[TradeRecord] = []
        self.start = _midnight(request.first) - _HISTORY_BEFORE
        self.end = _midnight(request.last) + _CANDLES_AFTER

    def currency(self) -> str | None:
        """The currency the run's money is in, as a backtest's is its symbol's: the one its
        instruments are quoted in (None when they are quoted in several, or none is known)."""
        currencies = {instrument.currency for instrument in self._instruments()}
        return currencies.pop() if len(currencies) == 1 else None

    def _instruments(self) -> list[Any]:
        """The instruments the run may trade, which a spread needs a forex pair among: a
        strategy's symbols, or every ticker of the plan files (a file that cannot be read is
        left to its day, which says why)."""
        from paperdesk.plans.reader import read_plan

        tickers = set(self.request.symbols) if self.strategy is not None else set()
        for path in self.plan_files.values():
            try:
                tickers.update(read_plan(path, skip_bad_rows=True).tickers)
            except PaperdeskError:
                continue
        found = (_instrument(ticker) for ticker in sorted(tickers))
        return [instrument for instrument in found if instrument is not None]

    @property
    def market(self) -> _Market:
        """The bars, loaded on first use (a refused run opens no data)."""
        if self._market is None:
            self._market = self._make_market()
        return self._market

    def check_symbols(self, first: TradingDay) -> None:
        """A strategy's symbols must have daily bars before the period's first plan, the
        last of them the previous session's (as ``plan_from_strategy`` wants it)."""
        for symbol in self.request.symbols:
            try:
                frame = self.market.daily(symbol, self.end)
            except PaperdeskError as error:
                raise OptionError(
                    f"invalid value for {field_mark('symbols', '--symbol')}: '{symbol}' "
                    f"({marked(error)})"
                ) from None
            if frame.empty or not (frame["ts_close"] <= first.as_of).any():
                raise OptionError(
                    f"invalid value for {field_mark('symbols', '--symbol')}: '{symbol}' (no daily "
                    f"bars closed by {first.as_of.isoformat()}, the period's first plan time)"
                )
            last_close = frame["ts_close"][frame["ts_close"] <= first.as_of].iloc[-1]
            if last_close <= first.previous_from:  # the data ends, or misses that session
                raise OptionError(
                    f"invalid value for {field_mark('symbols', '--symbol')}: '{symbol}' (no "
                    f"daily bar of the session before {first.name}, the period's first day: the "
                    f"last closed by then closed {last_close.isoformat()})"
                )

    # ------------------------------------------------------------------------- one day

    def simulate_day(self, day: TradingDay) -> None:
        from paperdesk.plans.modes import filter_plan
        from paperdesk.plans.sim_rules import SimulationRules
        from paperdesk.plans.wf_summary import account_at
        from paperdesk.service import walk_forward_files as files

        request = self.request
        account = account_at(request.capital, self.trades, day.as_of)
        plan = self._plan(day, account.equity)
        filtered = _filtered(plan.rows, request.mode, account, self.settings, filter_plan)
        tickers = sorted({row.ticker for row in filtered.rows})
        instruments = {ticker: _instrument(ticker) for ticker in tickers}
        rules = SimulationRules.from_settings(
            self.settings,
            request.mode,
            costs=self.costs,
            instruments={t: i for t, i in instruments.items() if i is not None},
            default_entry_time=day.as_of,  # a row without a time: from the plan on
        )
        candles = {t: self._from_open(t, request.timeframe, day) for t in tickers}
        finer = (
            {t: self._from_open(t, request.resolve_with, day) for t in tickers}
            if request.resolve_with is not None
            else {}
        )
        finer = {ticker: bars for ticker, bars in finer.items() if bars}
        result = self.simulate(filtered.rows, candles, rules, finer or None)
        report = documents.day_report(day, account, plan, filtered, result, candles, finer, rules)
        files.write_day(
            request.out,
            day.name,
            {
                plan.file_name: plan.data,
                "trade_plan_filtered.csv": documents.plan_csv(filtered.rows),
                "audit.json": files.json_bytes(filtered.audit()),
                "sim_trades.csv": documents.trades_csv(result),
                files.DAY_REPORT: files.json_bytes(report),
            },
        )

    def _from_open(self, ticker: str, timeframe: str, day: TradingDay) -> list[Bar]:
        """The ticker's regular-session bars from the day's session on (those opening at or
        after the previous session's close; the hour Lean labels 09:00 New York holds 09:30 to
        10:00 and is the day's first): the simulator sees nothing of the market before the
        day it trades."""
        bars = self.market.bars(ticker, timeframe, self.start, self.end)
        return [bar for bar in bars if bar.ts_open >= day.as_of]

    def _plan(self, day: TradingDay, equity: Decimal) -> _DayPlan:
        if self.strategy is not None:
            return self._generated(day, equity)
        path = self.plan_files.get(day.name)
        if path is None:
            return _DayPlan(
                (), "trade_plan.csv", documents.plan_csv(()), {"source": "no plan file"}
            )
        from paperdesk.plans.problems import refused_as

        with refused_as(f"the walk-forward stopped before simulating {day.name}"):
            return self._read(day, path)

    def _read(self, day: TradingDay, path: Path) -> _DayPlan:
        from paperdesk.plans.reader import read_plan

        request = self.request
        first = read_plan(path, skip_bad_rows=True)
        known: dict[str, Any] = {}
        for ticker in sorted(first.tickers):  # a bad row's too: its ticker is checked as well
            bars = self.market.bars(ticker, request.timeframe, self.start, self.end)
            if bars and bars[0].ts_close <= day.as_of:  # it had bars when the plan was made
                known[ticker] = None
        reading = read_plan(path, skip_bad_rows=request.skip_bad_rows, known_tickers=known)
        rows, problems = checks.inside_day(reading.rows, day, path, skip=request.skip_bad_rows)
        skipped = [problem.as_dict() for problem in (*reading.skipped, *problems)]
        suffix = ".json" if path.suffix.lower() == ".json" else ".csv"
        return _DayPlan(
            rows,
            f"trade_plan{suffix}",
            path.read_bytes(),
            {"source": path.name, "sha256": documents.sha256(path), "skipped": skipped},
        )

    def _generated(self, day: TradingDay, equity: Decimal) -> _DayPlan:
        from paperdesk.plans.wf_generate import plan_from_strategy

        request = self.request
        histories: dict[str, pd.DataFrame] = {}
        for symbol in request.symbols:
            frame = self.market.daily(symbol, self.end)
            # only the daily bars closed by the previous session's close exist for the strategy
            histories[symbol] = frame[frame["ts_close"] <= day.as_of]
        strategy, fitted = self._fitted(day)
        generated = plan_from_strategy(
            strategy,
            histories,
            day,
            equity,
            self.settings.position_fraction,
            self.settings.max_hold_days,
        )
        last_bars = {
            symbol: history["ts_close"].iloc[-1].isoformat() if len(history) else None
            for symbol, history in histories.items()
        }
        return _DayPlan(
            generated.rows,
            "trade_plan.csv",
            documents.plan_csv(generated.rows),
            {
                "source": f"strategy {request.strategy}",
                "params": dict(request.params),
                "last_daily_bar_close": last_bars,
                "notes": generated.notes,
                **({"fit": fitted} if fitted is not None else {}),
            },
        )

    def _fitted(self, day: TradingDay) -> tuple[Any, dict[str, object] | None]:
        """The strategy for ``day``: as given, or with the parameters fitted on the in-sample
        window before the out-of-sample block of ``refit_every`` days that holds it (fitted
        at the block's first plan time, once per block)."""
        request = self.request
        if request.fit_window is None:
            return self.strategy, None
        from paperdesk.analysis.strategies.registry import create_vectorised_strategy
        from paperdesk.plans.wf_fit import fit, grid, parse_window

        assert request.strategy is not None
        position = [d.name for d in self.days].index(day.name)
        block = position // request.refit_every
        if block not in self.fits:
            first = self.days[block * request.refit_every]
            last = self.days[min((block + 1) * request.refit_every, len(self.days)) - 1]
            histories = {}
            for symbol in request.symbols:
                frame = self.market.daily(symbol, self.end)
                histories[symbol] = frame[frame["ts_close"] <= first.as_of]
            result = fit(
                request.strategy,
                dict(request.params),
                grid(request.fit_params),
                histories,
                first.as_of,
                parse_window(request.fit_window),
                request.capital,
                run=request.fit_run(),
            )
            self.fits[block] = {
                "window": block + 1,
                "out_of_sample_from": first.name,
                "out_of_sample_to": last.name,
                **result.as_dict(),
            }
        fitted = self.fits[block]
        params = {**dict(request.params), **dict(fitted["params"])}  # type: ignore[call-overload]
        return create_vectorised_strategy(request.strategy, params), fitted

    # ------------------------------------------------------------------------ the period

    def candle_gaps(self, days: Sequence[TradingDay]) -> list[CandleGaps]:
        """The gaps of the candles each traded symbol (a strategy's: each of its symbols) had
        from the first plan time to the period's last close or the last exit, whichever is
        later, as a backtest checks its bars (resumed days count: their trades are read)."""
        from paperdesk.service.walk_forward_gaps import candle_gaps

        timeframe = self.request.timeframe
        symbols = {trade.ticker for trade in self.trades}
        symbols.update(self.request.symbols if self.strategy is not None else ())
        end = max([days[-1].close, *(t.exit_time for t in self.trades if t.exit_time)])
        return [
            candle_gaps(
                symbol,
                timeframe,
                self.market.bars(symbol, timeframe, self.start, self.end),
                days[0].as_of,
                end,
            )
            for symbol in sorted(symbols)
        ]

    def write_period(
        self,
        days: Sequence[TradingDay],
        unused: Sequence[str],
        gaps: Sequence[CandleGaps],
    ) -> dict[str, object]:
        from paperdesk.data.calendars import market_calendar
        from paperdesk.plans.wf_summary import daily_equity, period_summary
        from paperdesk.service import walk_forward_files as files
        from paperdesk.service.walk_forward_gaps import gaps_summary

        request = self.request
        closes = [(day.name, day.close) for day in days]
        last_exit = max((t.exit_time for t in self.trades if t.exit_time), default=None)
        if last_exit is not None and last_exit > days[-1].close:
            # trades held past the period end: the curve goes on to their last exit
            later = market_calendar(CALENDAR).sessions(
                days[-1].day + timedelta(days=1), last_exit.date()
            )
            for label, row in later.iterrows():
                closes.append((str(label)[:10], row["close"].to_pydatetime()))
        equity = daily_equity(request.capital, self.trades, closes)
        summary = {
            "from": request.first.isoformat(),
            "to": request.last.isoformat(),
            "trading_days": len(days),
            "plans": "strategy " + request.strategy if request.strategy else "files",
            "mode": request.mode.value if request.mode is not None else None,
            "currency": self.currency(),
            **period_summary(request.capital, self.trades, equity),
            "unused_plan_files": list(unused),
            "fitted_parameters": documents.read_fits(request.out, days),
            **gaps_summary(gaps),
        }
        files.replace_file(
            request.out / files.ALL_TRADES, documents.all_trades_csv(request.out, days)
        )
        files.replace_file(request.out / files.DAILY_EQUITY, documents.csv_bytes(equity))
        files.replace_file(request.out / files.SUMMARY, files.json_bytes(summary))
        return summary


@dataclass(frozen=True, slots=True)
class _DayPlan:
    rows: tuple[PlanRow, ...]
    file_name: str
    data: bytes
    details: dict[str, object]


# ----------------------------------------------------------------------------- helpers


def _strategy(request: WalkForwardRequest) -> Any:
    from paperdesk.analysis.strategies.registry import create_vectorised_strategy

    assert request.strategy is not None
    if request.fit_params:  # every candidate is checked before anything is written
        from paperdesk.plans.wf_fit import check_candidates

        check_candidates(request.strategy, dict(request.params), request.fit_params)
    return create_vectorised_strategy(request.strategy, dict(request.params))


def _filtered(
    rows: Sequence[PlanRow],
    mode: ExecutionMode | None,
    account: Any,
    settings: PlanSettings,
    filter_plan: Callable[..., FilteredPlan],
) -> FilteredPlan:
    """The mode's filter on the running equity, its cap reduced by the trades still open from
    earlier days; no room left: every row dropped, saying why."""
    from paperdesk.plans.modes import Decision, RowDecision

    equity, exposure = account.equity, account.open_exposure
    room = equity * settings.exposure_cap - exposure
    if equity > 0 and room > 0:
        cap = room / equity
        day_settings = replace(settings, exposure_cap=cap) if exposure > 0 else settings
        return filter_plan(rows, mode, equity, day_settings)
    reason = (
        f"no room under the exposure cap: equity {equity}, open trades from earlier days "
        f"commit {exposure}"
    )
    decisions = tuple(
        RowDecision(
            row=row.row,
            ticker=row.ticker,
            side=row.side.value,
            qty=row.qty,
            entry_price=row.entry_price,
            score=None,
            rank=None,
            decision=Decision.DROPPED,
            kept_qty=Decimal(0),
            reason=reason,
        )
        for row in rows
    )
    # an empty plan's filter gives the document's shape; its rows are then the dropped ones
    empty = filter_plan((), mode, equity if equity > 0 else Decimal(1), settings)
    return replace(
        empty, capital=equity, cap=Decimal(0), exposure_used=exposure, decisions=decisions
    )


def _instrument(ticker: str) -> Any:
    from paperdesk.data.instruments import UnknownSymbolError, instrument_for

    try:
        return instrument_for(ticker)
    except UnknownSymbolError:
        return None


def _midnight(day: date) -> datetime:
    from datetime import UTC, time

    return datetime.combine(day, time(0), tzinfo=UTC)


def month_period(text: str) -> tuple[date, date]:
    """``--month YYYY-MM`` as its first and last date."""
    from paperdesk.plans.wf_days import month_period as period

    return period(text)


def parse_day(text: str, option: str) -> date:
    from paperdesk.plans.wf_days import parse_day as parse

    return parse(text, option)
