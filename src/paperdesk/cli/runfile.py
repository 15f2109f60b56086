"""Merge a TOML run file with command-line options (which win) into one BacktestConfig."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

from paperdesk.cli import values
from paperdesk.cli.sections import execution_config, risk_config, sizing_config
from paperdesk.cli.values import OptionError
from paperdesk.domain import InvalidInputError, Timeframe
from paperdesk.service import BacktestConfig

OPTION_NAMES = (
    "strategy",
    "data",
    "symbol",
    "timeframe",
    "cash",
    "commission",
    "slippage_bps",
    "spread_pips",
    "fill",
    "from",
    "to",
    "sizer",
    "size_pct",
    "quantity",
    "risk_pct",
    "lots",
    "size_at",
    "allow_short",
    "pyramiding",
    "exposure_cap",
    "max_position_pct",
    "max_open_positions",
    "max_holding_bars",
    "daily_loss_limit",
    "min_confidence",
    "cooldown_bars",
    "volume_cap",
)
SOURCE_NAMES = ("data", "symbol")

T = TypeVar("T")
Parser = Callable[[object, str], T]


@dataclass(frozen=True, slots=True)
class RunFile:
    """The options and strategy parameters of a TOML run file, keys normalised to underscores."""

    path: Path
    options: dict[str, object] = field(default_factory=dict)
    params: dict[str, object] = field(default_factory=dict)


def read_run_file(path: Path) -> RunFile:
    """Read and check a run file; a relative ``data`` path is made relative to its directory."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle, parse_float=Decimal)
    except FileNotFoundError:
        raise OptionError(f"run file not found: {path}") from None
    except OSError as error:
        raise OptionError(f"cannot read run file {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise OptionError(f"malformed TOML in run file {path}: {error}") from None
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
    if "data" in options:
        data = values.text_value(options["data"], f"'data' in {path}")
        options["data"] = path.parent / Path(data).expanduser()
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


class Settings:
    """Merged option values, each remembering where it came from for error messages."""

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
            self.labels[name] = "--" + name.replace("_", "-")

    def has(self, name: str) -> bool:
        return name in self.values

    def label(self, name: str) -> str:
        return self.labels.get(name, "--" + name.replace("_", "-"))

    def pair(self, name: str) -> tuple[object, str]:
        return self.values[name], self.label(name)

    def get(self, name: str, parse: Parser[T], default: T) -> T:
        """The parsed value of ``name``, or ``default`` when neither source gives it."""
        if name not in self.values:
            return default
        value, label = self.pair(name)
        return parse(value, label)


def build_config(
    cli_options: Mapping[str, object | None],
    cli_params: Sequence[str] = (),
    run_file: Path | None = None,
) -> BacktestConfig:
    """The run described by a run file overlaid with the options given on the command line.

    ``cli_options`` maps run-file key names (underscores) to values, None meaning not given;
    ``cli_params`` are the ``key=value`` texts of ``--param``.
    """
    file = read_run_file(run_file) if run_file is not None else None
    settings = Settings(cli_options, file)
    params = dict(file.params) if file is not None else {}
    params.update(values.parse_param(text) for text in cli_params)
    if not settings.has("strategy"):
        raise OptionError(
            "no strategy given: pass --strategy NAME or set 'strategy' in the run file"
        )
    data, symbol = data_source(settings)
    start = settings.get("from", values.date_value, None)
    end = settings.get("to", values.date_value, None)
    if start is not None and end is not None and start > end:
        raise OptionError(f"{settings.label('from')} {start} is after {settings.label('to')} {end}")
    return BacktestConfig(
        strategy=settings.get("strategy", values.text_value, ""),
        params=params,
        data=data,
        symbol=symbol,
        timeframe=settings.get("timeframe", timeframe_value, None),
        cash=settings.get("cash", values.decimal_value, Decimal("10000")),
        start=start,
        end=end,
        sizing=sizing_config(settings),
        risk=risk_config(settings),
        execution=execution_config(settings),
    )


def data_source(settings: Settings) -> tuple[Path | None, str | None]:
    """A CSV file (which must exist), a bundled symbol, or a file with the symbol it holds.

    With a file, ``symbol`` names the instrument (so ``--data fx.csv --symbol EURUSD`` trades a
    forex pair with its pip and tick); without one it selects bundled data.
    """
    symbol = settings.get("symbol", values.text_value, "") or None
    if not settings.has("data"):
        if symbol is None:
            raise OptionError(
                "no data given: pass --data FILE.csv or --symbol SYM (with --timeframe)"
            )
        return None, symbol
    value, label = settings.pair("data")
    path = value if isinstance(value, Path) else Path(values.text_value(value, label)).expanduser()
    if not path.is_file():
        raise OptionError(f"data file not found: {path} (from {label})")
    return path, symbol


def timeframe_value(value: object, label: str) -> str:
    text = values.text_value(value, label)
    try:
        return str(Timeframe.parse(text))
    except InvalidInputError:
        raise values.invalid(
            label, value, "a timeframe such as 1m, 5m, 1h, 1d, 1w or 1mo"
        ) from None
