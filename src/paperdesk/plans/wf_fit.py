"""Re-fitting a strategy's parameters on a rolling in-sample window for the walk-forward: a
grid search whose every candidate is a backtest of the engine (the same kernel as
``paperdesk backtest``) on the daily bars of the window, scored by its P&L.

No ``fit`` optimiser exists elsewhere in paperdesk yet, so this is the plain one: every
combination of the grid (in the order given) is run on each symbol's in-sample bars (the
window, after the strategy's warm-up bars before it), the candidate with the highest total
P&L over the symbols wins, a tie goes to the earlier combination. Nothing after ``as_of`` is
given to it: the out-of-sample days it is used on come after. Each candidate runs with the
walk-forward's own run description (``run``): its costs (fee model, basis points, a forex
pair's spread), its sizing (the share of the capital a plan row commits for each symbol) and
its risk (the exposure cap, shorts, the holding time), so the winner is the best on the terms
it will trade with.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pandas as pd

from paperdesk.analysis.strategies.causality import LookAheadError
from paperdesk.analysis.strategies.registry import create_vectorised_strategy
from paperdesk.config import ExecutionConfig, RunConfig, StrategySpec
from paperdesk.data.instruments import instrument_for
from paperdesk.domain import AssetClass, Instrument, PaperdeskError
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark
from paperdesk.engine.backtest import simulate


@dataclass(frozen=True, slots=True)
class FitResult:
    """The parameters chosen on one in-sample window, and every candidate's score."""

    start: datetime
    end: datetime
    params: dict[str, str]
    scores: tuple[tuple[dict[str, str], str], ...]

    @property
    def note(self) -> str | None:
        """Why the choice is no fit: every candidate scored the same (a window too short for
        a trade, or one where no candidate traded), so the first was taken by the tie rule."""
        values = {Decimal(score) for _, score in self.scores}
        if len(self.scores) < 2 or len(values) != 1:
            return None
        (score,) = values
        return f"a tie: every candidate's in-sample P&L is {score}, so the first is used"

    def as_dict(self) -> dict[str, object]:
        document: dict[str, object] = {
            "in_sample_from": self.start.isoformat(),
            "in_sample_to": self.end.isoformat(),
            "params": dict(self.params),
            "candidates": [{"params": p, "pnl": score} for p, score in self.scores],
        }
        if self.note is not None:  # only then: other evidence keeps its bytes
            document["note"] = self.note
        return document


def parse_window(text: str) -> int:
    """``--fit-window 60d``: a number of calendar days."""
    value = text.strip().lower().removesuffix("d")
    if not value.isdigit() or int(value) <= 0:
        raise OptionError(
            f"invalid value for {field_mark('fit_window')}: '{text}' (expected days, such as 60d)"
        )
    return int(value)


def grid(choices: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """Every combination of ``KEY=V1,V2,...`` choices, in the order given."""
    keys, values = _options(choices)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def check_candidates(
    name: str, base: Mapping[str, str], choices: Sequence[tuple[str, str]]
) -> None:
    """Every candidate of the grid built as a strategy (a refused combination is an error,
    before anything is written), and no value listed twice for a parameter (``fast=5,5`` or
    ``fast=5,05`` would run one candidate twice): the sweep's check
    (``paperdesk.analysis.parameter_grid.refuse_repeat``) on the values as the strategy types
    them."""
    from paperdesk.analysis.parameter_grid import refuse_repeat

    keys, values = _options(choices)
    spelled: dict[tuple[str, object], tuple[int, str]] = {}
    for positions in itertools.product(*(range(len(options)) for options in values)):
        candidate = {
            key: options[at] for key, options, at in zip(keys, values, positions, strict=True)
        }
        strategy = create_vectorised_strategy(name, {**base, **candidate})
        for key, at in zip(keys, positions, strict=True):
            typed = getattr(strategy.params, key.strip().replace("-", "_"), None)
            refuse_repeat(spelled, key, typed, at, candidate[key])


def _options(choices: Sequence[tuple[str, str]]) -> tuple[list[str], list[list[str]]]:
    keys = [key for key, _ in choices]
    values = [[v.strip() for v in text.split(",") if v.strip()] for _, text in choices]
    for key, options in zip(keys, values, strict=True):
        if not options:
            raise OptionError(
                f"invalid value for {field_mark('fit_params', '--fit-param')}: '{key}=' (expected "
                "values)"
            )
    return keys, values


def fit(
    name: str,
    base: Mapping[str, str],
    candidates: Sequence[Mapping[str, str]],
    histories: Mapping[str, pd.DataFrame],
    as_of: datetime,
    window_days: int,
    cash: Decimal,
    execution: ExecutionConfig | None = None,
    *,
    run: RunConfig | None = None,
) -> FitResult:
    """The candidate with the best in-sample P&L (see the module docstring); ``histories``
    are the symbols' daily bars closed by ``as_of``; ``run`` the walk-forward's run
    description (costs, sizing, risk; its strategies, symbols and cash are the fit's own), so a
    candidate is scored on the terms it will trade with (the defaults when None);
    ``execution``, when given, its costs instead of ``run``'s."""
    described = run if run is not None else RunConfig()
    costs = execution if execution is not None else described.execution
    start = as_of - timedelta(days=window_days)
    scores: list[tuple[dict[str, str], Decimal]] = []
    for candidate in candidates:
        params = {**base, **candidate}
        strategy = create_vectorised_strategy(name, params)
        total = Decimal(0)
        for symbol, history in sorted(histories.items()):
            bars = _in_sample(history, start, as_of, strategy.warmup)
            if bars.empty:
                continue
            instrument = instrument_for(symbol)
            config = described.model_copy(
                update={
                    "strategies": (StrategySpec(name, dict(params)),),
                    "symbols": (symbol,),
                    "cash": cash,
                    "execution": _costs_for(costs, instrument),
                }
            )
            try:
                result = simulate(bars, strategy, config, instrument)
            except LookAheadError:
                raise  # a strategy that reads later bars scores nothing anywhere: say so
            except PaperdeskError:
                continue  # too few bars for this candidate: it scores nothing here
            total += result.final_equity - cash
        scores.append((dict(candidate), total))
    best = max(range(len(scores)), key=lambda i: (scores[i][1], -i))
    return FitResult(
        start,
        as_of,
        scores[best][0],
        tuple((params, format(score, "f")) for params, score in scores),
    )


def _costs_for(execution: ExecutionConfig, instrument: Instrument) -> ExecutionConfig:
    """``execution`` for one symbol's fit: a spread in pips is a forex pair's cost alone (the
    walk-forward's other symbols pay its basis points, as its out-of-sample days do)."""
    if execution.spread_pips is None or instrument.asset_class is AssetClass.FOREX:
        return execution
    return execution.model_copy(update={"spread_pips": None})


def _in_sample(history: pd.DataFrame, start: datetime, end: datetime, warmup: int) -> pd.DataFrame:
    closes = history["ts_close"]
    inside = history[(closes > start) & (closes <= end)]
    if inside.empty:
        return inside
    first = int(history.index.searchsorted(inside.index[0]))
    last = int(history.index.searchsorted(inside.index[-1]))
    return history.iloc[max(first - warmup, 0) : last + 1]
