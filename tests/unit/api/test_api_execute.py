"""Executing a signal in one click over the REST API (by stored signal, or by symbol and
direction) and its preview: sized by the portfolio's rules, a bracket from a stop and a target,
forex in lots with pips; idempotent; every refusal names its rule and changes nothing."""

from __future__ import annotations

import csv
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from importlib import resources

from api_fixtures import SPY_LAST_CLOSE, Harness, api, assert_refused

from paperdesk.config import RunConfig, SourceConfig, StrategySpec
from quiet_strategy import QUIET

__all__ = ["api"]

BUY_BRACKET = {"symbol": "SPY", "direction": "buy", "stop": "380", "target": "420"}


def bundled_close(file: str, day: str) -> Decimal:
    """The close of the bar labelled ``day`` in a bundled CSV (read here, not by the app)."""
    text = resources.files("paperdesk.data.bundled").joinpath(file).read_text()
    for row in csv.DictReader(text.splitlines()):
        if row["timestamp"].startswith(day):
            return Decimal(row["close"])
    raise AssertionError(f"{file} has no bar on {day}")


def eighty_percent(equity: Decimal, price: Decimal) -> Decimal:
    """The default sizer: 80 % of equity, in whole shares."""
    return (equity * Decimal("0.8") / price).to_integral(ROUND_FLOOR)


def test_the_preview_shows_what_a_click_sends(api: Harness) -> None:
    portfolio = api.create_portfolio(strategies=[])
    before = api.dump()
    preview = api.get(f"/portfolios/{portfolio}/execute/preview", api.reader, params=BUY_BRACKET)
    assert preview.status_code == 200, preview.text
    assert api.dump() == before
    plan = preview.json()
    shares = eighty_percent(Decimal(10000), SPY_LAST_CLOSE)
    assert (plan["price"], plan["quantity"], plan["sized_by"]) == ("396.33", str(shares), "sizer")
    assert (plan["direction"], plan["asset_class"], plan["lots"]) == ("long", "equity", None)
    [entry] = plan["planned"]
    assert (entry["side"], entry["stop_loss"], entry["take_profit"]) == ("buy", "380", "420")
    executed = api.post(f"/portfolios/{portfolio}/execute", BUY_BRACKET)
    assert executed.status_code == 201, executed.text
    body = executed.json()
    assert {k: v for k, v in body.items() if k != "orders"} == plan
    parent, stop, target = body["orders"]
    assert (parent["quantity"], parent["children"]) == (str(shares), ["O2", "O3"])
    assert (stop["role"], stop["stop_price"], target["role"], target["limit_price"]) == (
        "stop_loss",
        "380",
        "take_profit",
        "420",
    )
    listed = api.get(f"/portfolios/{portfolio}/orders").json()["items"]
    assert [o["order_id"] for o in listed] == ["O1", "O2", "O3"]


def test_a_retried_click_sends_its_orders_once(api: Harness) -> None:
    portfolio = api.create_portfolio(strategies=[])
    path = f"/portfolios/{portfolio}/execute"
    order = {"symbol": "SPY", "direction": "long", "quantity": "2"}
    first = api.post(path, order, **{"Idempotency-Key": "click-1"})
    again = api.post(path, order, **{"Idempotency-Key": "click-1"})
    assert first.status_code == again.status_code == 201
    assert (again.json(), again.headers["Idempotent-Replayed"]) == (first.json(), "true")
    assert [o["quantity"] for o in api.get(f"/portfolios/{portfolio}/orders").json()["items"]] == [
        "2"
    ]
    assert first.json()["sized_by"] == "request"


def test_a_stored_signal_is_executed_by_its_id(api: Harness) -> None:
    """SMA(3) crosses above SMA(5) on the 2020-01-03 bar of the replay: signal 1 is long and
    its strategy's entry O1 is working, so executing it again is refused (no pyramiding); once
    O1 is canceled the click sizes a new entry at that bar's close."""
    settings = RunConfig(
        symbols=("SPY",),
        strategies=(StrategySpec("sma-cross", {"fast": 3, "slow": 5}),),
        source=SourceConfig("replay", replay_from=date(2020, 1, 2)),
    )
    service = api.services.portfolios
    portfolio = service.create_portfolio("signals", Decimal(10000), settings=settings)
    service.tick(portfolio, "SPY")
    service.tick(portfolio, "SPY")
    [signal] = service.signals(portfolio)
    assert (signal.id, signal.direction, signal.ts_bar.date()) == (1, 1, date(2020, 1, 3))
    path = f"/portfolios/{portfolio}/signals/1/execute"
    before = api.dump()
    refused = api.post(path)
    assert_refused(api, refused, 422, "signal_refused", "still working", before=before)
    api.delete(f"/portfolios/{portfolio}/orders/O1")
    close = bundled_close("lean_SPY_1d.csv", "2020-01-03")
    preview = api.get(f"{path}/preview", api.reader).json()
    assert (preview["price"], preview["quantity"]) == (
        str(close),
        str(eighty_percent(Decimal(10000), close)),
    )
    executed = api.post(path)
    assert executed.status_code == 201, executed.text
    [order] = executed.json()["orders"]
    assert (order["order_id"], order["quantity"], order["strategy"]) == (
        "O2",
        preview["quantity"],
        "sma-cross",
    )
    assert order["reason"].startswith("signal 1 executed by user")
    before = api.dump()
    assert_refused(api, api.post(f"/portfolios/{portfolio}/signals/9/execute"), 404,
                   "not_found", "signal with id 9", before=before)  # fmt: skip
    assert_refused(api, api.get(f"/portfolios/{portfolio}/signals/9/execute/preview"), 404,
                   "not_found", before=before)  # fmt: skip


