"""A CSV file's bytes a block of whole lines at a time, so the import's scans over the bytes
(field counts, timestamps, the digit check) never hold the whole file: memory stays a block's
(about a megabyte) whatever the file's size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class FileShape:
    """What one pass over a file's bytes counts: the header's commas, every comma, the lines
    (a last line without a newline counts), whether any byte is a double quote, and whether
    every line holds as many commas as the header (``even``: equal totals alone can hide a
    line one field short beside one a field long)."""

    header_commas: int
    commas: int
    lines: int
    quoted: bool
    even: bool = True


def line_blocks(path: Path, size: int) -> Iterator[tuple[bytes, int]]:
    """``(block, index of its first line)``: the file's bytes in blocks of whole lines, read
    ``size`` bytes at a time (every block ends with a newline but the file's last, which ends
    where the file does; the header is line 0)."""
    line = 0
    pending = bytearray()
    with path.open("rb") as handle:
        while piece := handle.read(size):
            pending += piece
            end = pending.rfind(b"\n", len(pending) - len(piece)) + 1
            if end == 0:
                continue
            block = bytes(pending[:end])
            del pending[:end]
            yield block, line
            line += count_bytes(block, b"\n")
    if pending:
        yield bytes(pending), line


def count_bytes(block: bytes, byte: bytes) -> int:
    """How many times the one-byte ``byte`` occurs in ``block`` (numpy's vectorised compare:
    several times quicker than ``bytes.count`` on megabytes)."""
    return int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == ord(byte)))


def has_digit_run(buffer: np.ndarray, length: int) -> bool:
    """Whether ``buffer`` (bytes as uint8) holds ``length`` digits and dots in a row: a mask
    of those bytes, then windows twice as long at each step (a window is all digits and dots
    when both its halves are), so nearly every block is ruled out with a few vectorised
    passes instead of a list of every other byte's position."""
    window = ((buffer - np.uint8(48)) <= 9) | (buffer == ord("."))
    covered = 1  # window[i]: the ``covered`` bytes from i are all digits and dots
    while covered < length and len(window):
        step = min(covered, length - covered)
        window = window[:-step] & window[step:]
        covered += step
    return bool(window.any())


def file_shape(path: Path, size: int) -> FileShape:
    """Count the file's commas, lines and quotes a block at a time."""
    header_commas = commas = newlines = 0
    quoted = False
    even = True
    ends_with_newline = False
    for block, first_line in line_blocks(path, size):
        if first_line == 0:
            header_end = block.find(b"\n")
            header_commas = block.count(b",", 0, header_end if header_end >= 0 else len(block))
        buffer = np.frombuffer(block, dtype=np.uint8)
        comma_positions = np.flatnonzero(buffer == ord(","))
        ends = np.flatnonzero(buffer == ord("\n"))
        commas += len(comma_positions)
        newlines += len(ends)
        if even:  # each line's commas: those before its newline less those before the last
            before = np.searchsorted(comma_positions, ends)
            if len(ends) == 0 or ends[-1] != len(buffer) - 1:  # a last line without newline
                before = np.append(before, len(comma_positions))
            even = bool((np.diff(before, prepend=0) == header_commas).all())
        quoted = quoted or b'"' in block
        ends_with_newline = block.endswith(b"\n")
    lines = newlines + (0 if ends_with_newline else 1)
    return FileShape(header_commas, commas, lines, quoted, even)


__all__ = ["FileShape", "count_bytes", "file_shape", "has_digit_run", "line_blocks"]
