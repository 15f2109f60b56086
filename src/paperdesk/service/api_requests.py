"""A new portfolio's run description from an API request: the keys of a run file.

The request's ``settings`` hold the declared option keys a run file takes (``commission``,
``size_pct``, ``exposure_cap``...); ``strategies``, ``params`` (``--param`` texts) and ``symbols``
say what it trades. Keys that name a file on the server (``data``, ``quotes``, ``factor_file``,
``benchmark_data``, ``strategy_path``) are refused: the API never opens a path a client names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from paperdesk.config import RunConfig
from paperdesk.domain import limits
from paperdesk.domain.errors import OptionError
from paperdesk.service.run_files import DECLARED, MergedOptions, strategy_specs

SERVER_PATH_KEYS = ("data", "quotes", "factor_file", "benchmark_data", "strategy_path")


def api_portfolio_config(
    settings: Mapping[str, object],
    *,
    strategies: Sequence[str],
    params: Sequence[str],
    symbols: Sequence[str],
) -> RunConfig:
    """The run description of ``settings`` (run-file keys, dashes or underscores); every error
    names the field as ``settings.KEY``."""
    options: dict[str, object | None] = {}
    for raw_key, value in settings.items():
        key = raw_key.replace("-", "_")
        if key in SERVER_PATH_KEYS:
            raise OptionError(
                f"settings.{raw_key}: the API does not read files on the server (import the "
                "bars into the bar store with `paperdesk data import` instead)"
            )
        if key not in DECLARED:
            known = ", ".join(k for k in DECLARED if k not in SERVER_PATH_KEYS)
            raise OptionError(f"settings.{raw_key}: unknown key (expected one of: {known})")
        options[key] = value
    merged = MergedOptions(options, None)
    labels = {name: f"settings.{name}" for name in merged.values}
    watched = list(dict.fromkeys(limits.symbol_value(s, "symbols") for s in symbols))
    document = merged.declared_document()
    document.setdefault("source", {}).setdefault("adjust", "raw")
    document["strategies"] = list(strategy_specs(strategies, params))
    document["symbols"] = watched
    document["strategy_paths"] = []
    document.setdefault("timeframe", "1d")
    return RunConfig.parse(document, labels)
