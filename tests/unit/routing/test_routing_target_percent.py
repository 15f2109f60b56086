"""The ``target-percent`` sizer (Lean's SetHoldings): whole lots of equity x (1 - buffer) x
target / price, reduced until value plus the estimated fee fits; an existing position buys the
difference. Each case is computed by hand in its docstring or comments."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from paperdesk.config import RiskConfig, RunConfig, SizingConfig, SizingMethod
from paperdesk.data import instrument_for
from paperdesk.domain import Direction, InvalidInputError, OptionError, PortfolioView, Position
from paperdesk.domain import Signal as TradingSignal
from paperdesk.execution import parse_fee_model
from paperdesk.routing import TargetPercent, build_router
from paperdesk.routing.factory import build_sizer
from paperdesk.routing.outcomes import Rejection

D = Decimal
TS = datetime(2013, 10, 7, 13, 31, tzinfo=UTC)
SPY = instrument_for("SPY")
IB_FEES = parse_fee_model("per-share:0.005:min=1:max-pct=0.5")  # Lean's IB equity fee
LEAN_PRICE = D("144.78172")  # the MANIFEST: ask 167.45 raw x factor 0.8646266


def _signal(direction: Direction = Direction.LONG, symbol: str = "SPY") -> TradingSignal:
    return TradingSignal("test", symbol, direction, TS)


def _flat(cash: Decimal) -> PortfolioView:
    return PortfolioView(TS, cash, cash)


def _holding(quantity: Decimal, price: Decimal, cash: Decimal) -> PortfolioView:
    position = Position("SPY", quantity, price)
    return PortfolioView(TS, cash, cash + quantity * price, {"SPY": position}, {"SPY": price})


def _lean(percent: str = "100", buffer: str = "0.25") -> TargetPercent:
    return TargetPercent(D(percent), D(buffer), IB_FEES)


def test_the_manifest_example_buys_688_shares() -> None:
    """100000 x 0.9975 = 99750; 99750 / 144.78172 = 688.97 -> 688 shares;
    688 x 144.78172 = 99609.82336, fee 688 x 0.005 = 3.44: 99613.26336 <= 99750."""
    assert _lean().size(_signal(), _flat(D(100000)), SPY, LEAN_PRICE) == D(688)


def test_a_price_above_the_buffered_value_buys_nothing_and_says_why() -> None:
    """Equity 100 keeps 99.75 after the 0.25% buffer: one share at 99.80 does not fit."""
    outcome = _lean().size(_signal(), _flat(D(100)), SPY, D("99.80"))
    assert isinstance(outcome, Rejection)
    assert outcome.code == "below_one_lot"
    assert outcome.reason == (
        "one lot (1) of SPY at 99.8 plus its fee does not fit 99.75 (the target 99.75 is 100% "
        "of equity 100.00 after the 0.25% free buffer, less 0.00 held)"
    )


def test_an_exact_fit_is_kept() -> None:
    """99750 / 99.745 = 1000.05 -> 1000 shares; 1000 x 99.745 + fee 5 = 99750 exactly."""
    assert _lean().size(_signal(), _flat(D(100000)), SPY, D("99.745")) == D(1000)


def test_the_fee_pushes_the_quantity_down_one_share() -> None:
    """99750 / 99.75 = 1000 shares, but 99750 + fee 5 > 99750; 999 x 99.75 + 4.995 =
    99655.245 fits. Without fees 1000 shares fit exactly."""
    assert _lean().size(_signal(), _flat(D(100000)), SPY, D("99.75")) == D(999)
    no_fees = TargetPercent(D(100), D("0.25"))
    assert no_fees.size(_signal(), _flat(D(100000)), SPY, D("99.75")) == D(1000)


def test_the_target_percent_and_buffer_scale_the_target() -> None:
    """50% with no buffer: 50000 / 144.78172 = 345.35 -> 345; 345 x 144.78172 = 49949.69 +
    fee 1.725 fits 50000."""
    sizer = _lean("50", "0")
    assert sizer.size(_signal(), _flat(D(100000)), SPY, LEAN_PRICE) == D(345)


def test_an_existing_position_below_the_target_buys_the_difference() -> None:
    """600 held at 144.78172 with 13130.968 cash: equity 100000, target 99750; held value
    86869.032, so 12880.968 is left: 12880.968 / 144.78172 = 88.97 -> 88 shares,
    88 x 144.78172 = 12740.79 + fee 1 (the minimum) fits."""
    view = _holding(D(600), LEAN_PRICE, D("13130.968"))
    assert view.equity == D(100000)
    assert _lean().size(_signal(), view, SPY, LEAN_PRICE) == D(88)


@pytest.mark.parametrize("held", [D(688), D(689), D(700)])
def test_a_position_at_or_above_the_target_places_no_order(held: Decimal) -> None:
    """688 shares already held is the target (what is left, about 137, is less than a share
    plus its fee); more than that is above it. The sizer never sells down to the target."""
    view = _holding(held, LEAN_PRICE, D(100000) - held * LEAN_PRICE)
    outcome = _lean().size(_signal(), view, SPY, LEAN_PRICE)
    assert isinstance(outcome, Rejection)
    if held == D(688):
        assert outcome.code == "below_one_lot"
    else:
        assert outcome.code == "at_target"
        assert outcome.reason.startswith(f"SPY already holds {held} units worth ")


def test_a_short_target_counts_a_short_position_as_held() -> None:
    """Short 600: the short target is 99750 like the long one, so the difference is bought
    short (88 shares, as in the long case above)."""
    view = _holding(D(-600), LEAN_PRICE, D(100000) + D(600) * LEAN_PRICE)
    assert view.equity == D(100000)
    assert _lean().size(_signal(Direction.SHORT), view, SPY, LEAN_PRICE) == D(88)


def test_crypto_buys_fractional_units_down_to_the_lot_size() -> None:
    """BTCUSD trades in lots of 1e-8: the largest q in lots with q x 6500.12 x 1.001 <= 9975
    (percent fee 0.1%): 9975 / 6506.62012 = 1.5330539..., i.e. 1.53305399 BTC, and one lot
    more does not fit."""
    btc = instrument_for("BTCUSD")
    fees = parse_fee_model("percent:0.1")
    sizer = TargetPercent(D(100), D("0.25"), fees)
    price = D("6500.12")
    quantity = sizer.size(_signal(symbol="BTCUSD"), _flat(D(10000)), btc, price)
    assert quantity == D("1.53305399")
    assert isinstance(quantity, Decimal)

    def cost(units: Decimal) -> Decimal:
        return units * price + fees.fee(units, price, btc)

    assert cost(quantity) <= D(9975) < cost(quantity + btc.lot_size)


def test_the_router_records_the_reason_when_nothing_fits() -> None:
    router = build_router(
        SizingConfig(method=SizingMethod.TARGET_PERCENT, percent=D(100)),
        RiskConfig(exposure_cap_percent=None),
        fees=IB_FEES,
    )
    decision = router.route(_signal(), _flat(D(100)), SPY, D("99.80"))
    assert not decision.intents
    assert decision.rejection is not None
    assert decision.rejection.startswith("one lot (1) of SPY at 99.8 plus its fee does not fit")
    accepted = router.route(_signal(), _flat(D(100000)), SPY, LEAN_PRICE)
    assert [intent.quantity for intent in accepted.intents] == [D(688)]


def test_build_sizer_passes_the_buffer_and_the_fees() -> None:
    sizer = build_sizer(
        SizingConfig(method="target-percent", percent=D(100), free_buffer_percent=D(0)), IB_FEES
    )
    assert isinstance(sizer, TargetPercent)
    # no buffer: 100000 / 144.78172 = 690.69 -> 690; 690 x 144.78172 = 99899.39 + 3.45 fits
    assert sizer.size(_signal(), _flat(D(100000)), SPY, LEAN_PRICE) == D(690)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"method": "target-percent", "percent": "0"}, "--size-pct"),
        ({"method": "target-percent", "percent": "-5"}, "--size-pct"),
        ({"method": "target-percent", "percent": "101"}, "--size-pct"),
        ({"free_buffer_percent": "100"}, "--free-buffer-pct"),
        ({"free_buffer_percent": "250"}, "--free-buffer-pct"),
        ({"free_buffer_percent": "-0.1"}, "--free-buffer-pct"),
        ({"free_buffer_percent": "lots"}, "--free-buffer-pct"),
        ({"method": "target"}, "--sizer"),
    ],
)
def test_bad_values_are_one_clear_error(options: dict[str, str], named: str) -> None:
    labels = {key: f"--{key.replace('_', '-')}" for key in ("size_pct", "free_buffer_pct", "sizer")}
    with pytest.raises(OptionError) as caught:
        RunConfig.parse({"sizing": options}, labels)
    message = str(caught.value)
    assert message.startswith(f"invalid value for {named}: ")
    if named == "--free-buffer-pct":
        assert "at least 0 and below 100" in message
    if named == "--sizer":
        assert "target-percent" in message


@pytest.mark.parametrize(("percent", "buffer"), [("0", "0.25"), ("-1", "0.25"), ("50", "100")])
def test_the_sizer_refuses_bad_values_itself(percent: str, buffer: str) -> None:
    with pytest.raises(InvalidInputError):
        TargetPercent(D(percent), D(buffer))


def test_the_buffer_default_is_lean_s() -> None:
    """Lean's FreePortfolioValuePercentage is 0.0025, i.e. 0.25 percent."""
    assert SizingConfig().free_buffer_percent == D("0.25")
