"""A portfolio's run description from an API request: the keys of a run file.

The request's ``settings`` hold the declared option keys a run file takes (``commission``,
``size_pct``, ``exposure_cap``...); ``strategies``, ``params`` (``--param`` texts) and ``symbols``
say what it trades. Keys that name a file on the server (``data``, ``quotes``, ``factor_file``,
``benchmark_data``, ``strategy_path``) and strategies named by a file are refused with the code
``server_path_refused``: the API never opens a path a client names, so no file's contents can
reach an error message. Market data reaches the server by upload or by import into the bar store.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from paperdesk.config import RunConfig
from paperdesk.domain import limits
from paperdesk.domain.errors import OptionError
from paperdesk.service.portfolio_edits import _overlay
from paperdesk.service.run_files import DECLARED, MergedOptions, strategy_specs

SERVER_PATH_KEYS = ("data", "quotes", "factor_file", "benchmark_data", "strategy_path")


class ServerPathError(OptionError):
    """A request named a file on the server (the API reads none)."""

    code = "server_path_refused"


def api_portfolio_config(
    settings: Mapping[str, object],
    *,
    strategies: Sequence[str],
    params: Sequence[str],
    symbols: Sequence[str],
) -> RunConfig:
    """The run description of ``settings`` (run-file keys, dashes or underscores); every error
    names the field as ``settings.KEY``."""
    check_strategy_names(strategies)
    merged = _merged(settings)
    watched = list(dict.fromkeys(limits.symbol_value(s, "symbols") for s in symbols))
    document = merged.declared_document()
    document.setdefault("source", {}).setdefault("adjust", "raw")
    document["strategies"] = list(strategy_specs(strategies, params))
    document["symbols"] = watched
    document["strategy_paths"] = []
    document.setdefault("timeframe", "1d")
    return RunConfig.parse(document, _labels(merged))


def api_edited_config(
    current: RunConfig,
    settings: Mapping[str, object],
    *,
    strategies: Sequence[str] | None,
    params: Sequence[str],
    symbols: Sequence[str] | None,
) -> RunConfig:
    """``current`` with the request's edits, as ``paperdesk portfolio edit`` applies them:
    ``strategies`` replaces the list, ``params`` alone changes the current strategies'
    parameters, ``symbols`` replaces the watch list; no data file or plug-in path."""
    check_strategy_names(strategies or ())
    merged = _merged(settings)
    document: dict[str, Any] = current.to_json()
    _overlay(document, merged.declared_document())
    if strategies is not None:
        specs = strategy_specs(strategies, params)
        document["strategies"] = [spec.model_dump() for spec in specs]
    elif params:
        names = [spec.name for spec in current.strategies]
        kept = {spec.name: spec.params for spec in current.strategies}
        specs = strategy_specs(names, params, current=kept)
        document["strategies"] = [spec.model_dump() for spec in specs]
    if symbols is not None:
        document["symbols"] = list(
            dict.fromkeys(limits.symbol_value(s, "symbols") for s in symbols)
        )
    return RunConfig.parse(document, _labels(merged)).with_changes(cash=current.cash)


def check_strategy_names(strategies: Sequence[str]) -> None:
    """A strategy named by a file (``plugin.py:Class``, ``/path/x``) is refused: plug-ins are
    installed packages or files the operator loads, never a path a client names."""
    for index, name in enumerate(strategies):
        text = str(name)
        if "/" in text or "\\" in text or ".py" in text:
            raise ServerPathError(
                f"strategies[{index}]: {text[:80]!r} names a file; the API takes registered "
                "strategy names only (GET /api/v1/strategies lists them)"
            )


def _merged(settings: Mapping[str, object]) -> MergedOptions:
    options: dict[str, object | None] = {}
    for raw_key, value in settings.items():
        key = raw_key.replace("-", "_")
        if key in SERVER_PATH_KEYS:
            raise ServerPathError(
                f"settings.{raw_key}: the API does not read files on the server (import the "
                "bars into the bar store with `paperdesk data import` or the upload instead)"
            )
        if key not in DECLARED:
            known = ", ".join(k for k in DECLARED if k not in SERVER_PATH_KEYS)
            raise OptionError(f"settings.{raw_key}: unknown key (expected one of: {known})")
        options[key] = value
    return MergedOptions(options, None)


def _labels(merged: MergedOptions) -> dict[str, str]:
    return {name: f"settings.{name}" for name in merged.values}
