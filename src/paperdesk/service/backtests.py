"""The backtest service: the one door through which interfaces run backtests.

Bars come from the DataManager, the same door paper portfolios use, so a symbol imported with
``paperdesk data import`` backtests from the bars a portfolio would trade (and a file given with
``--data`` is read by the same validating reader).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paperdesk.config import RunConfig
from paperdesk.domain import DataError, InvalidInputError
from paperdesk.service.benchmarks import load_benchmark
from paperdesk.service.documents import result_to_dict

if TYPE_CHECKING:
    import pandas as pd

    from paperdesk.data.manager import DataManager
    from paperdesk.data.quality_report import DataGaps
    from paperdesk.engine.result import BacktestResult

__all__ = [
    "BacktestService",
    "PreparedRun",
    "ProgressCallback",
    "prepare_run",
    "result_to_dict",
    "run_backtest",
    "run_prepared",
]

ProgressCallback = Callable[[int, int], None]


def load_run_bars(
    config: RunConfig, data: DataManager | None = None, asset_class: str | None = None
) -> pd.DataFrame:
    """The bars a backtest of ``config`` runs on: its ``data`` file (read on the calendar of
    ``asset_class`` when given), else the symbol's bars from the DataManager (imported,
    backfilled or bundled), cut to ``start``..``end``."""
    from paperdesk.data import instrument_for, load_bars
    from paperdesk.data.manager import DataManager
    from paperdesk.engine.backtest import slice_dates

    if config.data is not None:
        calendar = None
        if asset_class is not None:
            calendar = instrument_for(config.symbol or "DATA", asset_class).calendar
        bars = load_bars(
            config.data, symbol=config.symbol, timeframe=config.timeframe, calendar=calendar
        )
    elif config.symbol:
        timeframe = config.timeframe or "1d"
        manager = data if data is not None else DataManager()
        bars = manager.get_bars(config.symbol, timeframe)
        if bars.empty:
            from paperdesk.data import find_bundled

            find_bundled(config.symbol, timeframe)  # raises, naming what is available
            raise DataError(f"no {config.symbol} {timeframe} bars are available")
        bars.attrs.setdefault("symbol", config.symbol.strip().upper())
        bars.attrs.setdefault("timeframe", timeframe)
    else:
        raise InvalidInputError("a backtest needs either a data file or a symbol and timeframe")
    if config.quotes is not None:
        from paperdesk.data.quote_csv import merge_quotes, read_quotes

        bars = merge_quotes(bars, read_quotes(config.quotes))
    return slice_dates(bars, config.start, config.end)


def check_shape(config: RunConfig) -> None:
    """A backtest runs one strategy on one symbol."""
    if len(config.strategies) != 1:
        names = ", ".join(spec.name for spec in config.strategies)
        raise InvalidInputError(f"a backtest runs one strategy; this run lists {names}")
    if len(config.symbols) > 1:  # a run file's symbols = [...]
        raise InvalidInputError(
            f"a backtest runs one symbol; this run lists {', '.join(config.symbols)} (run one "
            "backtest per symbol, or a paper portfolio to trade several)"
        )


@dataclass(frozen=True, slots=True)
class PreparedRun:
    """What a backtest of one symbol needs besides its strategy, loaded once: the bars with
    their prices adjusted, the instrument in those prices' terms, the benchmark and the
    corporate actions booked on the ledger. A sweep runs every grid point on one of these
    (pickled once to each worker process)."""

    bars: pd.DataFrame
    instrument: Any
    benchmark: Any
    actions: tuple[Any, ...]
    adjust: str
    prices: str
    gaps: DataGaps | None = None  # the bars' gaps against their calendar (None: unchecked)


def prepare_run(
    config: RunConfig, *, data: Any = None, asset_class: str | None = None
) -> PreparedRun:
    """Check the run's shape and load what it runs on (see ``run_backtest``)."""
    from paperdesk.config import Adjustment
    from paperdesk.data import instrument_for
    from paperdesk.data.adjustment import price_adjustment
    from paperdesk.data.instruments import remember_asset_class

    check_shape(config)
    if config.symbol and config.data is not None:
        instrument_for(config.symbol, asset_class)  # an unknown symbol is refused first
    bars = load_run_bars(config, data, asset_class)
    symbol = str(bars.attrs.get("symbol") or config.symbol or "DATA")
    instrument = instrument_for(symbol, asset_class)
    if asset_class is not None:  # the report shows its prices and money in this class's terms
        remember_asset_class(symbol, instrument.asset_class)
    timeframe = str(bars.attrs.get("timeframe") or config.timeframe or "1d")
    benchmark = load_benchmark(config, timeframe, data)
    prices = price_adjustment(
        symbol,
        instrument,
        config.source.adjust,
        config.source.factor_file,
        # bars from the DataManager: Lean's default DataNormalizationMode.Adjusted; a --data
        # file may hold adjusted prices already (a Yahoo download's Close does): raw unless asked
        default=Adjustment.SPLIT_DIVIDEND if config.data is None else Adjustment.RAW,
    )
    # on adjusted prices the splits and dividends are in the prices; on raw ones the ledger books
    actions = _actions(config, instrument) if prices.mode is Adjustment.RAW else ()
    return PreparedRun(
        bars=prices.apply(bars),
        instrument=prices.instrument(instrument),
        benchmark=benchmark,
        actions=tuple(actions),
        adjust=prices.mode.value,
        prices=prices.describe(),
        gaps=bar_gaps(bars, timeframe, instrument.calendar),
    )


