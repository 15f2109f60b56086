"""One interface over every command: help that reads, short flags that mean one thing, ids
given positionally and negative numbers refused for their value."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main
from paper_cli_helpers import fails, json_of, ledger_state
from typer.testing import CliRunner

from paperdesk.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def command_paths(
    command: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    if hasattr(command, "list_commands"):  # the root loads its commands when asked for them
        context = typer.Context(command)
        for name in command.list_commands(context):
            yield from command_paths(command.get_command(context, name), (*path, name))


ROOT = typer.main.get_command(app)
COMMANDS = list(command_paths(ROOT))


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_help_reads_like_a_cli(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Usage:" in text
    for noise in ("<bool>", "<str>", "<int", "<path>", "<list", "9223372036854775807"):
        assert noise not in text, f"{' '.join(path)} --help shows {noise}"
    assert "[default:" not in text  # every default reads (default: X)
    assert "=True" not in text  # options, not Python keywords


def test_each_short_flag_means_one_long_option_everywhere() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"backtest", "run", "order place", "data import", "demo"} <= names
    meanings: dict[str, set[str]] = defaultdict(set)
    for _, command in COMMANDS:
        for param in command.params:
            shorts = [name for name in param.opts if name[:1] == "-" and name[:2] != "--"]
            longs = [name for name in param.opts if name.startswith("--")]
            for short in shorts:
                meanings[short].update(longs)
    assert meanings["-s"] == {"--strategy"}
    assert all(len(longs) == 1 for longs in meanings.values()), dict(meanings)


def test_timeframe_is_optional_with_one_default() -> None:
    for path in (("backtest",), ("data", "import"), ("data", "check"), ("data", "backfill")):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
        line = next(line for line in result.stdout.splitlines() if "--timeframe" in line)
        assert "(default: 1d" in line, line
        assert "required" not in line, line


def test_run_takes_the_portfolio_id_positionally() -> None:
    assert "no portfolio with id 9" in fails("run", "9", "--max-ticks", "1")
    assert "no portfolio with id 9" in fails("run", "--portfolio", "9", "--max-ticks", "1")
    assert "PORTFOLIO_ID" in fails("run", "--max-ticks", "1", code=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-portfolio", "X", "-100"], "invalid value for CASH: '-100'"),
        (["create-portfolio", "X", "-0.5"], "invalid value for CASH: '-0.5'"),
        (["portfolio", "show", "-3"], "a portfolio id is a whole number from 1 up, got -3"),
        (["mark", "9223372036854775808"], "got 9223372036854775808"),
    ],
)
def test_negative_numbers_are_refused_for_their_value(args: list[str], message: str) -> None:
    before = ledger_state()
    error = fails(*args, code=2)
    assert message in error
    assert "No such option" not in error
    assert ledger_state() == before


def test_unknown_order_id_says_what_ids_look_like() -> None:
    pid = json_of("create-portfolio", "X", "10000", "--symbol", "SPY")["id"]
    json_of("order", "place", str(pid), "SPY", "buy", "1", "--type", "limit", "--limit-price", "1")
    before = ledger_state()
    error = fails("order", "cancel", str(pid), "1")
    assert "unknown order id 1; order ids look like O10 — did you mean O1?" in error
    assert ledger_state() == before


def test_an_unknown_portfolio_lists_the_ids() -> None:
    pid = json_of("create-portfolio", "X", "10000")["id"]
    assert f"no portfolio with id 77; portfolios: {pid}" in fails("portfolio", "show", "77")


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["backtest", "-s", "macd-crss", "--symbol", "SPY"], "(did you mean macd-cross"),
        (["backtest", "-s", "macd-cross", "--symbol", "SPYY"], "(did you mean SPY?)"),
    ],
)
def test_unknown_names_get_the_closest_known_ones(args: list[str], hint: str) -> None:
    assert hint in fails(*args)


def test_a_symbol_the_portfolio_does_not_watch_gets_a_hint() -> None:
    pid = json_of("create-portfolio", "X", "10000", "--symbol", "SPY")["id"]
    assert "does not watch SPYY (SPY); did you mean SPY?" in fails("trade", str(pid), "SPYY", "DRY")


def test_the_commission_help_names_every_fee_model_the_option_takes() -> None:
    for path in (("backtest",), ("create-portfolio",)):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
        line = next(line for line in result.stdout.splitlines() if "--commission" in line)
        for model in ("percent:P", "per-share:R", "per-lot:A", "per-contract:A"):
            assert model in line, line


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_each_option_states_its_default_once(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
    for line in result.stdout.splitlines():
        assert line.count("(default:") <= 1, line


def test_help_paragraphs_are_written_on_one_line_for_the_terminal_to_wrap() -> None:
    from paperdesk.cli.lazy import COMMANDS as LAZY

    helps = [(" ".join(path), command.help or "") for path, command in COMMANDS]
    helps += [(f"{entry.name} (listed)", entry.placeholder().help or "") for entry in LAZY]
    for name, help_text in helps:
        for paragraph in help_text.split("\n\n"):
            assert "\n" not in paragraph, (name, paragraph)  # Rich kept the source's breaks


@pytest.mark.parametrize("path", [path for path, _ in COMMANDS], ids=" ".join)
def test_each_default_reads_default_colon_and_is_said_once(path: tuple[str, ...]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
    for line in result.stdout.splitlines():
        assert "(default " not in line, line
        assert "(default)" not in line, line
        said = re.search(r"\(([^()]*)\)\. \(default: ([^()]*)\)", line)
        assert said is None or said.group(1) != said.group(2), line


def test_a_default_written_in_the_help_text_reads_default_colon() -> None:
    """A default the help text states itself (the conventions add one only for a value) is
    written ``(default: X)`` too: not ``Default: X.``, ``default: X`` or ``defaults to X``."""
    for path, command in COMMANDS:
        for param in command.params:
            help_text = getattr(param, "help", None) or ""
            for word in re.finditer(r"(?i)\bdefault", help_text):
                written = help_text[max(word.start() - 1, 0) : word.end() + 2]
                assert written == "(default: ", (" ".join(path), param.opts[0], help_text)


def test_strategy_and_param_have_their_short_flags_wherever_they_exist() -> None:
    for path, command in COMMANDS:
        for param in command.params:
            for long, short in (("--strategy", "-s"), ("--param", "-p")):
                if long in param.opts:
                    assert short in param.opts, (" ".join(path), long)


DURATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([smhd])\b")
UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def in_largest_unit(number: str, unit: str) -> str:
    """``60s`` -> ``1m``, ``90s`` -> ``90s``, ``24h`` -> ``1d``: a duration in the largest unit
    that holds it whole (``0.5s`` stays)."""
    seconds = float(number) * UNIT_SECONDS[unit]
    for name, size in UNIT_SECONDS.items():
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{name}"
    return f"{number}{unit}"


def test_every_duration_in_help_is_spelt_one_way() -> None:
    """A duration option's default and examples are written in the largest whole unit, so the
    same minute is never ``60s`` in one command's help and ``1m`` in another's."""
    checked = set()
    for path, command in COMMANDS:
        for param in command.params:
            if not {"INTERVAL", "DURATION"} & set(re.split(r"\W", param.metavar or "")):
                continue
            checked.add(f"{' '.join(path)} {param.opts[0]}")
            for number, unit in DURATION.findall(param.help or ""):
                shown = f"{number}{unit}"
                assert shown == in_largest_unit(number, unit), (path, param.opts[0], param.help)
    assert {
        "run --every", "worker --interval", "worker --lease", "up --replay-interval",
        "create-portfolio --replay-interval", "create-portfolio --stale-after", "report --every",
    } <= checked  # fmt: skip
