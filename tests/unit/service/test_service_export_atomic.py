"""An export is whole or absent: killed at any step, copied in part, or mixed with another
export, the folder never imports; an existing folder is replaced only with force, atomically;
a symlink planted where a temporary file could be is never followed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from export_fixtures import refused, traded_ledger

from paperdesk.domain import InvalidInputError
from paperdesk.service import export_folder, exports
from paperdesk.service.export_manifest import MANIFEST_FILE
from paperdesk.service.exports import FILES, export_portfolio
from paperdesk.service.imports import import_portfolio
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database

Ledger = tuple[Database, PortfolioService, int]
EVERY_FILE = (*FILES, MANIFEST_FILE)


class KilledError(Exception):
    pass


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    database, service, pid = traded_ledger(tmp_path_factory.mktemp("ledger"))
    yield database, service, pid
    database.close()


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _fail_on_call(monkeypatch: pytest.MonkeyPatch, module: object, name: str, k: int) -> None:
    """Make ``module.name`` raise on its k-th call (counting from 1)."""
    real = getattr(module, name)
    calls = [0]

    def failing(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        if calls[0] == k:
            raise KilledError(f"killed at call {k} of {name}")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


def _write_calls(ledger: Ledger, folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    database, _, pid = ledger
    calls: list[Path] = []
    real = exports.write_file
    monkeypatch.setattr(
        exports, "write_file", lambda path, data: (calls.append(path), real(path, data))
    )
    export_portfolio(database, pid, folder)
    monkeypatch.undo()
    return len(calls)


def test_an_export_killed_at_any_write_leaves_no_folder(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, service, pid = ledger
    writes = _write_calls(ledger, tmp_path / "counted", monkeypatch)
    assert writes == len(EVERY_FILE)
    for k in range(1, writes + 1):
        target = tmp_path / f"killed-{k}"
        with monkeypatch.context() as patch:
            _fail_on_call(patch, exports, "write_file", k)
            with pytest.raises(KilledError):
                export_portfolio(database, pid, target)
        assert not target.exists(), k
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [], k
        assert "is not a directory" in refused(database, service, target)


def test_a_process_killed_mid_export_leaves_only_a_hidden_folder_that_does_not_import(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No clean-up at all (as when the process dies): the target still never appears, and the
    half-built folder left beside it is refused."""
    database, service, pid = ledger
    for k in range(1, len(EVERY_FILE) + 1):
        parent = tmp_path / f"run-{k}"
        parent.mkdir()
        with monkeypatch.context() as patch:
            patch.setattr(export_folder.shutil, "rmtree", lambda *a, **k: None)
            _fail_on_call(patch, exports, "write_file", k)
            with pytest.raises(KilledError):
                export_portfolio(database, pid, parent / "out")
        (left,) = parent.iterdir()
        assert left.name.startswith(".out.tmp-")
        assert MANIFEST_FILE in refused(database, service, left)


