"""The run description (``RunConfig``): one model for backtests and paper portfolios alike.

Every option is declared once, on its field (see ``paperdesk.config.options``): its run-file key,
command-line flag, help, unit and parser. The CLI builds ``backtest`` and ``create-portfolio``
options from these declarations, run files use the keys, portfolios store the model as JSON
(``model_dump(mode="json")``) and the API takes the same model as its request body.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from paperdesk.config.account import AccountConfig
from paperdesk.config.model import ConfigModel
from paperdesk.config.options import BACKTEST, PORTFOLIO, Option, Panel
from paperdesk.config.replay import replay_interval_value, stale_after_value
from paperdesk.config.statistics import StatisticsConfig
from paperdesk.domain import AssetClass, InvalidInputError, Timeframe, limits
from paperdesk.domain import parsing as values
from paperdesk.domain.errors import OptionError
from paperdesk.domain.fields import marked, setting_mark


class FillTiming(StrEnum):
    """When a market order from a bar's signal fills."""

    NEXT_OPEN = "next-open"  # the open of the next bar (default: no look-ahead)
    CLOSE = "close"  # the close of the signal bar (explicit opt-in)


class MarkPrice(StrEnum):
    """The price open positions are marked at (the equity curve, snapshots, unrealized P&L)."""

    TRADE = "trade"  # the bar's (trade) close (default)
    MID = "mid"  # the bar's quote mid at the close, (bid + ask) / 2, when the bar has a quote


class SizeTiming(StrEnum):
    """When an entry's quantity is decided."""

    SIGNAL = "signal"  # at the signal bar's close price (default)
    FILL = "fill"  # at the fill price, from the equity available then (all-in sizing)


class SizingMethod(StrEnum):
    PERCENT_EQUITY = "percent-equity"
    FIXED = "fixed"
    RISK = "risk"
    LOTS = "lots"
    TARGET_PERCENT = "target-percent"  # Lean's SetHoldings


class TradingSession(StrEnum):
    """Which hours intraday US equity bars trade in (see ``paperdesk.data.sessions``)."""

    REGULAR = "regular"  # 09:30-16:00 New York, early closes included (default)
    EXTENDED = "extended"  # every bar the data holds, pre- and post-market too


class Adjustment(StrEnum):
    """Which prices a run trades: raw, or adjusted with a Lean factor file."""

    RAW = "raw"  # the prices traded that day (what a broker showed)
    SPLIT = "split"  # splits removed (Lean's SplitAdjusted)
    SPLIT_DIVIDEND = "split-dividend"  # splits and dividends removed (Lean's Adjusted)


class SourceKind(StrEnum):
    """Where a portfolio's bars come from: closed on the wall clock, replayed one per tick, or
    fetched from the price providers as they close (``live``, see ``paperdesk.live.feed``)."""

    BUNDLED = "bundled"
    REPLAY = "replay"
    LIVE = "live"


# ------------------------------------------------------------------------------------ parsers
def _positive(value: object, label: str) -> Decimal:
    return values.decimal_value(value, label)


def _percent(value: object, label: str) -> Decimal:
    return values.decimal_value(value, label, maximum=Decimal(100), places=None)


def _buffer_percent(value: object, label: str) -> Decimal:
    """At least 0 and below 100 (a buffer of the whole portfolio would leave nothing to buy)."""
    expected = "a number at least 0 and below 100"
    try:
        number = values.decimal_value(value, label, allow_zero=True, places=None)
    except OptionError:
        raise values.invalid(label, value, expected) from None
    if number >= 100:
        raise values.invalid(label, value, expected)
    return number


def _optional_percent(value: object, label: str) -> Decimal | None:
    return values.optional_decimal(value, label, maximum=Decimal(100))


def _non_negative(value: object, label: str) -> Decimal:
    return values.decimal_value(value, label, allow_zero=True)


def _fraction_of_one(value: object, label: str) -> Decimal | None:
    return values.optional_decimal(value, label, maximum=Decimal(1))


def _count(value: object, label: str) -> int:
    return values.integer_value(value, label)


def _choice(choices: type[StrEnum]) -> Any:
    def parse(value: object, label: str) -> StrEnum:
        return values.choice_value(value, label, choices)

    return parse


def timeframe_value(value: object, label: str) -> str:
    text = values.text_value(value, label)
    try:
        return str(Timeframe.parse(text))
    except InvalidInputError:
        raise values.invalid(
            label, value, "a timeframe such as 1m, 5m, 1h, 1d, 1w or 1mo"
        ) from None


