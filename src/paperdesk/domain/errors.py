"""Specific exception types; every message names the bad value and what was expected."""

from __future__ import annotations


class PaperdeskError(Exception):
    """Base class for every error paperdesk raises on purpose."""


class InvalidInputError(PaperdeskError, ValueError):
    """A value given to paperdesk is malformed or out of range."""


class UnknownNameError(PaperdeskError, LookupError):
    """A strategy, symbol, order or other named thing does not exist."""


class DataError(PaperdeskError):
    """Market data is missing, malformed or inconsistent."""


class OrderError(PaperdeskError):
    """An order operation cannot be carried out (unknown order, already closed...)."""


class OptionError(InvalidInputError):
    """An option, run-file key or request field is missing or malformed (a usage error)."""


class StrategyLoadError(InvalidInputError):
    """A strategy plug-in or file cannot be used: it fails to import, holds no strategy class,
    or its strategy name is already taken by another class."""
