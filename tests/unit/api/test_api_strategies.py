"""GET /strategies and /strategies/{name}: every registered strategy (built-ins and plug-ins)
with its parameters and a JSON Schema of them a form can be generated from."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest
from api_fixtures import Harness, api, assert_refused

from paperdesk.analysis.strategies import registry
from paperdesk.analysis.strategies.sma_cross import SmaCrossParameters
from quiet_strategy import QUIET_PATH

__all__ = ["api"]


def test_every_strategy_is_listed_with_a_valid_parameter_schema(
    api: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the process-wide registry gets its listing back afterwards (other tests list it exactly)
    default = registry.default_registry()
    monkeypatch.setattr(default, "_classes", dict(default._classes))
    monkeypatch.setattr(default, "_sources", dict(default._sources))
    monkeypatch.setattr(default, "_problems", dict(default._problems))
    monkeypatch.setattr(default, "_discovered", default._discovered)
    registry.load_strategy_path(QUIET_PATH)  # a plug-in loaded by path joins the built-ins
    response = api.get("/strategies", api.reader)
    assert response.status_code == 200, response.text
    listed = {document["name"]: document for document in response.json()}
    assert {"buy-and-hold", "macd-cross", "rsi-divergence", "sma-cross", "quiet"} <= set(listed)
    assert listed["quiet"]["source"] != "built-in"
    assert listed["sma-cross"]["source"] == "built-in"
    for name, document in listed.items():
        schema = document["parameters_schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        defaults = {key: value["default"] for key, value in schema["properties"].items()}
        jsonschema.validate(defaults, schema)  # the defaults fill a valid form
        assert [p["name"] for p in document["parameters"]] == list(schema["properties"]), name
        for parameter in document["parameters"]:  # the bounds in both forms agree
            bounds = {
                k: parameter[k] for k in ("minimum", "maximum", "enum") if parameter[k] is not None
            }
            declared = schema["properties"][parameter["name"]]
            assert {k: declared[k] for k in bounds} == bounds
        if document["source"] == "built-in":  # a plug-in may leave its help texts out
            assert all(p["description"] for p in document["parameters"]), name


def test_one_strategy_matches_its_parameter_class(api: Harness) -> None:
    """sma-cross's schema says what SmaCrossParameters declares: names, types, defaults."""
    document = api.get("/strategies/sma-cross", api.reader).json()
    properties = document["parameters_schema"]["properties"]
    json_types = {int: "integer", str: "string", float: "number", bool: "boolean"}
    for field in dataclasses.fields(SmaCrossParameters):
        assert properties[field.name]["default"] == field.default
        assert properties[field.name]["type"] == json_types[type(field.default)]
        assert properties[field.name]["description"] == field.metadata["help"]
    schema = document["parameters_schema"]
    wrong = {"fast": "ten"}
    assert not jsonschema.Draft202012Validator(schema).is_valid(wrong)
    assert not jsonschema.Draft202012Validator(schema).is_valid({"fastest": 1})
    # what the schema accepts, a portfolio accepts
    params = [f"{key}={value}" for key, value in {"fast": 3, "slow": 9}.items()]
    created = api.post(
        "/portfolios", {"name": "s", "cash": "100", "strategies": ["sma-cross"], "params": params}
    )
    assert created.status_code == 201, created.text


def test_unknown_strategy_and_missing_key(api: Harness) -> None:
    before = api.dump()
    missing = api.get("/strategies/no-such-thing", api.reader)
    assert_refused(api, missing, 404, "not_found", "no-such-thing", before=before)
    unauthenticated = api.client.get("/api/v1/strategies")
    assert_refused(api, unauthenticated, 401, "missing_api_key", before=before)


def test_declared_bounds_are_the_bounds_a_portfolio_enforces(api: Harness) -> None:
    """For every bound a built-in's schema declares, a value just beyond it is refused when a
    portfolio is created with it, naming the parameter; nothing is written."""
    strategies = api.get("/strategies").json()
    built_in = [s for s in strategies if s["source"] == "built-in"]
    before = api.dump()
    checked = 0
    for strategy in built_in:
        for name, schema in strategy["parameters_schema"]["properties"].items():
            beyond: list[object] = []
            step = 1 if schema["type"] == "integer" else 0.5
            if "minimum" in schema:
                beyond.append(schema["minimum"] - step)
            if "maximum" in schema:
                beyond.append(schema["maximum"] + step)
            if "enum" in schema:
                beyond.append('"' + "-".join(schema["enum"]) + '"')
            for value in beyond:
                body = {
                    "name": "bounds",
                    "cash": "100",
                    "strategies": [strategy["name"]],
                    "params": [f"{name}={value}"],
                }
                response = api.post("/portfolios", body)
                assert response.status_code == 422, (strategy["name"], name, value)
                assert f"'{name}'" in response.json()["message"], response.json()
                checked += 1
    assert checked >= 20  # sma, macd, rsi, tsi and buy-and-hold declare bounds
    assert api.dump() == before