def path_value(value: object, label: str) -> Path:
    if isinstance(value, Path):
        return value
    return Path(values.text_value(value, label)).expanduser()


def symbols_value(value: object, label: str) -> tuple[str, ...]:
    """A list of symbols (upper-cased, each once); a single string is refused."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise values.invalid(label, value, "a list of symbols")
    symbols = [limits.symbol_value(item, label) for item in value]
    return tuple(dict.fromkeys(symbols))


def _panel(panel: Panel) -> Any:
    def declare(key: str, help_text: str, parse: Any, metavar: str, **extra: Any) -> Option:
        return Option(key, help_text, parse, metavar, panel, **extra)

    return declare


_sizing, _risk, _execution, _data = (
    _panel(Panel.SIZING),
    _panel(Panel.RISK),
    _panel(Panel.EXECUTION),
    _panel(Panel.DATA),
)


# ------------------------------------------------------------------------------------ models
class SizingConfig(ConfigModel):
    """Which sizer turns an accepted signal into a quantity."""

    method: Annotated[
        SizingMethod,
        _sizing("sizer", "percent-equity, fixed, risk, lots or target-percent (a position of "
                "--size-pct of portfolio value, as Lean's SetHoldings).",
                _choice(SizingMethod), "SIZER"),
    ] = SizingMethod.PERCENT_EQUITY  # fmt: skip
    percent: Annotated[
        Decimal,
        _sizing("size_pct", "Percent of equity per entry.", _percent, "PCT", unit="%"),
    ] = Decimal("80")
    quantity: Annotated[
        Decimal, _sizing("quantity", "Units per entry (fixed sizer).", _positive, "N")
    ] = Decimal("1")
    risk_percent: Annotated[
        Decimal,
        _sizing(
            "risk_pct", "Percent of equity risked to the stop (risk sizer).", _percent, "PCT",
            unit="%",
        ),
    ] = Decimal("1")  # fmt: skip
    lots: Annotated[
        Decimal, _sizing("lots", "Forex lots per entry (lots sizer).", _positive, "N", unit="lots")
    ] = Decimal("1")
    free_buffer_percent: Annotated[
        Decimal,
        _sizing("free_buffer_pct", "Percent of portfolio value target-percent sizing keeps "
                "free (Lean's FreePortfolioValuePercentage).", _buffer_percent, "PCT",
                unit="%"),
    ] = Decimal("0.25")  # fmt: skip
    timing: Annotated[
        SizeTiming,
        _sizing("size_at", "Decide the quantity at the signal or at the fill.",
                _choice(SizeTiming), "signal|fill"),
    ] = SizeTiming.SIGNAL  # fmt: skip


class RiskConfig(ConfigModel):
    """Filter and risk rules of the signal router (None disables a rule)."""

    min_confidence: Annotated[
        float,
        _risk("min_confidence", "Ignore signals below this confidence (0-1).",
              values.fraction_value, "X"),
    ] = 0.0  # fmt: skip
    allowed_symbols: Annotated[
        tuple[str, ...],
        _risk("allowed_symbols", "Trade only these symbols.", symbols_value, "SYM",
              commands=frozenset()),
    ] = ()  # fmt: skip
    cooldown_bars: Annotated[
        int,
        _risk("cooldown_bars", "Bars to wait after an accepted signal before the next one for "
              "the symbol.", _count, "N", unit="bars"),
    ] = 0  # fmt: skip
    pyramiding: Annotated[
        bool,
        _risk("pyramiding", "Allow adding to a position.", values.flag_value, "",
              off_flag="--no-pyramiding"),
    ] = False  # fmt: skip
    allow_short: Annotated[
        bool,
        _risk("allow_short", "Allow short entries.", values.flag_value, "",
              off_flag="--long-only"),
    ] = False  # fmt: skip
    exposure_cap_percent: Annotated[
        Decimal | None,
        _risk("exposure_cap", "Gross exposure cap in percent of equity, or none.",
              values.optional_decimal, "PCT|none", unit="%"),
    ] = Decimal("80")  # fmt: skip
    max_position_percent: Annotated[
        Decimal | None,
        _risk("max_position_pct", "Max position size in percent of equity.",
              _optional_percent, "PCT", unit="%"),
    ] = None  # fmt: skip
    max_open_positions: Annotated[
        int | None, _risk("max_open_positions", "Max open positions.", values.optional_integer,
                          "N")
    ] = None  # fmt: skip
    max_holding_bars: Annotated[
        int | None,
        _risk("max_holding_bars", "Exit after this many bars.", values.optional_integer, "N",
              unit="bars"),
    ] = None  # fmt: skip
    daily_loss_limit_percent: Annotated[
        Decimal | None,
        _risk("daily_loss_limit", "Stop entering after losing this percent in a day.",
              _optional_percent, "PCT", unit="%"),
    ] = None  # fmt: skip


class ExecutionConfig(ConfigModel):
    """How the simulated venue fills orders and what it costs."""

    fill_timing: Annotated[
        FillTiming,
        _execution("fill", "When market orders fill.", _choice(FillTiming), "next-open|close"),
    ] = FillTiming.NEXT_OPEN
    commission: Annotated[
        str,
        _execution("commission", "Fee model: none, percent:P, per-share:R[:min=M][:max-pct=P], "
                   "per-lot:A or per-contract:A.", limits.commission_value, "SPEC"),
    ] = "none"  # fmt: skip
    slippage_bps: Annotated[
        Decimal,
        _execution("slippage_bps", "Slippage in basis points.", _non_negative, "N", unit="bps"),
    ] = Decimal("5")
    spread_pips: Annotated[
        Decimal | None,
        _execution("spread_pips", "Forex spread in pips (forex pairs pay half of it instead of "
                   "the bps slippage).", values.optional_decimal, "N", unit="pips"),
    ] = None  # fmt: skip
    volume_cap: Annotated[
        Decimal | None,
        _execution("volume_cap", "Max fraction of a bar's volume filled per bar.",
                   _fraction_of_one, "FRACTION"),
    ] = None  # fmt: skip
    session: Annotated[
        TradingSession,
        _execution("session", "Hours intraday US equity bars trade in: regular (09:30-16:00 "
                   "New York; signals on other bars are rejected, orders wait) or extended "
                   "(every bar).", _choice(TradingSession), "regular|extended"),
    ] = TradingSession.REGULAR  # fmt: skip
    mark: Annotated[
        MarkPrice,
        _execution("mark", "Mark positions at the trade close, or at the bid/ask mid of bars "
                   "that have a quote.", _choice(MarkPrice), "trade|mid"),
    ] = MarkPrice.TRADE  # fmt: skip


class StrategySpec(ConfigModel):
    """One strategy of a run and its parameters (checked against the strategy when it is built)."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)

    def __init__(self, name: str, params: Mapping[str, Any] | None = None, **data: Any) -> None:
        super().__init__(name=name, params=dict(params or {}), **data)


