"""``serve --log-format json``: every line on stderr (the log stream), the start line too, is
one JSON object; stdout stays empty."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-c", "from paperdesk.cli import main; main()"]


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
