"""The fast path's column helpers: one datetime object per distinct instant."""

from __future__ import annotations

import numpy as np

from paperdesk.engine.fastpath.columns import datetimes, shared_datetimes


def test_shared_datetimes_equal_datetimes_and_share_one_object_per_instant() -> None:
    nanoseconds = np.array(
        [1_600_000_000_000_000_000, 1_500_000_000_000_000_000, 1_600_000_000_000_000_000, 0],
        dtype=np.int64,
    )
    shared = shared_datetimes(nanoseconds)
    assert [repr(stamp) for stamp in shared] == [repr(stamp) for stamp in datetimes(nanoseconds)]
    assert shared[0] is shared[2]
    assert shared[0] is not shared[1]
    assert shared_datetimes(np.array([], dtype=np.int64)) == []