class SourceConfig(ConfigModel):
    """Where a paper portfolio's bars come from.

    ``bundled``: the DataManager's bars (or ``files``), visible once closed on the wall clock.
    ``replay``: the same bars served as if live, starting at the first bar on or after
    ``replay_from`` (the bars before it are the strategies' history), paced by the replay
    clock: with ``replay_interval`` None (``manual``) each tick serves the next bar; with an
    interval, the bars due are those of the whole intervals of wall time elapsed since
    ``replay_started_at`` (set when the portfolio is created), so a retried or overlapping
    tick within one interval serves nothing new.
    """

    kind: Annotated[
        SourceKind,
        _data("source", "Market data source of a portfolio.", _choice(SourceKind),
              "bundled|replay|live", commands=frozenset({PORTFOLIO})),
    ] = SourceKind.BUNDLED  # fmt: skip
    files: dict[str, str] = Field(default_factory=dict)  # symbol -> CSV path
    # symbol -> quote CSV (bid and ask OHLC and sizes) merged with its bars by timestamp
    quote_files: dict[str, str] = Field(default_factory=dict)
    # symbol -> asset class of a symbol paperdesk does not know (``--asset-class``)
    asset_classes: dict[str, str] = Field(default_factory=dict)
    replay_from: Annotated[
        date | None,
        _data("replay_from", "First bar a replay serves.", values.date_value, "DATE",
              commands=frozenset({PORTFOLIO})),
    ] = None  # fmt: skip
    replay_interval: Annotated[
        Decimal | None,
        _data("replay_interval", "Replay clock: manual (each tick serves the next bar) or the "
              "wall time per bar, e.g. 1s, 1m, 1d (ticks within one interval serve nothing "
              "new).", replay_interval_value, "manual|DURATION",
              commands=frozenset({PORTFOLIO}), shown_default="manual"),
    ] = None  # fmt: skip
    replay_started_at: datetime | None = None  # the replay clock's start (wall time, UTC)
    stale_after: Annotated[
        Decimal | None,
        _data("stale_after", "Live feed: how long a bar the calendar expects may be missing "
              "before the feed is reported stale, e.g. 30s, 5m, 1h.", stale_after_value,
              "DURATION", commands=frozenset({PORTFOLIO}),
              shown_default="the bar's length intraday (at least 1m), 1h for daily bars"),
    ] = None  # fmt: skip
    adjust: Annotated[
        Adjustment | None,
        _data("adjust", "Prices: raw, split or split-dividend (adjusted with the symbol's Lean "
              "factor file, as Lean's SplitAdjusted and Adjusted modes).", _choice(Adjustment),
              "raw|split|split-dividend",
              shown_default="backtest: split-dividend for a US equity with a factor file, "
              "else raw; portfolio: raw"),
    ] = None  # fmt: skip
    factor_file: Annotated[
        Path | None,
        _data("factor_file", "Lean factor file of the symbol.", path_value, "FILE",
              shown_default="the bundled one, if any"),
    ] = None  # fmt: skip

    def __init__(self, kind: SourceKind | str = SourceKind.BUNDLED, **data: Any) -> None:
        super().__init__(kind=kind, **data)

    def asset_class_of(self, symbol: str) -> str | None:
        """The asset class this portfolio was told ``symbol`` is, if it was told one."""
        return self.asset_classes.get(symbol.strip().upper())

    def file_for(self, symbol: str) -> Path | None:
        path = self.files.get(symbol)
        return Path(path) if path else None

    def quotes_for(self, symbol: str) -> Path | None:
        path = self.quote_files.get(symbol)
        return Path(path) if path else None

    @model_validator(mode="after")
    def _known_asset_classes(self) -> SourceConfig:
        known = [member.value for member in AssetClass]
        for symbol, asset_class in self.asset_classes.items():
            if asset_class not in known:
                raise OptionError(
                    f"asset class {asset_class!r} of {symbol} is not known; "
                    f"expected one of {', '.join(known)}"
                )
        return self

    @model_validator(mode="after")
    def _replay_from_needs_replay(self) -> SourceConfig:
        if self.replay_from is not None and self.kind is not SourceKind.REPLAY:
            raise OptionError(
                f"{setting_mark('replay_from')} only applies to {setting_mark('source')} replay"
            )
        if self.replay_interval is not None and self.kind is not SourceKind.REPLAY:
            raise OptionError(
                f"{setting_mark('replay_interval')} only applies to {setting_mark('source')} replay"
            )
        if self.stale_after is not None and self.kind is not SourceKind.LIVE:
            raise OptionError(
                f"{setting_mark('stale_after')} only applies to {setting_mark('source')} live"
            )
        if self.factor_file is not None and self.adjust is Adjustment.RAW:
            raise OptionError(
                f"{setting_mark('factor_file')} {self.factor_file} is used only for adjusted "
                f"prices, and this run trades raw ones: give {setting_mark('adjust')} split or "
                f"{setting_mark('adjust')} split-dividend, or drop {setting_mark('factor_file')}"
            )
        started = self.replay_started_at
        if started is not None and started.utcoffset() is None:
            raise OptionError(f"replay_started_at must name its time zone, got {started}")
        return self


