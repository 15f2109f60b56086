"""Overfitting diagnostics of a parameter sweep: how much of the best run's Sharpe ratio the
number of trials alone would explain.

* The deflated Sharpe ratio (Bailey & López de Prado 2014, "The Deflated Sharpe Ratio"): the
  probabilistic Sharpe ratio of the best run against the Sharpe ratio the best of N unskilled
  trials would be expected to reach, E[max SR] = sqrt(V) ((1 - g) Phi^-1(1 - 1/N) +
  g Phi^-1(1 - 1/(N e))), V the variance of the trials' Sharpe ratios, g Euler-Mascheroni.
* The probability of backtest overfitting (Bailey, Borwein, López de Prado & Zhu 2017, "The
  probability of backtest overfitting"), by combinatorially symmetric cross-validation (CSCV):
  the returns matrix (periods x trials) is cut into S slices of consecutive periods; for every
  choice of S/2 slices as in-sample (the rest out-of-sample) the in-sample best trial's rank
  out of sample gives w = rank / (N + 1) and its logit l = ln(w / (1 - w)); PBO is the share of
  choices with l <= 0 (the paper's integral of the logits' distribution up to 0: the in-sample
  best did no better than the median out of sample).

Sharpe ratios here are per period (not annualised), as in both papers. Pure: numpy and the
standard library's normal law (scipy is not a dependency).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from paperdesk.analytics.relative import probabilistic_sharpe_ratio, return_moments
from paperdesk.domain import InvalidInputError

EULER_MASCHERONI = 0.5772156649015329
STANDARD_NORMAL = NormalDist()
MOST_COMBINATIONS = 100_000  # C(S, S/2) beyond this is more work than any sweep needs

FloatMatrix = npt.NDArray[np.float64]


def per_period_sharpe(returns: npt.ArrayLike, risk_free: float = 0.0) -> float | None:
    """mean(r - rf) / std(r, ddof=1), not annualised; None with fewer than two returns or no
    dispersion."""
    values = np.asarray(returns, dtype=np.float64)
    if values.size < 2:
        return None
    deviation = float(values.std(ddof=1))
    if not deviation > 0:
        return None
    return float((values - risk_free).mean()) / deviation


def expected_maximum_sharpe(trials: int, variance: float) -> float | None:
    """The Sharpe ratio the best of ``trials`` independent unskilled trials is expected to
    reach when the trials' Sharpe ratios have ``variance``: sqrt(V) ((1 - g) Phi^-1(1 - 1/N)
    + g Phi^-1(1 - 1/(N e))). None for fewer than two trials (no selection happened)."""
    if trials < 2 or not math.isfinite(variance) or variance < 0:
        return None
    first = STANDARD_NORMAL.inv_cdf(1.0 - 1.0 / trials)
    second = STANDARD_NORMAL.inv_cdf(1.0 - 1.0 / (trials * math.e))
    return math.sqrt(variance) * ((1.0 - EULER_MASCHERONI) * first + EULER_MASCHERONI * second)


@dataclass(frozen=True, slots=True)
class DeflatedSharpe:
    """The deflated Sharpe ratio of a sweep's best run and what it was computed from; a figure
    that cannot be computed is None (one trial, fewer than two trials with a Sharpe ratio, a
    best run without dispersion)."""

    probability: float | None  # DSR: P(true Sharpe > expected_maximum), 0..1
    sharpe: float | None  # the best run's per-period Sharpe ratio
    expected_maximum: float | None  # E[max SR] of the trials, per period
    trials: int  # N: every run of the sweep
    sharpe_variance: float | None  # V: sample variance (ddof=1) of the trials' Sharpe ratios
    periods: int  # T: the best run's returns
    skewness: float | None
    kurtosis: float | None  # non-excess (3 for a normal law)
    note: str | None = None  # why ``probability`` is None

    def to_dict(self) -> dict[str, object]:
        return {
            "deflated_sharpe_ratio": self.probability,
            "note": self.note,
            "sharpe_per_period": self.sharpe,
            "expected_maximum_sharpe": self.expected_maximum,
            "trials": self.trials,
            "sharpe_variance": self.sharpe_variance,
            "periods": self.periods,
            "skewness": self.skewness,
            "kurtosis": self.kurtosis,
        }


def deflated_sharpe_ratio(
    best_returns: npt.ArrayLike,
    trial_sharpes: Sequence[float | None],
    risk_free: float = 0.0,
) -> DeflatedSharpe:
    """The DSR of the run with ``best_returns`` among ``trial_sharpes`` (every trial's
    per-period Sharpe ratio, the best run's included; None for a trial without one: it counts
    in N but not in V). DSR = PSR(SR0) = Phi((SR - SR0) sqrt(T - 1) / sqrt(1 - g3 SR +
    (g4 - 1) / 4 SR^2)), SR0 = ``expected_maximum_sharpe(N, V)``, g3 and g4 the skewness and
    kurtosis of the best run's returns (``probabilistic_sharpe_ratio``)."""
    returns = np.asarray(best_returns, dtype=np.float64)
    trials = len(trial_sharpes)
    known = np.array([value for value in trial_sharpes if value is not None], dtype=np.float64)
    variance = float(known.var(ddof=1)) if known.size >= 2 else None
    sharpe = per_period_sharpe(returns, risk_free)
    skewness = kurtosis = None
    if sharpe is not None and returns.size >= 3:
        skewness, kurtosis = return_moments(returns)
    expected = expected_maximum_sharpe(trials, variance) if variance is not None else None
    probability = None
    if expected is not None and sharpe is not None:
        probability = probabilistic_sharpe_ratio(returns, risk_free, benchmark_sharpe=expected)
    note = None
    if probability is None:
        note = _undefined(trials, int(known.size), sharpe)
    return DeflatedSharpe(
        probability, sharpe, expected, trials, variance, int(returns.size), skewness, kurtosis, note
    )


