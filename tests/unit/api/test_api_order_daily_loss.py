"""A trader's entry meets the daily loss limit over the REST API as a strategy's does at a
tick (SQLite and PostgreSQL).

The desk once checked manual orders without the day's start equity, and ``DailyLossLimit``
lets everything through without it: after a loss beyond the limit a manual entry was accepted
where the strategies' own entries were refused. The refusal answers 422 with the rule's code,
like an exposure-cap refusal, and changes nothing; an exit is never refused by the limit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api_fixtures import API, Harness, api, assert_refused

from daily_loss_scenario import HELD, LIMIT, money_words, replay_with_a_loss
from paperdesk.config import RiskConfig, RunConfig, SourceConfig, SourceKind
from quiet_strategy import QUIET

__all__ = ["api"]

BUY = {"symbol": "SPY", "side": "buy", "quantity": "1"}


def assert_entry_refused(harness: Harness, portfolio: int, day_start: str) -> None:
    before = harness.dump()
    response = harness.post(f"/portfolios/{portfolio}/orders", BUY)
    assert_refused(
        harness,
        response,
        422,
        "daily_loss_limit",
        f"below the day's start {day_start}",
        f"the daily loss limit is {LIMIT}%",
        before=before,
    )


def test_an_entry_after_a_loss_beyond_the_limit_is_refused_and_changes_nothing(
    api: Harness,
) -> None:
    fallen = replay_with_a_loss(api.services.portfolios, LIMIT)
    assert_entry_refused(api, fallen.portfolio_id, money_words(fallen.day_start))


def test_a_portfolio_without_the_limit_takes_the_same_entry(api: Harness) -> None:
    limited = replay_with_a_loss(api.services.portfolios, LIMIT)
    unlimited = replay_with_a_loss(api.services.portfolios, None)
    assert_entry_refused(api, limited.portfolio_id, money_words(limited.day_start))
    response = api.post(f"/portfolios/{unlimited.portfolio_id}/orders", BUY)
    assert response.status_code == 201, response.text


def test_an_exit_is_still_accepted_after_the_loss(api: Harness) -> None:
    fallen = replay_with_a_loss(api.services.portfolios, LIMIT)
    assert_entry_refused(api, fallen.portfolio_id, money_words(fallen.day_start))
    exit_order = {"symbol": "SPY", "side": "sell", "quantity": str(HELD)}
    response = api.post(f"/portfolios/{fallen.portfolio_id}/orders", exit_order)
    assert response.status_code == 201, response.text
    (order,) = response.json()["orders"]
    assert (order["side"], order["role"], order["status"]) == ("sell", "exit", "accepted")


def test_an_entry_is_accepted_again_on_a_day_that_did_not_fall(api: Harness) -> None:
    portfolios = api.services.portfolios
    fallen = replay_with_a_loss(portfolios, LIMIT)
    assert_entry_refused(api, fallen.portfolio_id, money_words(fallen.day_start))
    portfolios.tick(fallen.portfolio_id, "SPY")  # 2020-01-27: SPY falls again
    (rose,) = portfolios.tick(fallen.portfolio_id, "SPY")  # 2020-01-28: SPY rises 1%
    assert rose.ts_bar_close is not None
    assert rose.ts_bar_close.date() == date(2020, 1, 28)
    response = api.post(f"/portfolios/{fallen.portfolio_id}/orders", BUY)
    assert response.status_code == 201, response.text


def test_a_replay_not_started_is_refused_for_that_not_for_the_limit(api: Harness) -> None:
    """No tick yet: no clock, so no day and no limit; the order is refused because the replay
    has not started, as it is without the limit."""
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig(kind=SourceKind.REPLAY, replay_from=date(2020, 1, 22)),
        risk=RiskConfig(daily_loss_limit_percent=LIMIT),
        **QUIET,
    )
    portfolio = api.services.portfolios.create_portfolio("idle", Decimal(10000), settings=settings)
    before = api.dump()
    response = api.post(f"/portfolios/{portfolio}/orders", BUY)
    assert_refused(api, response, 422, "invalid_input", "has not started", before=before)


def test_a_one_click_entry_is_refused_as_a_signal_would_be_and_its_preview_too(
    api: Harness,
) -> None:
    fallen = replay_with_a_loss(api.services.portfolios, LIMIT)
    click = {"symbol": "SPY", "direction": "long", "quantity": "1"}
    path = f"/portfolios/{fallen.portfolio_id}/execute"
    day_start = f"below the day's start {money_words(fallen.day_start)}"
    before = api.dump()
    preview = api.get(f"{path}/preview", params=click)
    assert preview.status_code == 422, preview.text
    assert (preview.json()["code"], day_start in preview.json()["message"]) == (
        "daily_loss_limit",
        True,
    )
    executed = api.post(path, click)
    assert_refused(api, executed, 422, "daily_loss_limit", day_start, before=before)


def test_a_working_entry_cannot_grow_after_a_loss_beyond_the_limit(api: Harness) -> None:
    """Raising a resting buy's quantity is a larger entry: the limit refuses it as it refuses
    a new one (the modify once ran the risk chain without the day's start), and nothing
    changes; its price may still move, and a portfolio without the limit may grow it."""
    portfolios = api.services.portfolios
    fallen = replay_with_a_loss(portfolios, LIMIT, working_entry=True)
    unlimited = replay_with_a_loss(portfolios, None, working_entry=True)
    path = f"/portfolios/{fallen.portfolio_id}/orders/{fallen.working_entry}"
    trader = api.headers(api.trader)
    before = api.dump()
    response = api.client.patch(API + path, json={"quantity": "2"}, headers=trader)
    assert_refused(
        api,
        response,
        422,
        "daily_loss_limit",
        f"below the day's start {money_words(fallen.day_start)}",
        before=before,
    )
    moved = api.client.patch(API + path, json={"limit_price": "101"}, headers=trader)
    assert moved.status_code == 200, moved.text
    assert moved.json()["quantity"] == "1"
    other = f"/portfolios/{unlimited.portfolio_id}/orders/{unlimited.working_entry}"
    grown = api.client.patch(API + other, json={"quantity": "2"}, headers=trader)
    assert grown.status_code == 200, grown.text
    assert grown.json()["quantity"] == "2"
