"""Parameter sweeps: one backtest per point of a strategy's parameter grid, on the same bars
(loaded once), in worker processes, with overfitting diagnostics beside the best run.

Every grid point runs through ``run_prepared``, the path ``paperdesk backtest`` takes, so a
point's statistics are those of a plain backtest with its parameters. Results come back in grid
order whatever order the workers finish in, and a worker computes exactly what the calling
process would: a parallel sweep equals a serial one, and a sweep run twice equals itself.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paperdesk.config import RunConfig, StrategySpec
from paperdesk.domain import InvalidInputError, PaperdeskError

if TYPE_CHECKING:
    from paperdesk.analysis.parameter_grid import ParameterGrid
    from paperdesk.analytics.overfitting import BacktestOverfitting, DeflatedSharpe
    from paperdesk.data.manager import DataManager
    from paperdesk.data.quality_report import DataGaps
    from paperdesk.service.backtests import PreparedRun

__all__ = [
    "DEFAULT_SLICES",
    "SweepChoice",
    "SweepMetric",
    "SweepResult",
    "SweepRun",
    "SweepService",
    "run_sweep",
    "sweep_in_sample",
    "write_sweep_csv",
]

ProgressCallback = Callable[[int, int], None]
DEFAULT_SLICES = 16  # the CSCV slices of Bailey et al. (C(16, 8) = 12,870 combinations)


class SweepMetric(StrEnum):
    """What ranks the runs (best first; a run without the figure ranks last)."""

    SHARPE = "sharpe"
    RETURN = "return"
    DRAWDOWN = "drawdown"  # the shallowest maximum drawdown first
    PROFIT_FACTOR = "profit-factor"
    WIN_RATE = "win-rate"


@dataclass(frozen=True, slots=True)
class SweepRun:
    """One grid point's backtest: its parameters and statistics (money exact)."""

    index: int  # its place in the grid
    params: dict[str, Any]
    final_equity: Decimal
    net_pnl: Decimal  # final equity less the starting cash
    total_return_pct: float
    sharpe: float | None  # annualised, as the backtest report's
    max_drawdown_pct: float  # negative or zero
    trades: int
    win_rate_pct: float | None
    profit_factor: float | None
    sharpe_per_period: float | None  # what the diagnostics compare (not annualised)

    def score(self, metric: SweepMetric) -> float | None:
        figures: dict[SweepMetric, float | None] = {
            SweepMetric.SHARPE: self.sharpe,
            SweepMetric.RETURN: self.total_return_pct,
            SweepMetric.DRAWDOWN: self.max_drawdown_pct,
            SweepMetric.PROFIT_FACTOR: self.profit_factor,
            SweepMetric.WIN_RATE: self.win_rate_pct,
        }
        return figures[metric]

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "params": dict(self.params),
            "final_equity": format(self.final_equity, "f"),
            "net_pnl": format(self.net_pnl, "f"),
            "total_return_pct": self.total_return_pct,
            "sharpe": self.sharpe,
            "max_drawdown_pct": self.max_drawdown_pct,
            "trades": self.trades,
            "win_rate_pct": self.win_rate_pct,
            "profit_factor": self.profit_factor,
            "sharpe_per_period": self.sharpe_per_period,
        }


@dataclass(frozen=True, slots=True)
class SweepResult:
    """Every run in grid order, their ranking by ``metric`` and the diagnostics of the best."""

    strategy: str
    symbol: str
    timeframe: str
    start: date
    end: date
    metric: SweepMetric
    grid: ParameterGrid
    runs: tuple[SweepRun, ...]
    ranking: tuple[int, ...]  # grid indexes, best first (ties keep grid order)
    deflated: DeflatedSharpe
    overfitting: BacktestOverfitting | None
    overfitting_note: str | None  # why the PBO was not computed
    periods: int  # the returns each run's diagnostics use
    returns: np.ndarray = field(repr=False, compare=False)  # periods x runs
    data_gaps: DataGaps | None = None  # the bars' gaps against their calendar, every run's

    @property
    def best(self) -> SweepRun:
        return self.runs[self.ranking[0]]

    def ranked(self) -> list[SweepRun]:
        return [self.runs[index] for index in self.ranking]

    def to_dict(self) -> dict[str, object]:
        return {
            "strategy": self.strategy,
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "metric": self.metric.value,
            "parameters": {axis.name: list(axis.values) for axis in self.grid.axes},
            "runs": [run.to_dict() for run in self.ranked()],
            "skipped": [{"params": p, "reason": reason} for p, reason in self.grid.skipped],
            "best": self.best.to_dict(),
            "deflated_sharpe": self.deflated.to_dict(),
            "overfitting": self.overfitting.to_dict() if self.overfitting else None,
            "overfitting_note": self.overfitting_note,
            "periods": self.periods,
            "data_gaps": self.data_gaps.to_dict() if self.data_gaps is not None else None,
        }


