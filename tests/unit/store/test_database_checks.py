"""A ledger that is not usable as it is (an empty or corrupt SQLite file, a schema revision
newer than this paperdesk knows) is refused with one clear error, never reused or re-created."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from paperdesk.domain import DataError, InvalidInputError
from paperdesk.store import Database
from paperdesk.store.database import masked_url


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_a_zero_length_file_is_not_taken_as_a_new_ledger(tmp_path: Path) -> None:
    file = tmp_path / "paperdesk.db"
    file.touch()
    with pytest.raises(DataError, match="is an empty file"):
        Database(_url(file))
    assert file.stat().st_size == 0


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "paperdesk.db"
    file.write_bytes(b"this is not a database at all, just text " * 200)
    before = file.read_bytes()
    with pytest.raises(DataError, match="cannot be read"):
        Database(_url(file))
    assert file.read_bytes() == before


def test_a_corrupt_page_is_found_on_open(tmp_path: Path) -> None:
    file = tmp_path / "paperdesk.db"
    Database(_url(file)).close()  # the last connection's close checkpoints the WAL
    content = bytearray(file.read_bytes())
    page = 4096
    assert len(content) > 4 * page
    content[2 * page + 8 : 2 * page + 400] = b"\xff" * 392  # a b-tree page's cells
    file.write_bytes(bytes(content))
    with pytest.raises(DataError, match=r"corrupt|cannot be read"):
        Database(_url(file))


def test_a_revision_newer_than_known_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "paperdesk.db"
    database = Database(_url(file))
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    database.close()
    with pytest.raises(DataError, match="'9999_future', which this paperdesk does not know"):
        Database(_url(file))


def test_a_malformed_url_never_shows_its_password() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Database("postgresql://user:s3cret@host:port:oops/db")
    assert "s3cret" not in str(caught.value)
    assert masked_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
