"""Prices (seed 001's ``price/realtime`` and ``price/ohlc``): the latest closed bar of each
symbol and OHLC history paged backwards, through the DataManager, with provenance."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from paperdesk.api.dependencies import Reader, ServicesDep
from paperdesk.api.errors import ApiError, api_words
from paperdesk.api.market_schemas import (
    CandlePageOut,
    ChartTimeframesOut,
    LatestPriceOut,
    LatestPricesOut,
)
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain import InvalidInputError, UnknownNameError
from paperdesk.service import Services
from paperdesk.service.prices import MAX_SYMBOLS, PriceService, chart_timeframes_of

router = APIRouter(prefix="/prices", tags=["prices"], route_class=QueryCheckedRoute)
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 422)
}
Timeframe = Annotated[str, Query(min_length=1, max_length=8, description="e.g. 1m, 1h, 1d")]
MAX_CANDLES = 5000


def prices_of(container: Services) -> PriceService:
    return PriceService(lambda: container.data)


@router.get("/latest", response_model=LatestPricesOut, responses=ERRORS)
def latest_prices(
    container: ServicesDep,
    key: Reader,
    symbols: Annotated[str, Query(min_length=1, max_length=MAX_SYMBOLS * 33)],
    timeframe: Timeframe = "1d",
) -> LatestPricesOut:
    """The close of each symbol's last closed bar (``symbols=SPY,QQQ``); symbols with no bars
    anywhere are listed in ``missing``."""
    names = [part for part in symbols.split(",") if part.strip()]
    found, missing = prices_of(container).latest(names, timeframe)
    return LatestPricesOut(items=[LatestPriceOut.of(p) for p in found], missing=missing)


@router.get("/timeframes", response_model=ChartTimeframesOut, responses=ERRORS)
def timeframes(
    key: Reader,
    base: Annotated[
        str, Query(min_length=1, max_length=8, description="the bars' length, e.g. 1d")
    ] = "1d",
) -> ChartTimeframesOut:
    """The timeframes ``/prices/{symbol}/ohlc`` serves over ``base`` bars: ``base``, then the
    coarser ones resampled from it (``1d``: ``2d``, ``3d``, ``1w``, ``1mo``), finest first."""
    try:
        found = chart_timeframes_of(base)
    except InvalidInputError as error:
        raise ApiError(422, "invalid_input", f"base: {api_words(error)}") from None
    return ChartTimeframesOut(
        base=found.base, timeframes=found.timeframes, bar_lengths=found.bar_lengths
    )


@router.get("/{symbol}/ohlc", response_model=CandlePageOut, responses=ERRORS)
def ohlc(
    symbol: Annotated[str, Path(min_length=1, max_length=32)],
    container: ServicesDep,
    key: Reader,
    timeframe: Timeframe = "1d",
    start: datetime | None = None,
    end: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_CANDLES)] = 500,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> CandlePageOut:
    """Closed candles with ``start <= ts_open <= end``, the newest ``limit`` first served
    (oldest first within the page); ``next_cursor`` pages back to older candles."""
    older_than = decode_time_cursor(cursor)
    try:
        page = prices_of(container).candles(
            symbol, timeframe, start=_aware(start), end=_aware(end), limit=limit,
            older_than=older_than,
        )  # fmt: skip
    except UnknownNameError as error:
        raise ApiError(404, "not_found", api_words(error)) from None
    older = None if page.older_than is None else encode_time_cursor(page.older_than)
    return CandlePageOut.of(page, older)


def encode_time_cursor(moment: datetime) -> str:
    text = f"t:{moment.isoformat()}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_time_cursor(cursor: str | None) -> datetime | None:
    """The open time a page of older candles ends before (a cursor this API gave); no cursor,
    or an empty one (``cursor=``), is the newest page."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        tag, _, value = text.partition(":")
        moment = datetime.fromisoformat(value)
        if tag != "t" or moment.tzinfo is None:
            raise ValueError(text)
        return moment
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            422, "invalid_cursor", f"cursor: {cursor[:40]!r} is not a cursor this API gave"
        ) from None


def _aware(moment: datetime | None) -> datetime | None:
    """A time without a zone (or a bare date) is read as UTC, as every time in the API is."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
