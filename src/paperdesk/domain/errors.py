"""Specific exception types; every message names the bad value and what was expected."""

from __future__ import annotations

from paperdesk.domain.fields import Namer, as_option, named


class PaperdeskError(Exception):
    """Base class for every error paperdesk raises on purpose. Its message may mark the fields
    it names (``domain.fields``): ``str()`` names them as the command line's options, and
    ``named_by`` in the words of another surface (an API's JSON fields)."""

    def __str__(self) -> str:
        return named(super().__str__(), as_option)

    def named_by(self, namer: Namer) -> str:
        """The message with its fields named by ``namer``."""
        return named(super().__str__(), namer)


class InvalidInputError(PaperdeskError, ValueError):
    """A value given to paperdesk is malformed or out of range."""


class UnknownNameError(PaperdeskError, LookupError):
    """A strategy, symbol, order or other named thing does not exist."""


class DataError(PaperdeskError):
    """Market data is missing, malformed or inconsistent."""


class LedgerUnavailableError(DataError):
    """The ledger's database cannot be reached or written (a server down, a read-only or full
    disk): nothing was written, and it is no fault of the request (the API answers 503)."""


class OrderError(PaperdeskError):
    """An order operation cannot be carried out (unknown order, already closed...)."""


class OrderFieldError(OrderError):
    """A change names a field the order's type does not take (a stop price for a limit order):
    a fault of the request, not of the order's state; ``code`` names the field
    (``stop_price_not_allowed``), stable for the API (422, where a state conflict is 409)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.code = f"{field}_not_allowed"


class OptionError(InvalidInputError):
    """An option, run-file key or request field is missing or malformed (a usage error)."""


class StrategyLoadError(InvalidInputError):
    """A strategy plug-in or file cannot be used: it fails to import, holds no strategy class,
    or its strategy name is already taken by another class."""


class StateConflictError(InvalidInputError):
    """A request the stored state refuses (archiving a portfolio that still holds positions,
    one already archived); ``code`` names the conflict, stable for the API (409)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
