"""A live portfolio's ``stale_after``: exact seconds, stored and read back, refused with its
value named, and only for ``--source live``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paperdesk.config import RunConfig, SourceConfig, SourceKind
from paperdesk.domain import InvalidInputError


@pytest.mark.parametrize(
    ("given", "seconds"),
    [("30s", Decimal(30)), ("5m", Decimal(300)), ("1h", Decimal(3600)), ("90", Decimal(90))],
)
def test_stale_after_is_exact_seconds(given: object, seconds: Decimal) -> None:
    source = SourceConfig("live", stale_after=given)
    assert source.kind is SourceKind.LIVE
    assert source.stale_after == seconds
    assert RunConfig.from_json(RunConfig(source=source).to_json()).source == source


@pytest.mark.parametrize("given", ["manual", "0s", "-1m", "soon", True])
def test_a_bad_stale_after_is_named(given: object) -> None:
    with pytest.raises(InvalidInputError, match=f"stale_after: {given!r}"):
        SourceConfig("live", stale_after=given)


def test_stale_after_needs_the_live_source() -> None:
    with pytest.raises(InvalidInputError, match="--stale-after only applies to --source live"):
        SourceConfig("bundled", stale_after="5m")
