"""Alpaca's account, positions, clock and assets, read through the service layer; closing a
position (``DELETE /v2/positions/{symbol}``) goes through ``close_position``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from paperdesk.api.alpaca.auth import Reader, ServicesDep, Trader
from paperdesk.api.alpaca.errors import bad_request, not_found
from paperdesk.api.alpaca.mapping import (
    account_document,
    asset_class,
    asset_document,
    asset_uuid,
    clock_document,
    order_document,
    position_document,
)
from paperdesk.api.alpaca.orders import active, closed_now
from paperdesk.domain import AssetClass, Order, UnknownNameError
from paperdesk.service import Services
from paperdesk.service.alpaca_support import known_asset, known_assets, market_clock
from paperdesk.service.views import PositionView

router = APIRouter(prefix="/v2")
ALPACA_ASSET_CLASSES = frozenset({"us_equity", "us_option", "crypto"})


@router.get("/account")
def get_account(container: ServicesDep, caller: Reader) -> dict[str, Any]:
    return account_document(container.portfolios.show(caller.portfolio_id))


@router.get("/positions")
def list_positions(container: ServicesDep, caller: Reader) -> list[dict[str, Any]]:
    detail = container.portfolios.show(caller.portfolio_id)
    return [position_document(p) for p in detail.positions]


@router.get("/positions/{symbol_or_asset_id}")
def get_position(symbol_or_asset_id: str, container: ServicesDep, caller: Reader) -> dict[str, Any]:
    return position_document(_position(container, caller.portfolio_id, symbol_or_asset_id))


@router.delete("/positions/{symbol_or_asset_id}")
def close_position(
    symbol_or_asset_id: str,
    container: ServicesDep,
    caller: Trader,
    qty: Annotated[str | None, Query(max_length=40)] = None,
    percentage: Annotated[str | None, Query(max_length=40)] = None,
) -> dict[str, Any]:
    """Flatten the position with a market order (its working orders are canceled first);
    the answer is that order. Part of a position is closed by placing a sell order."""
    if qty is not None or percentage is not None:
        raise bad_request("qty/percentage: only whole positions are closed here; place an order")
    active(container, caller)
    position = _position(container, caller.portfolio_id, symbol_or_asset_id)
    orders = container.portfolios.close_position(caller.portfolio_id, position.symbol).orders
    closed = closed_now(container, caller.portfolio_id)
    return order_document(caller.portfolio_id, _closing_order(orders), closed=closed)


@router.delete("/positions", status_code=207)
def close_all_positions(container: ServicesDep, caller: Trader) -> list[dict[str, Any]]:
    active(container, caller)
    answers = []
    closed = closed_now(container, caller.portfolio_id)
    for position in container.portfolios.show(caller.portfolio_id).positions:
        orders = container.portfolios.close_position(caller.portfolio_id, position.symbol).orders
        answers.append(
            {
                "symbol": position.symbol,
                "status": 200,
                "body": order_document(caller.portfolio_id, _closing_order(orders), closed=closed),
            }
        )
    return answers


@router.get("/clock")
def get_clock(container: ServicesDep, caller: Reader) -> dict[str, Any]:
    """The market clock of the account's first symbol's calendar (XNYS without symbols)."""
    symbols = container.portfolios.show(caller.portfolio_id).settings.symbols
    return clock_document(market_clock(container, symbols[0] if symbols else None))


@router.get("/assets")
def list_assets(
    container: ServicesDep,
    caller: Reader,
    status: Annotated[str | None, Query(pattern="^(active|inactive)$")] = None,
    asset_class_filter: Annotated[str | None, Query(alias="asset_class", max_length=20)] = None,
) -> list[dict[str, Any]]:
    """The instruments paperdesk knows (its symbol table and the account's symbols); an
    ``asset_class`` neither Alpaca nor paperdesk has is refused by name (not an empty list)."""
    known = ALPACA_ASSET_CLASSES | {asset_class(c) for c in AssetClass}
    if asset_class_filter is not None and asset_class_filter not in known:
        raise bad_request(
            f"asset_class: {asset_class_filter!r} is not an asset class; "
            f"expected one of {', '.join(sorted(known))}"
        )
    if status == "inactive":
        return []
    extra = _symbols(container, caller.portfolio_id)
    return [
        asset_document(i)
        for i in known_assets(extra)
        if asset_class_filter is None or asset_class(i.asset_class) == asset_class_filter
    ]


@router.get("/assets/{symbol_or_asset_id}")
def get_asset(symbol_or_asset_id: str, container: ServicesDep, caller: Reader) -> dict[str, Any]:
    extra = _symbols(container, caller.portfolio_id)
    wanted = symbol_or_asset_id.strip()
    for instrument in known_assets(extra):
        if asset_uuid(instrument.symbol) == wanted.lower():
            return asset_document(instrument)
    try:
        return asset_document(known_asset(wanted, extra))
    except UnknownNameError:
        raise not_found("asset", wanted) from None


def _symbols(container: Services, portfolio_id: int) -> tuple[str, ...]:
    return tuple(container.portfolios.show(portfolio_id).settings.symbols)


def _position(container: Services, portfolio_id: int, wanted: str) -> PositionView:
    """The position a symbol or an asset UUID names (404 when the account holds none)."""
    name = wanted.strip()
    for position in container.portfolios.show(portfolio_id).positions:
        if name.upper() == position.symbol or name.lower() == asset_uuid(position.symbol):
            return position
    raise not_found("position", name)


def _closing_order(orders: list[Order]) -> Order:
    """The market order that flattens (the other orders were canceled on the way)."""
    working = [o for o in orders if o.status.is_open]
    return working[-1] if working else orders[-1]
