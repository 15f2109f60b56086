"""The replay clock's interval: parsed once, stored exactly, refused with its value named."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.config import RunConfig, SourceConfig
from paperdesk.domain import InvalidInputError


@pytest.mark.parametrize(
    ("given", "seconds"),
    [("manual", None), ("1s", Decimal(1)), ("1m", Decimal(60)), ("0.5s", Decimal("0.5")),
     ("4h", Decimal(14400)), ("1d", Decimal(86400)), ("90", Decimal(90)), (2, Decimal(2))],
)  # fmt: skip
def test_intervals_are_exact_seconds_or_manual(given: object, seconds: Decimal | None) -> None:
    source = SourceConfig("replay", replay_interval=given)
    assert source.replay_interval == seconds
    stored = RunConfig(source=source).to_json()
    assert RunConfig.from_json(stored).source == source


def test_manual_is_the_default() -> None:
    assert SourceConfig("replay").replay_interval is None


@pytest.mark.parametrize("given", ["0s", "-1m", "soon", "1w", "400d", True])
def test_bad_intervals_are_named(given: object) -> None:
    with pytest.raises(InvalidInputError, match=f"replay_interval: {given!r}"):
        SourceConfig("replay", replay_interval=given)


def test_an_interval_needs_a_replay() -> None:
    with pytest.raises(InvalidInputError, match="--replay-interval only applies to --source"):
        SourceConfig("bundled", replay_interval="1m")
