"""Entries sized at the signal (``SizeTiming.SIGNAL``, the default) on the fast path, in whole
integer money units, as the router and the kernel size them; tests prove it identical to the
event kernel.

At the signal bar's close the router sizes the entry with ``PercentOfEquity``: the largest q with
q x close + fee <= equity x percent / 100, the equity being the portfolio's once the held
position (if any) is closed at that close, its fee paid (``loop._estimate`` computes it, as it
does for the all-in estimate). With the exposure cap at or above the percent (or none) and a
cash account, the signal-time risk rules pass that q unchanged (after the exit the book is
flat, so the cap's room is the whole cap, and q's cost fits the cash). A q of 0 rejects the
signal ("size rounds to zero", worded by the engine's ``rejection_reasons``); for a reversal
the router keeps the exit and notes the entry's rejection, which the fast path gives up on.

At the fill (the next open, the exit filled first, so the book is flat and the equity is the cash)
the kernel checks the entry again at the fill price (slipped), ``SignalRouter. sized_at_fill`` with
no size fraction: the exposure cap trims q to floor(cap / price) when q x price exceeds the cap
(equity x cap percent / 100), then the cash check trims it to the largest quantity whose cost and
fee fit the cash (a long) or the equity (a short, 100% margin). Each trim is an ``OrderModified``
whose reason ("trimmed at fill: " and the rules' notes) is an adjustment of the result, and so is a
trim to nothing ("nothing fits at fill: " and the rejecting rule's reason; the venue cancels the
entry): the loop records each trim's numbers (``Trim``) and the engine words them as the rules do
(``engine.trim_reasons``; the fast path imports no routing). A quotient the Decimal context would
round across a whole number and an exact quotient ending in zeros (its Decimal exponent would show)
are given up on.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from paperdesk.engine.fastpath.errors import FastPathUnsupportedError
from paperdesk.engine.fastpath.integer_money import MoneyScale, exact_limit, integer_parts
from paperdesk.engine.fastpath.per_share import Sizer, affordable_sizer

_HUNDRED = Decimal(100)


class Trim(NamedTuple):
    """An entry the fill-time checks trimmed or canceled: signal k's ``quantity`` (decided at
    the signal), ``capped`` by the exposure cap (equal when it did not trim; 0: not one lot
    fits, the entry is canceled; ``positioned`` the quantity the position cap, checked first,
    left), then ``fitted`` by the cash check (equal to ``capped`` when
    it did not trim; 0: canceled); ``cash`` the flat book's cash (and equity) in money units;
    ``side`` +1 for a buy, -1 for a short sale."""

    k: int
    quantity: int
    capped: int
    fitted: int
    cash: int
    side: int
    at_fill: bool  # at the fill (else at the signal: a trim, never a cancel)
    # after the position cap (``MaxPositionSize``, checked before the exposure cap; 0: not one
    # lot fits), None when the run has none
    positioned: int | None = None


class SignalSizing:
    """The quantity an entry decided at its signal fills with, and the trims' adjustments.

    ``at_signal(equity, close)``: an entry's quantity at its signal, from the signal-time
    ``equity`` (money units) at ``close`` (ticks); ``at_fill(k, quantity, cash, price, side)``:
    signal k's entry filling at ``price`` (ticks) with the ``cash`` of the flat book then;
    ``side`` +1 buys, -1 sells short. ``trims``: each entry a rule trimmed at its fill, in
    signal order.
    """

    __slots__ = (
        "_cap",
        "_fee",
        "_fixed",
        "_limit",
        "_per_tick",
        "_position",
        "_risk_size",
        "_signal_size",
        "_whole",
        "trims",
        "unsized",
    )

    def __init__(
        self,
        sizer: Sizer,
        scale: MoneyScale,
        cap_percent: Decimal | None,
        fixed: int | None = None,
        risk: tuple[Decimal, list[float]] | None = None,
        position_percent: Decimal | None = None,
    ) -> None:
        self._fixed = fixed  # a fixed quantity per entry (the fixed sizer), else percent-equity
        self._signal_size = sizer.quantity
        # risk-per-trade: (the risk percent, each signal's stop, NaN for none)
        self._risk_size = None if risk is None else _RiskSizer(risk[0], risk[1], scale).quantity
        self._whole = affordable_sizer(Decimal(1), scale).quantity  # what the cash pays for
        self._per_tick = scale.units_per_tick
        self._fee = scale.fee
        # the exposure cap and the position cap (``MaxPositionSize``): on the flat book an
        # entry meets, each trims to the whole part of equity x percent / 100 / price
        self._cap = None if cap_percent is None else _Cap(cap_percent, scale)
        self._position = None if position_percent is None else _Cap(position_percent, scale)
        self.trims: list[Trim] = []
        # the signals whose entry the percent-equity sizer itself sized to nothing at the
        # signal (no rule's doing): the router rejects those with "size rounds to zero"
        self.unsized: set[int] = set()
        # the run's Decimal context: amounts below this are exact (``exact_limit``)
        self._limit = exact_limit()

    def at_signal(self, k: int, equity: int, close: int, side: int, refused: bool = False) -> int:
        """Signal k's entry quantity at its bar's close (``equity`` in money units, after the
        held position's exit there): the sizer's, then the risk rules' (the daily loss limit,
        ``refused`` when it refuses, then the exposure cap and the cash check, at the close, on
        the flat book); 0 when the router rejects the signal (nothing fits: "size rounds to
        zero", or a rule's reason)."""
        quantity = self._sized(k, equity, close, side)
        if quantity <= 0 or refused:
            return 0
        positioned, capped, fitted = self._checked(quantity, equity, close)
        if fitted and fitted != quantity:
            self.trims.append(Trim(k, quantity, capped, fitted, equity, side, False, positioned))
        return fitted

    def _sized(self, k: int, equity: int, close: int, side: int) -> int:
        """The sizer's quantity of signal k's entry (0: the sizer rejects the signal)."""
        if equity <= 0:
            raise FastPathUnsupportedError("equity at or below zero at an entry signal")
        if self._fixed:
            return self._fixed
        if self._risk_size is not None:
            return self._risk_size(equity, close, k, side)
        quantity = self._signal_size(equity, close)
        if quantity <= 0:
            self.unsized.add(k)
        return quantity

    def refused_reversal(self, k: int, equity: int, close: int, side: int) -> None:
        """A reversal whose entry a risk rule refuses (the daily loss limit): the router sizes
        it first, so one the sizer sizes to nothing is rejected in the sizer's words, which are
        not written here (given up on)."""
        if self._sized(k, equity, close, side) <= 0:
            raise FastPathUnsupportedError("a reversal's entry sized at the signal rounds to zero")

    def reversal(self, k: int, equity: int, close: int, side: int) -> int:
        """``at_signal`` for a reversal's entry, given up on when nothing fits (the router then
        keeps the exit and notes the entry's rejection, which is not written here)."""
        quantity = self.at_signal(k, equity, close, side)
        if quantity <= 0:
            raise FastPathUnsupportedError("a reversal's entry sized at the signal rounds to zero")
        return quantity

    def at_fill(self, k: int, quantity: int, cash: int, price: int, side: int) -> int:
        """The fill-time risk checks of an entry of ``quantity`` at ``price`` on a flat book
        whose cash (and equity) is ``cash``: the position cap, the exposure cap, then the cash
        check; 0 when a rule leaves not one lot (the venue cancels the entry: "nothing fits at
        fill")."""
        positioned, capped, fitted = self._checked(quantity, cash, price)
        if fitted != quantity:
            self.trims.append(Trim(k, quantity, capped, fitted, cash, side, True, positioned))
        return fitted

    def _checked(self, quantity: int, cash: int, price: int) -> tuple[int | None, int, int]:
        """(the quantity after the position cap, None without one; after the exposure cap;
        then after the cash check) of an entry at ``price`` on a flat book whose cash and
        equity are ``cash``, the router's rules in their order; 0: not one lot fits (the later
        ones then 0 too)."""
        positioned = None
        capped = quantity
        if self._position is not None:
            positioned = capped = self._position.fitted(capped, cash, price, self._limit)
        if capped and self._cap is not None:
            capped = self._cap.fitted(capped, cash, price, self._limit)
        if capped and capped * price * self._per_tick + self._fee(capped, price) > cash:
            return positioned, capped, self._whole(cash, price)
        return positioned, capped, capped


class _Cap:
    """A cap of ``percent`` of the equity on the flat book's one position (``ExposureCap``,
    ``MaxPositionSize``): an entry worth more than equity x percent / 100 at the price is
    trimmed to the whole part of that over the price (0: not one lot fits)."""

    __slots__ = ("_coefficient", "_unit")

    def __init__(self, percent: Decimal, scale: MoneyScale) -> None:
        # the cap's room over the price: equity x coefficient / (price x unit), exact
        coefficient, exponent = integer_parts(percent / _HUNDRED)
        if exponent >= 0:
            coefficient *= 10**exponent
            exponent = 0
        self._coefficient = coefficient
        self._unit = scale.units_per_tick * 10**-exponent

    def fitted(self, quantity: int, equity: int, price: int, limit: int) -> int:
        room = equity * self._coefficient  # the cap x 10**k, in the unit of the divisor
        divisor = price * self._unit
        if room >= limit or quantity * divisor >= limit:
            raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")
        if quantity * divisor > room:
            return _whole_quotient(room, divisor, limit)
        return quantity


class _RiskSizer:
    """``RiskPerTrade.size`` in integers: round_quantity(equity x risk percent / 100 / |close -
    stop|), the stop the signal's own (its float's shortest repr, not rounded to the tick); 0
    where the router rejects the signal (no stop, a stop on the wrong side of the close, or
    nothing fits)."""

    __slots__ = ("_coefficient", "_limit", "_money_places", "_stops", "_tick_places")

    def __init__(self, risk_percent: Decimal, stops: list[float], scale: MoneyScale) -> None:
        coefficient, exponent = integer_parts(risk_percent / _HUNDRED)
        self._coefficient = coefficient
        # the budget in units of 10**(exponent - money places)
        self._money_places = scale.money_places - exponent
        self._tick_places = scale.tick_places
        self._stops = stops
        self._limit = exact_limit()  # the run's Decimal context

    def quantity(self, equity: int, close: int, k: int, side: int) -> int:
        stop = self._stops[k]
        if stop != stop:  # NaN: "risk-per-trade sizing needs a stop"
            return 0
        stop_coefficient, stop_exponent = integer_parts(Decimal(float.__repr__(stop)))
        places = self._tick_places
        least = min(-places, stop_exponent)  # the difference's exponent
        distance = close * 10 ** (-places - least) - stop_coefficient * 10 ** (
            stop_exponent - least
        )
        if (side > 0 and distance <= 0) or (side < 0 and distance >= 0):
            return 0  # the stop on the wrong side of the close: rejected
        distance = abs(distance)
        budget = equity * self._coefficient
        if budget >= self._limit or distance >= self._limit:
            raise FastPathUnsupportedError("amounts too large for exact Decimal arithmetic")
        # budget x 10**-money_places / (distance x 10**least)
        shift = least + self._money_places
        if shift >= 0:
            return _whole_quotient(budget, distance * 10**shift, self._limit)
        return _whole_quotient(budget * 10**-shift, distance, self._limit)


def _whole_quotient(room: int, divisor: int, limit: int) -> int:
    """``round_quantity(room / divisor)`` for lot 1 (the cap over the price, the risk budget over
    the stop's distance): the whole part of the Decimal quotient, given
    up on where the context's rounding could carry it to the next whole number, where its
    exponent would show (an exact quotient ending in zeros)."""
    fitted, remainder = divmod(room, divisor)
    if not remainder:
        if fitted and not fitted % 10:
            raise FastPathUnsupportedError("a quotient divides exactly into round lots")
        return fitted
    digits = len(str(fitted + 1))
    # the context rounds the quotient to prec digits (``limit`` is 10**(prec - 1)): to the
    # next whole number only if its distance to it is at most half a unit in the prec-th digit
    if (divisor - remainder) * 2 * limit * 10 <= divisor * 10**digits:
        raise FastPathUnsupportedError("the cap's quotient rounds to a whole number")
    return fitted