def _undefined(trials: int, with_sharpe: int, sharpe: float | None) -> str:
    """Why a deflated Sharpe ratio is not computed, in the words of its definition."""
    if trials < 2:
        return f"the deflated Sharpe ratio needs two trials or more, got {trials}"
    if with_sharpe < 2:
        return (
            f"the deflated Sharpe ratio needs two runs with a Sharpe ratio, got {with_sharpe} of "
            f"{trials} (a run without trades or without dispersion has none)"
        )
    if sharpe is None:
        return "the best run has no Sharpe ratio (no dispersion in its returns)"
    return "the deflated Sharpe ratio is undefined for these returns"


@dataclass(frozen=True, slots=True)
class BacktestOverfitting:
    """The CSCV of a returns matrix: one logit per combination of in-sample slices, in the
    order ``itertools.combinations(range(slices), slices // 2)`` gives them."""

    probability: float  # PBO: the share of logits <= 0
    slices: int  # S
    periods_per_slice: int
    periods_dropped: int  # the oldest T mod S periods, so that the slices are equal
    logits: tuple[float, ...]
    in_sample_best: tuple[int, ...]  # the trial chosen in sample, per combination

    @property
    def combinations(self) -> int:
        return len(self.logits)

    def to_dict(self) -> dict[str, object]:
        return {
            "probability_of_backtest_overfitting": self.probability,
            "slices": self.slices,
            "combinations": self.combinations,
            "periods_per_slice": self.periods_per_slice,
            "periods_dropped": self.periods_dropped,
            "median_logit": float(np.median(self.logits)),
        }


