"""Helpers for export tests: reseal a deliberately edited export so the checks behind the
manifest (schema, cells, ledger) are what refuses it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from paperdesk.service.export_manifest import MANIFEST_FILE, manifest_bytes


def reseal(directory: Path) -> None:
    """Rewrite MANIFEST.json to vouch for the folder's files as they are now."""
    manifest = json.loads((directory / MANIFEST_FILE).read_text())
    files = {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }
    created = datetime.fromisoformat(manifest["created_at"])
    data = manifest_bytes(manifest["portfolio_id"], created, files)
    (directory / MANIFEST_FILE).write_bytes(data)
