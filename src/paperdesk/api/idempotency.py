"""Idempotent writes: a request with an ``Idempotency-Key`` header is carried out once per API
key; a retry gets the first response (status and body), a reused key with another request is
refused (422 ``idempotency_key_reused``).

The key is claimed in the database before the write and the response stored after it, so it
holds across restarts and processes. A refused request releases its claim (nothing was written,
so a retry may run again); a claim whose write is still running answers 409
``idempotency_key_in_progress``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from paperdesk.api.errors import ApiError
from paperdesk.domain.api_keys import ApiKeyRecord
from paperdesk.service import Services

REPLAY_HEADER = "Idempotent-Replayed"


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
        return JSONResponse(model.model_dump(mode="json"), status)
    stored = container.api_keys.reserve(key.id, idempotency_key, fingerprint)
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise ApiError(
                422,
                "idempotency_key_reused",
                f"Idempotency-Key {idempotency_key!r} was used for a different request",
            )
        if stored.status_code is None or stored.body is None:
            raise ApiError(
                409,
                "idempotency_key_in_progress",
                f"the request with Idempotency-Key {idempotency_key!r} is still being carried out",
            )
        return JSONResponse(json.loads(stored.body), stored.status_code, {REPLAY_HEADER: "true"})
    try:
        status, model = action()
    except BaseException:
        container.api_keys.release(key.id, idempotency_key)
        raise
    content = model.model_dump(mode="json")
    kept = content if for_replay is None else for_replay(model).model_dump(mode="json")
    container.api_keys.complete(key.id, idempotency_key, status, json.dumps(kept))
    return JSONResponse(content, status)
