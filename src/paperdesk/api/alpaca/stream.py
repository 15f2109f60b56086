"""Alpaca's trading stream (``/alpaca/stream``) with its ``trade_updates`` channel.

The protocol is the one alpaca-py's ``TradingStream`` speaks, in JSON text frames:
``{"action": "authenticate", "data": {"key_id": ..., "secret_key": ...}}`` (or the shorter
``{"action": "auth", "key": ..., "secret": ...}``) answered by ``{"stream": "authorization",
"data": {"status": "authorized", "action": "authenticate"}}``; then ``{"action": "listen",
"data": {"streams": ["trade_updates"]}}`` answered by ``{"stream": "listening", "data":
{"streams": ["trade_updates"]}}``; then ``{"stream": "trade_updates", "data": {...}}`` for every
order event of the key's portfolio committed after the listen (see ``trade_updates``).

Events come from the outbox, which holds only committed events in commit order: this stream's
own small reader polls it every ``POLL_SECONDS`` for the portfolio (``alpaca_support``), so an
event leaves only after its transaction commits, in sequence order, each once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from paperdesk.api.alpaca.auth import AlpacaAccount, authenticate, require
from paperdesk.api.alpaca.errors import AlpacaError
from paperdesk.api.alpaca.trade_updates import trade_update_messages
from paperdesk.domain.api_keys import Scope
from paperdesk.service import Services
from paperdesk.service.alpaca_support import closed_markets, latest_sequence, order_events

log = logging.getLogger(__name__)
router = APIRouter()
POLL_SECONDS = 0.1
RECHECK_SECONDS = 5.0  # how often a listening stream's key is checked again (revoked: closed)
AUTH_SECONDS = 10.0
TRADE_UPDATES = "trade_updates"
POLICY_VIOLATION = 1008


@dataclass
class StreamCounts:
    """How many streams are connected and listening (read by tests and operators)."""

    connected: int = 0
    listening: int = 0


def counts(websocket: WebSocket) -> StreamCounts:
    state = websocket.app.state
    if not hasattr(state, "alpaca_streams"):
        state.alpaca_streams = StreamCounts()
    found: StreamCounts = state.alpaca_streams
    return found


async def _receive(websocket: WebSocket) -> dict[str, Any]:
    """The next client message as a JSON object ({} for anything else)."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    raw = message.get("text") or message.get("bytes") or b""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _credentials(message: dict[str, Any]) -> tuple[str | None, str | None]:
    """The key id and secret of an ``authenticate`` or ``auth`` message."""
    data = message.get("data")
    if message.get("action") == "authenticate" and isinstance(data, dict):
        return _text(data.get("key_id")), _text(data.get("secret_key"))
    if message.get("action") == "auth":
        return _text(message.get("key")), _text(message.get("secret"))
    return None, None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _authorization(status: str, message: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"action": "authenticate", "status": status}
    if message is not None:
        data["message"] = message
    return {"stream": "authorization", "data": data}


Recheck = Callable[[], AlpacaAccount]


async def _authenticated(
    websocket: WebSocket, container: Services
) -> tuple[AlpacaAccount, Recheck] | None:
    """The caller, and how to check its key again later (None: refused, the socket closed)."""
    try:
        first = await asyncio.wait_for(_receive(websocket), AUTH_SECONDS)
        key_id, secret = _credentials(first)

        def check() -> AlpacaAccount:
            return require(Scope.READ, authenticate(container, key_id, secret))

        caller = await asyncio.to_thread(check)
    except AlpacaError as error:
        await websocket.send_json(_authorization("unauthorized", error.message))
        await websocket.close(POLICY_VIOLATION)
        return None
    except TimeoutError:
        await websocket.close(POLICY_VIOLATION)
        return None
    await websocket.send_json(_authorization("authorized"))
    return caller, check


@router.websocket("/stream")
async def trading_stream(websocket: WebSocket) -> None:
    await websocket.accept()
    container: Services = websocket.app.state.services
    tally = counts(websocket)
    tally.connected += 1
    try:
        authenticated = await _authenticated(websocket, container)
        if authenticated is not None:
            await _serve(websocket, container, *authenticated, tally)
    except WebSocketDisconnect:
        pass
    finally:
        tally.connected -= 1


async def _serve(
    websocket: WebSocket,
    container: Services,
    caller: AlpacaAccount,
    recheck: Recheck,
    tally: StreamCounts,
) -> None:
    """Answer listen messages; while listening, send the portfolio's new order events (and
    close the stream once its key is revoked)."""
    portfolio_id = caller.portfolio_id
    cursor: int | None = None  # the last sequence sent; None while not listening
    poller: asyncio.Task[None] | None = None

    async def poll() -> None:
        nonlocal cursor
        checked = time.monotonic()
        try:
            while cursor is not None:
                if time.monotonic() - checked >= RECHECK_SECONDS:
                    await asyncio.to_thread(recheck)
                    checked = time.monotonic()
                found, after = await asyncio.to_thread(
                    order_events, container, portfolio_id, cursor
                )
                closed_at = None
                if found:
                    closed_at, _ = await asyncio.to_thread(closed_markets, container, portfolio_id)
                for message in trade_update_messages(portfolio_id, found, closed_at):
                    await websocket.send_json(message)
                cursor = after if cursor is not None else None
                if not found:
                    await asyncio.sleep(POLL_SECONDS)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client went away: the receive loop ends the stream
        except AlpacaError as error:  # the key was revoked (or changed) since the handshake
            await websocket.send_json(_authorization("unauthorized", error.message))
            await websocket.close(POLICY_VIOLATION)
        except Exception:
            log.exception("trade_updates stream of portfolio %s failed", portfolio_id)
            await websocket.close(1011)

    try:
        while True:
            message = await _receive(websocket)
            if message.get("action") != "listen":
                continue
            data = message.get("data")
            streams = data.get("streams") if isinstance(data, dict) else None
            wanted = isinstance(streams, list) and TRADE_UPDATES in streams
            reply = {"stream": "listening", "data": {"streams": [TRADE_UPDATES] if wanted else []}}
            if wanted and cursor is None:
                cursor = await asyncio.to_thread(latest_sequence, container, portfolio_id)
                await websocket.send_json(reply)  # before any update, as Alpaca answers
                if poller is not None:
                    await _stopped(poller)
                poller = asyncio.create_task(poll())
                tally.listening += 1
                continue
            if not wanted and cursor is not None:
                cursor = None
                tally.listening -= 1
            await websocket.send_json(reply)
    finally:
        if cursor is not None:
            tally.listening -= 1
        cursor = None
        if poller is not None:
            await _stopped(poller)


async def _stopped(poller: asyncio.Task[None]) -> None:
    poller.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await poller
