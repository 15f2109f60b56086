"""A signal frame's rows as domain ``Signal``s, one at a time or in bulk.

Compiled with the event kernel (``paperdesk.native``): a backtest converts every signal it acts on
here, one per entry or exit, so the conversion runs without an interpreted frame per signal.
``paperdesk.analysis.strategies.base`` re-exports ``SignalColumns``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from math import isnan
from typing import Any, Final, SupportsIndex

import numpy as np
import pandas as pd

from paperdesk.domain.enums import Direction
from paperdesk.domain.errors import InvalidInputError
from paperdesk.domain.money import to_decimal
from paperdesk.domain.signals import Signal
from paperdesk.domain.trusted import trusted_maker

_DIRECTIONS: Final[dict[Any, Direction]] = {int(direction): direction for direction in Direction}
_trusted_fields: Final = trusted_maker(Signal)  # ``_make`` without its count of the fields


class SignalColumns:
    """A signal frame as Python lists, converted one signal at a time: the one conversion of a
    signal row to a domain ``Signal`` (stop and target become the Decimals of the floats'
    shortest reprs, NaN None; a row outside the Signal's rules goes through its checking
    constructor, which names what is wrong)."""

    def __init__(self, frame: pd.DataFrame, strategy_name: str, symbol: str) -> None:
        self.name = strategy_name
        self.symbol = symbol
        self.directions: list[Any] = frame["direction"].to_numpy().tolist()
        self.confidences: list[float] = frame["confidence"].to_numpy(dtype=np.float64).tolist()
        self.stops: list[float] = frame["stop"].to_numpy(dtype=np.float64).tolist()
        self.targets: list[float] = frame["target"].to_numpy(dtype=np.float64).tolist()
        self.reasons: list[object] = frame["reason"].to_numpy().tolist()

    def __len__(self) -> int:
        return len(self.directions)

    def signal(self, k: SupportsIndex, ts: datetime) -> Signal:
        """Signal ``k`` of the frame, stamped ``ts`` (timezone-aware). (``k`` any index, a NumPy
        integer too: compiled, an ``int`` parameter would refuse one.)"""
        confidence = self.confidences[k]
        code = self.directions[k]
        direction = _DIRECTIONS.get(code)
        stop, target = self.stops[k], self.targets[k]
        try:
            fields = (
                self.name,
                self.symbol,
                Direction(code) if direction is None else direction,
                ts,
                confidence,
                None,
                None if isnan(stop) else to_decimal(stop, "stop"),
                None if isnan(target) else to_decimal(target, "target"),
                str(self.reasons[k]),
            )
            if not 0.0 <= confidence <= 1.0 or ts.tzinfo is None:
                return Signal(*fields)  # the checking constructor names what is wrong
        except ValueError as error:  # a frame not built by make_signal_frame, or bad prices
            raise InvalidInputError(
                f"strategy {self.name!r}: its signal for {self.symbol} on the bar of "
                f"{ts.isoformat()} is not usable: {error}"
            ) from error
        return _trusted_fields(fields)

    def signals(self, ks: Sequence[SupportsIndex], stamps: Sequence[datetime]) -> list[Signal]:
        """``[self.signal(k, ts) for k, ts in zip(ks, stamps)]`` in bulk: column by column,
        each distinct stop and target converted once; any signal outside the Signal's rules
        sends them all through ``signal`` (which names what is wrong)."""
        picked = [self.directions[k] for k in ks]
        confidences = [self.confidences[k] for k in ks]
        directions = list(map(_DIRECTIONS.get, picked))
        if (
            None in directions
            or not all(0.0 <= confidence <= 1.0 for confidence in confidences)
            or any(ts.tzinfo is None for ts in stamps)
        ):
            return list(map(self.signal, ks, stamps))
        try:
            stops = _levels([self.stops[k] for k in ks], "stop")
            targets = _levels([self.targets[k] for k in ks], "target")
        except ValueError:
            return list(map(self.signal, ks, stamps))
        reasons = self.reasons
        count = len(ks)
        return list(
            map(
                _trusted_fields,
                zip(
                    repeat(self.name, count),
                    repeat(self.symbol, count),
                    directions,
                    stamps,
                    confidences,
                    repeat(None, count),
                    stops,
                    targets,
                    [str(reasons[k]) for k in ks],
                    strict=True,
                ),
            )
        )


def _levels(values: list[float], name: str) -> list[Decimal | None]:
    """Each stop (or target) as ``SignalColumns.signal`` converts it, NaN None, each distinct
    value (but zero's two signs) converted once."""
    converted: dict[float, Decimal] = {}
    levels: list[Decimal | None] = []
    for value in values:
        if isnan(value):
            levels.append(None)
            continue
        level = converted.get(value)
        if level is None or not value:  # 0.0 and -0.0 are one key but two Decimals
            level = converted[value] = to_decimal(value, name)
        levels.append(level)
    return levels