@pytest.mark.parametrize("step", [1, 2])
def test_a_forced_export_killed_while_swapping_keeps_the_old_export(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    database, _, pid = ledger
    target = tmp_path / "out"
    export_portfolio(database, pid, target)
    old = _snapshot(target)
    with monkeypatch.context() as patch:
        _fail_on_call(patch, export_folder.os, "rename", step)
        with pytest.raises(KilledError):
            export_portfolio(database, pid, target, force=True)
    assert _snapshot(target) == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    import_portfolio(database, target)  # still a whole export


def test_a_partial_copy_of_an_export_does_not_import_whichever_file_is_missing(
    ledger: Ledger, tmp_path: Path
) -> None:
    database, service, pid = ledger
    export_portfolio(database, pid, tmp_path / "out")
    for missing in EVERY_FILE:
        partial = tmp_path / f"without-{missing}"
        partial.mkdir()
        for name in EVERY_FILE:
            if name != missing:
                shutil.copy(tmp_path / "out" / name, partial / name)
        assert missing in refused(database, service, partial), missing


def test_a_copy_with_any_file_cut_short_does_not_import(ledger: Ledger, tmp_path: Path) -> None:
    database, service, pid = ledger
    export_portfolio(database, pid, tmp_path / "out")
    for name in EVERY_FILE:
        folder = tmp_path / f"short-{name}"
        shutil.copytree(tmp_path / "out", folder)
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[: len(data) // 2])
        assert name in refused(database, service, folder), name


@pytest.mark.parametrize("name", ["positions.csv", "pnl_ledger.csv", "state.json"])
def test_a_folder_mixing_two_exports_does_not_import(
    ledger: Ledger, tmp_path: Path, name: str
) -> None:
    database, service, pid = ledger
    export_portfolio(database, pid, tmp_path / "early")
    for _ in range(3):  # new marks and equity snapshots
        service.tick(pid, "SPY")
    export_portfolio(database, pid, tmp_path / "late")
    assert (tmp_path / "early" / name).read_bytes() != (tmp_path / "late" / name).read_bytes()
    shutil.copy(tmp_path / "late" / name, tmp_path / "early" / name)
    assert name in refused(database, service, tmp_path / "early")


def test_a_non_empty_folder_is_refused_without_force_and_replaced_with_it(
    ledger: Ledger, tmp_path: Path
) -> None:
    database, _, pid = ledger
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(InvalidInputError, match=r"is not empty; .* pass --force"):
        export_portfolio(database, pid, target)
    assert _snapshot(target) == {"notes.txt": b"mine"}
    export_portfolio(database, pid, target, force=True)
    assert sorted(p.name for p in target.iterdir()) == sorted(EVERY_FILE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the old folder is gone
    import_portfolio(database, target)


def test_an_empty_existing_folder_is_used(ledger: Ledger, tmp_path: Path) -> None:
    database, _, pid = ledger
    (tmp_path / "out").mkdir()
    export_portfolio(database, pid, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(EVERY_FILE)


def test_a_symlink_planted_at_a_temporary_name_is_not_followed(
    ledger: Ledger, tmp_path: Path
) -> None:
    database, _, pid = ledger
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "out"
    target.mkdir()
    for name in EVERY_FILE:  # the names a predictable temporary file would have
        os.symlink(victim, target / f".{name}.tmp")
    os.symlink(victim, tmp_path / ".out.tmp")
    with pytest.raises(InvalidInputError, match="is not empty"):
        export_portfolio(database, pid, target)
    assert victim.read_text() == "precious"
    export_portfolio(database, pid, target, force=True)
    assert victim.read_text() == "precious"
    assert not any(p.is_symlink() for p in target.iterdir())
    assert sorted(p.name for p in target.iterdir()) == sorted(EVERY_FILE)


def test_a_symlink_as_the_target_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    database, _, pid = ledger
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, tmp_path / "out")
    with pytest.raises(InvalidInputError, match="symbolic link"):
        export_portfolio(database, pid, tmp_path / "out", force=True)
    assert list(elsewhere.iterdir()) == []


def test_a_file_where_the_folder_would_go_is_named_as_such(ledger: Ledger, tmp_path: Path) -> None:
    database, _, pid = ledger
    (tmp_path / "afile").write_text("kept")
    with pytest.raises(InvalidInputError) as refusal:
        export_portfolio(database, pid, tmp_path / "afile" / "out")
    assert str(refusal.value) == (
        f"{tmp_path / 'afile'} exists and is not a directory (it would hold "
        f"{tmp_path / 'afile' / 'out'})"
    )  # it said "File exists: afile"
    assert (tmp_path / "afile").read_text() == "kept"


def test_a_folder_it_cannot_write_in_names_the_target_not_a_hidden_name(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only folder (root writes anywhere, so the refusal is simulated where it comes)."""
    database, _, pid = ledger

    def read_only(dir: str, prefix: str) -> str:
        raise PermissionError(13, "Permission denied", os.path.join(dir, f"{prefix}abc123"))

    monkeypatch.setattr(export_folder.tempfile, "mkdtemp", read_only)
    with pytest.raises(InvalidInputError) as refusal:
        export_portfolio(database, pid, tmp_path / "out")
    assert str(refusal.value) == (
        f"cannot write {tmp_path / 'out'}: Permission denied (in {tmp_path})"
    )  # it said "Permission denied: .../.out.tmp-abc123"
    assert list(tmp_path.iterdir()) == []


def test_every_written_file_is_opened_new_and_without_following_links(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.symlink(victim, tmp_path / "link")
    with pytest.raises(OSError, match="link"):
        export_folder.write_file(tmp_path / "link", b"x")
    with pytest.raises(FileExistsError):
        export_folder.write_file(victim, b"x")
    assert victim.read_text() == "precious"


def test_the_next_export_removes_what_a_killed_one_left_but_not_a_running_ones(
    ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, _service, pid = ledger
    target = tmp_path / "out"
    with monkeypatch.context() as patch:  # killed outright: nothing cleaned up
        patch.setattr(export_folder.shutil, "rmtree", lambda *a, **k: None)
        _fail_on_call(patch, exports, "write_file", 2)
        with pytest.raises(KilledError):
            export_portfolio(database, pid, target)
    (abandoned,) = tmp_path.iterdir()
    running = tmp_path / ".out.tmp-running"  # another export busy writing right now
    running.mkdir()
    (running / "orders.csv").write_text("being written")
    other = tmp_path / ".other.tmp-abc"  # another target's: not this export's business
    other.mkdir()
    old = os.stat(abandoned).st_mtime - export_folder.STALE_AFTER - 1
    for path in (abandoned, *abandoned.iterdir(), other):
        os.utime(path, (old, old))
    export_portfolio(database, pid, target)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        ".other.tmp-abc",
        ".out.tmp-running",
        "out",
    ]
    assert MANIFEST_FILE in {path.name for path in target.iterdir()}
