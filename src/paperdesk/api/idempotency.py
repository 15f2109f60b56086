"""Idempotent writes: a request with an ``Idempotency-Key`` header is carried out once per API
key; a retry gets the first response (status and body), a reused key with another request is
refused (422 ``idempotency_key_reused``).

The key's claim, the request's writes and the stored response commit in ONE transaction, or none
of them (``Database.held``: every transaction of the action joins one unit of work). A crash at
any point leaves either nothing (a retry runs afresh) or the whole with its answer (a retry gets
it); a refused request (the action raised) leaves nothing. The claim is the unit's first
statement: a concurrent request with the same key waits for it on the key's unique index
(PostgreSQL) or the write lock (SQLite), then answers the first one's response. A claim without
a response is only left by a paperdesk older than this unit of work (whose server stopped
between the claim and the answer): its outcome is unknown, and it answers 409
``idempotency_key_in_progress`` as it did.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paperdesk.api.errors import ApiError
from paperdesk.api.schemas import OrderOut, PlacedOut
from paperdesk.domain.api_keys import ApiKeyRecord, IdempotentResponse
from paperdesk.service import Services
from paperdesk.service.api_keys import KeyAnswered

REPLAY_HEADER = "Idempotent-Replayed"
# the answers (the placement's and the cancel's) whose JSON pydantic writes itself: the bytes
# JSONResponse writes of their ``model_dump(mode="json")`` (no float in them, whose text the
# two encoders write differently; tests/unit/api/test_api_answer_bytes.py), in about half
# the time (docs/live-speed.md, "fifteenth pass")
WRITTEN_BY_PYDANTIC: frozenset[type[BaseModel]] = frozenset({PlacedOut, OrderOut})


class ModelResponse(JSONResponse):
    """A JSON answer of a model, written by the model's own serializer (compact, UTF-8)."""

    def render(self, content: Any) -> bytes:
        written: bytes = type(content).__pydantic_serializer__.to_json(content)
        return written


def request_hash(method: str, path: str, body: BaseModel | None) -> str:
    document: dict[str, Any] = {"method": method, "path": path}
    if body is not None:
        document["body"] = body.model_dump(mode="json")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_once(
    container: Services,
    key: ApiKeyRecord,
    idempotency_key: str | None,
    fingerprint: str,
    action: Callable[[], tuple[int, BaseModel]],
    for_replay: Callable[[BaseModel], BaseModel] | None = None,
) -> JSONResponse:
    """``action``'s response; with an idempotency key, the first response to it. ``for_replay``
    gives what to keep for replays when the first answer holds a secret (a new API key's token
    is answered once and never stored)."""
    if idempotency_key is None:
        status, model = action()
        if type(model) in WRITTEN_BY_PYDANTIC:
            return ModelResponse(model, status)
        return JSONResponse(model.model_dump(mode="json"), status)
    stored = container.api_keys.stored(key.id, idempotency_key)
    if stored is not None:
        return _replay(stored, idempotency_key, fingerprint)
    try:
        with container.api_keys.claiming(key.id, idempotency_key, fingerprint):
            status, model = action()
            content = model.model_dump(mode="json")
            kept = content if for_replay is None else for_replay(model).model_dump(mode="json")
            # in the unit the action wrote; one of its own (the claim and the answer) if it
            # wrote nothing
            container.api_keys.complete(key.id, idempotency_key, status, json.dumps(kept))
    except KeyAnswered as answered:
        return _replay(answered.stored, idempotency_key, fingerprint)
    return JSONResponse(content, status)


def _replay(stored: IdempotentResponse, idempotency_key: str, fingerprint: str) -> JSONResponse:
    if stored.request_hash != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            f"Idempotency-Key {idempotency_key!r} was used for a different request",
        )
    if stored.status_code is None or stored.body is None:
        # only a claim committed without its answer by an older paperdesk (see above)
        raise ApiError(
            409,
            "idempotency_key_in_progress",
            f"the request with Idempotency-Key {idempotency_key!r} was claimed by an older "
            "paperdesk that stopped before storing its answer; its outcome is unknown (look "
            "the order up by its client_order_id, or use a new key)",
        )
    return JSONResponse(json.loads(stored.body), stored.status_code, {REPLAY_HEADER: "true"})
