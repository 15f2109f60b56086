"""The files a portfolio's settings name (its per-symbol CSV data and plug-in strategy files)
travel inside the export, and an import takes them only from there.

On export each one is copied into the folder (``data/SYMBOL.csv``, its quotes
``data/SYMBOL_quotes.csv``, the Lean factor file ``data/factor_file.csv``,
``plugins/NAME.py``) and the settings in state.json name that relative path. On import every
such path must stay inside the export folder (no absolute path, no ``..``, no symbolic link out
of it) and be one of the files the manifest vouches for; the files are then copied to the home's
import store (or, without one, used where they are) and the new portfolio's settings name them
there.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from paperdesk.domain import DataError, InvalidInputError
from paperdesk.service.export_manifest import MANIFEST_FILE, FileEntry, digest, resolve_inside

Attachments = dict[str, Path]  # name inside the export -> where the file is now
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def _split_plugin(spec: str) -> tuple[str, str] | None:
    """``(file.py, ':Class' or '')`` for a plug-in named by file; None for ``module:Class``."""
    head, separator, attribute = spec.rpartition(":")
    file_part, rest = (head, separator + attribute) if head.endswith(".py") else (spec, "")
    return (file_part, rest) if file_part.endswith(".py") else None


def _rewrite(settings: Mapping[str, Any], move: Callable[[str, str], str]) -> dict[str, Any]:
    """``settings`` with each named file replaced by ``move(path, suggested_name)``."""
    document = dict(settings)
    source = dict(document.get("source") or {})
    for key, suffix in (("files", ""), ("quote_files", "_quotes")):  # bars and their quotes
        named = source.get(key) or {}
        if named:
            source[key] = {
                symbol: move(path, f"data/{_UNSAFE.sub('_', symbol)}{suffix}.csv")
                for symbol, path in named.items()
            }
            document["source"] = source
    if source.get("factor_file"):
        source["factor_file"] = move(source["factor_file"], "data/factor_file.csv")
        document["source"] = source
    paths = []
    for spec in document.get("strategy_paths") or ():
        plugin = _split_plugin(spec)
        if plugin is None:
            paths.append(spec)
            continue
        file_part, rest = plugin
        paths.append(move(file_part, f"plugins/{_UNSAFE.sub('_', Path(file_part).name)}") + rest)
    if paths:
        document["strategy_paths"] = paths
    if document.get("data"):
        document["data"] = move(document["data"], "data/backtest.csv")
    return document


def pack(settings: Mapping[str, Any]) -> tuple[dict[str, Any], Attachments]:
    """The settings as exported (naming files inside the export) and the files to copy in."""
    attachments: Attachments = {}

    def move(path: str, name: str) -> str:
        stem, dot, suffix = name.rpartition(".")
        unique, number = name, 2
        while unique in attachments and attachments[unique] != Path(path):
            unique, number = f"{stem}-{number}{dot}{suffix}", number + 1
        source = Path(path)
        if not source.is_file():
            raise InvalidInputError(
                f"the portfolio's settings name {path}, which is not a readable file"
            )
        attachments[unique] = source
        return unique

    return _rewrite(settings, move), attachments


def unpack(
    settings: Mapping[str, Any], directory: Path, listed: set[str]
) -> tuple[dict[str, Any], Attachments]:
    """The imported settings (with each file where it is inside ``directory``) and those files
    by their name in the export; every path is checked to stay inside the folder."""
    attachments: Attachments = {}

    def move(path: str, _: str) -> str:
        file = resolve_inside(directory, path, "state.json: the path")
        name = file.relative_to(directory.resolve()).as_posix()
        if name not in listed:
            raise DataError(f"state.json: the path {path!r} is not a file {MANIFEST_FILE} lists")
        attachments[name] = file
        return str(file)

    return _rewrite(settings, move), attachments


def store(
    settings: Mapping[str, Any],
    attachments: Attachments,
    home: Path | None,
    vouched: Mapping[str, FileEntry],
) -> tuple[dict[str, Any], Path | None]:
    """Copy the attachments into a fresh folder of ``home`` and point the settings there
    (returns the folder, to remove if the import fails); without ``home`` nothing moves. What
    is copied is checked against the manifest again (the file may have changed since)."""
    if home is None or not attachments:
        return dict(settings), None
    home.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=home, prefix="import-"))
    moved: dict[str, str] = {}
    try:
        for name, source in attachments.items():
            data = source.read_bytes()
            if digest(data) != vouched[name]:
                raise DataError(f"{name} changed while it was being imported")
            destination = folder / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(data)
            moved[str(source)] = str(destination)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _rewrite(settings, lambda path, _: moved[path]), folder
