"""An import checks the whole folder before it changes anything: the manifest, every file's
size and SHA-256, the required files, no unknown file, and every path state.json names."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from export_fixtures import refused, traded_ledger

from export_support import reseal
from paperdesk.service.export_manifest import MANIFEST_FILE
from paperdesk.service.exports import FILES, export_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

Ledger = tuple[Database, PortfolioService, int]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    database, service, pid = traded_ledger(tmp_path_factory.mktemp("ledger"))
    yield database, service, pid
    database.close()


@pytest.fixture
def folder(ledger: Ledger, tmp_path: Path) -> Path:
    database, _, pid = ledger
    export_portfolio(database, pid, tmp_path / "out")
    return tmp_path / "out"


def _edit_json(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def test_a_changed_byte_in_any_file_is_refused_naming_the_file(
    ledger: Ledger, folder: Path, tmp_path: Path
) -> None:
    database, service, _ = ledger
    for name in FILES:
        copy = tmp_path / f"changed-{name}"
        shutil.copytree(folder, copy)
        data = bytearray((copy / name).read_bytes())
        middle = len(data) // 2
        data[middle] = ord("7") if data[middle] != ord("7") else ord("8")
        (copy / name).write_bytes(bytes(data))
        message = refused(database, service, copy)
        assert (
            message
            == f"{name} does not match its SHA-256 in {MANIFEST_FILE} (the file was changed)"
        )


def test_a_file_of_another_size_is_refused(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    with (folder / "fills.csv").open("a") as handle:
        handle.write("\n")
    assert "fills.csv has" in refused(database, service, folder)


def test_a_missing_file_is_refused_naming_it(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    (folder / "pnl_ledger.csv").unlink()
    assert refused(database, service, folder).startswith("pnl_ledger.csv is missing from")


def test_a_manifest_that_leaves_out_a_required_file_is_refused(
    ledger: Ledger, folder: Path
) -> None:
    database, service, _ = ledger
    (folder / "positions.csv").unlink()
    reseal(folder)
    assert refused(database, service, folder) == f"{MANIFEST_FILE} does not list positions.csv"


def test_an_unknown_file_is_refused_naming_it(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    (folder / "extra.csv").write_text("a,b\n")
    assert "the manifest does not list: extra.csv" in refused(database, service, folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m.update(format_version=2), "MANIFEST.json is malformed at format_version"),
        (lambda m: m["files"].pop("orders.csv"), "does not list orders.csv"),
        (lambda m: m.update(portfolio_id=99), "state.json is portfolio 1 but"),
        (lambda m: m["files"].update({"../x": m["files"]["orders.csv"]}), "'../x' is not a"),
        (lambda m: m["files"].update({"/etc/passwd": m["files"]["orders.csv"]}), "/etc/passwd"),
    ],
)
def test_a_wrong_manifest_is_refused(
    ledger: Ledger, folder: Path, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    database, service, _ = ledger
    _edit_json(folder / MANIFEST_FILE, change)
    assert message in refused(database, service, folder)


def test_a_manifest_that_is_not_json_is_refused(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    (folder / MANIFEST_FILE).write_text("{")
    assert refused(database, service, folder).startswith(f"{MANIFEST_FILE} is malformed")


def _name_data(path: str) -> Callable[[dict[str, Any]], object]:
    return lambda state: state["settings"]["source"].update(files={"SPY": path})


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../outside.csv", "data/../../outside.csv", "data/missing.csv"]
)
def test_a_data_path_outside_the_export_is_refused(ledger: Ledger, folder: Path, path: str) -> None:
    database, service, _ = ledger
    (folder.parent / "outside.csv").write_text("timestamp,open,high,low,close,volume\n")
    _edit_json(folder / "state.json", _name_data(path))
    reseal(folder)  # the manifest vouches for the edited state.json: the path is what is refused
    message = refused(database, service, folder)
    assert path in message
    assert "inside the export folder" in message or f"not a file {MANIFEST_FILE} lists" in message


def test_a_plugin_path_outside_the_export_is_refused(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    evil = folder.parent / "evil.py"
    evil.write_text("raise SystemExit('ran code from outside the export')\n")
    _edit_json(folder / "state.json", lambda s: s["settings"].update(strategy_paths=[str(evil)]))
    reseal(folder)
    assert "is not a relative path inside the export folder" in refused(database, service, folder)


def test_a_symlink_out_of_the_export_is_refused(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    outside = folder.parent / "outside.csv"
    outside.write_text("timestamp,open,high,low,close,volume\n")
    (folder / "data").mkdir()
    os.symlink(outside, folder / "data" / "SPY.csv")
    _edit_json(folder / "state.json", _name_data("data/SPY.csv"))
    reseal(folder)  # even a manifest listing it does not make the link acceptable
    assert "'data/SPY.csv' is a symbolic link" in refused(database, service, folder)


def test_settings_naming_files_in_the_wrong_shape_are_refused(ledger: Ledger, folder: Path) -> None:
    database, service, _ = ledger
    _edit_json(folder / "state.json", lambda s: s["settings"]["source"].update(files=["x.csv"]))
    reseal(folder)
    assert refused(database, service, folder).startswith("malformed portfolio settings")
