"""The fast path's bar checks give what their plain form gives: every bar valid, opens no earlier
(in microseconds) than the previous close, whole microseconds after the epoch, prices on the tick
and below 1e12."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import numpy as np
import numpy.typing as npt
from hypothesis import event, given, settings
from hypothesis import strategies as st

from paperdesk.config import ExecutionConfig, RunConfig
from paperdesk.domain import Instrument
from paperdesk.engine.fastpath.eligibility import _bars_eligible, _config_eligible

CENT = Instrument.equity("TEST", calendar="24/7")
MILL = dataclasses.replace(CENT, tick_size=Decimal("0.001"))


def plain_form(
    places: int,
    opens: npt.NDArray[np.float64],
    closes: npt.NDArray[np.float64],
    valid: npt.NDArray[np.bool_],
    ts_open_ns: npt.NDArray[np.int64],
    ts_close_ns: npt.NDArray[np.int64],
) -> bool:
    if not valid.all():
        return False
    if not ((ts_open_ns[1:] // 1000) >= (ts_close_ns[:-1] // 1000)).all():
        return False
    for stamps in (ts_open_ns, ts_close_ns):
        if not ((stamps >= 0) & (stamps % 1000 == 0)).all():
            return False
    scale = 10.0**places
    for prices in (opens, closes):
        if not (prices < 1e12).all():
            return False
        if not (np.rint(prices * scale) / scale == prices).all():
            return False
    return True


@st.composite
def bar_columns(draw: st.DrawFn) -> tuple[npt.NDArray[np.float64], ...]:
    count = draw(st.integers(0, 12))
    ticks = draw(st.lists(st.integers(0, 10**6), min_size=2 * count, max_size=2 * count))
    prices = np.array(ticks, dtype=np.float64) / 100
    flaw = draw(
        st.sampled_from(["none", "off tick", "nan", "huge", "negative time", "nanoseconds",
                         "overlap", "overlap within a microsecond", "invalid"])
    )  # fmt: skip
    length = np.int64(60_000_000_000)
    opens_at = np.arange(count, dtype=np.int64) * length + 1_700_000_000_000_000_000
    closes_at = opens_at + length
    valid = np.ones(count, dtype=bool)
    if count:
        row = draw(st.integers(0, count - 1))
        if flaw == "off tick":
            prices[row] += 0.005
        elif flaw == "nan":
            prices[row] = np.nan
        elif flaw == "huge":
            prices[row] = 1e12
        elif flaw == "negative time":
            opens_at -= 1_700_000_000_000_000_000 + length
            closes_at -= 1_700_000_000_000_000_000 + length
        elif flaw == "nanoseconds":
            closes_at[row] += 1
        elif flaw == "overlap" and count > 1:
            opens_at[-1] = closes_at[-2] - 1000
        elif flaw == "overlap within a microsecond" and count > 1:
            closes_at[-2] = opens_at[-1] + 999  # no longer whole microseconds either
        elif flaw == "invalid":
            valid[row] = False
    event(flaw)
    return prices[:count], prices[count:], valid, opens_at, closes_at


@settings(max_examples=400, deadline=None)
@given(columns=bar_columns(), mill=st.booleans())
def test_the_bar_checks_are_their_plain_form(
    columns: tuple[npt.NDArray[np.float64], ...], mill: bool
) -> None:
    instrument, places = (MILL, 3) if mill else (CENT, 2)
    opens, closes, valid, opens_at, closes_at = columns
    expected = plain_form(places, opens, closes, valid, opens_at, closes_at)  # type: ignore[arg-type]
    found = _bars_eligible(instrument, opens, closes, valid, opens_at, closes_at)  # type: ignore[arg-type]
    assert found == expected


def test_a_forex_spread_run_takes_the_event_kernel() -> None:
    # under --spread-pips a limit trades the ask or the bid (the venue's rule); the fast path
    # models no spread, so it gives such a run up rather than fill its limits at the bar's prices
    eurusd = Instrument.forex("EURUSD")
    plain = RunConfig(strategy="sma-cross", symbols=("EURUSD",))
    spread = plain.model_copy(update={"execution": ExecutionConfig(spread_pips=Decimal(1))})
    assert _config_eligible(plain, eurusd)
    assert not _config_eligible(spread, eurusd)
