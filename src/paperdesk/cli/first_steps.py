"""Commands to try next, printed so that they work when pasted into the shell."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

PROGRAM = "paperdesk"


def program_path() -> Path | None:
    """The ``paperdesk`` script running now, when it is one (not a test runner or ``-m``)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if script is None or script.name != PROGRAM or not script.is_file():
        return None
    return script.resolve()


def on_path(script: Path) -> bool:
    found = shutil.which(PROGRAM)
    return found is not None and Path(found).resolve() == script


def command_prefix() -> tuple[str, str | None]:
    """How to call paperdesk from any shell: ``paperdesk`` when that finds this one on the PATH,
    else its full path; and, then, how to put it on the PATH (None when it already is)."""
    script = program_path()
    if script is None or on_path(script):
        return PROGRAM, None
    activate = script.parent / "activate"
    hint = f"source {activate}" if activate.is_file() else f"export PATH={script.parent}:$PATH"
    return str(script), hint


def next_steps(portfolio_id: int) -> list[str]:
    """The lines that close the demo: commands to look further, ready to paste."""
    program, hint = command_prefix()
    lines = ["next:"]
    for command in (
        f"portfolio show {portfolio_id}",
        f"audit {portfolio_id}",
        f"trade {portfolio_id} SPY DRY",
    ):
        lines.append(f"  {program} {command}")
    if hint is not None:
        lines.append(f"(to type just 'paperdesk': {hint})")
    return lines
