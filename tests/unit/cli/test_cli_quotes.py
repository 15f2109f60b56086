"""``backtest --quotes`` and ``--mark`` on the command line and in run files, on Lean's bundled
SPY minutes, and the one-line errors of a bad mark or a bad quote file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app
from paperdesk.data import find_bundled, find_bundled_quotes

runner = CliRunner()
TRADES = find_bundled("SPY", "1m")
QUOTES = find_bundled_quotes("SPY", "1m")
# buy-and-hold's one entry, at the close of the first bar of 2013-10-07 (08:00Z, pre-market:
# traded with --session extended)
RUN = [
    "backtest", "-s", "buy-and-hold", "--data", str(TRADES), "--from", "2013-10-07",
    "--to", "2013-10-07", "--fill", "close", "--sizer", "fixed", "--quantity", "50",
    "--exposure-cap", "none", "--session", "extended", "--json",
]  # fmt: skip
HEADER = (
    "timestamp,bid_open,bid_high,bid_low,bid_close,bid_size,"
    "ask_open,ask_high,ask_low,ask_close,ask_size"
)
GOOD = "2013-10-07T08:00:00Z,167.26,167.26,167.26,167.26,100,167.28,167.28,167.28,167.28,100"
HIGH_BELOW_LOW = (
    "2013-10-07T08:01:00Z,167.26,167.20,167.30,167.26,100,167.28,167.28,167.28,167.28,100"
)
NOT_A_NUMBER = "2013-10-07T08:00:00Z,167.26,x,167.26,167.26,100,167.28,167.28,167.28,167.28,100"


def run_json(*extra: str) -> dict[str, object]:
    result = runner.invoke(app, [*RUN, *extra])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_quotes_fill_the_entry_at_the_ask_and_mark_mid_marks_at_the_mid() -> None:
    # the files' lines: 2013-10-07T08:00Z trade close 167.27, ask close 167.27 (bid 167.25);
    # 23:59Z, the day's last bar: trade close 167.30, bid close 167.27, ask close 167.32
    plain = run_json()
    quoted = run_json("--quotes", str(QUOTES))
    mid = run_json("--quotes", str(QUOTES), "--mark", "mid")
    # without quotes: 167.27 + 5 bps = 167.353635, rounded up to 167.36; 10000 - 50 x 167.36
    assert plain["final_cash"] == "1632.00"
    assert plain["final_equity"] == "9997.00"  # + 50 x 167.30
    assert quoted["final_cash"] == "1636.50"  # 10000 - 50 x 167.27, the ask; no slippage
    assert quoted["final_equity"] == "10001.50"  # + 50 x 167.30, the trade close
    assert mid["final_equity"] == "10001.250"  # + 50 x (167.27 + 167.32) / 2 = 50 x 167.295
    [position] = mid["open_positions"]  # type: ignore[misc]
    assert position["mark"] == "167.295"


def test_a_run_file_names_its_quote_file_relative_to_itself(tmp_path: Path) -> None:
    assert QUOTES is not None
    (tmp_path / "quotes.csv").write_bytes(QUOTES.read_bytes())
    run_file = tmp_path / "run.toml"
    run_file.write_text('quotes = "quotes.csv"\nmark = "mid"\n')
    document = run_json("--config", str(run_file))
    assert document["final_equity"] == "10001.250"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--mark", "foo"], "invalid value for --mark: 'foo' (expected trade or mid)"),
        (["--quotes", "missing.csv"], "quote file not found: missing.csv (from --quotes)"),
    ],
)
def test_bad_options_are_one_line(extra: list[str], message: str) -> None:
    result = runner.invoke(app, [*RUN, *extra])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {message}"


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (
            HEADER.removesuffix(",ask_size"),
            [GOOD.rsplit(",", 1)[0]],
            "has no column ask_size; a quote file's header is " + HEADER,
        ),
        (
            HEADER,
            [GOOD, HIGH_BELOW_LOW],
            ": rejected: line 3: bid_high 167.20 is below bid_low 167.30",
        ),
        (HEADER, [GOOD, GOOD], ": rejected: line 3: timestamp repeats the one of line 2"),
        (HEADER, [NOT_A_NUMBER], ": rejected: line 2: bid_high 'x' is not a number"),
    ],
)
def test_a_bad_quote_file_is_one_error_naming_the_line(
    tmp_path: Path, header: str, rows: list[str], message: str
) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text("\n".join((header, *rows)) + "\n")
    result = runner.invoke(app, [*RUN, "--quotes", str(path)])
    assert result.exit_code == 1
    separator = "" if message.startswith(":") else " "
    assert result.output.strip() == f"error: quote file quotes.csv{separator}{message}"


def test_create_portfolio_takes_a_quote_file_per_symbol(paper_home: Path) -> None:
    assert QUOTES is not None
    result = runner.invoke(
        app,
        ["create-portfolio", "Q", "10000", "--timeframe", "1m", "--quotes", f"spy={QUOTES}",
         "--mark", "mid", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    settings = document["settings"]
    assert settings["source"]["quote_files"] == {"SPY": str(QUOTES.resolve())}
    assert settings["execution"]["mark"] == "mid"
    assert settings["symbols"] == ["SPY"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("SPY=nope.csv", "quote file not found: nope.csv (from --quotes SPY=nope.csv)"),
        ("nope.csv", "invalid value for --quotes: 'nope.csv' (expected SYMBOL=FILE.csv)"),
    ],
)
def test_create_portfolio_refuses_a_bad_quote_file(
    paper_home: Path, value: str, message: str
) -> None:
    result = runner.invoke(app, ["create-portfolio", "Q", "10000", "--quotes", value])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {message}"
    assert runner.invoke(app, ["portfolio", "list", "--json"]).stdout.count('"id"') == 0


def test_data_import_reads_a_quote_header_as_quotes_and_the_backtest_fills_at_the_ask(
    paper_home: Path, tmp_path: Path
) -> None:
    assert QUOTES is not None
    day = "2013-10-07T"
    for source, name in ((TRADES, "trades.csv"), (QUOTES, "quotes.csv")):
        lines = source.read_text().splitlines()
        kept = [lines[0], *(line for line in lines[1:] if line.startswith(day))]
        (tmp_path / name).write_text("\n".join(kept) + "\n")
    imported = runner.invoke(
        app, ["data", "import", str(tmp_path / "trades.csv"), "--symbol", "SPY", "-t", "1m"]
    )
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(
        app,
        ["data", "import", str(tmp_path / "quotes.csv"), "--symbol", "SPY", "-t", "1m", "--json"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["layout"].startswith("quotes")
    # 2013-10-07: 828 trade minutes, 907 quote minutes, 816 minutes in both (counted with comm)
    assert (report["rows_written"], report["rows_read"]) == (816, 907)
    stored = runner.invoke(
        app,
        ["backtest", "-s", "buy-and-hold", "--symbol", "SPY", "--timeframe", "1m",
         "--fill", "close", "--sizer", "fixed", "--quantity", "50", "--exposure-cap", "none",
         "--session", "extended", "--adjust", "raw", "--json"],
    )  # fmt: skip
    assert stored.exit_code == 0, stored.output
    assert json.loads(stored.stdout)["final_cash"] == "1636.50"  # 50 at the 08:00Z ask, 167.27
