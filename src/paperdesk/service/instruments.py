"""The instrument behind a symbol, for interfaces that show its prices (tick) and money
(currency) but may not import the data layer."""

from __future__ import annotations

from functools import lru_cache

from paperdesk.domain import Instrument, PaperdeskError


@lru_cache(maxsize=512)
def instrument_of(symbol: str) -> Instrument:
    """The instrument ``symbol`` names (a US equity when it cannot be told)."""
    from paperdesk.data.instruments import instrument_for

    try:
        return instrument_for(symbol)
    except PaperdeskError:
        return Instrument.equity(symbol.strip().upper() or "?")
