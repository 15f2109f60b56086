"""The walk-forward's inputs checked: the options (before anything is written), the folder of
daily plans, and each plan's entries inside its day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperdesk.domain import PaperdeskError, Timeframe
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark
from paperdesk.domain.parsing import decimal_value

if TYPE_CHECKING:
    from paperdesk.plans.rows import PlanRow
    from paperdesk.plans.wf_days import TradingDay
    from paperdesk.service.walk_forward import WalkForwardRequest

CALENDAR = "XNYS"


def check_request(request: WalkForwardRequest) -> None:
    if (request.plans is None) == (request.strategy is None):
        raise OptionError(
            f"give either {field_mark('plans')} DIR or {field_mark('strategy')} NAME (one of them)"
        )
    if request.plans is not None and not request.plans.is_dir():
        raise OptionError(
            f"invalid value for {field_mark('plans')}: '{request.plans}' (expected a folder)"
        )
    if not request.capital.is_finite() or request.capital <= 0:
        raise OptionError(
            f"invalid value for {field_mark('capital')}: '{request.capital}' (expected above 0)"
        )
    if not request.slippage_bps.is_finite() or request.slippage_bps < 0:
        raise OptionError(
            f"invalid value for {field_mark('slippage_bps')}: '{request.slippage_bps}' (expected "
            "0 or more)"
        )
    if request.spread_pips is not None:  # the backtest's rule: a number above 0
        decimal_value(request.spread_pips, field_mark("spread_pips"))
    timeframe = _timeframe(request.timeframe, field_mark("timeframe"))
    if request.resolve_with is not None:
        finer = _timeframe(request.resolve_with, field_mark("resolve_with"))
        if finer.seconds >= timeframe.seconds:
            raise OptionError(
                f"invalid value for {field_mark('resolve_with')}: '{request.resolve_with}' "
                f"(expected a timeframe finer than {field_mark('timeframe')} {request.timeframe})"
            )
    if request.strategy is not None and not request.symbols:
        raise OptionError(
            f"a {field_mark('strategy')} walk-forward needs at least one "
            f"{field_mark('symbols', '--symbol')}"
        )
    if (request.fit_window is None) != (not request.fit_params):
        raise OptionError(
            f"re-fitting needs both {field_mark('fit_window')} (e.g. 60d) and "
            f"{field_mark('fit_params', '--fit-param')} KEY=V1,V2"
        )
    if request.fit_window is not None:
        from paperdesk.plans.wf_fit import parse_window

        parse_window(request.fit_window)
        if request.strategy is None:
            raise OptionError(
                f"{field_mark('fit_window')} re-fits a {field_mark('strategy')}; plans from files "
                "are not fitted"
            )
        if request.refit_every < 1:
            raise OptionError(
                f"invalid value for {field_mark('refit_every')}: '{request.refit_every}' "
                "(expected 1 or more)"
            )


def _timeframe(text: str, option: str) -> Timeframe:
    try:
        parsed = Timeframe.parse(text)
    except PaperdeskError:
        raise OptionError(
            f"invalid value for {option}: '{text}' (expected a timeframe such as 1m, 1h)"
        ) from None
    if not parsed.is_intraday:
        raise OptionError(
            f"invalid value for {option}: '{text}' (an intraday timeframe: 1m, 15m, 1h...)"
        )
    return parsed


def plan_files(folder: Path, days: Sequence[TradingDay]) -> tuple[dict[str, Path], list[str]]:
    """The plan of each trading day (``YYYY-MM-DD.csv`` or ``.json``), and the dated plan files
    of the period that no trading day uses (a weekend, a holiday)."""
    trading = {day.name for day in days}
    first, last = days[0].name, days[-1].name
    found: dict[str, Path] = {}
    unused: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".json") or not path.is_file():
            continue
        try:
            name = date.fromisoformat(path.stem).isoformat()
        except ValueError:
            continue  # not a daily plan
        if not first <= name <= last:
            continue
        if name not in trading:
            unused.append(f"{path.name}: {name} is not a {CALENDAR} trading day")
            continue
        if name in found:
            raise OptionError(
                f"invalid value for {field_mark('plans')}: two plans for {name} "
                f"({found[name].name} and {path.name}); keep one"
            )
        found[name] = path
    if not found:
        raise OptionError(
            f"invalid value for {field_mark('plans')}: '{folder}' holds no daily plan "
            f"(YYYY-MM-DD.csv or .json) for a trading day from {first} to {last}"
        )
    return found, unused


def inside_day(
    rows: Sequence[PlanRow], day: TradingDay, path: Path, *, skip: bool
) -> tuple[tuple[PlanRow, ...], list[Any]]:
    """Rows entering after the plan was made (the previous close) and before the day's close;
    another day's entry is a bad row (refused, or skipped and reported with ``skip``)."""
    from paperdesk.plans.problems import PlanError, PlanProblem

    kept: list[PlanRow] = []
    problems: list[PlanProblem] = []
    for row in rows:
        moment = row.entry_datetime
        if moment is None or day.as_of < moment < day.close:
            kept.append(row)
            continue
        problems.append(
            PlanProblem(
                row.row,
                "entry_datetime",
                moment.isoformat(),
                f"a time after the plan is made ({day.as_of.isoformat()}, the previous close) "
                f"and before the {day.name} session closes ({day.close.isoformat()})",
            )
        )
    if problems and not skip:
        raise PlanError(str(path), problems)
    return tuple(kept), problems
