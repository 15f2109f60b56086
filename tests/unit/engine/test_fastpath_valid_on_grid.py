"""The compiled bar check that decides the bar rule in the same pass as the grid
(``compiled._bars_valid_on_grid``, taken by ``eligibility._columns_eligible`` with the loops
loaded) gives what the eager form gives: ``_bars_eligible`` of ``valid_rows``' mask; and with
the loops loaded the eligibility never asks for the mask."""

from __future__ import annotations

import dataclasses

import numpy as np
import numpy.typing as npt
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_fastpath_compiled import compiled_loops
from test_fastpath_eligibility import CENT, MILL

from paperdesk.data.bar_rule import BarColumns, valid_rows
from paperdesk.engine.fastpath.eligibility import _bars_eligible, _columns_eligible

MINUTE = 60_000_000_000
SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, 1e12, 1e300, 1e-300, 0.005, 0.0005]
FLAWS = [
    "none", "any value", "high below open", "high below close", "low above open",
    "low above close", "open nan", "close nan", "high nan", "low nan", "volume nan",
    "high inf", "volume inf", "volume negative", "low zero", "open off tick", "open huge",
    "negative time", "open nanoseconds", "close nanoseconds", "close at open",
    "close before open", "overlap", "close within a microsecond",
]  # fmt: skip


@st.composite
def checked_bars(draw: st.DrawFn) -> tuple[BarColumns, int]:
    """Bars on the grid and valid, then one flaw (or none) that breaks one check of the rule or
    of the grid, or any value anywhere."""
    places = draw(st.sampled_from((2, 3)))
    count = draw(st.integers(1, 10))
    scale = 10**places
    ticks = draw(st.lists(st.integers(1, 10**6), min_size=2 * count, max_size=2 * count))
    prices = np.array(ticks, dtype=np.float64) / scale
    opens, closes = prices[:count].copy(), prices[count:].copy()
    spread = np.array(draw(st.lists(st.integers(0, 50), min_size=count, max_size=count))) / scale
    highs = np.maximum(opens, closes) + spread
    lows = np.maximum(np.minimum(opens, closes) - spread, 1.0 / scale)
    volumes = np.array(draw(st.lists(st.integers(0, 10**6), min_size=count, max_size=count)), float)
    opens_at = np.arange(count, dtype=np.int64) * MINUTE + 1_700_000_000_000_000_000
    closes_at = opens_at + MINUTE
    columns = {"open": opens, "high": highs, "low": lows, "close": closes, "volume": volumes}
    flaw = draw(st.sampled_from(FLAWS))
    row = draw(st.integers(0, count - 1))
    if flaw == "any value":
        name = draw(st.sampled_from(sorted(columns)))
        columns[name][row] = draw(st.one_of(st.sampled_from(SPECIAL), st.floats()))
    elif flaw.startswith(("high below", "low above")):
        name, _, other = flaw.split()
        bound = columns[other][row]
        columns[name][row] = bound - 0.5 / scale if name == "high" else bound + 0.5 / scale
    elif flaw.endswith(("nan", "inf", "negative", "zero", "off tick", "huge")):
        name, what = flaw.split(" ", 1)
        value = {
            "nan": np.nan,
            "inf": np.inf,
            "negative": -1.0,
            "zero": draw(st.sampled_from((0.0, -0.0))),
            "off tick": 0.5 / scale,
            "huge": 1e12,
        }[what]
        columns[name][row] = value if what not in ("off tick",) else columns[name][row] + value
    elif flaw == "negative time":
        opens_at -= 1_700_000_000_000_000_000 + MINUTE * count
        closes_at -= 1_700_000_000_000_000_000 + MINUTE * count
    elif flaw == "open nanoseconds":
        opens_at[row] += draw(st.sampled_from((1, 999, -1)))
    elif flaw == "close nanoseconds":
        closes_at[row] += draw(st.sampled_from((1, 999, -1)))
    elif flaw == "close at open":
        closes_at[row] = opens_at[row]
    elif flaw == "close before open":
        closes_at[row] = opens_at[row] - 1000
    elif flaw == "overlap" and count > 1:
        opens_at[-1] = closes_at[-2] - 1000
    elif flaw == "close within a microsecond":
        closes_at[row] = opens_at[row] + 999
    event(flaw)
    bars = BarColumns(
        columns["open"], columns["high"], columns["low"], columns["close"], columns["volume"],
        opens_at, closes_at,
    )  # fmt: skip
    return bars, places


def eager(bars: BarColumns, places: int) -> bool:
    """The form without the fused loop: the rule's mask, then the bar checks."""
    instrument = CENT if places == 2 else MILL
    assert bars.ts_open_ns is not None
    assert bars.ts_close_ns is not None
    with compiled_loops(False):
        return _bars_eligible(
            instrument, bars.opens, bars.closes, valid_rows(bars), bars.ts_open_ns, bars.ts_close_ns
        )


def never_asked() -> npt.NDArray[np.bool_]:
    raise AssertionError("the compiled check decided the validity itself")


@settings(max_examples=1500, deadline=None)
@given(drawn=checked_bars())
def test_the_fused_check_decides_as_the_mask_and_the_bar_checks(
    drawn: tuple[BarColumns, int],
) -> None:
    bars, places = drawn
    instrument = CENT if places == 2 else MILL
    with compiled_loops(True):
        found = _columns_eligible(instrument, bars, never_asked)
    assert found == eager(bars, places)


def test_every_flaw_is_refused_and_a_clean_history_taken() -> None:
    """Each check on its own, so that a check the fused loop left out fails here."""
    clean = BarColumns(
        np.array([1.00, 1.02]), np.array([1.03, 1.05]), np.array([0.99, 1.01]),
        np.array([1.02, 1.04]), np.array([10.0, 0.0]),
        np.array([0, MINUTE], dtype=np.int64), np.array([MINUTE, 2 * MINUTE], dtype=np.int64),
    )  # fmt: skip
    with compiled_loops(True):
        assert _columns_eligible(CENT, clean, never_asked)
    flawed = {
        "high below open": ("highs", 1.00),
        "high below close": ("highs", 1.015),
        "high inf": ("highs", np.inf),
        "high nan": ("highs", np.nan),
        "low above open": ("lows", 1.005),
        "low above close": ("lows", 1.021),
        "low zero": ("lows", 0.0),
        "low nan": ("lows", np.nan),
        "volume negative": ("volumes", -1.0),
        "volume inf": ("volumes", np.inf),
        "volume nan": ("volumes", np.nan),
        "open off tick": ("opens", 1.005),
        "close nan": ("closes", np.nan),
        "open at 1e12": ("opens", 1e12),
        "close at open": ("ts_close_ns", 0),
        "close before open": ("ts_close_ns", -1000),
        "open not whole microseconds": ("ts_open_ns", 1),
        "open before the epoch": ("ts_open_ns", -1000),
    }
    for flaw, (field, value) in flawed.items():
        column = getattr(clean, field).copy()
        column[0] = value
        bars = dataclasses.replace(clean, **{field: column})
        assert not eager(bars, 2), flaw
        with compiled_loops(True):
            assert not _columns_eligible(CENT, bars, never_asked), flaw
