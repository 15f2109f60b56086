"""``/ws/trading`` and ``/ws/prices``, and the lifespan that runs the process's tailer."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.websockets import WebSocket, WebSocketDisconnect

from paperdesk.api.streams.auth import (
    BAD_REQUEST,
    Opening,
    RefusedError,
    handshake_auth_after,
    open_stream,
    parse_message,
    receive_text,
)
from paperdesk.api.streams.hub import StreamHub
from paperdesk.api.streams.messages import StreamItem, control
from paperdesk.api.streams.session import Stream, until_either
from paperdesk.service import Services
from paperdesk.service.prices import PriceService

log = logging.getLogger(__name__)
router = APIRouter()
SYMBOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.=^/_-]{0,31}$")
MOST_SYMBOLS = 200


def install_streams(app: FastAPI) -> None:
    """Add the streams to ``app``; its lifespan runs one outbox tailer for the process."""
    app.include_router(router)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        container: Services = application.state.services
        hub = StreamHub(container.outbox)
        application.state.stream_hub = hub
        async with hub.running(), inner(application) as state:
            yield state

    app.router.lifespan_context = lifespan


@router.websocket("/ws/trading")
async def trading(websocket: WebSocket) -> None:
    """Every event of the portfolios the key can see (see ``messages.MESSAGE_TYPES``)."""
    opening = await _open(websocket)
    if opening is None:
        return
    key = opening.key

    def accepts(item: StreamItem) -> bool:
        return item.portfolio_id is not None and key.sees(item.portfolio_id)

    stream = Stream(websocket, _hub(websocket), accepts)
    await until_either(stream.run(opening.after), _drain(websocket, stream, opening))


@router.websocket("/ws/prices")
async def prices(websocket: WebSocket) -> None:
    """The bars ticks processed, for the symbols the client subscribed to (each bar of a
    symbol once, however many of the key's portfolios trade it). A client with its key in the
    handshake may send the auth message first all the same: its ``after`` is honoured, as on
    ``/ws/trading`` (``_handshake_auth``)."""
    opening = await _open(websocket)
    if opening is None:
        return
    key = opening.key
    after = opening.after
    awaiting_auth = opening.handshake_token is not None  # its first message may be an auth one
    # each symbol's entries are sent after the sequence it was subscribed at (-1: from the
    # stream's start, replay included); a later subscribe sends what commits after its answer
    symbols: dict[str, int] = {}
    try:
        listed = websocket.query_params.get("symbols")
        if listed is not None:
            symbols.update(dict.fromkeys(_symbols(listed.split(",")), -1))
        while not symbols:  # the stream starts once the client names its symbols
            message = parse_message(await receive_text(websocket))
            if awaiting_auth:
                awaiting_auth = False
                if message.get("action") == "auth":  # before the stream: it starts there
                    asked = _handshake_auth(message, opening)
                    after = after if asked is None else asked
                    continue
            _action, named = _subscription(message)
            symbols.update(dict.fromkeys(named, -1))
    except RefusedError as refused:
        await websocket.close(refused.code, refused.reason)
        return
    except WebSocketDisconnect:
        return
    sent: dict[str, str | None] = {}

    def accepts(item: StreamItem) -> bool:
        since = symbols.get(item.symbol or "")
        visible = item.portfolio_id is not None and key.sees(item.portfolio_id)
        return since is not None and item.sequence > since and visible

    async def send(item: StreamItem) -> None:
        symbol = item.symbol or ""
        if sent.get(symbol) != item.price_key:
            sent[symbol] = item.price_key
            await websocket.send_text(item.text)

    stream = Stream(websocket, _hub(websocket), accepts, channel="prices")
    resume = (stream, opening) if awaiting_auth else None
    await until_either(
        stream.run(after, send),
        _tell_unheld(websocket, stream, sorted(symbols)),
        _subscriptions(websocket, symbols, resume, stream),
    )


async def _tell_unheld(websocket: WebSocket, stream: Stream, named: list[str]) -> None:
    """Tell the client which of the symbols it subscribed to no layer holds bars of, once the
    stream has started: ``error`` ``unknown_symbol`` naming them (still subscribed, harmless:
    nothing is sent for them until a portfolio the key sees ticks them)."""
    notice = await _unheld_notice(websocket, named)
    if notice is not None:
        await stream.say(notice)
    await asyncio.Event().wait()  # done: the stream and the subscriptions go on


async def _unheld_notice(websocket: WebSocket, named: list[str]) -> str | None:
    services: Services = websocket.app.state.services
    prices = PriceService(lambda: services.data)
    try:
        unheld = await asyncio.to_thread(prices.unheld, named)
    except Exception as error:  # a notice only: the subscription stands without it
        log.warning("the held symbols were not read for /ws/prices: %s", error)
        return None
    if not unheld:
        return None
    listed = ", ".join(unheld)
    message = (
        f"no market data is held for {listed}: subscribed all the same; nothing is sent for "
        "a symbol until a portfolio this key sees ticks it"
    )
    return control("error", None, code="unknown_symbol", message=message, symbols=unheld)


async def _open(websocket: WebSocket) -> Opening | None:
    try:
        return await open_stream(websocket, websocket.app.state.services)
    except RefusedError as refused:
        await websocket.close(refused.code, refused.reason)
    except WebSocketDisconnect:
        pass
    return None


def _hub(websocket: WebSocket) -> StreamHub:
    hub: StreamHub = websocket.app.state.stream_hub
    return hub


async def _drain(websocket: WebSocket, stream: Stream, opening: Opening) -> None:
    """Read (and ignore) what a trading client sends, to notice when it leaves; but the first
    message of a client with a key in the handshake may be the auth message, whose ``after``
    resumes the stream (``_handshake_auth``)."""
    if opening.handshake_token is not None:
        try:
            first = parse_message(await receive_text(websocket))
        except RefusedError:
            first = {}  # not a JSON object: ignored, as every other message
        if not await _resume_on_auth(websocket, stream, opening, first):
            return
    while True:
        await receive_text(websocket)


def _handshake_auth(message: dict[str, Any], opening: Opening) -> int | None:
    """The resume point an auth message asks for from a client whose key came in the
    handshake (None: nothing to resume; raises ``RefusedError``: another key, another
    ``after`` than the URL's)."""
    token = opening.handshake_token
    return None if token is None else handshake_auth_after(message, token, opening.after)


async def _resume_on_auth(
    websocket: WebSocket, stream: Stream, opening: Opening, message: dict[str, Any]
) -> bool:
    """Resume ``stream`` (started live) at the ``after`` of ``message`` when it is an auth
    message asking for one; a refusal closes the socket with its reason (False)."""
    try:
        after = _handshake_auth(message, opening)
        if after is not None:
            await stream.resume(after)
    except RefusedError as refused:
        await websocket.close(refused.code, refused.reason)
        return False
    return True


async def _subscriptions(
    websocket: WebSocket,
    symbols: dict[str, int],
    resume: tuple[Stream, Opening] | None,
    stream: Stream,
) -> None:
    """Apply ``subscribe`` and ``unsubscribe`` messages to ``symbols`` as they come; the
    answer names the symbols and the sequence the new ones start after. ``resume``: the stream
    started live for a client with its key in the handshake, whose first message may be the
    auth message (``_resume_on_auth``)."""
    services: Services = websocket.app.state.services
    while True:
        try:
            message = parse_message(await receive_text(websocket))
            if resume is not None:
                stream, opening = resume
                resume = None
                if message.get("action") == "auth":
                    if not await _resume_on_auth(websocket, stream, opening, message):
                        return
                    continue
            action, named = _subscription(message)
        except RefusedError as refused:
            resume = None  # a bad first message: the next is no auth message either
            problem = control("error", None, code="bad_message", message=refused.reason)
            await websocket.send_text(problem)
            continue
        since = await asyncio.to_thread(services.outbox.last_sequence)
        for symbol in named:
            if action == "unsubscribe":
                symbols.pop(symbol, None)
            else:
                symbols.setdefault(symbol, since)
        await websocket.send_text(control("symbols", since, symbols=sorted(symbols)))
        if action == "subscribe":
            notice = await _unheld_notice(websocket, sorted(named))
            if notice is not None:
                await stream.say(notice)


def _subscription(message: dict[str, Any]) -> tuple[str, set[str]]:
    action = message.get("action")
    if action not in ("subscribe", "unsubscribe"):
        raise RefusedError(BAD_REQUEST, 'action must be "subscribe" or "unsubscribe"')
    named = message.get("symbols")
    if not isinstance(named, list):
        raise RefusedError(BAD_REQUEST, "symbols must be a list of symbols")
    return str(action), _symbols(named)


def _symbols(named: list[Any]) -> set[str]:
    if not named or len(named) > MOST_SYMBOLS:
        raise RefusedError(BAD_REQUEST, f"symbols must name 1 to {MOST_SYMBOLS} symbols")
    found = set()
    for value in named:
        text = str(value).strip().upper() if isinstance(value, str) else ""
        if not SYMBOL.match(text):
            raise RefusedError(BAD_REQUEST, f"symbols: {str(value)[:40]!r} is not a symbol")
        found.add(text)
    return found
