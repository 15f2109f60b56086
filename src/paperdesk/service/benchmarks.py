"""The benchmark a run's statistics are measured against: its closes, from a file or a symbol."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperdesk.config import RunConfig
from paperdesk.domain import DataError, InvalidInputError, OptionError, UnknownNameError
from paperdesk.domain.fields import marked, setting_mark
from paperdesk.domain.parsing import file_problem

if TYPE_CHECKING:
    import pandas as pd

    from paperdesk.analytics.conventions import Benchmark
    from paperdesk.data.manager import DataManager


def load_benchmark(
    config: RunConfig, timeframe: str, data: DataManager | None = None
) -> Benchmark | None:
    """The benchmark of ``config.statistics``: its ``benchmark_data`` file (the symbol from
    ``benchmark``, else the file name), else the ``benchmark`` symbol's ``timeframe`` bars from
    the DataManager (imported, backfilled or bundled); None without a benchmark. A symbol
    without bars is refused, naming the option and the bars that are available."""
    settings = config.statistics
    if settings.benchmark_data is not None:
        from paperdesk.data import load_bars

        problem = file_problem("benchmark data file", settings.benchmark_data)
        if problem is not None:
            raise OptionError(problem)
        bars = load_bars(settings.benchmark_data, symbol=settings.benchmark, timeframe=timeframe)
        symbol = str(bars.attrs.get("symbol") or settings.benchmark or "BENCHMARK")
        return _benchmark(symbol, bars)
    if settings.benchmark is None:
        return None
    return benchmark_from_store(settings.benchmark, timeframe, data)


def benchmark_from_store(symbol: str, timeframe: str, data: DataManager | None = None) -> Benchmark:
    """``symbol``'s ``timeframe`` bars as a benchmark; an unknown symbol is one clear error."""
    from paperdesk.data import find_bundled
    from paperdesk.data.manager import DataManager

    manager = data if data is not None else DataManager()
    bars = manager.get_bars(symbol, timeframe)
    if bars.empty:
        try:
            find_bundled(symbol, timeframe)
        except (InvalidInputError, UnknownNameError) as error:
            raise OptionError(
                f"invalid value for {setting_mark('benchmark')}: {symbol!r} (no {timeframe} bars "
                f"of it: {marked(error)}; import them with paperdesk data import, or give "
                f"{setting_mark('benchmark_data')} FILE.csv)"
            ) from None
        raise DataError(f"no {symbol} {timeframe} bars are available for the benchmark")
    return _benchmark(symbol, bars)


def _benchmark(symbol: str, bars: pd.DataFrame) -> Benchmark:
    import pandas as pd

    from paperdesk.analytics.conventions import Benchmark

    closes = pd.Series(
        bars["close"].to_numpy(dtype="float64"), index=pd.DatetimeIndex(bars["ts_close"])
    )
    return Benchmark(symbol, closes)