def test_forex_is_sized_in_lots_with_pips(api: Harness) -> None:
    """The EURUSD replay's first 1h bar closes at 1.08995: a stop at 1.08 is 99.5 pips away
    (pip 0.0001) and a target at 1.1 100.5 pips; lots are units over 100,000."""
    settings = RunConfig(
        **QUIET,
        symbols=("EURUSD",),
        timeframe="1h",
        source=SourceConfig("replay", replay_from=date(2017, 5, 1)),
    )
    service = api.services.portfolios
    portfolio = service.create_portfolio("fx", Decimal(10000), settings=settings)
    service.tick(portfolio, "EURUSD")
    params = {"symbol": "EURUSD", "direction": "long", "stop": "1.08", "target": "1.1"}
    plan = api.get(f"/portfolios/{portfolio}/execute/preview", params=params).json()
    assert (plan["asset_class"], plan["price"], plan["pip_size"]) == ("forex", "1.08995", "0.0001")
    assert (plan["stop_pips"], plan["target_pips"]) == ("99.5", "100.5")
    assert Decimal(plan["lots"]) * 100_000 == Decimal(plan["quantity"])
    assert Decimal(plan["quantity"]) * Decimal("1.08995") <= Decimal(8000)
    executed = api.post(f"/portfolios/{portfolio}/execute", {**params, "quantity": "100000"})
    assert_refused(api, executed, 422, "insufficient_cash", "100000", before=api.dump())
    lot = api.post(f"/portfolios/{portfolio}/execute", {**params, "quantity": "5000"})
    assert lot.status_code == 201, lot.text
    assert (lot.json()["lots"], lot.json()["orders"][0]["quantity"]) == ("0.05", "5000")


def test_a_refused_click_names_the_rule_and_changes_nothing(api: Harness) -> None:
    portfolio = api.create_portfolio(strategies=[])
    archived = api.create_portfolio(name="old")
    api.post(f"/portfolios/{archived}/archive")
    path = f"/portfolios/{portfolio}/execute"
    cases: list[tuple[dict[str, object], int, str, str]] = [
        ({"symbol": "SPY", "direction": "long", "quantity": "26"}, 422, "insufficient_cash",
         "26"),
        ({"symbol": "SPY", "direction": "sell"}, 422, "signal_refused", "short selling"),
        ({"symbol": "SPY", "direction": "flat"}, 422, "signal_refused", "no open position"),
        ({"symbol": "SPY", "direction": "up"}, 422, "validation_error", "body.direction"),
        ({"symbol": "SPY", "direction": "long", "quantity": "0.5"}, 422, "lot_size", "0.5"),
        ({"symbol": "SPY", "direction": "long", "stop": 380.5}, 422, "validation_error",
         "body.stop"),
        ({"symbol": "AAPL", "direction": "long"}, 422, "invalid_input", "AAPL"),
        ({"direction": "long"}, 422, "validation_error", "body.symbol"),
    ]  # fmt: skip
    before = api.dump()
    for body, status, code, named in cases:
        assert_refused(api, api.post(path, body), status, code, named, before=before)
    preview = api.get(f"{path}/preview", params={"symbol": "SPY", "direction": "short"})
    assert_refused(api, preview, 422, "signal_refused", "short", before=before)
    bad_stop = api.get(f"{path}/preview", params={**BUY_BRACKET, "stop": "abc"})
    assert_refused(
        api,
        bad_stop,
        422,
        "validation_error",
        "query.stop: Value error, invalid value for stop: 'abc'",
        before=before,
    )  # it said "invalid value for value", then "for the amount"
    order = {"symbol": "SPY", "direction": "long"}
    assert_refused(api, api.post(path, order, token=api.reader), 403, "insufficient_scope",
                   before=before)  # fmt: skip
    assert_refused(api, api.post(f"/portfolios/{archived}/execute", order), 409,
                   "portfolio_archived", before=before)  # fmt: skip
    assert_refused(api, api.post("/portfolios/77/execute", order), 404, "not_found",
                   before=before)  # fmt: skip


