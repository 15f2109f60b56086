"""Build the run description from what a person typed: command-line options over a TOML run file.

The keys are the declared option keys of ``RunConfig`` (``paperdesk.config``), plus ``strategy``,
``symbol``, ``strategy_path`` and a ``[params]`` table; a value given on the command line wins
over the run file's, and every message names where the bad value was set (``--size-pct`` or
``'size_pct' in run.toml``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from paperdesk.config import RunConfig, SourceConfig, StrategySpec, declared_options
from paperdesk.config.options import DeclaredOption
from paperdesk.domain import limits
from paperdesk.domain import parsing as values
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import field_mark

DECLARED: dict[str, DeclaredOption] = {item.key: item for item in declared_options(RunConfig)}
RUN_KEYS = ("strategy", "symbol", "strategy_path")
OPTION_NAMES = (*RUN_KEYS, *DECLARED)
SOURCE_NAMES = ("data", "symbol")
DEFAULT_STRATEGY = "macd-cross"


@dataclass(frozen=True, slots=True)
class RunFile:
    """The options and strategy parameters of a TOML run file, keys normalised to underscores."""

    path: Path
    options: dict[str, object] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)


def read_run_file(path: Path) -> RunFile:
    """Read and check a run file; a relative ``data``, ``quotes``, ``benchmark_data``,
    ``factor_file`` or ``strategy_path`` is made relative to its directory."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise OptionError(f"run file not found: {path}") from None
    except OSError as error:
        raise OptionError(f"cannot read run file {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise OptionError(f"malformed TOML in run file {path}: {error}") from None
    except UnicodeDecodeError as error:
        raise OptionError(
            f"run file {path} is not UTF-8 text (byte {error.start}: {error.reason})"
        ) from None
    if "indicator" in document and "strategy" not in document:
        raise OptionError(
            f"run file {path} describes an indicator (its key 'indicator'), not a run: "
            f"paperdesk indicator --config {path} reads it"
        )
    options: dict[str, object] = {}
    params: dict[str, object] = {}
    for key, value in document.items():
        if key == "params":
            if not isinstance(value, dict):
                raise OptionError(f"'params' in run file {path} must be a table ([params])")
            params = {name: plain_param(item) for name, item in value.items()}
            continue
        name = key.replace("-", "_")
        if name not in OPTION_NAMES:
            known = ", ".join((*OPTION_NAMES, "params"))
            raise OptionError(f"unknown key {key!r} in run file {path} (expected one of: {known})")
        if name in options:
            raise OptionError(f"key {key!r} is given twice in run file {path}")
        options[name] = value
    for name in ("data", "quotes", "benchmark_data", "factor_file", "strategy_path"):
        if name in options:
            text = values.text_value(options[name], f"'{name}' in {path}")
            relative = path.parent / Path(text).expanduser()
            options[name] = relative if name != "strategy_path" or relative.exists() else text
    return RunFile(path, options, params)


def plain_param(value: object) -> object:
    """Strategy parameters get plain floats for TOML floats (read as Decimal for the options)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [plain_param(item) for item in value]
    if isinstance(value, dict):
        return {key: plain_param(item) for key, item in value.items()}
    return value


def cli_label(key: str) -> str:
    declared = DECLARED.get(key)
    return declared.option.cli_flag if declared is not None else "--" + key.replace("_", "-")


class MergedOptions:
    """Option values from a run file overlaid by the command line, each with its label."""

    def __init__(self, cli_options: Mapping[str, object | None], run_file: RunFile | None) -> None:
        self.values: dict[str, object] = {}
        self.labels: dict[str, str] = {}
        unknown = set(cli_options) - set(OPTION_NAMES)
        if unknown:
            raise ValueError(f"not run options: {sorted(unknown)}")
        given = {name: value for name, value in cli_options.items() if value is not None}
        if run_file is not None:
            source_on_command_line = any(name in given for name in SOURCE_NAMES)
            for name, value in run_file.options.items():
                if source_on_command_line and name in SOURCE_NAMES:
                    continue  # --data or --symbol replaces the file's data source as a whole
                self.values[name] = value
                self.labels[name] = f"'{name}' in {run_file.path.name}"
        for name, value in given.items():
            self.values[name] = value
            self.labels[name] = cli_label(name)

    def has(self, name: str) -> bool:
        return name in self.values

    def label(self, name: str) -> str:
        return self.labels.get(name, cli_label(name))

    def declared_document(self) -> dict[str, Any]:
        """The declared options given, nested as the run description's fields are."""
        document: dict[str, Any] = {}
        for key, value in self.values.items():
            declared = DECLARED.get(key)
            if declared is None:
                continue
            *sections, name = declared.path
            target = document
            for section in sections:
                target = target.setdefault(section, {})
            target[name] = value
        return document


def build_config(
    cli_options: Mapping[str, object | None],
    cli_params: Sequence[str] = (),
    run_file: Path | None = None,
) -> RunConfig:
    """A backtest's run description: a run file overlaid with the command line's options.

    ``cli_options`` maps option keys (underscores) to values, None meaning not given;
    ``cli_params`` are the ``key=value`` texts of ``--param``.
    """
    file = read_run_file(run_file) if run_file is not None else None
    merged = MergedOptions(cli_options, file)
    params = dict(file.params) if file is not None else {}
    params.update(values.parse_param(text) for text in cli_params)
    if not merged.has("strategy"):
        raise OptionError(
            "no strategy given: pass --strategy NAME or set 'strategy' in the run file"
        )
    strategy = values.text_value(merged.values["strategy"], merged.label("strategy"))
    symbol = _symbol(merged)
    if not merged.has("data") and symbol is None:
        raise OptionError("no data given: pass --data FILE.csv or --symbol SYM (with --timeframe)")
    document = merged.declared_document()
    document["strategies"] = [StrategySpec(strategy, params)]
    document["symbols"] = [symbol] if symbol else []
    document["strategy_paths"] = _paths(merged)
    config = RunConfig.parse(document, merged.labels)
    for key, what in (("data", "data file"), ("quotes", "quote file")):
        path = getattr(config, key)
        problem = None if path is None else values.file_problem(what, path)
        if problem is not None:
            raise OptionError(f"{problem} (from {merged.label(key)})")
    return config


def portfolio_config(
    cli_options: Mapping[str, object | None],
    *,
    strategies: Sequence[str],
    params: Sequence[str],
    symbols: Sequence[str],
    data: Sequence[str],
    strategy_paths: Sequence[str] = (),
    asset_class: str | None = None,
    quotes: Sequence[str] = (),
) -> RunConfig:
    """A new portfolio's run description from ``create-portfolio``'s options; ``asset_class``
    is the class of every symbol it trades (for symbols paperdesk does not know); ``quotes``
    the ``SYMBOL=FILE.csv`` quote files of its symbols."""
    merged = MergedOptions(cli_options, None)
    files = data_files(data)
    quote_files = data_files(quotes, "--quotes", "quote file")
    watched = list(dict.fromkeys(limits.symbol_value(s, "--symbol") for s in symbols))
    watched += [symbol for symbol in files if symbol not in watched]
    watched += [symbol for symbol in quote_files if symbol not in watched]
    document = merged.declared_document()
    source = document.setdefault("source", {})
    source["files"] = files
    source.setdefault("adjust", "raw")  # a portfolio sees what a broker showed that day
    if source.get("factor_file") is not None:  # read again at every tick, from anywhere
        source["factor_file"] = str(Path(str(source["factor_file"])).expanduser().resolve())
    source["quote_files"] = quote_files
    if asset_class is not None:
        kind = asset_class.strip().lower()
        source["asset_classes"] = dict.fromkeys(watched, kind)
    document["strategies"] = list(strategy_specs(strategies, params))
    document["symbols"] = watched
    document["strategy_paths"] = [absolute_path_spec(path) for path in strategy_paths]
    document.setdefault("timeframe", "1d")
    return RunConfig.parse(document, merged.labels)


def strategy_specs(
    names: Sequence[str],
    params: Sequence[str],
    current: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[StrategySpec, ...]:
    """Strategies with their ``--param`` values: ``name.key=value`` targets one strategy,
    ``key=value`` is allowed when there is only one. ``current`` holds parameters the values
    are laid over (a portfolio's, when it is edited)."""
    chosen = [n.strip() for n in names] or [DEFAULT_STRATEGY]
    for name in chosen:
        if chosen.count(name) > 1:
            raise OptionError(
                f"invalid value for {field_mark('strategies', '--strategy')}: {name!r} is given "
                "twice (each strategy runs once; give its parameters with "
                f"{field_mark('params', '--param')})"
            )
    assigned = {name: dict((current or {}).get(name, {})) for name in chosen}
    for text in params:
        key, value = values.parse_param(text)
        owner, dot, name = key.rpartition(".")
        if not dot:
            if len(chosen) != 1:
                raise OptionError(
                    f"{field_mark('params', '--param')} {text!r}: with several strategies write "
                    f"strategy.key=value (strategies: {', '.join(chosen)})"
                )
            owner, name = chosen[0], key
        if owner not in assigned:
            raise OptionError(
                f"{field_mark('params', '--param')} {text!r}: {owner!r} is not one of the "
                f"strategies ({', '.join(chosen)})"
            )
        assigned[owner][name] = value
    return tuple(StrategySpec(name, assigned[name]) for name in chosen)


def data_files(
    entries: Sequence[str], flag: str = "--data", what: str = "data file"
) -> dict[str, str]:
    """``SYMBOL=FILE.csv`` pairs (the files must exist) as symbol -> absolute path."""
    files: dict[str, str] = {}
    for entry in entries:
        symbol, separator, name = entry.partition("=")
        if not separator or not name.strip():
            raise OptionError(f"invalid value for {flag}: {entry!r} (expected SYMBOL=FILE.csv)")
        symbol = limits.symbol_value(symbol, flag)
        path = Path(name.strip()).expanduser()
        problem = values.file_problem(what, path)
        if problem is not None:
            raise OptionError(f"{problem} (from {flag} {entry})")
        files[symbol] = str(path.resolve())
    return files


def absolute_path_spec(spec: str) -> str:
    """A ``file.py[:Class]`` plug-in path made absolute (a portfolio loads it from any working
    directory later); ``module:Class`` stays as it is."""
    text = spec.strip()
    head, separator, attribute = text.rpartition(":")
    file_part, rest = (head, separator + attribute) if head.endswith(".py") else (text, "")
    if not file_part.endswith(".py"):
        return text
    return str(Path(file_part).expanduser().resolve()) + rest


def _symbol(merged: MergedOptions) -> str | None:
    if not merged.has("symbol"):
        return None
    return limits.symbol_value(merged.values["symbol"], merged.label("symbol"))


def _paths(merged: MergedOptions) -> list[str]:
    if not merged.has("strategy_path"):
        return []
    raw = merged.values["strategy_path"]
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [absolute_path_spec(str(item)) for item in items]


__all__ = [
    "OPTION_NAMES",
    "RunFile",
    "SourceConfig",
    "build_config",
    "data_files",
    "portfolio_config",
    "read_run_file",
    "strategy_specs",
]
