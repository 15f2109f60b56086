"""Only ``paperdesk/settings.py`` reads the environment; every other module takes values.
One exception: ``paperdesk/native.py`` reads its switch ``PAPERDESK_NATIVE`` when the first
kernel module is imported, before any settings exist (which build of the code to load, not a
setting of the platform)."""

from __future__ import annotations

import re
from pathlib import Path

import paperdesk

PACKAGE = Path(paperdesk.__file__).parent
READERS = (PACKAGE / "settings.py", PACKAGE / "native.py")
READS_ENVIRONMENT = re.compile(r"\b(environ|environb|getenv|getenvb)\b")


def test_no_module_but_settings_reads_the_environment() -> None:
    readers = [
        f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in READERS
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if READS_ENVIRONMENT.search(line)
    ]
    assert readers == []


def test_the_scan_sees_the_package_and_would_catch_a_reader() -> None:
    assert len(list(PACKAGE.rglob("*.py"))) > 100
    assert READS_ENVIRONMENT.search('home = os.environ.get("PAPERDESK_HOME")')
    assert READS_ENVIRONMENT.search('key = os.getenv("X")')
    assert not READS_ENVIRONMENT.search('"""Alembic environment: migrations."""')
