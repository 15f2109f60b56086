"""The pure arithmetic of the peer benchmark: samples, medians, each row's value and ratio."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

Fact = str | int | float


class Unit(Enum):
    """What a row compares, and so how a side's sample becomes its figure."""

    BARS_PER_SECOND = "bars/s"  # size / seconds: higher is better
    SECONDS = "s"  # the measured seconds: lower is better
    MEGABYTES = "MB"  # the process's peak resident memory: lower is better
    MILLISECONDS = "ms"  # a latency fact ("p50_ms" unless the row says): lower is better

    @property
    def higher_is_better(self) -> bool:
        return self is Unit.BARS_PER_SECOND


@dataclass(frozen=True)
class Sample:
    """One run of one side: the seconds its measured work took, the peak resident memory of
    its process, and what it reports about its result (trade count, final equity, ...)."""

    seconds: float
    peak_megabytes: float
    facts: Mapping[str, Fact] = field(default_factory=dict)


def median_sample(samples: Sequence[Sample]) -> Sample:
    """The median of each number over the runs (seconds, peak memory, each numeric fact; a
    text fact is the first run's)."""
    if not samples:
        raise ValueError("no samples to take the median of")
    facts: dict[str, Fact] = {}
    for name, first in samples[0].facts.items():
        values = [sample.facts[name] for sample in samples if name in sample.facts]
        numeric = all(isinstance(value, int | float) for value in values)
        facts[name] = statistics.median(values) if numeric else first  # type: ignore[type-var]
    return Sample(
        seconds=statistics.median(sample.seconds for sample in samples),
        peak_megabytes=statistics.median(sample.peak_megabytes for sample in samples),
        facts=facts,
    )


def value(sample: Sample, unit: Unit, size: int, fact: str = "p50_ms") -> float:
    """A side's figure in the row's unit (``fact``: which latency a milliseconds row reads)."""
    if unit is Unit.BARS_PER_SECOND:
        return size / sample.seconds
    if unit is Unit.SECONDS:
        return sample.seconds
    if unit is Unit.MEGABYTES:
        return sample.peak_megabytes
    return float(sample.facts[fact])


def ratio(ours: float, theirs: float) -> float:
    """paperdesk's figure over the peer's, in the row's unit (bars/s: above 1 is faster;
    seconds, MB, ms: below 1 is cheaper)."""
    if theirs == 0:
        return float("inf")
    return ours / theirs


def describe(figure: float, unit: Unit) -> str:
    """A figure as the table prints it: bars/s with thousands separators, the rest short."""
    if unit is Unit.BARS_PER_SECOND:
        if figure >= 1_000_000:
            return f"{figure / 1_000_000:.2f}M bars/s"
        return f"{figure / 1_000:.0f}k bars/s"
    if unit is Unit.SECONDS:
        return f"{figure:.2f} s"
    if unit is Unit.MEGABYTES:
        return f"{figure:.0f} MB"
    return f"{figure:.1f} ms"
