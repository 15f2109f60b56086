"""The findings of a data quality check and the report that gathers them (see ``quality``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from paperdesk.domain import InvalidInputError, Timeframe
from paperdesk.domain.durations import human_duration

LIST_LIMIT = 100


@dataclass(frozen=True, slots=True)
class Gap:
    """Trading time with no bar: ``[start, end)`` and about how many bars are missing."""

    start: datetime
    end: datetime
    missing: int


LONG_GAP_SESSIONS = 2  # a gap missing two sessions of trading time or more is worth a warning


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _is_intraday(timeframe: str) -> bool:
    try:
        return Timeframe.parse(timeframe).is_intraday
    except InvalidInputError:
        return True


@dataclass(frozen=True, slots=True)
class DataGaps:
    """The gaps of a run's bars against its calendar (found as ``paperdesk data check`` finds
    them): how many and the bars they miss, and the long ones, longest first: those missing at
    least ``LONG_GAP_SESSIONS`` sessions of trading time (daily bars: sessions; intraday:
    missing bars x bar length against the calendar's typical session, 6.5 h for XNYS, a day
    for FX and 24/7), so a holiday the calendar does not know or a late open is no warning."""

    calendar: str
    count: int = 0
    missing_bars: int = 0
    long: tuple[Gap, ...] = ()
    long_from_bars: int = LONG_GAP_SESSIONS  # the missing bars that make a gap long

    @classmethod
    def of(cls, gaps: list[Gap], calendar: str, bar_seconds: int, session_seconds: int) -> DataGaps:
        """Intraday ``bar_seconds`` (below a day), daily bars (one per session), or bars of
        several sessions (``nd``, weeks, months: one missing bar misses two sessions or more)."""
        minimum = LONG_GAP_SESSIONS
        if bar_seconds < 86400:
            minimum = -(-LONG_GAP_SESSIONS * session_seconds // max(bar_seconds, 1))
        elif bar_seconds > 86400:
            minimum = 1
        long = sorted(
            (gap for gap in gaps if gap.missing >= minimum),
            key=lambda gap: (-gap.missing, gap.start),
        )
        total = sum(gap.missing for gap in gaps)
        return cls(calendar, len(gaps), total, tuple(long), minimum)

    def warning(self, symbol: str, timeframe: str, shown: int = 3) -> tuple[str, str] | None:
        """The words of a run's warning about its long gaps, None without one: what the gaps
        risk with the ``shown`` longest named (dates and lengths), and their totals (a report
        adds where to see them all)."""
        if not self.long:
            return None
        intraday = _is_intraday(timeframe)
        moment = "%Y-%m-%d %H:%M" if intraday else "%Y-%m-%d"
        named = "; ".join(
            f"{gap.start:{moment}} to {gap.end:{moment}} "
            f"({human_duration(gap.end - gap.start)}, {_count(gap.missing, 'bar')})"
            for gap in self.long[:shown]
        )
        which = f"the longest {shown}: " if len(self.long) > shown else ""
        risk = (
            f"the {symbol} {timeframe} bars miss two sessions or more of trading time "
            f"({self.calendar} calendar) in {_count(len(self.long), 'place')}, and the run may "
            f"hold a position across such a gap as if the price had moved in one bar: "
            f"{which}{named}"
        )
        totals = (
            f"{_count(self.count, 'gap')} in all, about {_count(self.missing_bars, 'missing bar')}"
        )
        return risk, totals

    def to_dict(self, limit: int = LIST_LIMIT) -> dict[str, Any]:
        return {
            "calendar": self.calendar,
            "gaps": self.count,
            "missing_bars": self.missing_bars,
            "long_gap_bars": self.long_from_bars,
            "long_gaps": [
                {"start": gap.start.isoformat(), "end": gap.end.isoformat(), "missing": gap.missing}
                for gap in self.long[:limit]
            ],
            "long_gaps_count": len(self.long),
        }


@dataclass(frozen=True, slots=True)
class Duplicate:
    ts: datetime
    count: int


@dataclass(frozen=True, slots=True)
class Outlier:
    ts: datetime
    previous_close: float
    close: float
    simple_return: float


@dataclass(frozen=True, slots=True)
class Run:
    """``length`` consecutive bars from ``start`` to ``end`` (bar open times, inclusive)."""

    start: datetime
    end: datetime
    length: int


@dataclass(frozen=True, slots=True)
class ReplayStand:
    """Where a replay portfolio stands in a series: the bars it has served (``at``: the label
    of the last, None before the first) and the bars left. A replay's series is history, not
    a feed: how old its last bar is says nothing of its health."""

    portfolio_id: int
    at: datetime | None
    served: int
    remaining: int

    @property
    def text(self) -> str:
        where = f"at the bar of {self.at:%Y-%m-%d %H:%M} UTC" if self.at else "no bar served yet"
        total = self.served + self.remaining
        return (
            f"replay of portfolio {self.portfolio_id}: {where}, {self.served} of {total} bars "
            f"served, {self.remaining} left"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "portfolio_id": self.portfolio_id,
            "at": None if self.at is None else self.at.isoformat(),
            "served": self.served,
            "remaining": self.remaining,
            "text": self.text,
        }


@dataclass(slots=True)
class QualityReport:
    symbol: str
    timeframe: str
    calendar: str
    bars: int
    first: datetime | None
    last: datetime | None
    outlier_threshold: float
    stale_run: int
    zero_volume_run: int
    gaps: list[Gap] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    off_session: list[datetime] = field(default_factory=list)
    outliers: list[Outlier] = field(default_factory=list)
    zero_volume_runs: list[Run] = field(default_factory=list)
    stale_runs: list[Run] = field(default_factory=list)
    no_volume: bool = False
    now: datetime | None = None
    last_close: datetime | None = None
    last_bar_age: timedelta | None = None
    feed_stale: bool = False
    replay: ReplayStand | None = None  # the series as a replay portfolio serves it
    live_portfolios: tuple[int, ...] | None = None  # trading it live (None: not looked at)

    def of_replay(self, stand: ReplayStand) -> QualityReport:
        """This report for a replay portfolio's series: no staleness (the replay's clock, not
        the wall clock's, decides which bars are served), and where the replay stands."""
        self.replay = stand
        self.feed_stale = False
        return self

    def of_feed(self, live_portfolios: tuple[int, ...]) -> QualityReport:
        """This report knowing which live portfolios trade the series: their feed, whose age
        is judged by the wall clock; with none, history (a bundled sample, an import), which
        ends where it ends: no staleness, only where it ends and how long ago."""
        self.live_portfolios = live_portfolios
        if not live_portfolios:
            self.feed_stale = False
        return self

    @property
    def history(self) -> bool:
        """Whether the series is known to be no live portfolio's feed (``of_feed``)."""
        return self.live_portfolios == ()

    @property
    def missing_bars(self) -> int:
        return sum(gap.missing for gap in self.gaps)

    @property
    def warnings(self) -> list[str]:
        """One line per problem found (empty when the series is clean)."""
        found: list[str] = []
        if self.gaps:
            found.append(f"{len(self.gaps)} gap(s), about {self.missing_bars} missing bar(s)")
        if self.duplicates:
            found.append(f"{len(self.duplicates)} duplicated bar time(s)")
        if self.off_session:
            found.append(f"{len(self.off_session)} bar(s) outside {self.calendar} sessions")
        if self.outliers:
            found.append(
                f"{len(self.outliers)} return(s) beyond {self.outlier_threshold:.0%} (outliers)"
            )
        if self.zero_volume_runs:
            found.append(
                f"{len(self.zero_volume_runs)} run(s) of >= {self.zero_volume_run} zero-volume bars"
            )
        if self.stale_runs:
            found.append(f"{len(self.stale_runs)} run(s) of >= {self.stale_run} identical bars")
        if self.feed_stale and self.last_bar_age is not None:
            age = human_duration(self.last_bar_age)
            found.append(f"feed is stale: last bar closed {age} before now")
        return found

    @property
    def ok(self) -> bool:
        return not self.warnings

    def to_dict(self, limit: int = LIST_LIMIT) -> dict[str, Any]:
        """A JSON-ready dict (times ISO-8601; each list cut to ``limit`` items, with counts)."""

        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, timedelta):
                return value.total_seconds()
            if isinstance(value, dict):
                return {key: convert(item) for key, item in value.items()}
            return value

        result: dict[str, Any] = {
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "calendar": self.calendar,
            "bars": self.bars,
            "first": convert(self.first),
            "last": convert(self.last),
            "ok": self.ok,
            "warnings": self.warnings,
            "thresholds": {
                "outlier_threshold": self.outlier_threshold,
                "stale_run": self.stale_run,
                "zero_volume_run": self.zero_volume_run,
            },
            "missing_bars": self.missing_bars,
            "no_volume": self.no_volume,
            "now": convert(self.now),
            "last_close": convert(self.last_close),
            "last_bar_age_seconds": convert(self.last_bar_age),
            "feed_stale": self.feed_stale,
            "replay": None if self.replay is None else self.replay.to_dict(),
            "live_portfolios": None if self.live_portfolios is None else list(self.live_portfolios),
            "history": self.history,
        }
        for name in ("gaps", "duplicates", "outliers", "zero_volume_runs", "stale_runs"):
            items = getattr(self, name)
            result[name] = [convert(asdict(item)) for item in items[:limit]]
            result[f"{name}_count"] = len(items)
        result["off_session"] = [convert(item) for item in self.off_session[:limit]]
        result["off_session_count"] = len(self.off_session)
        return result
