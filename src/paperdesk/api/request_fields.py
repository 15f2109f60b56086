"""What a route declares it takes, read from FastAPI's own description of it (its dependant,
the same that validates the request and writes the OpenAPI document): the query parameters'
names and the file fields of a form body. Never a hand list, so a new parameter is known as
soon as it is declared."""

from __future__ import annotations

from fastapi import params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params, get_validation_alias


def query_names(dependant: Dependant) -> frozenset[str]:
    """The names of the query parameters ``dependant`` and its dependencies declare (a query
    model's fields each by its name, as FastAPI reads them)."""
    names: set[str] = set()
    for field in get_flat_params(dependant):
        if isinstance(field.field_info, params.Query):
            names.update((field.alias, get_validation_alias(field)))
    return frozenset(names)


def file_fields(dependant: Dependant) -> list[str]:
    """The names of the file fields of ``dependant``'s form body (none: it takes no file)."""
    found: list[str] = []
    pending = [dependant]
    while pending:
        current = pending.pop()
        found.extend(
            field.alias
            for field in current.body_params
            if isinstance(field.field_info, params.File)
        )
        pending.extend(current.dependencies)
    return found
