"""MANIFEST.json of an export: what the folder holds, so an import can prove it is whole.

It names the format and its version, the exported portfolio, when the export was made, and the
SHA-256 and size of every other file in the folder. ``verify_folder`` checks all of it before an
import reads anything else: the manifest is present and well formed, every file it lists is a
regular file inside the folder with that size and hash, the required files are among them, and
the folder holds nothing it does not list.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from paperdesk.domain import DataError, InvalidInputError
from paperdesk.service.documents import utc_text

MANIFEST_FILE = "MANIFEST.json"
FORMAT = "paperdesk-export"
FORMAT_VERSION = 1

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class FileEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sha256: Sha256
    size: int = Field(ge=0)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["paperdesk-export"]
    format_version: Literal[1]
    portfolio_id: int = Field(ge=1)
    created_at: datetime
    files: dict[str, FileEntry]


def digest(data: bytes) -> FileEntry:
    return FileEntry(sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def manifest_bytes(portfolio_id: int, created_at: datetime, files: dict[str, bytes]) -> bytes:
    """The manifest of a folder holding ``files`` (relative name -> content)."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "portfolio_id": portfolio_id,
        "created_at": utc_text(created_at),
        "files": {name: digest(data).model_dump() for name, data in sorted(files.items())},
    }
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def safe_relative(name: str, what: str) -> PurePosixPath:
    """``name`` as a relative path that stays inside a folder (no absolute path, no ``..``)."""
    path = PurePosixPath(name)
    if not name or "\\" in name or "\0" in name or path.is_absolute() or ".." in path.parts:
        raise DataError(f"{what} {name!r} is not a relative path inside the export folder")
    return path


def resolve_inside(directory: Path, name: str, what: str) -> Path:
    """The file ``name`` names inside ``directory``, refusing any way out of it (absolute
    paths, ``..``, symlinks on the way)."""
    relative = safe_relative(name, what)
    root = directory.resolve()
    path = root.joinpath(*relative.parts)
    if path.resolve() != path or not path.resolve().is_relative_to(root):
        raise DataError(
            f"{what} {name!r} is a symbolic link or passes through one "
            "(refused: it could lead outside the export folder)"
        )
    return path


def verify_folder(directory: Path, required: tuple[str, ...]) -> Manifest:
    """The folder's manifest, once the folder is proven to be exactly what it lists."""
    if not directory.is_dir():
        raise InvalidInputError(f"{directory} is not a directory")
    manifest = _read_manifest(directory)
    missing = [name for name in required if name not in manifest.files]
    if missing:
        raise DataError(f"{MANIFEST_FILE} does not list {', '.join(missing)}")
    for name, entry in manifest.files.items():
        _check_file(directory, name, entry)
    unknown = sorted(_present(directory) - set(manifest.files) - {MANIFEST_FILE})
    if unknown:
        raise DataError(
            f"{directory} holds files the manifest does not list: {', '.join(unknown[:5])}"
        )
    return manifest


def _read_manifest(directory: Path) -> Manifest:
    path = directory / MANIFEST_FILE
    if path.is_symlink() or not path.is_file():
        raise DataError(
            f"{MANIFEST_FILE} is missing from {directory} (not a complete paperdesk export)"
        )
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as error:
        first = error.errors()[0]
        where = "/".join(str(part) for part in first["loc"]) or "(top level)"
        raise DataError(f"{MANIFEST_FILE} is malformed at {where}: {first['msg']}") from None
    except OSError as error:
        raise DataError(f"cannot read {path}: {error}") from None


def _check_file(directory: Path, name: str, entry: FileEntry) -> None:
    path = resolve_inside(directory, name, f"{MANIFEST_FILE} entry")
    if path.is_symlink() or not path.is_file():
        raise DataError(f"{name} is missing from {directory} (listed in {MANIFEST_FILE})")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error}") from None
    found = digest(data)
    if found.size != entry.size:
        raise DataError(
            f"{name} has {found.size} bytes but {MANIFEST_FILE} says {entry.size} "
            "(the file was changed or cut short)"
        )
    if found.sha256 != entry.sha256:
        raise DataError(
            f"{name} does not match its SHA-256 in {MANIFEST_FILE} (the file was changed)"
        )


def _present(directory: Path) -> set[str]:
    """Every file and link in the folder, by its relative name ('/'-separated)."""
    names = set()
    for root, folders, files in os.walk(directory):
        base = Path(root).relative_to(directory)
        for name in files + [f for f in folders if Path(root, f).is_symlink()]:
            names.add((base / name).as_posix())
    return names
