"""A portfolio's export as one zip archive, and its import from one, for the API: the same files
``paperdesk export`` writes and ``paperdesk import`` reads, through a private temporary folder
(never a path a client names).

An uploaded archive is untrusted: it must be a zip of regular files, each named by a safe
relative path (no absolute path, no ``..``, no symbolic link), within size limits (no zip bomb),
holding MANIFEST.json at its top or in one top folder, and no strategy code (the server never
runs code a client uploads). Then ``import_portfolio`` checks everything else (every file's
SHA-256, the schema, the ledger) before it writes one transaction. Every refusal is an
``ArchiveError`` (``invalid_archive``) whose message names the problem but never the server's
temporary folder nor a file's contents.
"""

from __future__ import annotations

import io
import stat
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from paperdesk.domain import DataError, PaperdeskError
from paperdesk.domain.fields import marked
from paperdesk.service.export_manifest import MANIFEST_FILE
from paperdesk.service.exports import export_portfolio
from paperdesk.service.imports import ImportReport, import_portfolio, read_state
from paperdesk.store import Database

MAX_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
MAX_NAME_LENGTH = 255


class ArchiveError(DataError):
    """An uploaded archive is not an export this server takes (nothing was written)."""

    code = "invalid_archive"


def export_archive(database: Database, portfolio_id: int, *, now: datetime | None = None) -> bytes:
    """The export of ``portfolio_id`` as zip bytes (files at the top, as the folder holds them)."""
    with tempfile.TemporaryDirectory(prefix="paperdesk-export-") as work:
        folder = Path(work) / f"portfolio-{portfolio_id}"
        export_portfolio(database, portfolio_id, folder, now=now)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                archive.write(path, path.relative_to(folder).as_posix())
        return buffer.getvalue()


def import_archive(
    database: Database,
    content: bytes,
    *,
    name: str | None = None,
    attachments_home: Path | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Restore the export in the zip ``content`` as a new portfolio (checked in full first)."""
    with tempfile.TemporaryDirectory(prefix="paperdesk-import-") as work:
        root = Path(work)
        folder = _unpack(content, root / "archive")
        try:
            _refuse_plugins(read_state(folder))
            return import_portfolio(
                database, folder, name=name, now=now, attachments_home=attachments_home
            )
        except ArchiveError:
            raise
        except PaperdeskError as error:  # the import's checks: said of the archive, not the folder
            message = marked(error).replace(str(folder.resolve()), "archive")
            message = message.replace(str(folder), "archive").replace(work, "archive")
            raise ArchiveError(f"the archive is not a valid export: {message}") from None


def _refuse_plugins(state: dict[str, Any]) -> None:
    """An export whose strategies load code (a plug-in file or ``module:Class``) is refused:
    importing it would run code, or import a module, that the client chose."""
    paths = state.get("settings", {}).get("strategy_paths") or []
    if paths:
        raise ArchiveError(
            f"state.json: the settings load strategy code ({len(paths)} strategy path(s)); the "
            "API does not load code a client names (import such an export with `paperdesk "
            "import` on the server)"
        )


def _unpack(content: bytes, target: Path) -> Path:
    """Extract the archive into ``target``; the folder holding MANIFEST.json."""
    if not content:
        raise ArchiveError("the upload is empty (0 bytes): send the zip that an export made, whole")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise ArchiveError("the upload is not a zip archive") from None
    with archive:
        members = archive.infolist()
        _check_members(members)
        target.mkdir(parents=True)
        for member in members:
            if member.is_dir():
                continue
            destination = target.joinpath(*PurePosixPath(member.filename).parts)
            try:  # a file named like a folder of another entry fails here too
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(_read(archive, member))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
                raise ArchiveError(
                    f"{member.filename[:MAX_NAME_LENGTH]!r} in the archive is corrupted "
                    f"({type(error).__name__})"
                ) from None
    return _manifest_folder(target, members)


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, refusing more than it declares (a lying header) or a bad CRC."""
    with archive.open(member) as handle:
        data = handle.read(member.file_size + 1)
    if len(data) != member.file_size:
        raise ArchiveError(f"{member.filename[:MAX_NAME_LENGTH]!r} in the archive is corrupted")
    return data


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if not members:
        raise ArchiveError(f"the archive is empty (an export holds {MANIFEST_FILE})")
    if len(members) > MAX_MEMBERS:
        raise ArchiveError(f"the archive holds {len(members)} entries (at most {MAX_MEMBERS})")
    total = 0
    seen: set[str] = set()
    for member in members:
        name = member.filename
        shown = repr(name[:MAX_NAME_LENGTH])
        path = PurePosixPath(name)
        if (
            not name
            or len(name) > MAX_NAME_LENGTH
            or "\\" in name
            or "\x00" in name
            or path.is_absolute()
            or ".." in path.parts
            or ":" in path.parts[0]
        ):
            raise ArchiveError(
                f"the archive entry {shown} is not a safe relative path (refused: it could "
                "lead outside the import folder)"
            )
        mode = member.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise ArchiveError(f"the archive entry {shown} is a symbolic link (refused)")
        if path.suffix in {".py", ".pyc", ".so"} or "plugins" in path.parts:
            raise ArchiveError(
                f"the archive entry {shown} is strategy code; the API does not run uploaded "
                "code (import such an export with `paperdesk import` on the server)"
            )
        if name.rstrip("/") in seen:
            raise ArchiveError(f"the archive entry {shown} appears twice")
        seen.add(name.rstrip("/"))
        total += member.file_size
        if total > MAX_UNPACKED_BYTES:
            raise ArchiveError(
                f"the archive unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MiB"
            )


def _manifest_folder(target: Path, members: list[zipfile.ZipInfo]) -> Path:
    """The folder with MANIFEST.json: the archive's top, or its one top folder."""
    names = {PurePosixPath(m.filename) for m in members if not m.is_dir()}
    if PurePosixPath(MANIFEST_FILE) in names:
        return target
    tops = {name.parts[0] for name in names}
    if len(tops) == 1:
        (top,) = tops
        if PurePosixPath(top, MANIFEST_FILE) in names:
            return target / top
    raise ArchiveError(f"the archive has no {MANIFEST_FILE} (is it a paperdesk export?)")
