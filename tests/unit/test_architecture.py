"""Rules import-linter cannot see: the layers above the engine use the kernel's commands and
queries only (never its parts), and only the store builds table rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from paperdesk.store.models import Base

SOURCE = Path(__file__).resolve().parents[2] / "src" / "paperdesk"
KERNEL_PARTS = re.compile(r"\bkernel\.(ledger|orders|router|prices|entry_bar|instruments)\b")
TABLES = sorted(mapper.class_.__name__ for mapper in Base.registry.mappers)
ROW_CLASSES = re.compile(r"\b(" + "|".join(TABLES) + r")\(")


def _files(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (SOURCE / package).rglob("*.py"))


@pytest.mark.parametrize("path", _files("live", "service", "cli"), ids=lambda p: p.name)
def test_upper_layers_do_not_reach_into_the_kernel(path: Path) -> None:
    found = KERNEL_PARTS.findall(path.read_text(encoding="utf-8"))
    assert found == [], f"{path.relative_to(SOURCE)} reaches into the kernel: {found}"


def test_only_the_store_builds_rows() -> None:
    outside = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "store" not in path.relative_to(SOURCE).parts[:1]
        and ROW_CLASSES.search(path.read_text(encoding="utf-8"))
    ]
    assert outside == []


def test_the_rules_above_find_what_they_look_for() -> None:
    assert KERNEL_PARTS.findall("state.kernel.ledger.cash") == ["ledger"]
    assert ROW_CLASSES.search("row = FillRow(portfolio_id=1)")
    assert not ROW_CLASSES.search("row = FactorRow(day, factor)")  # a data value, no table
    assert "OutboxRow" in TABLES
