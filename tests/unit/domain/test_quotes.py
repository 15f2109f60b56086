"""A bar's quote: what real data allows (crossed and locked quotes) is kept, what is impossible
is refused with the field and value named; a bar without one is the bar it always was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import Bar, InvalidInputError, Quote

D = Decimal
# Lean's SPY quote of 2013-10-07 13:30Z: locked at the open (bid = ask = 167.41)
LOCKED = (
    "167.41", "167.52", "167.41", "167.44", "4400",
    "167.41", "167.53", "167.41", "167.45", "1400",
)  # fmt: skip


def quote(*values: str) -> Quote:
    return Quote(*(D(value) for value in values))


def test_a_locked_or_crossed_quote_is_kept_and_its_mid_is_exact() -> None:
    locked = quote(*LOCKED)
    assert locked.mid_close == D("167.445")
    assert locked.mid_open == D("167.41")
    assert (locked.ask.close, locked.bid.close) == (D("167.45"), D("167.44"))
    crossed = quote("10.02", "10.02", "10.02", "10.02", "1", "10", "10", "10", "10", "1")
    assert crossed.bid_close > crossed.ask_close


@pytest.mark.parametrize(
    ("position", "value", "reason"),
    [
        (0, "0", "bid_open 0 is not positive"),
        (7, "-1", "ask_low -1 is not positive"),
        (4, "-5", "bid_size -5 is negative"),
        (9, "NaN", "ask_size NaN is missing or not finite"),
        (1, "167.40", "bid_high 167.40 is below bid_low 167.41"),
        (8, "167.60", "ask_open 167.41 or ask_close 167.60 is outside the ask low-high range"),
    ],
)
def test_an_impossible_quote_is_refused_naming_the_field(
    position: int, value: str, reason: str
) -> None:
    values = list(LOCKED)
    values[position] = value
    with pytest.raises(InvalidInputError, match=reason.replace("(", r"\(")):
        quote(*values)


def test_a_bar_without_a_quote_is_unchanged_and_one_with_a_quote_keeps_it() -> None:
    start = datetime(2013, 10, 7, 13, 30, tzinfo=UTC)
    fields = ("SPY", "1m", start, start + timedelta(minutes=1))
    prices = (D("167.43"), D("167.52"), D("167.41"), D("167.44"), D("816453"))
    plain = Bar(*fields, *prices)
    assert plain.quote is None
    assert plain == Bar(*fields, *prices, None)
    quoted = plain._replace(quote=quote(*LOCKED))
    assert quoted.quote is not None
    assert quoted.close == plain.close
    assert quoted != plain
