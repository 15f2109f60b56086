"""The walk-forward evidence folder on disk: the manifest of inputs, one folder per day
written whole or not at all, and the period files.

A rerun with the same inputs skips the complete day folders and goes on; a rerun with other
inputs is refused, naming what changed, unless ``--restart`` (which removes only the files and
folders a walk-forward writes)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from paperdesk.domain.errors import OptionError
from paperdesk.plans.settings import PlanSettings
from paperdesk.service.export_folder import write_file, write_folder

MANIFEST = "manifest.json"
DAYS = "days"
DAY_REPORT = "day_report.json"
ALL_TRADES = "all_trades.csv"
DAILY_EQUITY = "daily_equity.csv"
SUMMARY = "summary.json"
WRITTEN = (MANIFEST, ALL_TRADES, DAILY_EQUITY, SUMMARY)


def json_bytes(document: object) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=False) + "\n").encode("utf-8")


def prepare(out: Path, inputs: dict[str, object], *, restart: bool) -> None:
    """Make ``out`` ready for a run with ``inputs``: new, resumed (same manifest) or, with
    ``restart``, emptied of a previous walk-forward's evidence (whatever its inputs)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OptionError(f"invalid value for --out: '{out}' (expected a folder)")
    manifest = out / MANIFEST
    if out.is_dir() and any(out.iterdir()) and not manifest.is_file():
        raise OptionError(
            f"invalid value for --out: '{out}' is not empty and holds no {MANIFEST} (not a "
            "walk-forward's evidence folder); choose a new folder"
        )
    if manifest.is_file():
        try:
            previous = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
        previous = written_before(previous)
        if previous != inputs and not restart:
            if not _skipping_changed_alone(out, previous, inputs):
                changed = _changes(previous, inputs)
                raise OptionError(
                    f"{out} holds a walk-forward run with other inputs ({changed}); pass "
                    "--restart to discard it and start again, or choose another --out"
                )
            replace_file(manifest, json_bytes(inputs))  # resumed under the new option
        if restart:
            _clear(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / DAYS).mkdir(exist_ok=True)
    except OSError as error:
        raise OptionError(
            f"invalid value for --out: '{out}' (cannot make the folder: {error.strerror})"
        ) from None
    if not manifest.is_file():
        replace_file(manifest, json_bytes(inputs))


def written_before(manifest: object) -> object:
    """A manifest as this version writes it: before 2026-12-05 a manifest recorded the default
    timeout as ``max_hold_days: null`` and left ``stop_loss_priority`` and ``eod_close`` out
    unless they were off, and before 2026-12-06 it had no ``spread_pips`` (none could be given);
    the same run now records every assumption in effect, and resumes. A re-fitting run written
    before its fits took the walk-forward's sizing and risk (no ``fit_terms``) fitted on its
    costs alone: it is not resumed (its days were planned with other parameters)."""
    if not isinstance(manifest, dict):
        return manifest
    now = dict(manifest)
    if "max_hold_days" in now and now["max_hold_days"] is None:
        now["max_hold_days"] = format(PlanSettings().max_hold_days, "f")
    now.setdefault("stop_loss_priority", True)
    now.setdefault("eod_close", True)
    now.setdefault("spread_pips", None)
    now.setdefault("fit_terms", "costs" if now.get("fit_window") is not None else None)
    return now


def complete_days(out: Path) -> set[str]:
    """The day folders already written (a folder exists only once complete)."""
    folder = out / DAYS
    if not folder.is_dir():
        return set()
    return {
        path.name for path in folder.iterdir() if path.is_dir() and not path.name.startswith(".")
    }


def write_day(out: Path, name: str, files: dict[str, bytes]) -> None:
    """``days/NAME/`` with ``files``, built aside and renamed into place."""

    def fill(folder: Path) -> None:
        for file_name, data in files.items():
            write_file(folder / file_name, data)

    write_folder(out / DAYS / name, fill)


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file renamed over it (never half-written)."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    write_file(temporary, data)
    os.replace(temporary, path)


def _clear(out: Path) -> None:
    shutil.rmtree(out / DAYS, ignore_errors=True)
    for name in WRITTEN:
        (out / name).unlink(missing_ok=True)


def _skipping_changed_alone(out: Path, previous: object, inputs: dict[str, object]) -> bool:
    """Whether only ``skip_bad_rows`` changed and the days already done read no bad row:
    then each was computed as it would be now (a plan without a bad row reads the same rows
    either way), and the run goes on. Refused (naming the days) when a day done skipped a
    row that the option now off would refuse."""
    key = "skip_bad_rows"
    if not isinstance(previous, dict) or {**previous, key: inputs.get(key)} != inputs:
        return False
    skipped = []
    for name in sorted(complete_days(out)):
        try:
            report = json.loads((out / DAYS / name / DAY_REPORT).read_text(encoding="utf-8"))
            rows = report["plan"].get("skipped") or []
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return False  # unreadable: nothing can be said of it
        if rows:
            skipped.append(f"{name}: {len(rows)} row{'s' if len(rows) > 1 else ''}")
    if skipped:
        raise OptionError(
            f"{out} holds days that skipped bad plan rows ({', '.join(skipped)}); without "
            "--skip-bad-rows those rows would be refused: pass --restart to run every day "
            "again, or keep --skip-bad-rows"
        )
    return True


def _changes(previous: object, inputs: dict[str, object]) -> str:
    if not isinstance(previous, dict):
        return f"its {MANIFEST} is unreadable"
    keys = [key for key in inputs if previous.get(key) != inputs[key]]
    keys += [key for key in previous if key not in inputs]
    return "changed: " + ", ".join(keys) if keys else "changed"
