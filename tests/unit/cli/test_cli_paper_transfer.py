"""paperdesk export ID --to DIR and paperdesk import DIR."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from paper_cli_helpers import create_replay, fails, json_of, ledger_state, ok

from export_support import reseal
from paperdesk.data import find_bundled
from paperdesk.service.exports import FILES
from paperdesk.service.state_schema import validate_state


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


@pytest.fixture(scope="module")
def traded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose ledger traded a portfolio 12 ticks and exported it to ``paper_state``,
    made once for the module; each test that wants it works on a copy (``exported``)."""
    folder = tmp_path_factory.mktemp("traded-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERDESK_HOME", str(folder))
        patch.delenv("DATABASE_URL", raising=False)
        pid = create_replay("source", "--commission", "percent:0.1")
        ok("run", "--portfolio", str(pid), "--every", "0.01s", "--max-ticks", "12")
        ok("export", str(pid), "--to", str(folder / "paper_state"))
    return folder


@pytest.fixture
def exported(traded_home: Path, home: Path) -> Path:
    """The test's own copy of the traded home (its ledger and the export) as its home."""
    shutil.copytree(traded_home, home, dirs_exist_ok=True)
    return home / "paper_state"


def test_export_writes_the_audit_files_and_a_valid_state(tmp_path: Path) -> None:
    pid = create_replay()
    for _ in range(5):
        ok("trade", str(pid), "SPY", "LIVE")
    text = ok("export", str(pid), "--to", str(tmp_path / "out")).stdout
    assert "exported portfolio 1" in text
    document = json_of("export", str(pid), "--to", str(tmp_path / "out"), "--force")
    assert document["files"] == [
        "orders.csv",
        "fills.csv",
        "positions.csv",
        "pnl_ledger.csv",
        "state.json",
    ]
    state = json.loads((tmp_path / "out" / "state.json").read_text())
    validate_state(state)
    assert state["portfolio"]["name"] == "bot"
    assert (tmp_path / "out" / "fills.csv").read_text().startswith("fill_id,order_id,symbol,")


def test_export_to_a_file_path_is_refused(tmp_path: Path) -> None:
    pid = create_replay()
    (tmp_path / "taken").write_text("x")
    assert "not a directory" in fails("export", str(pid), "--to", str(tmp_path / "taken"))


def test_import_round_trip(exported: Path) -> None:
    result = ok("import", str(exported), "--name", "restored")
    assert result.stdout == "2\n"
    assert "restored" in result.stderr
    source, copy = json_of("portfolio", "show", "1"), json_of("portfolio", "show", "2")
    for field in ("cash", "equity", "realized_pnl", "unrealized_pnl", "fees_paid"):
        assert copy["portfolio"][field] == source["portfolio"][field]
    assert copy["positions"] == source["positions"]
    assert json_of("fills", "2")["fills"] == json_of("fills", "1")["fills"]
    assert json_of("trades", "2")["trades"] == json_of("trades", "1")["trades"]
    document = json_of("import", str(exported))
    assert document["id"] == 3
    assert document["name"] == "source"
    assert document["cash"] == source["portfolio"]["cash"]


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "state.json").write_text("[1, 2"), "not valid JSON"),
        (lambda d: (d / "state.json").write_text('{"cash": NaN}'), "NaN"),
        (
            lambda d: _rewrite(d / "state.json", '"schema_version": 1', '"schema_version": "1"'),
            "schema_version",
        ),
        (lambda d: _rewrite(d / "state.json", '"cash": "', '"cash": "9'), "cash is 9"),
        (lambda d: _rewrite(d / "state.json", '"cash": "', '"cash": "1.5e'), "at cash"),
        (lambda d: (d / "orders.csv").unlink(), "orders.csv is missing"),
        (lambda d: _rewrite(d / "fills.csv", "2020-01-03T00:00:00+00:00", "Jan 3"), "ISO-8601"),
        (
            lambda d: _rewrite(d / "pnl_ledger.csv", "\n2020", "\nnot-a-time,1,2,3,4,5,6\n2020"),
            "pnl_ledger.csv line 2",
        ),
    ],
)
def test_a_malformed_export_is_refused_in_one_line_and_nothing_is_written(
    exported: Path, damage: object, message: str
) -> None:
    damage(exported)  # type: ignore[operator]
    if all((exported / name).exists() for name in FILES):
        reseal(exported)  # an edited file: past the manifest, the checks inside the files refuse it
    before = ledger_state()
    assert message in fails("import", str(exported))
    assert ledger_state() == before


def test_import_of_a_missing_directory(tmp_path: Path) -> None:
    assert "is not a directory" in fails("import", str(tmp_path / "nothing"))


def test_export_lists_its_manifest(tmp_path: Path) -> None:
    pid = create_replay()
    document = json_of("export", str(pid), "--to", str(tmp_path / "out"))
    assert document["manifest"] == "MANIFEST.json"
    manifest = json.loads((tmp_path / "out" / "MANIFEST.json").read_text())
    assert sorted(manifest["files"]) == sorted(FILES)
    assert manifest["portfolio_id"] == pid


def test_export_refuses_a_non_empty_folder_unless_forced(tmp_path: Path) -> None:
    pid = create_replay()
    target = tmp_path / "out"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    message = fails("export", str(pid), "--to", str(target))
    assert f"{target} is not empty" in message
    assert "--force" in message
    assert (target / "keep.txt").read_text() == "mine"
    ok("export", str(pid), "--to", str(target), "--force")
    assert not (target / "keep.txt").exists()
    assert (target / "MANIFEST.json").is_file()


def test_import_of_a_tampered_export_names_the_file(exported: Path) -> None:
    path = exported / "fills.csv"
    path.write_text(path.read_text().replace(",buy,", ",BUY,", 1))  # same size
    before = ledger_state()
    assert "fills.csv does not match its SHA-256" in fails("import", str(exported))
    assert ledger_state() == before


def test_an_imported_copy_keeps_trading_without_the_original_data_file(tmp_path: Path) -> None:
    source = tmp_path / "first" / "acme.csv"
    source.parent.mkdir()
    lines = find_bundled("SPY", "1d").read_text().splitlines()
    source.write_text("\n".join(lines[:1] + lines[-300:]) + "\n")
    pid = create_replay(
        "bot", "--data", f"ACME={source}", "--asset-class", "equity", "--replay-from", "2020-06-01"
    )
    document = json_of("export", str(pid), "--to", str(tmp_path / "out"))
    assert document["attachments"] == ["data/ACME.csv"]
    assert (tmp_path / "out" / "data" / "ACME.csv").read_bytes() == source.read_bytes()
    copy = json_of("import", str(tmp_path / "out"), "--name", "copy")["id"]
    for folder in (source.parent, tmp_path / "out"):
        shutil.rmtree(folder)
    ok("trade", str(copy), "ACME", "LIVE")
