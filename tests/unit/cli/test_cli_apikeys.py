"""``paperdesk apikey create|list|revoke`` on a SQLite ledger in a temporary home."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from paper_cli_helpers import fails, invoke, ok

from paperdesk.service import Services


def test_create_prints_the_token_once_and_list_never_shows_it(paper_home: Path) -> None:
    ok("create-portfolio", "desk", "1000", "--symbol", "SPY")
    created = ok("apikey", "create", "bot", "--scope", "trade", "--portfolio", "1")
    first_line, token = created.stdout.strip().splitlines()
    assert first_line == "API key 1 'bot': scope trade, portfolios 1"
    assert token.startswith("pd_")
    assert len(token) == 3 + 43  # 32 random bytes, base64url without padding
    listed = ok("apikey", "list").stdout
    assert token not in listed
    assert listed.startswith("API keys\nID  Name  Scope  Portfolios  Prefix")
    [row] = [line.split() for line in listed.splitlines() if line.startswith(" 1 ")]
    assert (row[:4], row[4][:3], row[-1]) == (["1", "bot", "trade", "1"], "pd_", "active")
    document = json.loads(ok("apikey", "list", "--json").stdout)
    [key] = document["keys"]
    assert (key["scope"], key["portfolios"], key["revoked"]) == ("trade", [1], None)
    record = Services().api_keys.authenticate(token)
    assert record is not None
    assert record.id == 1
    assert hashlib.sha256(token.encode()).hexdigest() != token


def test_revoke(paper_home: Path) -> None:
    token = json.loads(ok("apikey", "create", "temp", "--json").stdout)["key"]
    assert ok("apikey", "revoke", "1").stdout.strip() == "revoked API key 1 'temp'"
    record = Services().api_keys.authenticate(token)
    assert record is not None
    assert record.is_revoked
    assert "already revoked" in fails("apikey", "revoke", "1", code=1)
    assert "no API key with id 9" in fails("apikey", "revoke", "9", code=1)


def test_bad_input_is_one_clear_error(paper_home: Path) -> None:
    assert "owner" in fails("apikey", "create", "x", "--scope", "owner", code=2)
    assert "no portfolio with id 5" in fails("apikey", "create", "x", "--portfolio", "5")
    assert invoke("apikey", "list").stdout.startswith("no API keys")


def test_list_is_a_table_that_fits_80_columns_and_names_revoked_keys(paper_home: Path) -> None:
    ok("create-portfolio", "desk", "1000", "--symbol", "SPY")
    ok("apikey", "create", "a reader for the monthly report of the desk", "--portfolio", "1")
    ok("apikey", "create", "admin", "--scope", "admin")
    ok("apikey", "revoke", "2")
    listed = ok("apikey", "list").stdout
    assert "\t" not in listed
    assert max(len(line) for line in listed.splitlines()) <= 80
    assert "a reader for" in listed  # the name folds; ids, scopes and states stay whole
    wide = ok("apikey", "list", "--wide").stdout
    assert "a reader for the monthly report of the desk" in wide
    cells = [re.split(r"\s{2,}", line.strip()) for line in wide.splitlines()[3:]]
    assert [(row[0], row[2], row[3], row[-1][:7]) for row in cells] == [
        ("1", "read", "1", "active"),
        ("2", "admin", "all", "revoked"),
    ]
