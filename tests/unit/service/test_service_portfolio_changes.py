"""Rename, edit and unarchive a portfolio: each one transaction, checked, audited."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from paper_service_fixtures import ledger_counts, traded_portfolio

from paperdesk.config import AccountConfig, RunConfig, SizingConfig, SourceConfig, StrategySpec
from paperdesk.domain import InvalidInputError, UnknownNameError
from paperdesk.domain.errors import PaperdeskError
from paperdesk.service.portfolio_edits import edited_config
from paperdesk.service.portfolios import PortfolioService
from paperdesk.store import Database


def _fresh(database: Database) -> tuple[PortfolioService, int]:
    service = PortfolioService(database)
    settings = RunConfig(strategies=(StrategySpec("sma-cross", {"fast": 5}),), symbols=("SPY",))
    return service, service.create_portfolio("Before", Decimal("10000"), settings=settings)


def _edit(service: PortfolioService, pid: int, **options: object) -> dict[str, dict[str, object]]:
    params = options.pop("params", ())
    strategies = options.pop("strategies", ())
    symbols = options.pop("symbols", ())
    return service.edit_portfolio(
        pid,
        lambda current: edited_config(
            current, options, strategies=strategies, params=params, symbols=symbols
        ),
    )


def test_rename_is_audited(database: Database) -> None:
    service, pid = _fresh(database)
    service.rename_portfolio(pid, "  After  ")
    assert service.show(pid).summary.name == "After"
    entry = service.audit(pid)[-1]
    assert entry.kind == "portfolio.renamed"
    assert entry.details == {"from": "Before", "to": "After"}


def test_bad_names_change_nothing(database: Database) -> None:
    service, pid = _fresh(database)
    before = ledger_counts(service)
    with pytest.raises(InvalidInputError, match="portfolio name must be 1 to 200 characters"):
        service.rename_portfolio(pid, "   ")
    with pytest.raises(InvalidInputError, match="got 'xxxx"):
        service.rename_portfolio(pid, "x" * 201)
    with pytest.raises(UnknownNameError, match="no portfolio with id 99"):
        service.rename_portfolio(99, "Other")
    assert ledger_counts(service) == before


def test_edit_changes_only_what_is_given_and_audits_each_change(database: Database) -> None:
    service, pid = _fresh(database)
    changes = _edit(service, pid, max_position_pct="25", slippage_bps="2", params=("slow=30",))
    assert changes == {
        "risk.max_position_percent": {"from": None, "to": "25"},
        "execution.slippage_bps": {"from": "5", "to": "2"},
        "strategies": {
            "from": [{"name": "sma-cross", "params": {"fast": 5}}],
            "to": [{"name": "sma-cross", "params": {"fast": 5, "slow": 30}}],
        },
    }
    settings = service.settings(pid)
    assert settings.risk.max_position_percent == Decimal("25")
    assert settings.execution.slippage_bps == Decimal("2")
    assert settings.execution.commission == "none"  # untouched
    assert settings.cash == Decimal("10000")
    entry = service.audit(pid)[-1]
    assert entry.kind == "portfolio.edited"
    assert entry.details == {"changes": changes}
    audited = len(service.audit(pid))
    assert _edit(service, pid, slippage_bps="2") == {}  # nothing new: nothing written
    assert len(service.audit(pid)) == audited


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_position_pct": "-5"}, "--max-position-pct"),
        ({"commission": "bogus"}, "--commission: 'bogus'"),
        ({"params": ("fast=abc",)}, "parameter 'fast': value 'abc' is not a valid int"),
        ({"params": ("slow=2",)}, "must be"),  # slow below fast: the strategy refuses it
        ({"strategies": ("no-such",)}, "unknown strategy 'no-such'"),
        ({"symbols": ("NOPE",)}, "NOPE"),
        # create-portfolio refuses it too: the replay would serve nothing, ever
        ({"source": "replay", "replay_from": "2030-01-01"}, "2030-01-01 is after the last SPY"),
    ],
)
def test_edits_a_tick_would_refuse_are_refused(
    database: Database, options: dict[str, object], message: str
) -> None:
    service, pid = _fresh(database)
    before = ledger_counts(service), service.settings(pid)
    with pytest.raises(PaperdeskError, match=message):
        _edit(service, pid, **options)
    assert (ledger_counts(service), service.settings(pid)) == before


def test_a_stored_replay_start_past_the_data_does_not_block_other_edits(
    database: Database,
) -> None:
    # a portfolio edited before the start was checked keeps it: other edits still go through
    # (its replay start is checked when it changes, or for a symbol added to the watch list)
    service = PortfolioService(database)
    settings = RunConfig(
        symbols=("SPY",), source=SourceConfig("replay", replay_from=date(2020, 1, 2))
    )
    pid = service.create_portfolio("Replay", Decimal("10000"), settings=settings)
    stored = settings.with_changes(cash=Decimal("10000"), timeframe="1d").to_json()
    stored["source"]["replay_from"] = "2030-01-01"
    with database.transaction() as repository:
        repository.writer.change_settings(pid, stored, {}, datetime.now(UTC))
    assert _edit(service, pid, slippage_bps="3")
    with pytest.raises(InvalidInputError, match="2030-01-01 is after the last GOOG"):
        _edit(service, pid, symbols=("SPY", "GOOG"))


def test_a_replay_start_cannot_move_once_every_symbol_was_served(database: Database) -> None:
    # a moved start applies only to a symbol whose replay has not begun: once every watched
    # symbol has been served a bar, the edit would be stored and ignored, so it is refused
    service, pid = traded_portfolio(database, ticks=2)
    before = ledger_counts(service), service.settings(pid)
    refused = r"replay.from cannot change: .*SPY up to 2020-01-03"
    with pytest.raises(InvalidInputError, match=refused):
        _edit(service, pid, replay_from="2020-03-02")
    assert (ledger_counts(service), service.settings(pid)) == before
    # with a symbol whose replay has not begun, the start is its start
    changes = _edit(service, pid, replay_from="2020-03-02", symbols=("SPY", "AAPL"))
    assert changes["source.replay_from"] == {"from": "2020-01-02", "to": "2020-03-02"}


def test_timeframe_cannot_change_under_open_orders(database: Database) -> None:
    service, pid = traded_portfolio(database, ticks=2)  # leaves a resting limit order
    before = ledger_counts(service), service.settings(pid)
    with pytest.raises(InvalidInputError, match="still has positions or open orders in SPY"):
        _edit(service, pid, timeframe="1h")
    with pytest.raises(InvalidInputError, match="still has positions or open orders in SPY"):
        _edit(service, pid, symbols=("AAPL",))
    assert (ledger_counts(service), service.settings(pid)) == before


def test_unarchive(database: Database) -> None:
    service, pid = _fresh(database)
    with pytest.raises(InvalidInputError, match=f"portfolio {pid} is not archived"):
        service.unarchive_portfolio(pid)
    service.archive_portfolio(pid)
    assert service.list_portfolios() == []
    service.unarchive_portfolio(pid)
    (summary,) = service.list_portfolios()
    assert (summary.id, summary.status) == (pid, "active")
    assert [entry.kind for entry in service.audit(pid)][-2:] == [
        "portfolio.archived",
        "portfolio.unarchived",
    ]


@pytest.mark.parametrize(
    ("options", "option"),
    [
        ({"account": "futures", "initial_margin": "50"}, "--account"),
    ],
)
def test_the_account_cannot_change_under_open_positions(
    database: Database, options: dict[str, object], option: str
) -> None:
    """A cash portfolio holding SPY switched to a futures account would lose the shares' cost
    from its equity (futures equity is cash plus blocked margin): refused, nothing changes."""
    service = PortfolioService(database)
    settings = RunConfig(strategies=(StrategySpec("buy-and-hold"),), symbols=("SPY",),
                         source=SourceConfig("replay", replay_from=date(2020, 1, 2)))  # fmt: skip
    pid = service.create_portfolio("held", Decimal("10000"), settings=settings)
    for _ in range(3):
        service.tick(pid, "SPY")
    assert service.show(pid).positions
    before = ledger_counts(service), service.settings(pid)
    with pytest.raises(InvalidInputError, match=f"invalid value for {option}: .*still has"):
        _edit(service, pid, **options)
    assert (ledger_counts(service), service.settings(pid)) == before


def test_contract_terms_cannot_change_under_an_open_futures_position(database: Database) -> None:
    """The variation and blocked margin are derived from the multiplier and the initial margin:
    changing either under an open contract would rewrite the equity; refused."""
    service = PortfolioService(database)
    account = AccountConfig(kind="futures", multiplier=Decimal(2), initial_margin=Decimal(50))
    settings = RunConfig(strategies=(StrategySpec("buy-and-hold"),), symbols=("SPY",),
                         source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
                         sizing=SizingConfig(method="fixed", quantity=Decimal(3)),
                         account=account)  # fmt: skip
    pid = service.create_portfolio("contracts", Decimal("10000"), settings=settings)
    for _ in range(3):
        service.tick(pid, "SPY")
    assert service.show(pid).positions
    before = ledger_counts(service), service.settings(pid)
    for options, option in (({"multiplier": "5"}, "--multiplier"),
                            ({"initial_margin": "60"}, "--initial-margin")):  # fmt: skip
        with pytest.raises(InvalidInputError, match=f"invalid value for {option}: .*still has"):
            _edit(service, pid, **options)
    assert (ledger_counts(service), service.settings(pid)) == before
