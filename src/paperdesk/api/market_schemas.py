"""Response models of prices and market data: candles and latest prices with provenance,
imports, quality reports and providers. Prices are decimal strings; times ISO-8601 UTC."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from paperdesk.api.schemas import Money, OptionalMoney
from paperdesk.api.times import Document
from paperdesk.service.market_data import ImportReport, ProviderStatus, QualityReport
from paperdesk.service.prices import Candle, CandlePage, LatestPrice, Provenance


class ProvenanceOut(BaseModel):
    origin: str | None = Field(description="the layer that served the bars: cache, parquet, "
                               "store or bundled")  # fmt: skip
    loaded_from: str | None = Field(description="the layer behind a cache hit")
    as_of: datetime = Field(description="the clock's time of the read: bars closed by then")

    @classmethod
    def of(cls, provenance: Provenance) -> ProvenanceOut:
        return cls(
            origin=provenance.origin,
            loaded_from=provenance.loaded_from,
            as_of=provenance.as_of,
        )


class CandleOut(BaseModel):
    ts_open: datetime
    ts_close: datetime
    open: Money
    high: Money
    low: Money
    close: Money
    volume: Money
    source: str | None = Field(description="the provider or file that gave the bar")
    closed: bool = Field(description="always true: a bar still forming is not returned")

    @classmethod
    def of(cls, candle: Candle) -> CandleOut:
        return cls(**{name: getattr(candle, name) for name in cls.model_fields})


class LatestPriceOut(BaseModel):
    symbol: str
    timeframe: str
    price: Money = Field(description="the close of the last closed bar")
    ts: datetime = Field(description="when that bar closed")
    bid: OptionalMoney
    ask: OptionalMoney
    candle: CandleOut
    provenance: ProvenanceOut

    @classmethod
    def of(cls, latest: LatestPrice) -> LatestPriceOut:
        return cls(
            symbol=latest.symbol,
            timeframe=latest.timeframe,
            price=latest.price,
            ts=latest.candle.ts_close,
            bid=latest.bid,
            ask=latest.ask,
            candle=CandleOut.of(latest.candle),
            provenance=ProvenanceOut.of(latest.provenance),
        )


class LatestPricesOut(BaseModel):
    items: list[LatestPriceOut]
    missing: list[str] = Field(description="symbols no layer holds bars of")


class CandlePageOut(BaseModel):
    symbol: str
    timeframe: str
    items: list[CandleOut] = Field(description="oldest first")
    next_cursor: str | None = Field(description="the page of older candles (None: no more)")
    provenance: ProvenanceOut

    @classmethod
    def of(cls, page: CandlePage, next_cursor: str | None) -> CandlePageOut:
        return cls(
            symbol=page.symbol,
            timeframe=page.timeframe,
            items=[CandleOut.of(c) for c in page.candles],
            next_cursor=next_cursor,
            provenance=ProvenanceOut.of(page.provenance),
        )


class ChartTimeframesOut(BaseModel):
    base: str = Field(description="the bar length asked about (normalised: 1D -> 1d)")
    timeframes: list[str] = Field(
        description="base, then the coarser timeframes resampled from it, finest first"
    )
    bar_lengths: list[str] = Field(description="the bar lengths series are stored in")


class ImportOut(BaseModel):
    filename: str
    symbol: str
    timeframe: str
    source: str
    rows_read: int
    rows_written: int
    first: datetime | None
    last: datetime | None
    layout: str
    notes: list[str]

    @classmethod
    def of(cls, report: ImportReport, filename: str) -> ImportOut:
        return cls(
            filename=filename,
            symbol=report.symbol,
            timeframe=report.timeframe,
            source=report.source,
            rows_read=report.rows_read,
            rows_written=report.rows_written,
            first=report.first,
            last=report.last,
            layout=str(report.layout),
            notes=list(report.notes),
        )


class ReplayOut(BaseModel):
    """Where a replay portfolio stands in the series: the label of the last bar it served
    (null before the first), the bars served and left, and the sentence saying so."""

    portfolio_id: int
    at: datetime | None
    served: int
    remaining: int
    text: str


class QualityOut(BaseModel):
    symbol: str
    timeframe: str
    calendar: str
    bars: int
    first: datetime | None
    last: datetime | None
    missing_bars: int
    gaps: list[Document]
    duplicates: int
    off_session: int
    outliers: int
    zero_volume_runs: int
    stale_runs: int
    no_volume: bool
    last_close: datetime | None
    last_bar_age_seconds: float | None
    feed_stale: bool
    history: bool = Field(
        description="no live portfolio the key may see trades the series (a bundled sample, an "
        "import): it ends where it ends and is never called stale"
    )
    replay: ReplayOut | None = None
    warnings: list[str]

    @classmethod
    def of(cls, report: QualityReport) -> QualityOut:
        age = report.last_bar_age
        return cls(
            symbol=report.symbol,
            timeframe=report.timeframe,
            calendar=report.calendar,
            bars=report.bars,
            first=report.first,
            last=report.last,
            missing_bars=report.missing_bars,
            gaps=[{"start": g.start, "end": g.end, "missing": g.missing} for g in report.gaps],
            duplicates=len(report.duplicates),
            off_session=len(report.off_session),
            outliers=len(report.outliers),
            zero_volume_runs=len(report.zero_volume_runs),
            stale_runs=len(report.stale_runs),
            no_volume=report.no_volume,
            last_close=report.last_close,
            last_bar_age_seconds=None if age is None else age.total_seconds(),
            feed_stale=report.feed_stale,
            history=report.history,
            replay=None if report.replay is None else ReplayOut(**report.replay.to_dict()),
            warnings=report.warnings,
        )


class ProviderOut(BaseModel):
    """A price provider's quota and circuit (never its key's value)."""

    name: str
    enabled: bool
    skipped_reason: str | None
    blocked_reason: str | None
    per_day: int | None
    used_today: int | None
    left_today: int | None
    per_minute: int | None
    used_this_minute: int | None
    circuit: str | None
    open_until: datetime | None
    last_error: str | None

    @classmethod
    def of(cls, status: ProviderStatus) -> ProviderOut:
        fields = {name: getattr(status, name) for name in cls.model_fields}
        fields["circuit"] = status.circuit if status.enabled else None  # as the CLI shows it
        return cls(**fields)
