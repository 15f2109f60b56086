"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread that answers 500
to the first requests it is told to fail, then 200, and keeps every request it got. It checks
signatures with its own HMAC (not paperdesk's code), as a user's receiver would."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def document(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def signed_with(self, secret: str) -> bool:
        """The receiver's own check: HMAC-SHA256 of ``timestamp.body`` with the secret."""
        timestamp = self.headers["x-paperdesk-timestamp"]
        expected = hmac.new(
            secret.encode(), timestamp.encode() + b"." + self.body, hashlib.sha256
        ).hexdigest()
        return hmac.compare_digest(self.headers["x-paperdesk-signature"], f"sha256={expected}")


@dataclass
class Receiver:
    url: str
    fail_first: int = 0
    always_fail: bool = False
    status: int = 200  # the answer once the failures are over
    during_request: Callable[[], None] | None = None  # run while a request is being answered
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> int:
        with self.lock:
            failing = self.always_fail or len(self.requests) < self.fail_first
            return 500 if failing else self.status

    def accepted(self) -> list[Received]:
        """The requests it answered 2xx, in the order they came."""
        with self.lock:
            return [r for r in self.requests if 200 <= r.answered < 300]

    def accepted_ids(self) -> list[str]:
        return [r.headers["x-paperdesk-event-id"] for r in self.accepted()]

    def deduplicated(self) -> dict[str, Received]:
        """What a receiver keeps: the first accepted request of each event id."""
        kept: dict[str, Received] = {}
        for request in self.accepted():
            kept.setdefault(request.headers["x-paperdesk-event-id"], request)
        return kept


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if receiver.during_request is not None:
                receiver.during_request()
            status = receiver.answer()
            headers = {name.lower(): value for name, value in self.headers.items()}
            with receiver.lock:
                receiver.requests.append(Received(headers, body, status))
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_receiver(fail_first: int = 0, *, always_fail: bool = False) -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 on a free port until the block ends."""
    receiver = Receiver(url="", fail_first=fail_first, always_fail=always_fail)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/paperdesk"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
