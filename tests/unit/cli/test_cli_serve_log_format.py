"""``serve --log-format json``: every line on stderr (the log stream), the start line too, and
a refusal before the start, is one JSON object; stdout stays empty."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from paperdesk.cli import app

CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]
FORMAT = "PAPERDESK_LOG_FORMAT"


def test_the_start_line_is_a_json_record(tmp_path: Path) -> None:
    env = {**os.environ, "PAPERDESK_HOME": str(tmp_path), "PAPERDESK_LOG_LEVEL": "INFO"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [*CLI, "--log-format", "json", "serve", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        lines = []
        while not any("Application startup complete" in line for line in lines):
            line = server.stderr.readline()
            assert line, (lines, server.poll())
            lines.append(line)
    finally:
        server.send_signal(signal.SIGINT)
        out, rest = server.communicate(timeout=30)
    records = [json.loads(line) for line in [*lines, *rest.splitlines()]]
    started = [r for r in records if r["message"].startswith("paperdesk API on http://")]
    assert len(started) == 1
    assert started[0]["level"] == "INFO"
    assert started[0]["logger"] == "paperdesk.cli.serve"
    assert re.fullmatch(
        r"paperdesk API on http://127\.0\.0\.1:[1-9]\d*/api/v1 \(.*\)", started[0]["message"]
    )
    assert out == ""


# Refusals before the server starts: with --log-format json (or PAPERDESK_LOG_FORMAT=json) each
# is one JSON record (level ERROR, serve's logger) with the words of the text line and its
# exit code; other commands keep their `error:` line.

runner = CliRunner()


@pytest.fixture
def home(clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    clean_environment.setenv("PAPERDESK_HOME", str(tmp_path))
    return clean_environment


def _refused(*arguments: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments), env=env)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    return result.exit_code, result.stderr


def _as_text_and_as_json(
    *arguments: str, env: dict[str, str] | None = None, json_env: bool = False
) -> tuple[int, str, dict[str, Any]]:
    """The refusal as a text line and as a JSON record (``--log-format json``, or the
    environment's PAPERDESK_LOG_FORMAT): one line each, the same exit code."""
    code, text_line = _refused(*arguments, env=env)
    if json_env:
        json_code, record_line = _refused(*arguments, env={**(env or {}), FORMAT: "json"})
    else:
        json_code, record_line = _refused("--log-format", "json", *arguments, env=env)
    assert code == json_code != 0
    assert len(text_line.splitlines()) == len(record_line.splitlines()) == 1, record_line
    assert text_line.startswith("error: ")
    return code, text_line, json.loads(record_line)


def _same_words(text_line: str, record: dict[str, Any]) -> None:
    assert record["level"] == "ERROR"
    assert record["logger"] == "paperdesk.cli.serve"
    assert f"error: {record['message']}\n" == text_line


def test_a_busy_port_is_refused_as_a_json_record(home: pytest.MonkeyPatch, busy_port: int) -> None:
    code, text_line, record = _as_text_and_as_json("serve", "--port", str(busy_port))
    assert code == 1
    _same_words(text_line, record)
    assert record["message"].startswith(f"port {busy_port} on 127.0.0.1 is already in use")


@pytest.mark.parametrize("json_env", [False, True])
def test_a_bad_setting_is_refused_as_a_json_record(
    home: pytest.MonkeyPatch, json_env: bool
) -> None:
    env = {"REDIS_URL": "notredis"}
    code, text_line, record = _as_text_and_as_json("serve", env=env, json_env=json_env)
    assert code == 1
    _same_words(text_line, record)
    assert record["message"].startswith("REDIS_URL 'notredis' is not a Redis URL")
    # any other command keeps its error line, whatever the log format
    code, line = _refused("--log-format", "json", "portfolio", "list", env=env)
    assert (code, line) == (1, text_line)


def test_workers_without_redis_and_a_bad_option_are_refused_as_json_records(
    home: pytest.MonkeyPatch,
) -> None:
    for arguments in (("serve", "--workers", "2"), ("serve", "--port", "99999")):
        code, text_line, record = _as_text_and_as_json(*arguments)
        assert code == 2
        _same_words(text_line, record)


def test_a_ctrl_c_during_start_up_is_a_json_record(
    home: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paperdesk.cli import platform_server

    def interrupted(*arguments: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C while the port is being bound

    monkeypatch.setattr(platform_server, "listening_socket", interrupted)
    text = runner.invoke(app, ["serve"])
    words = "interrupted: the transaction in progress was rolled back; the ledger is consistent"
    assert (text.exit_code, text.stderr, text.stdout) == (130, f"{words}\n", "")
    for arguments, env in (
        (["--log-format", "json", "serve"], None),
        (["serve"], {FORMAT: "json"}),
    ):
        result = runner.invoke(app, arguments, env=env)
        assert (result.exit_code, result.stdout) == (130, "")
        assert len(result.stderr.splitlines()) == 1, result.stderr
        record = json.loads(result.stderr)
        assert (record["level"], record["logger"]) == ("WARNING", "paperdesk.cli.serve")
        assert record["message"] == words
    # any other command keeps its line, whatever the log format
    monkeypatch.setattr("paperdesk.cli.portfolios.open_service", interrupted)
    other = runner.invoke(app, ["--log-format", "json", "portfolio", "list"])
    assert (other.exit_code, other.stderr) == (130, f"{words}\n")
