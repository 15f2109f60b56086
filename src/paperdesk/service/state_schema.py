"""The published JSON Schema of ``state.json`` (Draft 2020-12) and validation against it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from paperdesk.domain import DataError

SCHEMA_VERSION = 1
SCHEMA_FILE = "state.schema.json"


@cache
def state_schema() -> dict[str, Any]:
    """The schema document shipped in ``paperdesk/service/schemas/``."""
    text = resources.files("paperdesk.service").joinpath("schemas", SCHEMA_FILE).read_text()
    schema: dict[str, Any] = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return schema


def validate_state(document: object, origin: str = "state.json") -> None:
    """Raise DataError naming the first problem when ``document`` does not fit the schema."""
    validator = Draft202012Validator(state_schema())
    error = best_match(validator.iter_errors(document))
    if error is None:
        return
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    raise DataError(f"{origin} does not match the state schema at {where}: {error.message}")
