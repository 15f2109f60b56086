"""The bracket loop's order rows (``bracket_loop``: a list of ints per order) as one column per
field, made once the loop ends so that the rows can go before the result's objects are built:
a column is a compact ``array`` where every value fits (64 bits, or 8 for the small codes of a
kind, side, status or source), else a list of the Python ints (the same values either way)."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import chain

import numpy as np
import numpy.typing as npt

from paperdesk.engine.fastpath.bracket_loop import KIND, PARENT, SIDE, SOURCE, STATUS

FIELDS = PARENT + 1  # the fields of an order row
CODES = frozenset((KIND, SIDE, STATUS, SOURCE))  # fields whose values lie in -1..3
Column = Sequence[int]


def order_columns(rows: list[list[int]], fields: Sequence[int]) -> dict[int, Column]:
    """The columns of ``fields`` (positions in a row), in the rows' order."""
    count = len(rows)
    try:
        block = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=count * FIELDS)
    except OverflowError:  # a value beyond 64 bits: the Python ints themselves
        return {field: [row[field] for row in rows] for field in fields}
    table = block.reshape(count, FIELDS)
    return {field: _compact(table[:, field], field in CODES) for field in fields}


def _compact(values: npt.NDArray[np.int64] | npt.NDArray[np.int8], code: bool) -> array[int]:
    column = array("b" if code else "q")
    dtype = np.int8 if code else np.int64
    column.frombytes(np.ascontiguousarray(values, dtype=dtype).tobytes())
    return column
