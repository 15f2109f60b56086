"""What a bot reads before it sizes an order: the Alpaca account's buying power is what the
portfolio's cash check lets an entry spend (a margin account's equity x leverage - gross
exposure, never the negative cash of its loan; less the entry orders still working), and
``shorting_enabled`` says whether the portfolio sells short. Real fills of a replayed SPY
portfolio, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from alpaca_fixtures import AlpacaHarness, alpaca, assert_alpaca_error

from paperdesk.config import AccountConfig, ExecutionConfig, RiskConfig, RunConfig, SourceConfig
from paperdesk.data import find_bundled
from paperdesk.domain import AccountKind, OrderType, Side
from paperdesk.service.order_requests import OrderRequest
from quiet_strategy import QUIET

__all__ = ["alpaca"]


def first_close(symbol: str, day: date) -> Decimal:
    """The bundled daily bar's close of ``day``, read exactly from the text."""
    for line in find_bundled(symbol, "1d").read_text().splitlines():
        if line.startswith(day.isoformat()):
            return Decimal(line.split(",")[4])
    raise AssertionError(f"no {symbol} bar on {day}")


def _margin_bot(alpaca: AlpacaHarness, *, allow_short: bool) -> tuple[int, tuple[str, str]]:
    """A 2x margin portfolio replaying SPY that borrowed to buy 50 shares, and its trade key."""
    portfolios = alpaca.services.portfolios
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
        account=AccountConfig(kind=AccountKind.MARGIN, leverage=Decimal(2)),
        risk=RiskConfig(exposure_cap_percent=Decimal(200), allow_short=allow_short),
        **QUIET,
    )
    portfolio = portfolios.create_portfolio("margin", Decimal(10000), settings=settings)
    portfolios.tick(portfolio, "SPY")
    portfolios.place_order(portfolio, OrderRequest("SPY", Side.BUY, Decimal(50)))
    portfolios.tick(portfolio, "SPY")
    name = f"margin-bot-{allow_short}"
    return portfolio, (name, alpaca.services.api_keys.create(name, "trade", [portfolio]).token)


def test_a_margin_accounts_buying_power_is_equity_times_leverage_less_exposure(
    alpaca: AlpacaHarness,
) -> None:
    portfolio, key = _margin_bot(alpaca, allow_short=False)
    detail = alpaca.services.portfolios.show(portfolio)
    assert detail.summary.cash < 0  # the purchase was paid with a loan
    gross = sum(abs(p.market_value) for p in detail.positions)
    expected = detail.summary.equity * 2 - gross
    assert expected > 0
    account = alpaca.get("/account", key).json()
    assert account["cash"] == format(detail.summary.cash, "f")
    assert Decimal(account["buying_power"]) == expected
    assert Decimal(account["regt_buying_power"]) == expected
    assert Decimal(account["multiplier"]) == 2
    assert Decimal(account["maintenance_margin"]) == gross * Decimal("0.25")
    assert account["shorting_enabled"] is False
    # what the account says it can buy, it can: a share within the buying power is placed...
    price = detail.positions[0].last_price
    fits = int(expected / price / Decimal("1.01"))
    order = {"symbol": "SPY", "side": "buy", "type": "market", "time_in_force": "day"}
    placed = alpaca.post("/orders", {**order, "qty": str(fits)}, key)
    assert placed.status_code == 200, placed.text
    # ...and twice the buying power is refused for want of it
    refused = alpaca.post("/orders", {**order, "qty": str(2 * int(expected / price) + 2)}, key)
    assert_alpaca_error(refused, 403, 40310000, "buying power")


def test_shorting_enabled_follows_the_portfolios_short_rule(alpaca: AlpacaHarness) -> None:
    default = alpaca.get("/account").json()  # the fixture's portfolio: allow_short off
    assert default["shorting_enabled"] is False
    refused = alpaca.post(
        "/orders",
        {"symbol": "SPY", "qty": "1", "side": "sell", "type": "market", "time_in_force": "day"},
    )
    assert refused.status_code == 422, refused.text
    _, key = _margin_bot(alpaca, allow_short=True)
    assert alpaca.get("/account", key).json()["shorting_enabled"] is True


def _resting_bot(alpaca: AlpacaHarness) -> tuple[str, str]:
    """A cash portfolio replaying SPY with a limit buy of 20 at 200 resting far below the
    market (0.1% commission), and its trade key."""
    portfolios = alpaca.services.portfolios
    settings = RunConfig(
        symbols=("SPY",),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
        risk=RiskConfig(exposure_cap_percent=None),
        execution=ExecutionConfig(commission="percent:0.1"),
        **QUIET,
    )
    portfolio = portfolios.create_portfolio("resting", Decimal(10000), settings=settings)
    portfolios.tick(portfolio, "SPY")
    resting = OrderRequest("SPY", Side.BUY, Decimal(20), OrderType.LIMIT, Decimal(200))
    portfolios.place_order(portfolio, resting)  # far below the market: it rests
    return (
        "resting-bot",
        alpaca.services.api_keys.create("resting-bot", "trade", [portfolio]).token,
    )


def test_buying_power_is_reduced_by_the_working_entry_orders(alpaca: AlpacaHarness) -> None:
    """A resting limit buy takes its notional and estimated fee off the buying power, as the
    cash check counts it: what the account then says it can buy, it can, and no more."""
    bot = _resting_bot(alpaca)

    account = alpaca.get("/account", bot).json()

    assert Decimal(account["cash"]) == 10000
    expected = Decimal(10000) - (20 * 200 + Decimal(4))  # 4,000 plus the 0.1% fee
    assert Decimal(account["buying_power"]) == expected
    price = first_close("SPY", date(2020, 1, 2))  # the tick's bar: the price orders check at
    fits = int(expected / (price * Decimal("1.001")))
    order = {"symbol": "SPY", "side": "buy", "type": "market", "time_in_force": "day"}
    too_many = alpaca.post("/orders", {**order, "qty": str(fits + 1)}, bot)
    assert_alpaca_error(too_many, 403, 40310000, "less working entries 4,004.00")
    placed = alpaca.post("/orders", {**order, "qty": str(fits)}, bot)
    assert placed.status_code == 200, placed.text


def test_a_cash_accounts_non_marginable_buying_power_is_its_buying_power(
    alpaca: AlpacaHarness,
) -> None:
    """Nothing is bought on margin in a cash account: its non-marginable buying power is its
    buying power, reduced by the working entries alike (it was the whole cash)."""
    account = alpaca.get("/account", _resting_bot(alpaca)).json()
    expected = Decimal(10000) - (20 * 200 + Decimal(4))
    assert Decimal(account["non_marginable_buying_power"]) == expected
    assert account["non_marginable_buying_power"] == account["buying_power"]
