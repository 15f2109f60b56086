"""Durations as people read them: ``3 d 4 h``, ``2 h 5 min``, ``12 min``, ``45 s``."""

from __future__ import annotations

from datetime import timedelta

UNITS = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))


def human_duration(value: timedelta) -> str:
    """The two largest units of ``value``, whole (seconds are truncated)."""
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    parts: list[str] = []
    for unit, size in UNITS:
        count, seconds = divmod(seconds, size)
        if count or (unit == "s" and not parts):
            parts.append(f"{count} {unit}")
    return sign + " ".join(parts[:2])
