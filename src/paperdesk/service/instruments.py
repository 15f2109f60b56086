"""The instrument behind a symbol, for interfaces that show its prices (tick) and money
(currency) but may not import the data layer."""

from __future__ import annotations

from functools import lru_cache

from paperdesk.domain import Instrument, PaperdeskError


def instrument_of(symbol: str) -> Instrument:
    """The instrument ``symbol`` names (shown as a US equity when it cannot be told; an
    unknown symbol is asked again, as its class may be learnt from a stored series)."""
    try:
        return _known(symbol)
    except PaperdeskError:
        return Instrument.equity(symbol.strip().upper() or "?")


@lru_cache(maxsize=512)
def _known(symbol: str) -> Instrument:
    from paperdesk.data.instruments import instrument_for

    return instrument_for(symbol)
