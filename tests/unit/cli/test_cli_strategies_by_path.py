"""``paperdesk strategies [NAME] --strategy-path FILE.py`` lists a strategy written in a file, as
a backtest of it loads it (the unknown-name error says to add one with ``--strategy-path``)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

pytestmark = pytest.mark.usefixtures("registry_as_it_was")

SOURCE = """
from dataclasses import dataclass, field
from typing import ClassVar

from paperdesk.analysis.strategies.base import Strategy, make_signal_frame


@dataclass(frozen=True, slots=True)
class LookbackParameters:
    lookback: int = field(default=20, metadata={"help": "bars the close must beat"})


class Lookback(Strategy[LookbackParameters]):
    name: ClassVar[str] = "cli-lookback"
    description: ClassVar[str] = "Written in a file, listed by path."
    Parameters: ClassVar[type[LookbackParameters]] = LookbackParameters
    warmup = 0

    def compute(self, bars):
        return make_signal_frame(bars, [0], 1)
"""


def test_a_strategy_file_is_listed_and_shown_with_its_parameters(tmp_path: Path) -> None:
    path = tmp_path / "lookback.py"
    path.write_text(textwrap.dedent(SOURCE))
    runner = CliRunner()
    listed = runner.invoke(app, ["strategies", "--strategy-path", str(path), "--json"])
    assert listed.exit_code == 0, listed.output
    names = [item["name"] for item in json.loads(listed.stdout)["strategies"]]
    assert "cli-lookback" in names
    shown = runner.invoke(app, ["strategies", "cli-lookback", "--strategy-path", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "Written in a file, listed by path." in shown.stdout
    assert "bars the close must beat" in shown.stdout
