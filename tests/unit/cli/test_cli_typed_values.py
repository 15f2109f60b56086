"""A value Typer cannot read as its parameter's type is refused as paperdesk's own checks
refuse a bad value: the value typed, where it was typed and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from paper_cli_helpers import fails, json_of, ledger_state


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAPERDESK_HOME", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


WHOLE = "(expected a whole number)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["portfolio", "show", "abc"], f"invalid value for PORTFOLIO_ID: 'abc' {WHOLE}"),
        (["trade", "1.5", "SPY", "DRY"], f"invalid value for PORTFOLIO_ID: '1.5' {WHOLE}"),
        (["trades", "{pid}", "--limit", "x"], f"invalid value for --limit: 'x' {WHOLE}"),
        (["worker", "--portfolio", "a", "--once"], f"invalid value for --portfolio: 'a' {WHOLE}"),
        (["apikey", "revoke", "first"], f"invalid value for ID: 'first' {WHOLE}"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_named_with_what_was_expected(
    args: list[str], message: str
) -> None:
    pid = json_of("create-portfolio", "X", "10000", "--symbol", "SPY")["id"]
    before = ledger_state()
    error = fails(*(arg.format(pid=pid) for arg in args), code=2)
    assert error.startswith(f"error: {message}"), error
    assert "Input should be" not in error
    assert ledger_state() == before
