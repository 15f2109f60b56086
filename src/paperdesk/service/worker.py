"""The monitor worker (``paperdesk worker``): every interval, each due active portfolio's round.

A round of one portfolio, under a work lease claimed from the ledger (``store/leases.py``):

1. refresh prices where the portfolio's source needs it (``refresh``: a hook; bundled and
   replay sources need nothing, the live source fetches inside its tick path);
2. tick each due symbol through the exactly-once runner, one bar per transaction, walking
   missed bars in order; the runner triggers stops, take-profits and resting orders. The
   symbols are the watched ones and every one held or ordered outside the watch list (a
   portfolio without one trades what it is asked to), read with the settings;
3. mark the portfolio to market when no bar moved it (a live price may have);
4. the events leave through the outbox, written in the same transactions;

and after each round, ``after_round`` (``paperdesk worker`` delivers the due webhooks there).

Any number of workers can share a PostgreSQL ledger: a lease is claimed with ``FOR UPDATE SKIP
LOCKED``, renewed after every tick and taken over once expired (a dead worker's work), and the
tick records' uniqueness makes a double tick impossible even when a slow worker overlaps its
successor. On SQLite (one writer) run one worker. ``stop()`` (a signal handler) is honoured
between ticks: the tick in progress always finishes its transaction.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from paperdesk.config import RunConfig, SourceKind
from paperdesk.data.clock import Clock
from paperdesk.domain import PaperdeskError
from paperdesk.domain.leases import WorkLease
from paperdesk.domain.ticks import BarTick, TickStatus
from paperdesk.service.portfolios import PortfolioService
from paperdesk.service.worker_schedule import due_symbols, next_due

log = logging.getLogger(__name__)

PriceRefresh = Callable[[int, RunConfig, Sequence[str]], None]
MarketOpen = Callable[[RunConfig, str, datetime], bool]
Wait = Callable[[float], None]

DEFAULT_LEASE_SECONDS = 60.0
SHORTEST_WAIT = 0.05  # seconds: a worker never spins


def worker_name() -> str:
    """A name unique to this process (host, pid and a random part: pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def market_is_open(settings: RunConfig, symbol: str, moment: datetime) -> bool:
    """Whether ``symbol``'s market (its instrument's calendar) is open at ``moment``; a symbol
    the data layer cannot place counts as open, so its tick reports the clear error."""
    from paperdesk.data.calendars import market_calendar
    from paperdesk.data.instruments import instrument_for

    try:
        instrument = instrument_for(symbol, settings.source.asset_class_of(symbol))
        return market_calendar(instrument.calendar).is_open(moment)
    except PaperdeskError:
        return True


def no_refresh(portfolio_id: int, settings: RunConfig, symbols: Sequence[str]) -> None:
    """Bundled and replay portfolios have nothing to fetch: their bars are already stored."""


@dataclass(slots=True)
class PortfolioRound:
    """What one portfolio's round did."""

    portfolio_id: int
    symbols: list[str] = field(default_factory=list)
    ticks: list[BarTick] = field(default_factory=list)
    marked: bool = False
    errors: list[str] = field(default_factory=list)
    lease_lost: bool = False
    finished: bool = False

    @property
    def bars(self) -> int:
        return sum(1 for tick in self.ticks if tick.status is TickStatus.PROCESSED)

    @property
    def fills(self) -> int:
        return sum(len(tick.fills) for tick in self.ticks)


@dataclass(frozen=True, slots=True)
class WorkerRound:
    number: int
    portfolios: tuple[PortfolioRound, ...]
    # when a round found nothing to claim: the first moment one can be (a portfolio falls due,
    # or another worker's hold expires); None with no active portfolio or when it worked one
    next_claimable: datetime | None = None
    ended_at: datetime | None = None  # by the worker's clock


class Worker:
    """Runs the due rounds of the active portfolios until stopped (module docstring)."""

    def __init__(
        self,
        portfolios: PortfolioService,
        *,
        clock: Clock,
        interval: float = 60.0,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        portfolio_ids: Sequence[int] | None = None,
        holder: str | None = None,
        is_open: MarketOpen = market_is_open,
        refresh: PriceRefresh = no_refresh,
        wait: Wait | None = None,
        on_round: Callable[[WorkerRound], None] | None = None,
        after_round: Callable[[datetime], object] | None = None,
    ) -> None:
        if interval <= 0 or lease_seconds <= 0:
            raise ValueError("the interval and the lease must be positive")
        self._portfolios = portfolios
        self._clock = clock
        self.interval = interval
        self._lease = timedelta(seconds=lease_seconds)
        self._only = tuple(portfolio_ids) if portfolio_ids else None
        self.holder = holder or worker_name()
        self._is_open = is_open
        self._refresh = refresh
        self._stopped = threading.Event()
        self._wait = wait or self._stopped.wait
        self._on_round = on_round
        self._after_round = after_round
        self.rounds = 0

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def stop(self) -> None:
        """End after the tick in progress (safe from a signal handler)."""
        self._stopped.set()

    def run(self, max_rounds: int | None = None) -> int:
        """Run rounds until stopped (or ``max_rounds`` of them), sleeping until a lease can
        next be claimed or the interval passes, whichever is first; returns how many ran."""
        first = self.rounds
        while not self.stopped:
            try:
                self.run_round()
            except Exception:  # the ledger unreachable for a moment: log, wait, try again
                log.exception("round %s failed; the next round retries", self.rounds)
            if max_rounds is not None and self.rounds - first >= max_rounds:
                break
            if not self.stopped:
                self._wait(self._pause())
        return self.rounds - first

    def run_round(self) -> WorkerRound:
        """Claim and work every portfolio due now, each at most once."""
        self.rounds += 1
        database = self._portfolios.database
        with database.transaction() as repository:
            repository.leases.enrol(self._clock.now(), self._only)
        done: list[PortfolioRound] = []
        worked: set[int] = set()
        while not self.stopped:
            now = self._clock.now()
            with database.transaction() as repository:
                lease = repository.leases.claim(
                    self.holder, now, now + self._lease, self._only, exclude=worked
                )
            if lease is None:
                break
            worked.add(lease.portfolio_id)
            done.append(self._work(lease))
        idle = not done and not self.stopped
        next_claimable = self._earliest_claimable() if idle else None
        report = WorkerRound(self.rounds, tuple(done), next_claimable, self._clock.now())
        if self._after_round is not None:  # e.g. deliver the webhooks the round's events made due
            try:
                self._after_round(self._clock.now())
            except Exception:
                log.exception("round %s: the after-round work failed", self.rounds)
        _log_round(report)
        if self._on_round is not None:
            self._on_round(report)
        return report

    # ------------------------------------------------------------------------ one portfolio

    def _work(self, lease: WorkLease) -> PortfolioRound:
        portfolio_id = lease.portfolio_id
        result = PortfolioRound(portfolio_id)
        started = self._clock.now()
        settings: RunConfig | None = None
        try:
            settings, traded = self._portfolios.round_symbols(portfolio_id)
            result.symbols = due_symbols(
                settings,
                traded,
                started,
                lease.last_round_at,
                lambda symbol, moment: self._is_open(settings, symbol, moment),
            )
            if result.symbols:
                self._refresh(portfolio_id, settings, result.symbols)
            for symbol in result.symbols:
                self._tick_symbol(result, symbol)
                if self.stopped or result.lease_lost:
                    break
            else:
                result.finished = True
                if _needs_mark(settings, result):
                    self._portfolios.mark_to_market(portfolio_id)
                    result.marked = True
        except PaperdeskError as error:  # one bad portfolio does not stop the others
            result.errors.append(str(error))
            result.finished = True
        except Exception as error:  # logged with its traceback; the worker carries on
            log.exception("portfolio %s: the round failed", portfolio_id)
            result.errors.append(f"{type(error).__name__}: {error}")
            result.finished = True
        finally:
            self._release(result, settings, started)
        return result

    def _tick_symbol(self, result: PortfolioRound, symbol: str) -> None:
        """Tick ``symbol`` one bar at a time (renewing the lease between bars) until it is up
        to date, the worker stops or the lease was lost."""
        while True:
            ticks = self._portfolios.tick(result.portfolio_id, symbol, catch_up=False)
            result.ticks.extend(ticks)
            if not self._renew(result.portfolio_id):
                result.lease_lost = True
                log.warning("portfolio %s: lease taken over by another worker", result.portfolio_id)
                return
            last = ticks[-1]
            if self.stopped or not last.processed or last.behind == 0:
                return

    def _renew(self, portfolio_id: int) -> bool:
        with self._portfolios.database.transaction() as repository:
            now = self._clock.now()
            return repository.leases.renew(portfolio_id, self.holder, now + self._lease)

    def _release(
        self, result: PortfolioRound, settings: RunConfig | None, started: datetime
    ) -> None:
        now = self._clock.now()
        if not result.finished:  # stopped midway: due again at once, for whichever worker
            due, round_at = now, None
        elif settings is None:
            due, round_at = now + timedelta(seconds=self.interval), started
        else:
            due, round_at = next_due(settings, now, self.interval), started
        with self._portfolios.database.transaction() as repository:
            repository.leases.release(result.portfolio_id, self.holder, round_at, due)

    def _earliest_claimable(self) -> datetime | None:
        with self._portfolios.database.reading() as repository:
            return repository.leases.earliest_claimable(self._only)

    def _pause(self) -> float:
        """Seconds until a lease can next be claimed (due, and not held by a live worker), at
        most the interval (which also picks up new portfolios)."""
        try:
            earliest = self._earliest_claimable()
        except PaperdeskError:  # the ledger unreachable: the next round says so
            return self.interval
        if earliest is None:
            return self.interval
        seconds = (earliest - self._clock.now()).total_seconds()
        return min(self.interval, max(seconds, SHORTEST_WAIT))


def _needs_mark(settings: RunConfig, result: PortfolioRound) -> bool:
    """Mark only when a price may have moved without a bar: a replay's prices move with its
    bars (each tick records the equity), and a closed market's do not move at all."""
    if settings.source.kind is SourceKind.REPLAY or not result.symbols:
        return False
    return result.bars == 0


def _log_round(report: WorkerRound) -> None:
    if not report.portfolios:
        log.debug("round %s: nothing due", report.number)
        return
    for done in report.portfolios:
        parts = [
            f"{len(done.symbols)} symbol(s) due",
            f"{done.bars} bar(s)",
            f"{done.fills} fill(s)",
        ]
        if done.marked:
            parts.append("marked")
        if done.lease_lost:
            parts.append("lease lost")
        if not done.finished:
            parts.append("interrupted")
        log.info("round %s: portfolio %s: %s", report.number, done.portfolio_id, ", ".join(parts))
        for error in done.errors:
            log.warning("round %s: portfolio %s: %s", report.number, done.portfolio_id, error)
