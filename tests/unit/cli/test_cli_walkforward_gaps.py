"""``paperdesk walkforward`` on gapped candles warns as ``paperdesk backtest`` does: the table's
warning line, ``data_gaps`` in ``--json`` and ``summary.json``, and the report page's box."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from paper_cli_helpers import json_of, ok

pytestmark = pytest.mark.usefixtures("paper_home")

# the bundled BTCUSD minutes hold 2016-10-07..09, then 2017-09-03..04 (docs/data-gaps.md)
LONG_GAP = "2016-10-10 00:00 to 2017-09-03 00:00"


def _plan(tmp_path: Path, day: str, row: str) -> str:
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / f"{day}.csv").write_text(
        f"ticker,side,qty,entry_price,take_profit,stop_loss\n{row}\n", encoding="utf-8"
    )
    return str(folder)


def test_a_walk_forward_over_gapped_candles_warns_in_the_backtests_words(
    tmp_path: Path,
) -> None:
    plans = _plan(tmp_path, "2016-10-10", "BTCUSD,buy,1,620,700,500")
    out = tmp_path / "evidence"
    args = ("walkforward", "--plans", plans, "--from", "2016-10-10", "--to", "2017-09-08")
    args += ("--timeframe", "1m", "--resolve-with", "none", "--out", str(out))
    table = " ".join(ok(*args).stdout.split())  # unfolded
    assert "Warning: the BTCUSD 1m bars miss two sessions or more of trading time" in table
    assert LONG_GAP in table
    assert "paperdesk data check BTCUSD --timeframe 1m" in table
    document = json_of(*args)  # a resumed rerun checks the same candles
    assert document["simulated"] == []
    gaps = document["data_gaps"]["BTCUSD"]
    assert gaps == document["summary"]["data_gaps"]["BTCUSD"]
    assert (gaps["calendar"], gaps["long_gaps_count"]) == ("24/7", 1)
    assert gaps["long_gaps"][0]["start"].startswith("2016-10-10T00:00")
    assert gaps["long_gaps"][0]["end"].startswith("2017-09-03T00:00")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["data_gaps"] == document["data_gaps"]
    page = tmp_path / "report.html"
    report = json_of("report", "--walkforward", str(out), "--html", str(page))
    assert len(report["warnings"]) == 1
    assert LONG_GAP in report["warnings"][0]
    assert 'id="report-warnings"' in page.read_text(encoding="utf-8")


def test_a_walk_forward_over_clean_candles_says_nothing(tmp_path: Path) -> None:
    # SPY closed at 383.63 on Friday 2021-03-05 (lean_SPY_1d.csv); its hours have no gap
    plans = _plan(tmp_path, "2021-03-08", "SPY,buy,10,383.63,386,381")
    out = tmp_path / "evidence"
    args = ("walkforward", "--plans", plans, "--from", "2021-03-05", "--to", "2021-03-08")
    args += ("--out", str(out))
    assert "Warning" not in ok(*args).stdout
    gaps = json_of(*args)["data_gaps"]["SPY"]
    assert (gaps["calendar"], gaps["long_gaps_count"]) == ("XNYS", 0)
    report = json_of("report", "--walkforward", str(out), "--html", str(tmp_path / "r.html"))
    assert report["warnings"] == []
