"""Write a folder so that it is complete or absent: never half-written, never a mix of two.

Every file goes into a fresh temporary folder made beside the target with ``tempfile.mkdtemp``
(an unpredictable name, mode 0700), each opened with ``O_CREAT | O_EXCL | O_NOFOLLOW`` so a
planted symlink is never followed, fsynced, and the folder is then renamed into place. An
existing target is replaced only when asked (``force``): the old folder is renamed aside, the
new one renamed in, and the old one deleted. Any failure removes the temporary folder and
leaves the target as it was. A process killed outright cannot clean up: the next export to the
same target removes the temporary folders such a run left (untouched for ``STALE_AFTER``, so
an export still running is never disturbed).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from paperdesk.domain import InvalidInputError

STALE_AFTER = 3600.0  # seconds without a change after which a temporary folder is abandoned
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_file(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist; a symlink there is not followed) holding ``data``,
    flushed to disk."""
    descriptor = os.open(path, _NEW_FILE, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def check_target(target: Path, *, force: bool) -> None:
    """Refuse a target that is not a folder, a symlink, or a non-empty folder without ``force``."""
    if target.is_symlink():
        raise InvalidInputError(f"{target} is a symbolic link; give the real folder")
    if target.exists() and not target.is_dir():
        raise InvalidInputError(f"{target} exists and is not a directory")
    if target.is_dir() and not force and any(target.iterdir()):
        raise InvalidInputError(
            f"{target} is not empty; choose a new folder or pass --force to replace it"
        )


def write_folder(target: Path, fill: Callable[[Path], None], *, force: bool = False) -> None:
    """Build the folder in a temporary place with ``fill(folder)``, then move it to ``target``."""
    check_target(target, force=force)
    parent = target.parent
    if parent.exists() and not parent.is_dir():
        raise InvalidInputError(f"{parent} exists and is not a directory (it would hold {target})")
    try:  # the errno of the staging folder's hidden name sent the trader to a file not theirs
        parent.mkdir(parents=True, exist_ok=True)
        remove_abandoned(target)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.tmp-"))
    except OSError as error:
        raise InvalidInputError(
            f"cannot write {target}: {error.strerror or error} (in {parent})"
        ) from error
    try:
        fill(staging)
        _fsync_directory(staging)
        os.chmod(staging, 0o755)  # mkdtemp's 0700 was for building
        _move_into_place(staging, target, force=force)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(parent)


def remove_abandoned(target: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temporary folders of ``target`` that an export killed outright left behind
    (``.NAME.tmp-*`` and ``.NAME.old-*`` beside it, unchanged for ``STALE_AFTER``)."""
    moment = time.time() if now is None else now
    removed = []
    for prefix in (f".{target.name}.tmp-", f".{target.name}.old-"):
        for path in target.parent.glob(f"{glob.escape(prefix)}*"):
            if path.is_symlink() or not path.is_dir():
                continue
            if moment - _last_change(path) >= STALE_AFTER:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _last_change(folder: Path) -> float:
    """The newest modification time of the folder and the files in it."""
    times = [folder.stat().st_mtime]
    with contextlib.suppress(OSError):
        times += [entry.stat().st_mtime for entry in folder.iterdir() if not entry.is_symlink()]
    return max(times)


def _move_into_place(staging: Path, target: Path, *, force: bool) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    check_target(target, force=force)  # it may have changed while the files were written
    aside = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    try:
        os.rename(target, aside)  # replaces the empty folder mkdtemp made
    except BaseException:
        os.rmdir(aside)
        raise
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)  # put the old export back
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _fsync_directory(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
