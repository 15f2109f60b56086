"""An unknown option that is a common word for one the command has (``--start`` for ``--from``)
is answered with that option, not with click's spelling guesses."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("arguments", "suggested"),
    [
        (["backtest", "--start", "2020-01-01"], "--from"),
        (["backtest", "--end=2020-12-31"], "--to"),
        (["walkforward", "--since", "2021-03-01"], "--from"),
    ],
)
def test_a_synonym_points_to_the_option(arguments: list[str], suggested: str) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2
    option = arguments[1].split("=")[0]
    assert result.stderr.startswith(
        f"error: No such option: {option} (Possible options: {suggested}) (see "
    )  # backtest --start said "(Possible options: --mark, --size-at, --strategy)"


def test_a_synonym_of_an_option_the_command_lacks_suggests_nothing_false() -> None:
    result = runner.invoke(app, ["portfolio", "list", "--start", "1"])
    assert result.exit_code == 2
    assert "--from" not in result.stderr
