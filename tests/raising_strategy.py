"""A user strategy in a file whose ``compute`` raises, for the tests of every door's refusal
(the CLI's backtest and tick, the API's tick): one line naming the strategy and its line."""

from __future__ import annotations

from pathlib import Path

SOURCE = """from typing import ClassVar

from paperdesk.analysis.strategies.base import Strategy


class Raises(Strategy):
    name: ClassVar[str] = "{name}"
    description: ClassVar[str] = "compute() fails"
    warmup = 0

    def compute(self, bars):
        raise RuntimeError("the model file is missing")
"""
RAISING_LINE = 12  # the line of ``raise`` in the file written


def write_raising_strategy(folder: Path, name: str) -> Path:
    """``folder/raises.py`` defining the strategy ``name``; returns its path."""
    path = folder / "raises.py"
    path.write_text(SOURCE.format(name=name))
    return path


def raised_message(name: str, path: Path) -> str:
    """What every door says of it."""
    return (
        f"strategy '{name}': compute() raised RuntimeError: the model file is missing "
        f"(at {path}, line {RAISING_LINE})"
    )
