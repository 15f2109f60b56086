"""Who is on the other end of a WebSocket: the same API keys as the REST API.

A key comes with the handshake (``?token=KEY``, ``Authorization: Bearer KEY`` or
``X-API-Key: KEY``) or, failing those, as the first message ``{"action": "auth", "key": KEY}``
(which may also carry ``"after"``). A client of ``/ws/trading`` or ``/ws/prices`` with a key in
the handshake may send that message first all the same: its ``after`` is honoured
(``handshake_auth_after``), a key in it other than the handshake's is refused. A missing,
unknown or revoked key closes the socket with 1008 (policy violation) and the error code as the
reason; bad parameters close it with 4400 and a reason naming the parameter (an ``after`` in
the message and another in the URL).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from paperdesk.api.rate_limit import RateLimiter
from paperdesk.domain.api_keys import ApiKeyRecord
from paperdesk.service import Services

POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013  # over the key's rate limit: reconnect after a pause
BAD_REQUEST = 4400
AUTH_MESSAGE_SECONDS = 10.0  # how long a client without a handshake key has to send one


class RefusedError(Exception):
    """The connection is closed with ``code`` and ``reason`` (a stable code, a short text)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Opening:
    """An authenticated client and where its stream starts (None: live only)."""

    key: ApiKeyRecord
    after: int | None
    first_message: dict[str, Any] | None  # the auth message, when the key came that way
    handshake_token: str | None = None  # the key, when it came in the handshake


def handshake_token(websocket: WebSocket) -> str | None:
    authorization = websocket.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return websocket.headers.get("x-api-key") or websocket.query_params.get("token") or None


def sequence_parameter(value: object, name: str = "after") -> int | None:
    """A resume point: a whole number >= 0 (None when absent)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) > 2**63 - 1:
        raise RefusedError(BAD_REQUEST, f"{name} must be a whole number >= 0 (an outbox sequence)")
    return int(text)


async def open_stream(websocket: WebSocket, services: Services) -> Opening:
    """Accept the socket and authenticate the client (raises ``RefusedError``)."""
    await websocket.accept()
    after = sequence_parameter(websocket.query_params.get("after"))
    token = handshake_token(websocket)
    first: dict[str, Any] | None = None
    if token is None:
        first = await _auth_message(websocket)
        token = first.get("key") if isinstance(first.get("key"), str) else None
        after = message_after(first, after)
    if not token:
        raise RefusedError(POLICY_VIOLATION, "missing_api_key")
    record = await asyncio.to_thread(services.api_keys.authenticate, token)
    if record is None:
        raise RefusedError(POLICY_VIOLATION, "invalid_api_key")
    if record.is_revoked:
        raise RefusedError(POLICY_VIOLATION, "revoked_api_key")
    limiter: RateLimiter | None = getattr(websocket.app.state, "rate_limiter", None)
    if limiter is not None and not limiter.hit(record.id).allowed:  # a connection is a request
        raise RefusedError(TRY_AGAIN_LATER, "rate_limited")
    return Opening(record, after, first, token if first is None else None)


def message_after(message: dict[str, Any], query_after: int | None) -> int | None:
    """The resume point of a stream given ``?after=`` (``query_after``) and the auth message
    ``message``: the one given, or the same twice; two different ones are refused."""
    given = sequence_parameter(message.get("after"))
    if given is None:
        return query_after
    if query_after is not None and given != query_after:
        raise RefusedError(
            BAD_REQUEST,
            f"after={given} in the auth message differs from after={query_after} in the URL; "
            "give one",
        )
    return given


def handshake_auth_after(
    message: dict[str, Any], token: str, query_after: int | None
) -> int | None:
    """What the first message of a client that authenticated in the handshake asks for: a
    resume point to honour (None: nothing). Only an auth message counts; its key, if any, must
    be the handshake's, and its ``after`` agree with ``?after=``."""
    if message.get("action") != "auth":
        return None
    key = message.get("key")
    if key is not None and key != token:
        raise RefusedError(POLICY_VIOLATION, "conflicting_api_key")
    given = message_after(message, query_after)
    return None if query_after is not None else given


async def _auth_message(websocket: WebSocket) -> dict[str, Any]:
    try:
        text = await asyncio.wait_for(receive_text(websocket), AUTH_MESSAGE_SECONDS)
    except TimeoutError:
        raise RefusedError(POLICY_VIOLATION, "missing_api_key") from None
    message = parse_message(text)
    if message.get("action") != "auth":
        raise RefusedError(POLICY_VIOLATION, "missing_api_key")
    return message


async def receive_text(websocket: WebSocket) -> str | None:
    """The client's next message: its text, or None for a binary message (raises
    ``WebSocketDisconnect`` when the client left)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    text: str | None = message.get("text")
    return text


def parse_message(text: str | None) -> dict[str, Any]:
    if text is None:
        raise RefusedError(BAD_REQUEST, "a message must be a JSON object (as text, not binary)")
    try:
        message = json.loads(text)
    except ValueError:
        raise RefusedError(BAD_REQUEST, "a message must be a JSON object") from None
    if not isinstance(message, dict):
        raise RefusedError(BAD_REQUEST, "a message must be a JSON object")
    return message
