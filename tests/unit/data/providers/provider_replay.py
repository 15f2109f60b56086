"""Helpers for the provider tests: recorded responses, a fake clock, a requests replay adapter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import requests
from requests.adapters import BaseAdapter

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "providers"


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def respond(name: str) -> httpx.Response:
    """The recorded response ``name`` as an httpx response."""
    record = recorded(name)
    headers = dict(record.get("headers", {}))
    if "json" in record:
        return httpx.Response(record["status"], headers=headers, json=record["json"])
    return httpx.Response(record["status"], headers=headers, text=record["text"])


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class FakeClock:
    """A controllable UTC clock."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class ReplayAdapter(BaseAdapter):
    """A requests transport answering from recorded responses by URL path (for ccxt)."""

    def __init__(self, routes: dict[str, list[str]]) -> None:
        super().__init__()
        self.routes = {path: list(names) for path, names in routes.items()}
        self.requests: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = str(request.url)
        self.requests.append(url)
        path = url.split("?", 1)[0]
        names = self.routes.get(path)
        if not names:
            raise AssertionError(f"unexpected request to {url}")
        record = recorded(names.pop(0) if len(names) > 1 else names[0])
        response = requests.Response()
        response.status_code = record["status"]
        response.headers.update(record.get("headers", {}))
        body = json.dumps(record["json"]) if "json" in record else record["text"]
        response._content = body.encode()
        response.url = url
        response.request = request
        response.reason = "OK" if record["status"] < 400 else "Error"
        return response

    def close(self) -> None:
        pass
