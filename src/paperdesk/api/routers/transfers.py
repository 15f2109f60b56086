"""Export a portfolio as one zip download and import such a zip as a new portfolio: the same
files as ``paperdesk export`` and ``paperdesk import``, built and read in a private temporary
folder (the API never opens a path a client names).

Export needs a read key (it shows what GET already shows); import creates a portfolio, so it
needs a trade key that is not limited to some portfolios (as creating one does)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from paperdesk.api.dependencies import (
    PortfolioId,
    Reader,
    ServicesDep,
    Trader,
    check_visible,
)
from paperdesk.api.errors import ApiError
from paperdesk.api.idempotency import run_once
from paperdesk.api.portfolio_schemas import ImportedOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.service.archive_transfers import MAX_UNPACKED_BYTES

router = APIRouter(prefix="/portfolios", tags=["transfers"], route_class=QueryCheckedRoute)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 413, 422)
}
ZIP = "application/zip"


@router.get(
    "/{portfolio_id}/export",
    response_class=Response,
    responses={**ERRORS, 200: {"content": {ZIP: {}}, "description": "the export as a zip"}},
)
def export_portfolio(portfolio_id: PortfolioId, container: ServicesDep, key: Reader) -> Response:
    """orders.csv, fills.csv, positions.csv, pnl_ledger.csv, state.json, MANIFEST.json (and
    the data files the settings name) as one zip, read in one transaction."""
    check_visible(container, key, portfolio_id)
    content = container.transfers.export_archive(portfolio_id)
    filename = f"paperdesk-portfolio-{portfolio_id}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=ZIP, headers=headers)


@router.post("/import", status_code=201, response_model=ImportedOut, responses=ERRORS)
async def import_portfolio(
    request: Request,
    container: ServicesDep,
    key: Trader,
    archive: Annotated[UploadFile, File(description="a zip made by GET .../export")],
    name: Annotated[str | None, Form(min_length=1, max_length=200)] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Restore an exported zip as a NEW portfolio, checked in full (manifest, SHA-256 of every
    file, schema, ledger) before one transaction writes it; a bad archive is 422
    ``invalid_archive`` and nothing changes."""
    if key.portfolio_ids is not None:
        raise ApiError(
            403, "insufficient_scope", "a key limited to some portfolios cannot create portfolios"
        )
    if name is not None and not name.strip():
        raise ApiError(422, "invalid_input", "name: must not be blank")
    content = await archive.read(MAX_UNPACKED_BYTES + 1)
    if len(content) > MAX_UNPACKED_BYTES:
        raise ApiError(413, "archive_too_large", "archive: the upload is too large")

    def restore() -> tuple[int, ImportedOut]:
        report = container.transfers.import_archive(content, name=name)
        return 201, ImportedOut(
            id=report.portfolio_id,
            name=report.name,
            source_id=report.source_id,
            cash=report.cash,
            positions=report.positions,
            orders=report.orders,
            fills=report.fills,
            trades=report.trades,
            snapshots=report.snapshots,
        )

    digest = hashlib.sha256(content).hexdigest()
    fingerprint = hashlib.sha256(f"POST {request.url.path} {name!r} {digest}".encode()).hexdigest()
    return await run_in_threadpool(run_once, container, key, idempotency_key, fingerprint, restore)
