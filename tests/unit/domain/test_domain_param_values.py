"""``--param key=value`` values: TOML's numbers only where the plain grammar of every other
number agrees; anything else stays the typed text for the strategy's parser to refuse by name."""

from __future__ import annotations

import pytest

from paperdesk.domain.parsing import parse_param


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fast=10", 10),
        ("fast=-3", -3),
        ("stop=0.5", 0.5),
        ("stop=1e3", 1000.0),
        ("flag=true", True),
        ("mode=level", "level"),
        ('label="a b"', "a b"),
        # numbers TOML reads that no other door of paperdesk reads as numbers
        ("fast=1_0", "1_0"),
        ("fast=0x10", "0x10"),
        ("fast=0o17", "0o17"),
        ("fast=0b11", "0b11"),
        ("stop=inf", "inf"),
        ("stop=+inf", "+inf"),
        ("stop=nan", "nan"),
        ("stop=1_000.5", "1_000.5"),
        # beyond a float: the text, not the infinity it would become
        ("stop=1e400", "1e400"),
        # TOML values no parameter takes: the text, not Python's spelling of them
        ("fast=[1]", "[1]"),
        ("fast={a=1}", "{a=1}"),
        ("day=2021-03-01", "2021-03-01"),
    ],
)
def test_parameter_values(text: str, expected: object) -> None:
    key, value = parse_param(text)
    assert key == text.partition("=")[0]
    assert value == expected
    assert type(value) is type(expected)
