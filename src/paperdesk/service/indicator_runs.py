"""Indicator values from a CSV file, for ``paperdesk indicator`` and its run files: read the file,
compute one indicator by name and pick the rows asked for (by label or the last N)."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from paperdesk.analysis.indicator_catalogue import (
    INDICATORS,
    compute_indicator,
    indicator_spec,
    resolve_parameters,
)
from paperdesk.domain.errors import OptionError
from paperdesk.domain.parsing import file_problem

__all__ = ["DEFAULT_LAST", "IndicatorRun", "describe_indicators", "read_indicator_file"]

DEFAULT_LAST = 10
RUN_FILE_KEYS = ("indicator", "data", "column", "at", "last", "params")


@dataclass(frozen=True, slots=True)
class IndicatorRun:
    """What to compute: an indicator over a CSV file, with parameters, which column is the
    close (default ``close``, in any case), and the rows to show (labels, else the last N)."""

    indicator: str
    data: Path
    params: Mapping[str, object] = field(default_factory=dict)
    column: str | None = None
    at: tuple[str, ...] = ()
    last: int | None = None

    def run(self) -> dict[str, Any]:
        """The document: the indicator, its resolved parameters, the file, and one entry per
        chosen row (0-based row, label, each line's value; None during the warm-up)."""
        spec = indicator_spec(self.indicator)
        parameters = resolve_parameters(spec, self.params)
        frame, labels = _read(self.data, spec.columns, self.column)
        lines = compute_indicator(spec, frame, parameters)
        rows = self._rows(labels)
        values = [
            {
                "row": row,
                "label": labels[row],
                **{line: _number(series[row]) for line, series in lines.items()},
            }
            for row in rows
        ]
        return {
            "indicator": spec.name,
            "params": parameters,
            "data": str(self.data),
            "bars": len(labels),
            "lines": list(spec.lines),
            "values": values,
        }

    def _rows(self, labels: Sequence[str]) -> list[int]:
        if self.last is not None and self.last < 1:
            raise OptionError(f"--last must be at least 1, got {self.last}")
        if not self.at:
            count = self.last or DEFAULT_LAST
            return list(range(max(len(labels) - count, 0), len(labels)))
        chosen: list[int] = []
        for wanted in self.at:
            text = str(wanted).strip()
            exact = [row for row, label in enumerate(labels) if label == text]
            matches = exact or [row for row, label in enumerate(labels) if label.startswith(text)]
            if len(matches) != 1:
                found = "no row" if not matches else f"{len(matches)} rows"
                raise OptionError(
                    f"--at {text!r}: {found} of {self.data.name} labelled so (labels run from "
                    f"{labels[0]!r} to {labels[-1]!r}); give a label or its unique start"
                )
            chosen.append(matches[0])
        if self.last is not None:
            chosen = chosen[-self.last :]
        return chosen


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _read(
    path: Path, columns: tuple[str, ...], close_column: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """The file's numeric ``columns`` (the close from ``close_column`` when given) and its first
    column's text as the row labels."""
    problem = file_problem("data file", path)
    if problem is not None:
        raise OptionError(problem)
    try:
        # the header read as a row: pandas would rename a repeated name ("close.1") and take
        # a first column without a name for the index, each row's fields then one place off
        table = pd.read_csv(path, dtype=str, keep_default_na=False, header=None, index_col=False)
    except FileNotFoundError:
        raise OptionError(f"data file not found: {path}") from None
    except pd.errors.EmptyDataError:
        raise OptionError(f"data file {path} is empty: no header line") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise OptionError(f"cannot read data file {path}: {error}") from None
    header = [name.strip() for name in table.iloc[0]]
    raw = table.iloc[1:].reset_index(drop=True)
    raw.columns = pd.Index(header)
    if raw.empty or len(raw.columns) < 2:
        raise OptionError(f"data file {path} holds no rows of a label and prices")
    frame = pd.DataFrame(index=raw.index)
    for column in columns:
        wanted = close_column if column == "close" and close_column else column
        matches = [name for name in header if name.lower() == wanted.strip().lower()]
        if len(matches) > 1:
            raise OptionError(
                f"data file {path.name} names the column {wanted!r} {len(matches)} times "
                f"({', '.join(map(repr, matches))}): which one holds the prices cannot be told"
            )
        if not matches:
            hint = "; name the close with --column" if column == "close" else ""
            raise OptionError(
                f"data file {path.name} has no column {wanted!r} "
                f"(columns: {', '.join(header)}){hint}"
            )
        source = matches[0]
        numbers = pd.to_numeric(raw[source].str.strip(), errors="coerce")
        bad = ~np.isfinite(numbers.to_numpy(dtype=np.float64))
        if bad.any():
            row = int(bad.nonzero()[0][0])
            raise OptionError(
                f"data file {path.name}, line {row + 2}: column {source!r} holds "
                f"{raw[source].iloc[row]!r}, not a number"
            )
        frame[column] = numbers.astype("float64")
    labels = [text.strip() for text in raw.iloc[:, 0].tolist()]
    return frame, labels


def read_indicator_file(path: Path) -> IndicatorRun:
    """An indicator run file (TOML): ``indicator``, ``data`` (relative to the file), optional
    ``column``, ``at`` (a list of labels), ``last`` and a ``[params]`` table."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise OptionError(f"run file not found: {path}") from None
    except OSError as error:
        raise OptionError(f"cannot read run file {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise OptionError(f"cannot read run file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise OptionError(f"malformed TOML in run file {path}: {error}") from None
    if "strategy" in document and "indicator" not in document:
        raise OptionError(
            f"run file {path} describes a backtest (its key 'strategy'), not an indicator: "
            f"paperdesk backtest --config {path} reads it"
        )
    unknown = [key for key in document if key not in RUN_FILE_KEYS]
    if unknown:
        raise OptionError(
            f"unknown key {unknown[0]!r} in run file {path} "
            f"(expected one of: {', '.join(RUN_FILE_KEYS)})"
        )
    for key in ("indicator", "data"):
        if not isinstance(document.get(key), str):
            raise OptionError(f"run file {path} needs {key!r} (text)")
    params = document.get("params", {})
    at = document.get("at", [])
    last = document.get("last")
    column = document.get("column")
    if not isinstance(params, dict):
        raise OptionError(f"'params' in run file {path} must be a table ([params])")
    if not isinstance(at, list) or not all(isinstance(item, str) for item in at):
        raise OptionError(f"'at' in run file {path} must be a list of labels (text)")
    if last is not None and (isinstance(last, bool) or not isinstance(last, int)):
        raise OptionError(f"'last' in run file {path} must be a whole number")
    if column is not None and not isinstance(column, str):
        raise OptionError(f"'column' in run file {path} must be text")
    data = Path(document["data"])
    return IndicatorRun(
        indicator=document["indicator"],
        data=data if data.is_absolute() else path.parent / data,
        params=params,
        column=column,
        at=tuple(at),
        last=last,
    )


def describe_indicators() -> list[dict[str, Any]]:
    """Every indicator with its parameters' defaults, input columns and output lines."""
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "params": dict(spec.defaults),
            "columns": list(spec.columns),
            "lines": list(spec.lines),
        }
        for spec in INDICATORS.values()
    ]
