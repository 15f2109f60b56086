"""The README's paper-trading walk-through, run line by line as printed, after the demo (the
README's first command), in a fresh home on the embedded SQLite ledger."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def walkthrough() -> str:
    """The first ``bash`` block of the README's "Paper trading" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Paper trading\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```bash\n(.*?)```", section, re.S)
    assert found, "the Paper trading section has a bash block"
    return found.group(1)


@pytest.fixture
def shell(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A working folder holding the project's ``.venv`` (as a clone has it) and an environment
    with a fresh home and no database or Redis settings: the README's defaults."""
    work = tmp_path / "clone"
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    environment = {key: value for key, value in os.environ.items() if key in keep}
    environment.update(PAPERDESK_HOME=str(tmp_path / "home"), HOME=str(tmp_path), COLUMNS="100")
    return work, environment


def bash(script: str, work: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_walkthrough_works_as_printed_after_the_demo(
    shell: tuple[Path, dict[str, str]],
) -> None:
    work, environment = shell
    demo = bash(".venv/bin/paperdesk demo --bars 20", work, environment)
    assert demo.returncode == 0, demo.stderr
    before = bash(".venv/bin/paperdesk audit 1 --json", work, environment)
    assert before.returncode == 0, before.stderr

    script = walkthrough()
    assert "paperdesk trade 1 " not in script  # the walk-through uses the ids it creates
    checks = (
        '\necho "ids: $bot $replay"\n'
        "paperdesk portfolio show $bot --json > bot.json\n"
        "paperdesk trades $replay --json > replay_trades.json\n"
    )
    walked = bash(script + checks, work, environment)
    assert walked.returncode == 0, (walked.stdout, walked.stderr)

    ids = re.search(r"ids: (\d+) (\d+)", walked.stdout)
    assert ids is not None, walked.stdout
    assert (int(ids[1]), int(ids[2])) == (2, 3)  # after the demo's portfolio 1
    shown = json.loads((work / "bot.json").read_text())
    assert json.dumps(shown).count("My RSI Bot") >= 1
    assert "Already processed" in walked.stdout + walked.stderr
    assert (work / "paper_state" / "MANIFEST.json").is_file()
    assert "imported" in walked.stderr + walked.stdout

    after = bash(".venv/bin/paperdesk audit 1 --json", work, environment)
    assert after.stdout == before.stdout  # the demo's portfolio was left alone
