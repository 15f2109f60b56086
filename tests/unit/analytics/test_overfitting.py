"""The deflated Sharpe ratio and the CSCV probability of backtest overfitting, checked against
the paper's worked example and against small cases computed step by step here (plain Python
means and deviations, an inverse normal found by bisection): never against the module itself."""

from __future__ import annotations

import itertools
import math
import statistics

import numpy as np
import pytest

from paperdesk.analytics.overfitting import (
    deflated_sharpe_ratio,
    expected_maximum_sharpe,
    per_period_sharpe,
    probability_of_backtest_overfitting,
    relative_rank,
)
from paperdesk.domain import InvalidInputError

EULER = 0.5772156649015329


def normal_cdf(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def inverse_normal(probability: float) -> float:
    """Bisection on the normal CDF: independent of ``statistics.NormalDist.inv_cdf``."""
    low, high = -10.0, 10.0
    for _ in range(200):
        middle = (low + high) / 2
        if normal_cdf(middle) < probability:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def test_expected_maximum_sharpe_matches_the_papers_example() -> None:
    """Bailey & López de Prado (2014), section 4: 100 trials whose annualised Sharpe ratios
    have variance 1/2, on daily returns (250 a year): E[max SR] = 0.1132 per day."""
    assert expected_maximum_sharpe(100, 0.5 / 250) == pytest.approx(0.1132, abs=5e-5)


def test_expected_maximum_sharpe_step_by_step() -> None:
    trials, variance = 10, 0.04
    first = inverse_normal(1 - 1 / trials)  # 1.28155..., the 90th percentile
    assert first == pytest.approx(1.2815515655, abs=1e-9)
    second = inverse_normal(1 - 1 / (trials * math.e))
    expected = math.sqrt(variance) * ((1 - EULER) * first + EULER * second)
    assert expected_maximum_sharpe(trials, variance) == pytest.approx(expected, rel=1e-9)


def test_expected_maximum_sharpe_needs_a_selection() -> None:
    assert expected_maximum_sharpe(1, 0.04) is None
    assert expected_maximum_sharpe(5, 0.0) == 0.0  # identical trials: no luck to deflate


def test_deflated_sharpe_ratio_of_a_small_series_step_by_step() -> None:
    best = [0.01, -0.02, 0.03, 0.015, -0.005, 0.02, 0.0, 0.012]
    trial_sharpes = [0.05, 0.12, None, 0.2]  # a trial without a Sharpe counts in N only
    mean = sum(best) / len(best)
    sample_deviation = statistics.stdev(best)
    sharpe = mean / sample_deviation
    centred = [value - mean for value in best]
    second = sum(c**2 for c in centred) / len(best)
    skewness = sum(c**3 for c in centred) / len(best) / second**1.5
    kurtosis = sum(c**4 for c in centred) / len(best) / second**2
    variance = statistics.variance([0.05, 0.12, 0.2])  # ddof=1
    trials = 4
    threshold = math.sqrt(variance) * (
        (1 - EULER) * inverse_normal(1 - 1 / trials)
        + EULER * inverse_normal(1 - 1 / (trials * math.e))
    )
    z = (sharpe - threshold) * math.sqrt(len(best) - 1)
    z /= math.sqrt(1 - skewness * sharpe + (kurtosis - 1) / 4 * sharpe**2)

    found = deflated_sharpe_ratio(np.array(best), trial_sharpes)

    assert found.trials == 4
    assert found.periods == 8
    assert found.sharpe == pytest.approx(sharpe, rel=1e-12)
    assert found.sharpe_variance == pytest.approx(variance, rel=1e-12)
    assert found.skewness == pytest.approx(skewness, rel=1e-9)
    assert found.kurtosis == pytest.approx(kurtosis, rel=1e-9)
    assert found.expected_maximum == pytest.approx(threshold, rel=1e-9)
    assert found.probability == pytest.approx(normal_cdf(z), rel=1e-9)


def test_deflated_sharpe_ratio_is_undefined_for_one_trial() -> None:
    found = deflated_sharpe_ratio(np.array([0.01, 0.02, -0.01]), [0.3])
    assert found.probability is None
    assert found.expected_maximum is None
    assert found.sharpe == pytest.approx(per_period_sharpe([0.01, 0.02, -0.01]))
    assert found.note == "the deflated Sharpe ratio needs two trials or more, got 1"
    assert found.to_dict()["note"] == found.note


def test_an_undefined_deflated_sharpe_ratio_says_why() -> None:
    # the CLI printed "n/a (P(true Sharpe > n/a per period, the expected best of 2 trials))"
    flat = deflated_sharpe_ratio(np.zeros(22), [None, None])  # no run traded
    assert flat.probability is None
    assert flat.note == (
        "the deflated Sharpe ratio needs two runs with a Sharpe ratio, got 0 of 2 (a run "
        "without trades or without dispersion has none)"
    )
    best_flat = deflated_sharpe_ratio(np.zeros(5), [0.1, 0.2, None])
    assert best_flat.note == "the best run has no Sharpe ratio (no dispersion in its returns)"
    defined = deflated_sharpe_ratio(np.array([0.01, -0.02, 0.03, 0.015]), [0.1, 0.2])
    assert defined.probability is not None
    assert defined.note is None


def test_relative_rank_shares_ties() -> None:
    scores = np.array([0.5, 0.1, 0.5, 0.9])
    assert relative_rank(scores, 3) == 4 / 5  # the best of four
    assert relative_rank(scores, 1) == 1 / 5  # the worst
    assert relative_rank(scores, 0) == 2.5 / 5  # tied for ranks 2 and 3


# Four slices of two periods, three trials (columns). A is strong early and weak late, B the
# other way round, C steady and mediocre.
SLICES = [
    [[0.030, -0.020, 0.004], [0.010, -0.030, 0.001]],
    [[0.025, -0.010, 0.002], [0.015, -0.020, 0.003]],
    [[-0.020, 0.020, 0.001], [-0.010, 0.040, 0.002]],
    [[-0.030, 0.010, 0.003], [-0.005, 0.030, 0.004]],
]


def sharpe_of(values: list[float]) -> float:
    return statistics.mean(values) / statistics.stdev(values)


def test_a_four_slice_cscv_enumerated_by_hand() -> None:
    matrix = np.array([row for part in SLICES for row in part])
    found = probability_of_backtest_overfitting(matrix, slices=4)

    expected_logits = []
    expected_best = []
    for inside in itertools.combinations(range(4), 2):
        outside = [part for part in range(4) if part not in inside]
        columns_in = [[row[t] for p in inside for row in SLICES[p]] for t in range(3)]
        columns_out = [[row[t] for p in outside for row in SLICES[p]] for t in range(3)]
        in_sample = [sharpe_of(column) for column in columns_in]
        out_of_sample = [sharpe_of(column) for column in columns_out]
        best = in_sample.index(max(in_sample))
        rank = 1 + sum(1 for value in out_of_sample if value < out_of_sample[best])
        share = rank / 4
        expected_logits.append(math.log(share / (1 - share)))
        expected_best.append(best)

    # the two splits by time are the tell-tale ones: A wins {0, 1} and is last on {2, 3};
    # B wins {2, 3} and is last on {0, 1}
    assert expected_best[0] == 0
    assert expected_best[5] == 1
    assert expected_logits[0] == expected_logits[5] == pytest.approx(math.log(1 / 3))
    assert found.combinations == 6
    assert list(found.in_sample_best) == expected_best
    assert list(found.logits) == pytest.approx(expected_logits, rel=1e-9)
    overfit = sum(1 for logit in expected_logits if logit <= 0)
    assert found.probability == pytest.approx(overfit / 6)
    assert (found.periods_per_slice, found.periods_dropped) == (2, 0)


def test_a_trial_best_in_every_slice_is_never_overfit() -> None:
    rng = np.random.default_rng(7)
    noise = rng.normal(0.0, 0.01, size=(40, 4))
    noise[:, 2] = np.abs(noise[:, 2]) + 0.02  # always gains: best in and out of sample
    found = probability_of_backtest_overfitting(noise, slices=4)
    assert set(found.in_sample_best) == {2}
    assert found.probability == 0.0
    assert all(logit == pytest.approx(math.log(4)) for logit in found.logits)  # w = 4/5


def test_the_oldest_periods_are_dropped_to_make_equal_slices() -> None:
    rng = np.random.default_rng(3)
    matrix = rng.normal(0.0, 0.01, size=(11, 3))
    found = probability_of_backtest_overfitting(matrix, slices=4)
    again = probability_of_backtest_overfitting(matrix[3:], slices=4)
    assert (found.periods_per_slice, found.periods_dropped) == (2, 3)
    assert found.logits == again.logits


@pytest.mark.parametrize(
    ("shape", "slices", "message"),
    [
        ((20, 3), 3, "must be even"),
        ((20, 3), 0, "must be even"),
        ((20, 1), 4, "two trials or more"),
        ((7, 3), 4, "fewer than 2 periods"),
        ((2000, 3), 30, "use fewer slices"),
    ],
)
def test_bad_cscv_inputs_are_named(shape: tuple[int, int], slices: int, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        probability_of_backtest_overfitting(np.zeros(shape), slices=slices)
