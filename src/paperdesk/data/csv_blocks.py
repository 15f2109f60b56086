"""A CSV file's bytes a block of whole lines at a time, so the import's scans over the bytes
(field counts, timestamps, the digit check) never hold the whole file: memory stays a block's
(about a megabyte) whatever the file's size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    pending: list[bytes] = []  # the bytes read since the last newline (one copy per block)
    with path.open("rb") as handle:
        while piece := handle.read(size):
            end = piece.rfind(b"\n") + 1
            if end == 0:
                pending.append(piece)
                continue
            block = b"".join((*pending, memoryview(piece)[:end])) if pending else piece[:end]
            pending = [piece[end:]] if end < len(piece) else []
            yield block, line
            line += count_bytes(block, b"\n")
    if pending:
        yield b"".join(pending), line


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


# what ``file_shape`` hands a visitor for each block: the block, its bytes as uint8, the index
# of its first line, its offset in the file, and the positions of its newlines when every line
# of the block (and every one before it) holds the header's commas, else None
BlockVisitor = Callable[[bytes, np.ndarray, int, int, np.ndarray | None], None]


def even_newlines(buffer: np.ndarray, commas: int, ends_line: bool) -> np.ndarray | None:
    """The positions of the newlines of ``buffer`` (a block of whole lines) when each of its
    lines holds exactly ``commas`` commas, else None: its commas and newlines, found in one
    vectorised pass, must then repeat as ``commas`` commas and a newline (the last line, when
    the block does not end with a newline, its commas alone)."""
    separators = np.flatnonzero((buffer == ord(",")) | (buffer == ord("\n")))
    group = commas + 1
    lines, rest = divmod(len(separators), group)
    if rest != (0 if ends_line else commas):
        return None
    kinds = buffer[separators]
    grouped = kinds[: lines * group].reshape(lines, group)
    if not ((grouped[:, -1] == ord("\n")).all() and (grouped[:, :-1] == ord(",")).all()):
        return None
    if not (kinds[lines * group :] == ord(",")).all():
        return None
    return separators[commas::group]


def file_shape(path: Path, size: int, visit: BlockVisitor | None = None) -> FileShape:
    """Count the file's commas, lines and quotes a block at a time; ``visit`` (when given) is
    called with each block, so the reader's other scans of the bytes share this one read."""
    header_commas = commas = newlines = offset = 0
    quoted = False
    even = True
    ends_with_newline = False
    for block, first_line in line_blocks(path, size):
        if first_line == 0:
            header_end = block.find(b"\n")
            header_commas = block.count(b",", 0, header_end if header_end >= 0 else len(block))
        buffer = np.frombuffer(block, dtype=np.uint8)
        ends_with_newline = block.endswith(b"\n")
        ends = even_newlines(buffer, header_commas, ends_with_newline) if even else None
        if ends is not None:  # every line holds the header's commas
            newlines += len(ends)
            commas += header_commas * (len(ends) + (0 if ends_with_newline else 1))
        else:
            even = False
            commas += count_bytes(block, b",")
            newlines += count_bytes(block, b"\n")
        quoted = quoted or b'"' in block
        if visit is not None:
            visit(block, buffer, first_line, offset, ends)
        offset += len(block)
    lines = newlines + (0 if ends_with_newline else 1)
    return FileShape(header_commas, commas, lines, quoted, even)


__all__ = [
    "BlockVisitor",
    "FileShape",
    "count_bytes",
    "even_newlines",
    "file_shape",
    "has_digit_run",
    "line_blocks",
]
