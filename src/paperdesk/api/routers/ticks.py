"""Run a portfolio's tick on demand, through the same exactly-once runner the worker and
``paperdesk run`` use: a closed bar already processed is reported as such and changes nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from paperdesk.api.dependencies import PortfolioId, ServicesDep, Trader, active_portfolio
from paperdesk.api.errors import ApiError
from paperdesk.api.idempotency import request_hash, run_once
from paperdesk.api.portfolio_schemas import BarTickOut, TickCreate, TickOut
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain import limits

router = APIRouter(
    prefix="/portfolios/{portfolio_id}", tags=["ticks"], route_class=QueryCheckedRoute
)
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 409, 422)
}


@router.post("/ticks", response_model=TickOut, responses=ERRORS)
def run_tick(
    portfolio_id: PortfolioId,
    request: Request,
    container: ServicesDep,
    key: Trader,
    body: TickCreate | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Tick one symbol (or every watched symbol): each closed bar not yet processed is processed
    once (with ``catch_up``, every such bar); the response says what each tick did. A portfolio
    that watches no symbol ticks the symbol it is asked to (as the runner does), and a tick
    that names none is refused (422 ``symbol_required``); a symbol held or ordered outside the
    watch list is ticked too (its stops and resting orders need its bars)."""
    request_body = body or TickCreate.model_validate({})
    active_portfolio(container, key, portfolio_id)
    detail = container.portfolios.show(portfolio_id)
    if request_body.symbol is not None:
        symbol = limits.symbol_value(request_body.symbol, "symbol")
        watched = detail.settings.symbols
        traded = {p.symbol for p in detail.positions} | {o.symbol for o in detail.open_orders}
        # no watch list: any symbol; else the watched ones and those held or ordered outside
        # it, as the runner ticks
        if watched and symbol not in watched and symbol not in traded:
            raise ApiError(
                422,
                "unknown_symbol",
                f"symbol: {symbol} is not watched by portfolio {portfolio_id} "
                f"(watched: {', '.join(watched)})",
            )
        symbols: tuple[str, ...] = (symbol,)
    else:
        symbols = tuple(detail.settings.symbols)
        if not symbols:  # "every watched symbol" would tick nothing, and say nothing
            raise ApiError(
                422,
                "symbol_required",
                f"symbol: portfolio {portfolio_id} watches no symbol, so a tick names the "
                "symbol to tick (a portfolio without a watch list ticks the symbols it is "
                "asked to; the worker ticks those it holds or has working orders in)",
            )

    # read, and a live portfolio's bars fetched, before the keyed unit of work: no provider
    # call waits while the unit holds the writer slot (SQLite) or the portfolio's row lock
    started = [container.portfolios.start_tick(portfolio_id, s) for s in symbols]

    def tick() -> tuple[int, TickOut]:
        portfolios, catch_up = container.portfolios, request_body.catch_up
        ticks = [t for s in started for t in portfolios.run_started_tick(s, catch_up=catch_up)]
        return 200, TickOut(
            portfolio_id=portfolio_id,
            processed=sum(1 for t in ticks if t.processed),
            ticks=[BarTickOut.of(t) for t in ticks],
        )

    fingerprint = request_hash("POST", request.url.path, request_body)
    return run_once(container, key, idempotency_key, fingerprint, tick)
