"""``SignalColumns`` is compiled with the event kernel (``analysis/strategies/signal_columns.py``
in ``paperdesk.native.NATIVE_MODULES``): it takes what the interpreted class took, NumPy integers
as indexes and pandas Timestamps as times (a direction column of floats: in
``test_analysis_signal_conversion``), and gives the same signals (in both builds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from test_analysis_signal_conversion import signal_frame

from paperdesk import native
from paperdesk.analysis.strategies import base
from paperdesk.analysis.strategies.signal_columns import SignalColumns


def test_the_class_is_one_and_compiled_with_the_kernel() -> None:
    assert base.SignalColumns is SignalColumns
    assert "paperdesk.analysis.strategies.signal_columns" in native.NATIVE_MODULES


def test_numpy_indexes_and_timestamps_are_taken_as_before() -> None:
    frame = signal_frame()
    columns = SignalColumns(frame, "s", "SPY")
    stamp = pd.Timestamp(frame.index[1])
    expected = columns.signal(1, stamp.to_pydatetime())
    assert columns.signal(np.int64(1), stamp) == expected
    assert columns.signal(np.intp(1), stamp.to_pydatetime()) == expected
    assert columns.signals(list(np.array([1, 0])), [stamp, stamp]) == [
        expected,
        columns.signal(0, stamp),
    ]