def combined_sharpes(
    means: FloatMatrix, squares: FloatMatrix, length: int
) -> npt.NDArray[np.float64]:
    """The per-period Sharpe ratio of each column over several equal slices joined, from each
    slice's means and sums of squared deviations (``means`` and ``squares``: ... x slices x
    trials, slices of ``length`` periods), by Chan's pairwise formula: the joined mean is the
    mean of the slices' means, the joined sum of squares is theirs plus ``length`` times the
    squared deviations of their means. A column without dispersion scores +inf, -inf or 0 by
    the sign of its mean (a steady gain beats any risky one, a flat trial ranks in the middle),
    so every trial has a rank."""
    count = length * means.shape[-2]
    mean = means.mean(axis=-2)
    spread = squares.sum(axis=-2) + length * ((means - mean[..., None, :]) ** 2).sum(axis=-2)
    deviation = np.sqrt(spread / (count - 1))
    flat = ~(deviation > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        scores = np.where(flat, np.sign(mean) * np.inf, mean / np.where(flat, 1.0, deviation))
    cleaned: npt.NDArray[np.float64] = np.nan_to_num(scores, nan=0.0, posinf=np.inf, neginf=-np.inf)
    return cleaned


def relative_rank(scores: npt.NDArray[np.float64], trial: int) -> float:
    """w = rank / (N + 1) of ``trial`` among ``scores``, ranks 1 (worst) to N (best), ties
    sharing their average rank."""
    value = scores[trial]
    below = int(np.count_nonzero(scores < value))
    equal = int(np.count_nonzero(scores == value))
    rank = below + (equal + 1) / 2.0
    return rank / (scores.size + 1)


def check_slices(slices: int) -> None:
    """S must be even, at least 2, and make at most ``MOST_COMBINATIONS`` combinations."""
    if slices < 2 or slices % 2:
        raise InvalidInputError(f"the number of slices must be even and at least 2, got {slices}")
    if math.comb(slices, slices // 2) > MOST_COMBINATIONS:
        raise InvalidInputError(
            f"{slices} slices make {math.comb(slices, slices // 2)} combinations; "
            f"use fewer slices (at most {MOST_COMBINATIONS} combinations)"
        )


def probability_of_backtest_overfitting(
    returns: npt.ArrayLike, slices: int = 16
) -> BacktestOverfitting:
    """CSCV over ``returns`` (rows: periods in time order; columns: trials) cut into
    ``slices`` equal slices (see the module docstring). Refuses an odd or too small S, fewer
    than two trials, and slices of fewer than two periods, naming the problem."""
    matrix = np.asarray(returns, dtype=np.float64)
    if matrix.ndim != 2:
        raise InvalidInputError(f"the returns matrix must be periods x trials, got {matrix.ndim}D")
    periods, trials = matrix.shape
    check_slices(slices)
    if trials < 2:
        raise InvalidInputError(
            f"the overfitting probability needs two trials or more, got {trials}"
        )
    length = periods // slices
    if length < 2:
        raise InvalidInputError(
            f"{periods} periods make slices of fewer than 2 periods with {slices} slices"
        )
    dropped = periods - length * slices
    parts = matrix[dropped:].reshape(slices, length, trials)
    means = parts.mean(axis=1)  # slices x trials
    squares = ((parts - means[:, None, :]) ** 2).sum(axis=1)
    inside = np.array(list(itertools.combinations(range(slices), slices // 2)), dtype=np.intp)
    outside = np.array(
        [[part for part in range(slices) if part not in chosen] for chosen in inside.tolist()],
        dtype=np.intp,
    )
    in_sample = combined_sharpes(means[inside], squares[inside], length)  # combinations x trials
    out_of_sample = combined_sharpes(means[outside], squares[outside], length)
    best = np.argmax(in_sample, axis=1)  # ties: the first trial
    logits: list[float] = []
    for row, trial in enumerate(best.tolist()):
        share = relative_rank(out_of_sample[row], trial)
        logits.append(math.log(share / (1.0 - share)))
    chosen = best.tolist()
    overfit = sum(1 for logit in logits if logit <= 0.0)
    return BacktestOverfitting(
        overfit / len(logits), slices, length, dropped, tuple(logits), tuple(chosen)
    )