def bar_gaps(bars: pd.DataFrame, timeframe: str, calendar: str) -> DataGaps | None:
    """The gaps of ``bars`` against ``calendar`` as ``paperdesk data check`` finds them, from
    the index once (vectorised): sessions for intraday and daily bars, the calendar's periods
    for ``nd``, weekly and monthly ones (a week without a bar; a week of holidays is none);
    None for bars without a time index."""
    import numpy as np
    import pandas as pd

    from paperdesk.data.quality import find_gaps, session_seconds
    from paperdesk.data.quality_report import DataGaps
    from paperdesk.domain import Timeframe

    frame_timeframe = Timeframe.parse(timeframe)
    index = bars.index
    if not isinstance(index, pd.DatetimeIndex):
        return None
    stamps = index.tz_convert("UTC").as_unit("ns").asi8
    if len(stamps) > 1 and not (stamps[1:] > stamps[:-1]).all():
        stamps = np.unique(stamps)
    gaps = find_gaps(stamps, str(frame_timeframe), calendar)
    return DataGaps.of(gaps, calendar, frame_timeframe.seconds, session_seconds(calendar))


def run_prepared(
    prepared: PreparedRun, config: RunConfig, progress: ProgressCallback | None = None
) -> BacktestResult:
    """Simulate ``config``'s strategy on bars loaded by ``prepare_run`` (for the same symbol,
    period and prices: only the strategy and its parameters may differ)."""
    from paperdesk.engine.backtest import simulate
    from paperdesk.engine.strategies import run_strategies

    strategy = run_strategies(config)[config.strategy]
    result = simulate(
        prepared.bars, strategy, config, prepared.instrument, progress,
        benchmark=prepared.benchmark, corporate_actions=prepared.actions,
    )  # fmt: skip
    # the result is frozen; these three fields describe the bars it was computed on
    object.__setattr__(result, "adjust", prepared.adjust)
    object.__setattr__(result, "prices", prepared.prices)
    object.__setattr__(result, "data_gaps", prepared.gaps)
    return result


def run_backtest(
    config: RunConfig,
    progress: ProgressCallback | None = None,
    *,
    data: Any = None,
    asset_class: str | None = None,
) -> BacktestResult:
    """Load the run's bars and strategy and simulate it (imported on first use, so the service
    loads without the engine's dependencies). ``asset_class`` says what a symbol paperdesk
    does not know is; an unknown symbol without one is refused before the bars are read."""
    from paperdesk.engine.strategies import run_strategies

    check_shape(config)
    run_strategies(config)  # a bad strategy or parameter is refused before the bars load
    prepared = prepare_run(config, data=data, asset_class=asset_class)
    return run_prepared(prepared, config, progress)


def _actions(config: RunConfig, instrument: Any) -> tuple[Any, ...]:
    """The splits and dividends booked on the ledger: those of the symbol's bundled factor file
    when the bars come from the DataManager (raw prices); a ``--data`` file's prices may be
    adjusted already (a Yahoo download's Close is), so none are booked on it."""
    from paperdesk.data.corporate_actions import ledger_actions_for

    return () if config.data is not None else ledger_actions_for(instrument)


class BacktestService:
    """Runs backtests and describes the strategies that can be backtested."""

    def __init__(self, data: Callable[[], DataManager] | None = None) -> None:
        self._data = data  # made on first use: listing strategies opens no database

    def run(
        self,
        config: RunConfig,
        progress: ProgressCallback | None = None,
        *,
        asset_class: str | None = None,
    ) -> BacktestResult:
        """Run one backtest; ``progress(done, total)`` is called as bars are processed;
        ``asset_class`` names the class of a symbol paperdesk does not know."""
        wanted = config.data is None or config.statistics.benchmark is not None
        data = self._data() if self._data is not None and wanted else None
        return run_backtest(config, progress, data=data, asset_class=asset_class)

    def strategies(self) -> list[tuple[str, str]]:
        """Every strategy (built in and plug-in) as (name, description), sorted by name."""
        from paperdesk.analysis.strategies import registry

        described: list[tuple[str, str]] = []
        for name in sorted(registry.available_strategy_names()):
            strategy_class = registry.get_strategy_class(name)
            description = str(getattr(strategy_class, "description", "") or "")
            described.append((name, description))
        return described

    def describe_strategies(self, strategy_paths: Sequence[str] = ()) -> list[dict[str, object]]:
        """Every strategy with its kind, source and parameters (type, default, meaning), the
        plug-ins named by path (``module:Class`` or a file) loaded first."""
        from paperdesk.service.strategy_documents import strategy_documents

        _load_paths(strategy_paths)
        return strategy_documents()

    def describe_strategy(self, name: str, strategy_paths: Sequence[str] = ()) -> dict[str, object]:
        """One strategy in detail (plug-ins named by path loaded first); an unknown name is an
        error listing the available ones."""
        from paperdesk.service.strategy_documents import one_strategy_document

        _load_paths(strategy_paths)
        return one_strategy_document(name)


def _load_paths(strategy_paths: Sequence[str]) -> None:
    from paperdesk.analysis.strategies.registry import load_strategy_path

    for path in strategy_paths:
        load_strategy_path(path)