def test_the_preview_names_a_bad_value_as_the_click_names_it(api: Harness) -> None:
    """A bad quantity, stop or target: the preview's query error and the click's body error
    name the same field in the same words (the query's said "invalid value for the amount")."""
    portfolio = api.create_portfolio(strategies=[])
    before = api.dump()
    doors = [
        (f"/portfolios/{portfolio}/execute", {"symbol": "SPY", "direction": "buy"}),
        (f"/portfolios/{portfolio}/signals/1/execute", {}),  # checked before the signal is read
    ]
    for path, base in doors:
        for field in ("quantity", "stop", "target") if base else ("quantity",):
            for bad in ("0", "abc", "-5"):
                click = api.post(path, {**base, field: bad})
                preview = api.get(f"{path}/preview", api.reader, params={**base, field: bad})
                words = f"invalid value for {field}: '{bad}'"
                assert_refused(api, click, 422, "validation_error", words, before=before)
                assert_refused(api, preview, 422, "validation_error", words, before=before)
                assert preview.json()["message"] == click.json()["message"].replace(
                    "body.", "query.", 1
                )


def test_the_preview_refuses_what_the_click_would_refuse(api: Harness) -> None:
    """The preview passes the plan through the pre-trade checks the click passes: a dashboard
    never pre-fills an order the click then refuses (the preview answered 200 to each)."""
    portfolio = api.create_portfolio(strategies=[])
    path = f"/portfolios/{portfolio}/execute"
    cases: list[tuple[dict[str, str], str, str]] = [
        ({"quantity": "0.5"}, "lot_size", "quantity 0.5 is not a whole number of SPY lots"),
        ({"quantity": "26"}, "insufficient_cash", "at most 25 SPY would fit, not 26"),
        ({"stop": "400"}, "bracket_side", "stop_loss 400 must be below the last price 396.33"),
        ({"target": "300"}, "bracket_side", "take_profit 300 must be above the last price"),
        ({"stop": "380.001"}, "tick_size", "380.001 is not a whole tick of SPY (tick size 0.01)"),
    ]
    before = api.dump()
    for extra, code, named in cases:
        wanted = {"symbol": "SPY", "direction": "buy", **extra}
        preview = api.get(f"{path}/preview", api.reader, params=wanted)
        assert_refused(api, preview, 422, code, named, before=before)
        clicked = api.post(path, wanted)
        assert_refused(api, clicked, 422, code, named, before=before)
        assert preview.json()["message"] == clicked.json()["message"]


def test_a_stored_signal_with_an_atr_bracket_executes_on_the_tick(api: Harness) -> None:
    """A strategy's ATR stop and target are a float's digits (1.2018793188629913): the click
    refused them as off the tick (``tick_size``), though the strategy's own bracket placed them
    rounded; now the click's legs are rounded as the strategy's were, against the trader.
    No exposure cap and no cash check: the strategy's entry, still working, takes the default
    cap's room and nearly all the cash, which the click's entry beside it counts."""
    created = api.post(
        "/portfolios",
        {
            "name": "fx",
            "cash": "10000",
            "symbols": ["EURUSD"],
            "strategies": ["macd-cross"],
            "params": ["stop_atr=1.5", "target_atr=3"],
            "settings": {"source": "replay", "replay_from": "2018-01-02", "timeframe": "1h",
                         "sizer": "risk", "risk_pct": "1", "pyramiding": True,
                         "exposure_cap": "none", "cash_check": "off"},
        },
    )  # fmt: skip
    assert created.status_code == 201, created.text
    portfolio = created.json()["summary"]["id"]
    signals: list[dict[str, object]] = []
    while not any(s["direction"] == 1 for s in signals):
        api.post(f"/portfolios/{portfolio}/ticks", {"symbol": "EURUSD"})
        signals = api.get(f"/portfolios/{portfolio}/signals").json()["items"]
    signal = signals[-1]
    stop, target = Decimal(str(signal["stop"])), Decimal(str(signal["target"]))
    tick = Decimal("0.00001")
    assert stop % tick != 0  # the strategy's own digits
    assert target % tick != 0
    legs = {o["role"]: o for o in api.get(f"/portfolios/{portfolio}/orders").json()["items"]}
    own_stop, own_target = legs["stop_loss"]["stop_price"], legs["take_profit"]["limit_price"]
    assert Decimal(own_stop) == stop.quantize(tick, ROUND_FLOOR)  # a selling stop: down
    assert Decimal(own_target) == target.quantize(tick, ROUND_CEILING)  # a selling target: up
    path = f"/portfolios/{portfolio}/signals/{signal['id']}/execute"
    preview = api.get(f"{path}/preview")
    assert preview.status_code == 200, preview.text
    executed = api.post(path)
    assert executed.status_code == 201, executed.text
    [entry] = executed.json()["planned"]
    assert (entry["stop_loss"], entry["take_profit"]) == (own_stop, own_target)
    price = Decimal(executed.json()["price"])
    pip = Decimal("0.0001")
    assert Decimal(executed.json()["stop_pips"]) == (price - Decimal(own_stop)) / pip
    assert preview.json() == {k: v for k, v in executed.json().items() if k != "orders"}
