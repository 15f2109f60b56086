"""``paperdesk up``'s demo: one paced-replay portfolio and one API key, made on the first start
and reused on every later one.

The portfolio is found by its fixed name among the active portfolios, so a restart never makes
a duplicate. Its replay clock is paced (one bar every ``replay_interval`` of wall time): while
``up`` is stopped that clock would keep counting, and the next start would trade every bar
that fell due meanwhile in one burst and then stand still. So a start *resumes* the replay
instead: it moves ``replay_started_at`` so that the next bar not yet served falls due now (a
settings change, recorded in the audit log like any other). No bar is skipped or served twice:
which bars are served stays the ledger's business (the tick records), only their pace changes.

A key's token is shown once and stored only as its SHA-256, so the demo key's token is kept in
a file in ``PAPERDESK_HOME`` that only its owner can read (mode 0600); a later start reads it
back and checks it against the ledger, and makes a new key only when the file is missing or
names a key the ledger does not know or has revoked. Both steps run under a file lock in the
home, so two starts at once make one portfolio and one key.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from paperdesk.config import ExecutionConfig, RunConfig, SourceConfig, StrategySpec
from paperdesk.config.replay import describe_interval, replay_interval_value
from paperdesk.data.quality_report import ReplayStand
from paperdesk.domain.errors import OptionError
from paperdesk.service.demo import DEMO_COMMISSION, DEMO_FROM, DEMO_STRATEGIES, DEMO_SYMBOLS

if TYPE_CHECKING:
    from paperdesk.service.api_keys import ApiKeyService
    from paperdesk.service.container import Services
    from paperdesk.service.portfolios import PortfolioService

PLATFORM_PORTFOLIO_NAME = "Demo platform: paced replay of SPY and AAPL"
PLATFORM_CASH = Decimal("100000")
DEFAULT_REPLAY_INTERVAL = "2s"  # one daily bar every 2 s: the chart visibly advances
DEMO_KEY_NAME = "demo (paperdesk up)"
DEMO_KEY_SCOPE = "trade"  # the dashboard places orders and creates portfolios; not admin
KEY_FILE = "demo-api-key"
LOCK_FILE = "up.lock"
OWNER_ONLY = 0o600


@dataclass(frozen=True, slots=True)
class PlatformPortfolio:
    """The demo portfolio of ``paperdesk up`` and where its replay stands."""

    portfolio_id: int
    created: bool
    served: int  # bars of the replay served before this start (the least of its symbols)
    remaining: int  # bars still to serve (the most of its symbols): 0 once the replay ended


@dataclass(frozen=True, slots=True)
class DemoKey:
    key_id: int
    token: str
    created: bool
    path: Path  # the owner-only file holding the token


@dataclass(frozen=True, slots=True)
class PlatformDemo:
    portfolio: PlatformPortfolio
    key: DemoKey
    replay_interval: Decimal


def replay_interval_option(text: str) -> Decimal:
    """``--replay-interval``: a positive duration (``manual`` would never move the chart)."""
    seconds = replay_interval_value(text, "--replay-interval")
    if seconds is None:
        raise OptionError(
            "invalid value for --replay-interval: 'manual': paperdesk up paces the replay; "
            "give a duration such as 2s or 1m"
        )
    return seconds


def prepare_demo(container: Services, replay_interval: Decimal) -> PlatformDemo:
    """Migrate the ledger, then find or create the demo portfolio and key (module docstring)."""
    from filelock import FileLock

    home = container.settings.home
    home.mkdir(parents=True, exist_ok=True)
    container.database  # noqa: B018 (opens and migrates the ledger)
    with FileLock(str(home / LOCK_FILE)):
        portfolio = ensure_platform_portfolio(container.portfolios, replay_interval)
        key = ensure_demo_key(container.api_keys, demo_key_path(container))
    return PlatformDemo(portfolio, key, replay_interval)


def platform_settings(replay_interval: Decimal) -> RunConfig:
    """The demo's strategies, symbols, data and costs (``paperdesk demo``'s), paced."""
    return RunConfig(
        strategies=tuple(StrategySpec(name) for name in DEMO_STRATEGIES),
        symbols=DEMO_SYMBOLS,
        timeframe="1d",
        source=SourceConfig(kind="replay", replay_from=DEMO_FROM, replay_interval=replay_interval),
        execution=ExecutionConfig(commission=DEMO_COMMISSION),
    )


def ensure_platform_portfolio(
    service: PortfolioService, replay_interval: Decimal
) -> PlatformPortfolio:
    """The active portfolio named ``PLATFORM_PORTFOLIO_NAME`` (the oldest, should there be
    several), its replay resumed at ``replay_interval``; else a new one."""
    found = [s.id for s in service.list_portfolios() if s.name == PLATFORM_PORTFOLIO_NAME]
    if not found:
        settings = platform_settings(replay_interval)
        portfolio_id = service.create_portfolio(
            PLATFORM_PORTFOLIO_NAME, PLATFORM_CASH, settings=settings
        )
        served, remaining = replay_progress(service, portfolio_id)
        return PlatformPortfolio(portfolio_id, True, served, remaining)
    portfolio_id = min(found)
    served, remaining = replay_progress(service, portfolio_id)
    step = timedelta(microseconds=int(replay_interval * 1_000_000))
    started = service.clock.now() - step * served

    def resumed(current: RunConfig) -> RunConfig:
        source = current.source.with_changes(
            replay_interval=replay_interval, replay_started_at=started
        )
        return current.with_changes(source=source)

    service.edit_portfolio(portfolio_id, resumed)
    return PlatformPortfolio(portfolio_id, False, served, remaining)


def replay_progress(service: PortfolioService, portfolio_id: int) -> tuple[int, int]:
    """(bars served, bars left) of a replay portfolio: the fewest served and the most left
    over its symbols, so a resumed clock makes no symbol skip a bar."""
    settings = service.settings(portfolio_id)
    stands = [_stand(service, portfolio_id, settings, symbol) for symbol in settings.symbols]
    if not stands:
        return (0, 0)
    return min(s.served for s in stands), max(s.remaining for s in stands)


def replay_stand(service: PortfolioService, portfolio_id: int, symbol: str) -> ReplayStand | None:
    """Where replay portfolio ``portfolio_id`` stands in ``symbol`` (None: the portfolio is
    no replay, or does not trade the symbol)."""
    settings = service.settings(portfolio_id)
    if settings.source.kind != "replay" or symbol not in settings.symbols:
        return None
    return _stand(service, portfolio_id, settings, symbol)


def _stand(
    service: PortfolioService, portfolio_id: int, settings: RunConfig, symbol: str
) -> ReplayStand:
    from paperdesk.live import replay
    from paperdesk.live.sources import bar_index_at

    history = service.source.history(symbol, settings.bar_timeframe, settings.source)
    first = replay.first_index(settings, history)
    with service.database.reading() as repository:
        cursor = repository.cursor(portfolio_id, symbol)
    following = first
    at = None
    if cursor is not None and cursor.ts_bar is not None:
        following = max(bar_index_at(history, cursor.ts_bar) + 1, first)
        at = cursor.ts_bar
    return ReplayStand(portfolio_id, at, following - first, max(len(history) - following, 0))


def demo_key_path(container: Services) -> Path:
    """``<home>/demo-api-key`` for the home's own SQLite ledger; another database (a
    ``DATABASE_URL``) has its own file, since its keys are its own."""
    settings = container.settings
    database_url = settings.database_url_value()
    if database_url == settings.home_database_url():
        return settings.home / KEY_FILE
    digest = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]
    return settings.home / f"{KEY_FILE}-{digest}"


def ensure_demo_key(api_keys: ApiKeyService, path: Path) -> DemoKey:
    """The key whose token ``path`` holds, while the ledger knows it and it is not revoked;
    else a new key, its token written to ``path`` (owner-only) before it is returned."""
    token = _read_token(path)
    if token is not None:
        record = api_keys.authenticate(token)
        if record is not None and not record.is_revoked:
            _owner_only(path)
            return DemoKey(record.id, token, False, path)
    created = api_keys.create(DEMO_KEY_NAME, DEMO_KEY_SCOPE)
    _write_owner_only(path, created.token + "\n")
    return DemoKey(created.record.id, created.token, True, path)


def _read_token(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return text or None


def _write_owner_only(path: Path, text: str) -> None:
    """Write ``text`` to a new file created with mode 0600 (never readable by others, not even
    for a moment), then move it over ``path``."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(partial, OWNER_ONLY)  # O_CREAT's mode is masked by the umask; this is not
    os.replace(partial, path)


def _owner_only(path: Path) -> None:
    if path.stat().st_mode & 0o777 != OWNER_ONLY:
        os.chmod(path, OWNER_ONLY)


def describe_pace(replay_interval: Decimal) -> str:
    return f"one bar every {describe_interval(replay_interval)}"