class RunConfig(ConfigModel):
    """Everything a backtest or a paper portfolio runs with; every assumption is explicit."""

    strategies: tuple[StrategySpec, ...] = (StrategySpec("macd-cross"),)
    strategy_paths: tuple[str, ...] = ()  # plug-ins loaded by path: module:Class or file.py
    symbols: tuple[str, ...] = ()
    timeframe: Annotated[
        str | None,
        _data("timeframe", "Bar length, e.g. 1d, 1h.", timeframe_value, "TF",
              shown_default="1d, or a --data file's own"),
    ] = None  # fmt: skip
    data: Annotated[
        Path | None,
        _data("data", "OHLCV CSV file.", path_value, "FILE.csv", commands=frozenset({BACKTEST})),
    ] = None
    quotes: Annotated[
        Path | None,
        _data("quotes", "Quote CSV (timestamp,bid_open,...,ask_size) merged by timestamp with "
              "the bars of --data or of the symbol.", path_value, "FILE.csv",
              commands=frozenset({BACKTEST})),
    ] = None  # fmt: skip
    start: Annotated[
        date | None,
        _data("from", "First day (YYYY-MM-DD).", values.date_value, "DATE", flag="--from",
              commands=frozenset({BACKTEST})),
    ] = None  # fmt: skip
    end: Annotated[
        date | None,
        _data("to", "Last day (YYYY-MM-DD).", values.date_value, "DATE", flag="--to",
              commands=frozenset({BACKTEST})),
    ] = None  # fmt: skip
    cash: Annotated[
        Decimal,
        Option("cash", "Starting cash.", _positive, "N", commands=frozenset({BACKTEST})),
    ] = Decimal("10000")
    source: SourceConfig = SourceConfig()
    sizing: SizingConfig = SizingConfig()
    risk: RiskConfig = RiskConfig()
    execution: ExecutionConfig = ExecutionConfig()
    statistics: StatisticsConfig = StatisticsConfig()
    account: AccountConfig = AccountConfig()

    @model_validator(mode="before")
    @classmethod
    def _single_strategy_shorthand(cls, data: Any) -> Any:
        """``strategy=``, ``params=`` and ``symbol=`` stand for a one-strategy, one-symbol run
        (``RunConfig(strategy="sma-cross", params={"fast": 5}, symbol="SPY")``)."""
        if not isinstance(data, Mapping) or not {"strategy", "params", "symbol"} & set(data):
            return data
        document = dict(data)
        if "strategy" in document or "params" in document:
            if "strategies" in document:
                raise OptionError("give either strategy= (with params=) or strategies=, not both")
            name = document.pop("strategy", None)
            if not isinstance(name, str) or not name.strip():
                raise OptionError(f"invalid value for strategy: {name!r} (expected a name)")
            document["strategies"] = (StrategySpec(name.strip(), document.pop("params", None)),)
        if "symbol" in document:
            if "symbols" in document:
                raise OptionError("give either symbol= or symbols=, not both")
            symbol = document.pop("symbol")
            document["symbols"] = () if symbol is None else (symbol,)
        return document

    @field_validator("symbols", mode="before")
    @classmethod
    def _checked_symbols(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(limits.symbol_value(item, "symbol") for item in value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> RunConfig:
        if not self.strategies:
            raise OptionError("a run needs at least one strategy")
        names = [spec.name for spec in self.strategies]
        if len(set(names)) != len(names):
            raise OptionError(f"strategies are listed twice: {', '.join(names)}")
        if self.source.factor_file is not None and len(self.symbols) > 1:
            raise OptionError(
                f"{setting_mark('factor_file')} {self.source.factor_file} is the factor file of "
                f"one symbol; this run trades {', '.join(self.symbols)} (the bundled factor files "
                "cover SPY and AAPL)"
            )
        if self.start is not None and self.end is not None and self.start > self.end:
            raise OptionError(
                f"{setting_mark('from')} {self.start} is after {setting_mark('to')} {self.end}"
            )
        return self

    @classmethod
    def _merge(cls, document: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
        if {"strategy", "params"} & set(changes):
            first = document.pop("strategies")[0]
            document["strategy"], document["params"] = first.name, first.params
        if "symbol" in changes:
            document.pop("symbols")
        return {**document, **changes}

    # the single-strategy, single-symbol view a backtest reads
    @property
    def strategy(self) -> str:
        return self.strategies[0].name

    @property
    def params(self) -> Mapping[str, Any]:
        return self.strategies[0].params

    @property
    def symbol(self) -> str | None:
        return self.symbols[0] if self.symbols else None

    @property
    def bar_timeframe(self) -> str:
        """The timeframe a portfolio's bars are read in (1d unless set)."""
        return self.timeframe or "1d"

    def strategy_spec(self, name: str) -> StrategySpec:
        for spec in self.strategies:
            if spec.name == name:
                return spec
        listed = ", ".join(spec.name for spec in self.strategies)
        raise InvalidInputError(f"this portfolio does not run strategy {name!r} (it runs {listed})")

    def to_json(self) -> dict[str, Any]:
        """The stored form (exact decimals as strings, dates in ISO format)."""
        document: dict[str, Any] = self.model_dump(mode="json")
        return document

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> RunConfig:
        """The run description stored as ``document``; any problem is "malformed settings"."""
        try:
            return cls.parse(document)
        except InvalidInputError as error:
            raise InvalidInputError(f"malformed portfolio settings: {marked(error)}") from None
