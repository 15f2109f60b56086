"""The import's scans read a file a block of whole lines at a time: the blocks put together are
the file, each starts a line, and the counts and timestamps read through them do not depend on
the block size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.data import csv_blocks, csv_reader
from paperdesk.data.csv_blocks import (
    count_bytes,
    even_newlines,
    file_shape,
    has_digit_run,
    line_blocks,
)
from paperdesk.data.csv_import import CsvImportError, parse_csv

HEADER = "timestamp,open,high,low,close,volume\n"
TEXTS = [
    b"",
    b"no newline at all",
    b"a,b\n1,2\n",
    b"a,b\n1,2\n3,4",
    b'a,"b"\r\n1,2\r\n\n\n',
    b"a,b\n" + b"".join(b"%d,%d\n" % (row, row * row) for row in range(200)),
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1 << 20])
def test_blocks_are_whole_lines_that_make_up_the_file(
    tmp_path: Path, text: bytes, size: int
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(text)
    blocks = list(line_blocks(path, size))
    assert b"".join(block for block, _ in blocks) == text
    assert all(block.endswith(b"\n") for block, _ in blocks[:-1])
    assert [first for _, first in blocks] == [
        b"".join(block for block, _ in blocks[:position]).count(b"\n")
        for position in range(len(blocks))
    ]
    shape = file_shape(path, size)
    assert shape.commas == text.count(b",")
    assert shape.lines == text.count(b"\n") + (0 if text.endswith(b"\n") else 1)
    assert shape.header_commas == text.split(b"\n")[0].count(b",")
    assert shape.quoted == (b'"' in text)


def rows(count: int) -> str:
    return "".join(
        f"2021-01-{day // 24 + 1:02d}T{day % 24:02d}:00:00Z,10,11,9,10,100\n"
        for day in range(count)
    )


@pytest.mark.parametrize("size", [5, 40, 41, 100, 1 << 20])
def test_timestamps_read_the_same_whatever_the_block_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + rows(100))
    monkeypatch.setattr(csv_reader, "_SLICE_BYTES", size)
    result = parse_csv(path, symbol="TESTX", timeframe="1h")
    assert result.layout == "ISO-8601 with offsets"
    assert len(result.frame) == 100
    assert str(result.frame.index[0]) == "2021-01-01 00:00:00+00:00"
    assert str(result.frame.index[-1]) == "2021-01-05 03:00:00+00:00"


@pytest.mark.parametrize("size", [5, 64, 1 << 20])
def test_a_bad_timestamp_in_a_later_block_is_named_by_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + rows(50) + "2021-01-13T99:00:00Z,10,11,9,10,100\n" + rows(0))
    monkeypatch.setattr(csv_reader, "_SLICE_BYTES", size)
    with pytest.raises(CsvImportError) as raised:
        parse_csv(path, symbol="TESTX", timeframe="1h")
    assert [(problem.line, problem.column) for problem in raised.value.problems] == [
        (52, "timestamp")
    ]


def test_count_bytes_agrees_with_bytes_count() -> None:
    generator = np.random.default_rng(5)
    block = generator.choice(list(b'0123456789.,\n"T:-'), 200_003).astype(np.uint8).tobytes()
    for byte in (b",", b"\n", b'"', b"x"):
        assert count_bytes(block, byte) == block.count(byte)
    assert count_bytes(b"", b",") == 0


def longest_digit_run(block: bytes) -> int:
    longest = current = 0
    for byte in block:
        current = current + 1 if chr(byte) in "0123456789." else 0
        longest = max(longest, current)
    return longest


@pytest.mark.parametrize("length", [1, 2, 3, 5, 15, 16, 17, 31])
def test_a_digit_run_is_found_exactly_when_one_is_that_long(length: int) -> None:
    generator = np.random.default_rng(length)
    for _ in range(200):  # mostly digits and dots, so runs of every length turn up
        size = int(generator.integers(0, 60))
        block = generator.choice(list(b"0123456789.,\n-e"), size, p=[0.088] * 11 + [0.008] * 4)
        data = block.astype(np.uint8).tobytes()
        buffer = np.frombuffer(data, dtype=np.uint8)
        assert has_digit_run(buffer, length) == (longest_digit_run(data) >= length), data


def test_a_digit_run_at_either_end_of_the_block_is_found() -> None:
    for data in (b"1234567890.123456,x", b"x,1234567890.123456", b"1234567890.123456"):
        assert has_digit_run(np.frombuffer(data, dtype=np.uint8), 16)
        assert not has_digit_run(np.frombuffer(data, dtype=np.uint8), 18)


@pytest.mark.parametrize("ending", ["", "\n", "\n\n", "\n\n\n"])
@pytest.mark.parametrize("size", [5, 41, 1 << 20])
def test_a_file_ending_with_or_without_blank_lines_reads_its_bars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str, size: int
) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + rows(30).rstrip("\n") + ending)
    monkeypatch.setattr(csv_reader, "_SLICE_BYTES", size)
    frame = parse_csv(path, symbol="TESTX", timeframe="1h").frame
    assert len(frame) == 30
    assert str(frame.index[-1]) == "2021-01-02 05:00:00+00:00"


def test_the_fast_timestamps_count_every_line(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + rows(30))
    assert csv_reader._fast_timestamps(path, 30) is not None
    path.write_text(HEADER + rows(30) + "\n")  # a blank line beyond the rows
    assert csv_reader._fast_timestamps(path, 30) is None


@pytest.mark.parametrize(
    ("text", "even"),
    [
        (b"a,b,c\n1,2,3\n4,5,6\n", True),
        (b"a,b,c\n1,2,3\n4,5,6", True),  # the last line without a newline
        (b"a,b,c\n1,2\n4,5,6,7\n", False),  # the totals match, the lines do not
        (b"a,b,c\n1,2,3\n4,5,6,7", False),
        (b"a,b,c\n1,2,3\n\n", False),  # a blank line: the line-by-line check decides
    ],
)
def test_even_says_whether_every_line_has_the_headers_commas(
    tmp_path: Path, text: bytes, even: bool
) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(text)
    for size in (3, 7, 1 << 20):  # lines split across reads, and whole
        assert file_shape(path, size).even is even


@st.composite
def separated_texts(draw: st.DrawFn) -> tuple[bytes, int]:
    """A text of fields, commas, newlines and now and then a quote (lines of the header's
    commas, with some lines a comma short or long), and a block size to read it in."""
    commas = draw(st.integers(0, 4))
    lines = draw(
        st.lists(
            st.tuples(
                st.integers(-1, 1) if draw(st.booleans()) else st.just(0),
                st.sampled_from(["1", "22", '"q"', ""]),
            ),
            max_size=12,
        )
    )
    text = ",".join(["h"] * (commas + 1))
    for change, field in lines:
        text += "\n" + ",".join([field] * max(commas + 1 + change, 1))
    text += draw(st.sampled_from(["", "\n", "\n\n"]))
    return text.encode(), draw(st.integers(1, 40))


@settings(max_examples=300, deadline=None)
@given(case=separated_texts())
def test_the_one_scan_finds_the_newlines_of_a_file_whose_lines_hold_the_headers_commas(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[bytes, int]
) -> None:
    """``file_shape``'s ``even`` (from the pattern of commas and newlines) is the line by line
    count's, and its visitor gets every block with its newlines while the file is even."""
    text, size = case
    path = tmp_path_factory.mktemp("scan") / "file.csv"
    path.write_bytes(text)
    header = text.split(b"\n")[0].count(b",")
    counts = [line.count(b",") for line in text.split(b"\n")]
    if text.endswith(b"\n"):
        counts.pop()  # no line after the last newline
    seen: list[tuple[bytes, int, np.ndarray | None]] = []
    shape = file_shape(path, size, lambda block, _b, _f, at, ends: seen.append((block, at, ends)))
    assert shape.even is all(count == header for count in counts)
    assert b"".join(block for block, _, _ in seen) == text
    assert [at for _, at, _ in seen] == [
        sum(len(b) for b, _, _ in seen[:i]) for i in range(len(seen))
    ]
    for block, _, ends in seen:
        if shape.even:
            assert ends is not None
            assert list(ends) == [i for i, byte in enumerate(block) if byte == ord("\n")]
        buffer = np.frombuffer(block, dtype=np.uint8)
        found = even_newlines(buffer, header, block.endswith(b"\n"))
        lines = block.split(b"\n")[: -1 if block.endswith(b"\n") else None]
        assert (found is not None) is all(line.count(b",") == header for line in lines)


def test_a_plain_file_is_read_once_for_its_counts_timestamps_and_digit_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The field counts, the timestamps and the digit check share one read of the bytes
    (pandas' own read of the numbers aside); a block with a long run of digits is read again
    for the digit check, and only that block."""
    path = tmp_path / "bars.csv"
    path.write_text(HEADER + rows(60) + "2021-01-03T12:00:00Z,10.0000000000000001,11,9,10,1\n")
    monkeypatch.setattr(csv_reader, "_SLICE_BYTES", 200)
    reads: list[Path] = []
    real = csv_blocks.line_blocks

    def counted(where: Path, size: int):  # type: ignore[no-untyped-def]
        reads.append(where)
        return real(where, size)

    monkeypatch.setattr(csv_blocks, "line_blocks", counted)
    monkeypatch.setattr(csv_reader, "line_blocks", counted)
    with pytest.raises(CsvImportError) as raised:
        parse_csv(path, symbol="TESTX", timeframe="1h")
    assert [(problem.line, problem.column) for problem in raised.value.problems] == [(62, "open")]
    assert reads == [path]