@dataclass(frozen=True, slots=True)
class SweepChoice:
    """The parameters a sweep picks on an in-sample window, with the evidence."""

    params: dict[str, Any]  # the best run's swept parameters (the others keep their defaults)
    result: SweepResult

    @property
    def deflated_sharpe_ratio(self) -> float | None:
        return self.result.deflated.probability

    @property
    def probability_of_backtest_overfitting(self) -> float | None:
        return self.result.overfitting.probability if self.result.overfitting else None


def metric_value(text: str) -> SweepMetric:
    try:
        return SweepMetric(text.strip().lower())
    except ValueError:
        choices = ", ".join(metric.value for metric in SweepMetric)
        raise InvalidInputError(f"unknown metric {text!r}; expected one of: {choices}") from None


def workers_value(workers: int | None) -> int:
    """``None``: every core; otherwise at least 1."""
    if workers is None:
        return os.cpu_count() or 1
    if workers < 1:
        raise InvalidInputError(f"--workers must be at least 1, got {workers}")
    return workers


def run_sweep(
    config: RunConfig,
    specs: Sequence[str],
    *,
    workers: int | None = None,
    metric: SweepMetric | str = SweepMetric.SHARPE,
    slices: int = DEFAULT_SLICES,
    progress: ProgressCallback | None = None,
    data: Any = None,
    asset_class: str | None = None,
) -> SweepResult:
    """Run ``config``'s strategy once per point of the grid ``specs`` (``--param`` texts, see
    ``paperdesk.analysis.parameter_grid``) over ``config``'s symbol and period, the bars loaded
    once; ``workers`` processes (1: in this process; None: one per core); ``progress(done,
    total)`` after each run. The parameters of ``config`` not swept keep their values."""
    from paperdesk.analysis.parameter_grid import build_grid
    from paperdesk.analytics.overfitting import check_slices
    from paperdesk.service.backtests import check_shape, prepare_run

    ranking_metric = metric if isinstance(metric, SweepMetric) else metric_value(metric)
    count = workers_value(workers)
    check_slices(slices)
    check_shape(config)
    for path in config.strategy_paths:  # a plug-in named by path is loaded before its schema
        from paperdesk.analysis.strategies.registry import load_strategy_path

        load_strategy_path(path)
    grid = build_grid(config.strategy, specs, config.params)
    prepared = prepare_run(config, data=data, asset_class=asset_class)
    outcomes = _run_points(prepared, config, grid.points, count, progress)
    failed = [outcome for outcome in outcomes if isinstance(outcome, _Failure)]
    if failed:
        first = failed[0]
        raise InvalidInputError(f"the run with {_label(first.params)} failed: {first.message}")
    done = [outcome for outcome in outcomes if isinstance(outcome, _Outcome)]
    return _summarise(config, prepared, grid, done, ranking_metric, slices)


def sweep_in_sample(
    config: RunConfig,
    specs: Sequence[str],
    start: date,
    end: date,
    *,
    metric: SweepMetric | str = SweepMetric.SHARPE,
    workers: int | None = 1,
    slices: int = DEFAULT_SLICES,
    data: Any = None,
) -> SweepChoice:
    """The walk-forward's in-sample fit: the grid ``specs`` swept on the bars dated ``start``
    to ``end`` (both included; the strategy's warm-up comes out of the window, as in a
    backtest with ``--from``), the best run by ``metric`` chosen, ties to the earlier grid
    point. Nothing after ``end`` is read: the out-of-sample days that use the choice must come
    after it."""
    window = config.model_copy(update={"start": start, "end": end})
    result = run_sweep(window, specs, workers=workers, metric=metric, slices=slices, data=data)
    return SweepChoice(dict(result.best.params), result)


