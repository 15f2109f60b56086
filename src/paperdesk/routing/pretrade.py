"""Pre-trade checks of an order a person (or a per-bar strategy) places: the same risk chain a
strategy's entries pass, plus what a venue refuses outright (fractions of a lot, prices off the
tick grid, a sale that would take a long-only book short). Each refusal says why."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from paperdesk.domain import (
    ZERO,
    Instrument,
    InvalidInputError,
    Order,
    OrderIntent,
    OrderRole,
    OrderStatus,
    PortfolioView,
    Side,
)
from paperdesk.domain.orders import misplaced_bracket_legs
from paperdesk.routing.outcomes import Adjusted, Rejection
from paperdesk.routing.risk import RiskRule
from paperdesk.routing.wording import amount

INSUFFICIENT_CASH = "insufficient_cash"


class OrderRefusedError(InvalidInputError):
    """The pre-trade checks refuse an order; ``code`` names the rule for machines."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


def _not_whole(instrument: Instrument, quantity: Decimal) -> str:
    """A quantity off the instrument's step. Where one lot holds many units (forex: 100,000),
    quantities are units and the step is named so, not a "lot" of 1 beside the per-lot fee's
    lot of 100,000."""
    symbol = instrument.symbol
    if instrument.contract_size != 1:
        return (
            f"quantity {amount(quantity)} is not a whole number of {symbol} steps of "
            f"{amount(instrument.lot_size)} unit(s) (quantities are units; a lot is "
            f"{amount(instrument.contract_size)} units)"
        )
    return (
        f"quantity {amount(quantity)} is not a whole number of {symbol} lots (lot size "
        f"{amount(instrument.lot_size)})"
    )


def check_increments(
    instrument: Instrument, quantity: Decimal | None, **prices: Decimal | None
) -> None:
    """Quantities are positive whole lots; prices are positive whole ticks of the instrument."""
    symbol = instrument.symbol
    if quantity is not None:
        if not quantity.is_finite() or quantity <= 0:
            raise OrderRefusedError(f"order quantity must be positive, got {quantity}", "quantity")
        if instrument.round_quantity(quantity) != quantity:
            raise OrderRefusedError(_not_whole(instrument, quantity), "lot_size")
    tick = instrument.tick_size
    for name, price in prices.items():
        if price is None:
            continue
        label = name.replace("_", " ")
        if not price.is_finite() or price <= 0:
            raise OrderRefusedError(f"{label} price must be positive, got {price}", "price")
        if tick > 0 and price % tick != 0:  # tick 0: an adjusted series, on no grid
            raise OrderRefusedError(
                f"{label} price {amount(price)} is not a whole tick of {symbol} "
                f"(tick size {amount(tick)})",
                "tick_size",
            )


def check_bracket_sides(intent: OrderIntent, last_price: Decimal) -> None:
    """A bracket's legs on their sides of the entry (``misplaced_bracket_legs``): the entry is
    the order's limit price, else its stop price, else (a market order) the last price (Alpaca
    refuses a leg on the wrong side too)."""
    _check_sides(
        intent.side,
        intent.limit_price or intent.stop_price,
        intent.stop_loss,
        intent.take_profit,
        last_price,
    )


def check_modified_bracket_sides(entry: Order, legs: Iterable[Order], last_price: Decimal) -> None:
    """A bracket entry with its new prices (``entry``) keeps its open legs on their sides, the
    rule a new bracket passes (``check_bracket_sides``): the legs' own levels against the
    entry's new price."""
    stop_loss = take_profit = None
    for leg in legs:
        if leg.status.is_open and leg.role is OrderRole.STOP_LOSS:
            stop_loss = leg.stop_price
        elif leg.status.is_open and leg.role is OrderRole.TAKE_PROFIT:
            take_profit = leg.limit_price
    _check_sides(
        entry.side, entry.limit_price or entry.stop_price, stop_loss, take_profit, last_price
    )


def _check_sides(
    side: Side,
    priced: Decimal | None,
    stop_loss: Decimal | None,
    take_profit: Decimal | None,
    last_price: Decimal,
) -> None:
    entry = priced or last_price
    basis = "its entry price" if priced else "the last price"
    for name, price, where in misplaced_bracket_legs(side, entry, stop_loss, take_profit):
        raise OrderRefusedError(
            f"{name} {price} must be {where} {basis} {entry} for a {side.value} bracket",
            "bracket_side",
        )


def check_not_short(
    symbol: str,
    quantity: Decimal,
    held: Decimal,
    open_orders: Iterable[Order],
    *,
    replacing: Order | None = None,
) -> None:
    """Selling ``quantity`` more must not take a long-only book short, counting what the open
    sells already sell (``selling_already``); a modified order (``replacing``) does not count
    itself or its one-cancels-other sibling."""
    selling = selling_already(open_orders, replacing)
    if quantity + selling > held:
        shown = quantity if replacing is None else replacing.filled_quantity + quantity
        raise OrderRefusedError(
            f"cannot sell {shown} {symbol}: the portfolio holds {held}"
            + (f" and {selling} are already being sold" if selling else "")
            + " (short selling is off for this portfolio)",
            "short_selling_off",
        )


def selling_already(open_orders: Iterable[Order], replacing: Order | None = None) -> Decimal:
    """What the open sell orders can still sell of a holding: a bracket's two exits are one
    cancels other, so they sell at most the larger of them, and the exits of an entry not
    filled yet (pending) sell nothing that is held now (they sell what their entry buys)."""
    alone = ZERO
    by_bracket: dict[str, Decimal] = {}
    for order in open_orders:
        if order.side is not Side.SELL or order.status is OrderStatus.PENDING:
            continue
        if replacing is not None and (
            order.order_id == replacing.order_id
            or (replacing.parent_id is not None and order.parent_id == replacing.parent_id)
        ):
            continue
        parent = order.parent_id
        if parent is None:
            alone += order.remaining
        else:
            by_bracket[parent] = max(by_bracket.get(parent, ZERO), order.remaining)
    return alone + sum(by_bracket.values(), ZERO)


def check_risk(
    risk: RiskRule, intent: OrderIntent, view: PortfolioView, instrument: Instrument, price: Decimal
) -> None:
    """The risk chain every entry passes; a person's order is refused, not trimmed, when a rule
    would change it (the rule's note says what would fit)."""
    outcome = risk.check(intent, view, instrument, price)
    if isinstance(outcome, Rejection):
        raise OrderRefusedError(_worded(outcome.reason, outcome.code), outcome.code or "risk")
    if isinstance(outcome, Adjusted):  # refused, so the message says what would fit
        fits = (
            f"at most {amount(outcome.intent.quantity)} {intent.symbol} would fit, "
            f"not {amount(intent.quantity)}"
        )
        note = "; ".join((*outcome.limits, fits))
        raise OrderRefusedError(_worded(note, outcome.code), outcome.code or "risk")


def _worded(reason: str, code: str) -> str:
    if code == INSUFFICIENT_CASH:
        return f"insufficient cash: {reason}"
    return f"order refused by the risk rules: {reason}"
