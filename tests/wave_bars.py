"""Daily bars of a made-up symbol in rising and falling waves (so sma-cross trades), as CSV."""

from __future__ import annotations

from datetime import date
from pathlib import Path


def write_wave_csv(path: Path, days: int, shift: float = 0.0) -> None:
    """The weekdays among ``days`` calendar days from 2023-01-02, every price moved by
    ``shift``."""
    lines = ["date,open,high,low,close,volume"]
    price = 50.0 + shift
    for day in range(days):
        when = date.fromordinal(date(2023, 1, 2).toordinal() + day)
        if when.weekday() >= 5:
            continue
        price += 0.5 if (day // 7) % 2 == 0 else -0.4  # rising and falling waves: crosses
        lines.append(f"{when},{price:.2f},{price + 1:.2f},{price - 1:.2f},{price + 0.2:.2f},1000")
    path.write_text("\n".join(lines) + "\n")