class SweepService:
    """Parameter sweeps on the container's DataManager."""

    def __init__(self, data: Callable[[], DataManager] | None = None) -> None:
        self._data = data

    def run(
        self,
        config: RunConfig,
        specs: Sequence[str],
        *,
        workers: int | None = None,
        metric: SweepMetric | str = SweepMetric.SHARPE,
        slices: int = DEFAULT_SLICES,
        progress: ProgressCallback | None = None,
        asset_class: str | None = None,
    ) -> SweepResult:
        """``run_sweep`` on this container's data (see there)."""
        data = self._data() if self._data is not None and config.data is None else None
        return run_sweep(
            config, specs, workers=workers, metric=metric, slices=slices, progress=progress,
            data=data, asset_class=asset_class,
        )  # fmt: skip

    def in_sample(
        self,
        config: RunConfig,
        specs: Sequence[str],
        start: date,
        end: date,
        *,
        metric: SweepMetric | str = SweepMetric.SHARPE,
        workers: int | None = 1,
    ) -> SweepChoice:
        """``sweep_in_sample`` on this container's data (see there)."""
        data = self._data() if self._data is not None and config.data is None else None
        return sweep_in_sample(config, specs, start, end, metric=metric, workers=workers, data=data)


# ----------------------------------------------------------------------------- the runs
@dataclass(frozen=True, slots=True)
class _Outcome:
    run: SweepRun
    returns: np.ndarray
    risk_free: float  # per period


@dataclass(frozen=True, slots=True)
class _Failure:
    index: int
    params: dict[str, Any]
    message: str


_WORKER: dict[str, Any] = {}  # what each worker process was handed once, at its start


def _start_worker(prepared: PreparedRun, config: RunConfig) -> None:
    _WORKER["prepared"] = prepared
    _WORKER["config"] = config


def _worker_point(index: int, params: dict[str, Any]) -> _Outcome | _Failure:
    return run_point(_WORKER["prepared"], _WORKER["config"], index, params)


def _run_points(
    prepared: PreparedRun,
    config: RunConfig,
    points: Sequence[dict[str, Any]],
    workers: int,
    progress: ProgressCallback | None,
) -> list[_Outcome | _Failure]:
    """Each point's outcome, in grid order."""
    total = len(points)
    outcomes: list[_Outcome | _Failure | None] = [None] * total
    if progress is not None:
        progress(0, total)
    if workers == 1 or total <= 1:
        for index, params in enumerate(points):
            outcomes[index] = run_point(prepared, config, index, params)
            if progress is not None:
                progress(index + 1, total)
    else:
        import multiprocessing

        # forkserver: workers start from a clean single-threaded process, never a fork of this
        # one (its threads: a progress bar, a database pool)
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        pool = ProcessPoolExecutor(
            max_workers=min(workers, total),
            mp_context=context,
            initializer=_start_worker,
            initargs=(prepared, config),
        )
        try:
            futures = {
                pool.submit(_worker_point, index, dict(params)): index
                for index, params in enumerate(points)
            }
            for finished, future in enumerate(as_completed(futures), start=1):
                outcomes[futures[future]] = future.result()
                if progress is not None:
                    progress(finished, total)
        except BaseException:
            # Ctrl-C or a failed worker: the runs not started are dropped, not waited for
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    return [outcome for outcome in outcomes if outcome is not None]


