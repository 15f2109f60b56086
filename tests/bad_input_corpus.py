"""The bad-input corpus (``tests/fixtures/bad_inputs/*.toml``, see its README): loading the
cases and running one against a ledger."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from unittest.mock import patch

import click
import typer
import typer.testing
from click.testing import Result
from typer.testing import CliRunner

from paperdesk.cli import app

CORPUS = Path(__file__).parent / "fixtures" / "bad_inputs"


@dataclass(frozen=True)
class BadInput:
    """One case: run ``args`` (after writing ``files``); it must fail with ``exit_code`` and an
    ``error:`` line containing ``message``."""

    name: str
    args: tuple[str, ...]
    exit_code: int
    message: str
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def materialise(self, folder: Path, home: Path) -> tuple[list[str], dict[str, str]]:
        """Write the case's files into ``folder``; the args and env with ``{dir}`` and
        ``{home}`` replaced."""
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if content.startswith("hex:"):
                path.write_bytes(bytes.fromhex(content.removeprefix("hex:")))
            else:
                path.write_text(content, encoding="utf-8")

        def fill(text: str) -> str:
            return text.replace("{dir}", str(folder)).replace("{home}", str(home))

        return [fill(arg) for arg in self.args], {k: fill(v) for k, v in self.env.items()}


def load_corpus() -> list[BadInput]:
    cases: list[BadInput] = []
    for path in sorted(CORPUS.glob("*.toml")):
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in document["case"]:
            cases.append(
                BadInput(
                    name=f"{path.stem}:{raw['name']}",
                    args=tuple(raw["args"]),
                    exit_code=int(raw["exit_code"]),
                    message=str(raw["message"]),
                    files=dict(raw.get("files", {})),
                    env=dict(raw.get("env", {})),
                )
            )
    return cases


@cache
def _command() -> click.Command:
    return typer.main.get_command(app)


def run_case(args: list[str], env: dict[str, str]) -> Result:
    """Run the command line ``args`` in-process; the Typer app is turned into its Click
    command once (building it is most of the cost of a refused command)."""
    with patch.object(typer.testing, "_get_command", lambda _app: _command()):
        return CliRunner().invoke(app, args, env=env)
