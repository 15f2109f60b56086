"""The strategies a portfolio can run (built-ins and installed plug-ins), each with its
parameters as ``paperdesk strategies`` knows them and as a JSON Schema a form is made from."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from paperdesk.api.dependencies import Reader, ServicesDep
from paperdesk.api.errors import ApiError
from paperdesk.api.query_parameters import QueryCheckedRoute
from paperdesk.api.schemas import ErrorOut
from paperdesk.domain import UnknownNameError
from paperdesk.service.strategy_documents import parameter_bounds

router = APIRouter(prefix="/strategies", tags=["strategies"], route_class=QueryCheckedRoute)
ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorOut} for status in (401, 403, 404, 422)
}
# The parameters' Python types as JSON Schema types.
JSON_TYPES = {"int": "integer", "float": "number", "bool": "boolean", "str": "string"}


class ParameterOut(BaseModel):
    name: str
    type: str = Field(description="int, float, bool or str (the types of params' values)")
    default: Any
    description: str
    minimum: float | None = Field(None, description="the smallest value the strategy accepts")
    maximum: float | None = Field(None, description="the largest value the strategy accepts")
    enum: list[str] | None = Field(None, description="the values a text parameter takes")


class StrategyOut(BaseModel):
    name: str
    kind: str = Field(description="per-bar or vectorised")
    description: str
    source: str = Field(description="built-in, or the plug-in it came from")
    parameters: list[ParameterOut]
    parameters_schema: dict[str, Any] = Field(
        description="a JSON Schema (draft 2020-12) object of the parameters: type, default, "
        "description and declared bounds (minimum, maximum, enum) of each"
    )


def parameters_schema(
    document: dict[str, Any], bounds: dict[str, dict[str, object]]
) -> dict[str, Any]:
    """The strategy's parameters as a JSON Schema object with the bounds it declares (unknown
    names are refused, as the strategy refuses them)."""
    properties: dict[str, Any] = {}
    for parameter in document["parameters"]:
        schema: dict[str, Any] = {
            "type": JSON_TYPES.get(parameter["type"], "string"),
            "description": parameter["meaning"],
        }
        if parameter["default"] is not None:
            schema["default"] = parameter["default"]
        schema.update(bounds.get(parameter["name"], {}))
        properties[parameter["name"]] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": document["name"],
        "description": document["description"],
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }


def strategy_out(document: dict[str, Any]) -> StrategyOut:
    bounds = parameter_bounds(document["name"])
    return StrategyOut(
        name=document["name"],
        kind=document["kind"],
        description=document["description"],
        source=document["source"],
        parameters=[
            ParameterOut.model_validate(
                {
                    "name": p["name"],
                    "type": p["type"],
                    "default": p["default"],
                    "description": p["meaning"],
                    **bounds.get(p["name"], {}),
                }
            )
            for p in document["parameters"]
        ],
        parameters_schema=parameters_schema(document, bounds),
    )


@router.get("", response_model=list[StrategyOut], responses=ERRORS)
def list_strategies(container: ServicesDep, _key: Reader) -> list[StrategyOut]:
    """Every registered strategy, sorted by name."""
    return [strategy_out(document) for document in container.backtests.describe_strategies()]


@router.get("/{name}", response_model=StrategyOut, responses=ERRORS)
def show_strategy(
    name: Annotated[str, Path(min_length=1, max_length=80)], container: ServicesDep, _key: Reader
) -> StrategyOut:
    """One strategy (404 for a name no strategy has)."""
    try:
        return strategy_out(container.backtests.describe_strategy(name))
    except UnknownNameError:
        raise ApiError(404, "not_found", f"no strategy named {name[:80]!r}") from None