def run_point(
    prepared: PreparedRun, config: RunConfig, index: int, params: Mapping[str, Any]
) -> _Outcome | _Failure:
    """One grid point's backtest on the prepared bars (in a worker or in this process)."""
    from paperdesk.analytics.overfitting import per_period_sharpe
    from paperdesk.service.backtests import run_prepared

    merged = {**config.params, **params}
    point_config = config.model_copy(
        update={"strategies": (StrategySpec(config.strategy, merged),)}
    )
    try:
        result = run_prepared(prepared, point_config)
    except PaperdeskError as error:
        return _Failure(index, dict(params), str(error))
    stats = result.stats
    # the returns the run's Sharpe is taken on (its traded bars), for the diagnostics too
    returns = result.statistics_returns().to_numpy(dtype=np.float64)
    periods_per_year = stats.periods_per_year
    risk_free = stats.risk_free_rate_pct / 100.0 / periods_per_year if periods_per_year else 0.0
    run = SweepRun(
        index=index,
        params=dict(params),
        final_equity=result.final_equity,
        net_pnl=result.final_equity - config.cash,
        total_return_pct=stats.total_return_pct,
        sharpe=stats.sharpe,
        max_drawdown_pct=stats.max_drawdown_pct,
        trades=stats.trades,
        win_rate_pct=stats.win_rate_pct,
        profit_factor=stats.profit_factor,
        sharpe_per_period=per_period_sharpe(returns, risk_free),
    )
    return _Outcome(run, returns, risk_free)


def _summarise(
    config: RunConfig,
    prepared: PreparedRun,
    grid: ParameterGrid,
    outcomes: Sequence[_Outcome],
    metric: SweepMetric,
    slices: int,
) -> SweepResult:
    from paperdesk.analytics.overfitting import (
        deflated_sharpe_ratio,
        probability_of_backtest_overfitting,
    )

    runs = tuple(outcome.run for outcome in outcomes)
    ranking = tuple(sorted(range(len(runs)), key=lambda i: _rank_key(runs[i], metric)))
    lengths = {outcome.returns.size for outcome in outcomes}
    if len(lengths) != 1:  # the same bars give every run the same periods
        raise InvalidInputError(f"the runs have returns of different lengths: {sorted(lengths)}")
    matrix = np.column_stack([outcome.returns for outcome in outcomes])
    best = outcomes[ranking[0]]
    deflated = deflated_sharpe_ratio(
        best.returns, [run.sharpe_per_period for run in runs], best.risk_free
    )
    overfitting = None
    note = None
    try:
        overfitting = probability_of_backtest_overfitting(matrix, slices)
    except InvalidInputError as error:
        note = str(error)
    bars = prepared.bars
    return SweepResult(
        strategy=config.strategy,
        symbol=str(prepared.instrument.symbol),
        timeframe=str(bars.attrs.get("timeframe") or config.timeframe or "1d"),
        start=bars.index[0].date(),
        end=bars.index[-1].date(),
        metric=metric,
        grid=grid,
        runs=runs,
        ranking=ranking,
        deflated=deflated,
        overfitting=overfitting,
        overfitting_note=note,
        periods=int(matrix.shape[0]),
        returns=matrix,
        data_gaps=prepared.gaps,
    )


def _rank_key(run: SweepRun, metric: SweepMetric) -> tuple[int, float, int]:
    """Best first: a known figure before None, the higher figure first, then grid order."""
    value = run.score(metric)
    if value is None or not math.isfinite(value):
        return (1, 0.0, run.index)
    return (0, -value, run.index)


def _label(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in params.items()) or "the defaults"


SUMMARY_COLUMNS = (
    "final_equity",
    "net_pnl",
    "total_return_pct",
    "sharpe",
    "max_drawdown_pct",
    "trades",
    "win_rate_pct",
    "profit_factor",
)


def write_sweep_csv(result: SweepResult, path: Path) -> None:
    """One row per run, best first: rank, the swept parameters, then the statistics (money as
    its exact decimal text, an undefined figure empty). Written beside and renamed into place,
    so an interrupted write never leaves half a file."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = list(result.grid.names)
    writer.writerow(["rank", *names, *SUMMARY_COLUMNS])
    for rank, run in enumerate(result.ranked(), start=1):
        figures = run.to_dict()
        cells = ["" if figures[key] is None else str(figures[key]) for key in SUMMARY_COLUMNS]
        writer.writerow([rank, *(str(run.params[name]) for name in names), *cells])
    target = path.expanduser()
    if target.parent and not target.parent.is_dir():
        raise InvalidInputError(f"cannot write {target}: folder {target.parent} does not exist")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(buffer.getvalue(), encoding="utf-8")
        partial.replace(target)
    except OSError as error:
        raise InvalidInputError(f"cannot write {target}: {error.strerror or error}") from None
