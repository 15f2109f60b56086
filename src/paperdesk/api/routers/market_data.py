"""Market data: import a CSV upload into the bar store (as ``paperdesk data import`` does),
the quality report of a series, and the price providers with their quotas and circuits.

Market data reaches the server only by upload: the API never opens a path a client names.
An import changes the prices every portfolio sees, so it needs an ``admin`` key.
"""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import Reader, ServicesDep, check_visible, require
from paperdesk.api.errors import ApiError, api_words
from paperdesk.api.market_schemas import ImportOut, ProviderOut, QualityOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain import UnknownNameError
from paperdesk.domain.api_keys import ApiKeyRecord, Scope
from paperdesk.domain.fields import as_field
from paperdesk.service.market_data import CsvImportError

router = APIRouter(prefix="/market-data", tags=["market data"], route_class=QueryCheckedRoute)
Admin = Annotated[ApiKeyRecord, Depends(require(Scope.ADMIN))]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 413, 422)
}
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
_CHUNK = 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@router.post("/import", status_code=201, response_model=ImportOut, responses=ERRORS)
def import_csv(
    container: ServicesDep,
    key: Admin,
    file: Annotated[UploadFile, File(description="the CSV file (OHLCV bars, or quotes)")],
    symbol: Annotated[str, Form(min_length=1, max_length=32)],
    timeframe: Annotated[str, Form(min_length=1, max_length=8)],
    asset_class: Annotated[str | None, Form(max_length=16)] = None,
    timezone: Annotated[str | None, Form(max_length=64)] = None,
    sort: Annotated[bool, Form()] = False,
    drop_duplicates: Annotated[bool, Form()] = False,
    adjusted: Annotated[bool, Form()] = False,
) -> JSONResponse:
    """Validate and import the uploaded CSV, all or nothing, with the CLI's options and
    errors (line and column, 422 ``invalid_csv``); over 50 MB is 413 ``upload_too_large``."""
    filename = _safe_name(file.filename)
    with tempfile.TemporaryDirectory(prefix="paperdesk-upload-") as folder:
        path = FilePath(folder) / filename
        _save(file, path)
        try:
            report = container.market_data.import_file(
                path, symbol, timeframe, timezone=timezone, sort=sort,
                drop_duplicates=drop_duplicates, adjusted=adjusted, asset_class=asset_class,
            )  # fmt: skip
        except CsvImportError as error:
            problems = [
                {"line": p.line, "column": p.column or None, "reason": p.reason_in(as_field)}
                for p in error.problems
            ]
            message = api_words(error).replace(str(path), filename)
            raise ApiError(422, "invalid_csv", message, problems=problems) from None
    out = ImportOut.of(report, filename)
    out.source = out.source.replace(str(path), filename).replace(folder, "upload")
    return JSONResponse(out.model_dump(mode="json"), 201)


@router.get("/providers", response_model=list[ProviderOut], responses=ERRORS)
def providers(container: ServicesDep, key: Reader) -> list[ProviderOut]:
    """Every configured price provider in priority order: quotas used and left, circuit
    state, the last error; never a key's value."""
    return [ProviderOut.of(status) for status in container.market_data.providers()]


@router.get("/{symbol}/quality", response_model=QualityOut, responses=ERRORS)
def quality(
    symbol: Annotated[str, Path(min_length=1, max_length=32)],
    container: ServicesDep,
    key: Reader,
    timeframe: Annotated[str, Query(min_length=1, max_length=8)] = "1d",
    start: datetime | None = None,
    end: datetime | None = None,
    portfolio: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> QualityOut:
    """The quality report of a series' closed bars: gaps, duplicates, bars outside the
    session, outliers, zero-volume and stale runs, and how old the last bar is. With
    ``portfolio``, a replay portfolio trading the symbol: the series as the replay serves it
    (``replay``: where it stands) and no staleness, which applies to live feeds only. A series
    no live portfolio the key may see trades is ``history`` (a bundled sample, an import):
    never stale, whatever its age."""
    from paperdesk.service.platform import replay_stand

    if portfolio is not None:
        check_visible(container, key, portfolio)
    try:
        report = container.market_data.check(symbol, timeframe, _utc(start), _utc(end))
    except UnknownNameError as error:
        raise ApiError(404, "not_found", api_words(error)) from None
    if report.live_portfolios is not None:  # judged against the live portfolios it may see
        report = report.of_feed(tuple(filter(key.sees, report.live_portfolios)))
    if portfolio is not None:
        stand = replay_stand(container.portfolios, portfolio, report.symbol or symbol.upper())
        if stand is not None:
            report = report.of_replay(stand)
    return QualityOut.of(report)


def _save(upload: UploadFile, path: FilePath) -> None:
    """Copy the upload to ``path``, refusing it once it passes the size limit."""
    written = 0
    with path.open("wb") as target:
        while chunk := upload.file.read(_CHUNK):
            written += len(chunk)
            if written > MAX_UPLOAD_BYTES:
                raise ApiError(
                    413,
                    "upload_too_large",
                    f"file: the upload is over the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit",
                )
            target.write(chunk)
    if written == 0:
        raise ApiError(422, "invalid_csv", "file: the upload is empty")


def _safe_name(name: str | None) -> str:
    """The upload's own file name, reduced to safe characters (it names the file in errors)."""
    base = _SAFE_NAME.sub("_", FilePath(name or "").name)[:100].lstrip(".")
    return base or "upload.csv"


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
