"""Checks of a manual order request before anything is restored or written: prices that its
type does not take, and the client order id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperdesk.domain import OrderType, limits
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark

if TYPE_CHECKING:
    from paperdesk.service.order_requests import OrderRequest

_TAKES_LIMIT = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT})
_TAKES_STOP = frozenset({OrderType.STOP, OrderType.STOP_LIMIT})


def check_order_request(request: OrderRequest) -> None:
    """Refuse a price the order type ignores (a market order with a limit price would
    otherwise fill at any price) and a malformed client order id."""
    kind = request.order_type
    if request.limit_price is not None and kind not in _TAKES_LIMIT:
        raise OptionError(
            f"invalid value for {field_mark('limit_price')}: '{request.limit_price}' (a "
            f"{kind.value} order takes no limit price; use {field_mark('type')} limit or "
            "stop-limit)"
        )
    if request.stop_price is not None and kind not in _TAKES_STOP:
        raise OptionError(
            f"invalid value for {field_mark('stop_price')}: '{request.stop_price}' (a "
            f"{kind.value} order takes no stop price; use {field_mark('type')} stop or stop-limit)"
        )
    if request.client_order_id is not None:
        limits.client_order_id_value(
            request.client_order_id, field_mark("client_order_id", "--client-id")
        )
