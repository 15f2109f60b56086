"""``portfolio edit``: a portfolio's stored run description with the options given changed.

Only what is given changes: declared options (``--max-position-pct 50``), the strategies
(``--strategy`` replaces the list; ``--param`` alone changes parameters of the strategies it
already runs), the watch list (``--symbol``; ``--no-symbols`` empties it), data files
(``--data``, added to the others) and plug-in paths. The result is checked by the same parsers
as ``create-portfolio``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from paperdesk.config import RunConfig
from paperdesk.domain import limits
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark, setting_mark
from paperdesk.service.run_files import (
    MergedOptions,
    absolute_path_spec,
    data_files,
    strategy_specs,
)


def edited_config(
    current: RunConfig,
    cli_options: Mapping[str, object | None],
    *,
    strategies: Sequence[str] = (),
    params: Sequence[str] = (),
    symbols: Sequence[str] = (),
    data: Sequence[str] = (),
    strategy_paths: Sequence[str] = (),
    no_symbols: bool = False,
) -> RunConfig:
    """``current`` with the given options applied (``no_symbols``: the watch list emptied);
    raises naming the bad value."""
    merged = MergedOptions(cli_options, None)
    document = current.to_json()
    _overlay(document, merged.declared_document())
    if strategies:
        document["strategies"] = [spec.model_dump() for spec in strategy_specs(strategies, params)]
    elif params:
        names = [spec.name for spec in current.strategies]
        kept = {spec.name: spec.params for spec in current.strategies}
        document["strategies"] = [
            spec.model_dump() for spec in strategy_specs(names, params, current=kept)
        ]
    files = data_files(data)
    if files:
        document["source"]["files"] = {**document["source"].get("files", {}), **files}
    if symbols or files:
        watched = list(
            dict.fromkeys(
                limits.symbol_value(s, field_mark("symbols", "--symbol")) for s in symbols
            )
        )
        if not watched:
            watched = list(current.symbols)
        watched += [symbol for symbol in files if symbol not in watched]
        document["symbols"] = watched
    if no_symbols:
        document["symbols"] = []
    if strategy_paths:
        document["strategy_paths"] = [absolute_path_spec(path) for path in strategy_paths]
    factor_file = merged.values.get("factor_file")
    if factor_file is not None:  # read at every tick, from any working directory
        document["source"]["factor_file"] = str(Path(str(factor_file)).expanduser().resolve())
    return RunConfig.parse(document, merged.labels).with_changes(cash=current.cash)


def _overlay(target: dict[str, Any], changes: Mapping[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _overlay(target[key], value)
        else:
            target[key] = value


def setting_changes(before: RunConfig, after: RunConfig) -> dict[str, dict[str, object]]:
    """What differs, as dotted keys (``risk.max_position_percent``) with "from" and "to"."""
    changes: dict[str, dict[str, object]] = {}
    _diff("", before.to_json(), after.to_json(), changes)
    return changes


def _diff(prefix: str, old: object, new: object, changes: dict[str, dict[str, object]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict) and not prefix.endswith("files"):
        for key in sorted({*old, *new}):
            _diff(
                f"{prefix}{key}" if not prefix else f"{prefix}.{key}",
                old.get(key),
                new.get(key),
                changes,
            )
    elif old != new:
        changes[prefix] = {"from": old, "to": new}


def check_settings_change(
    portfolio_id: int,
    before: RunConfig,
    after: RunConfig,
    positions: Sequence[str],
    working_orders: Sequence[str],
) -> None:
    """Refuse changes a running portfolio cannot take: a different bar timeframe or data source
    while it holds positions or working orders (its bar counts and marks are in the old bars),
    and a watch list without a symbol it still holds or has orders in (dropped from a list, or
    a list given to a portfolio that watched none, that is every symbol: its strategies would
    not watch what it holds)."""
    busy = sorted({*positions, *working_orders})
    for key, old, new in (
        ("timeframe", before.bar_timeframe, after.bar_timeframe),
        ("source", before.source.kind.value, after.source.kind.value),
        ("adjust", _adjust(before), _adjust(after)),
        ("factor_file", str(before.source.factor_file), str(after.source.factor_file)),
        # futures equity is cash plus the margin and variation the contract terms derive
        ("account", *_futures_kinds(before, after)),
        ("multiplier", str(before.account.multiplier), str(after.account.multiplier)),
        ("initial_margin", str(before.account.initial_margin), str(after.account.initial_margin)),
    ):
        if old != new and busy:
            raise OptionError(
                f"invalid value for {setting_mark(key)}: {new!r}: portfolio {portfolio_id} still "
                f"has positions or open orders in {', '.join(busy)} (close and cancel them first)"
            )
    dropped = [symbol for symbol in busy if symbol not in after.symbols]
    if dropped and after.symbols:
        raise OptionError(
            f"invalid value for {field_mark('symbols', '--symbol')}: portfolio {portfolio_id} "
            f"still has positions or open orders in {', '.join(dropped)}; keep them in the watch "
            "list or close them first"
        )


def _futures_kinds(before: RunConfig, after: RunConfig) -> tuple[str, str]:
    """The account kinds when either is futures (cash and margin accounts share the books)."""
    kinds = before.account.kind.value, after.account.kind.value
    return kinds if "futures" in kinds else ("", "")


def _adjust(settings: RunConfig) -> str:
    """The prices a portfolio trades (raw unless it says otherwise)."""
    return settings.source.adjust.value if settings.source.adjust is not None else "raw"
