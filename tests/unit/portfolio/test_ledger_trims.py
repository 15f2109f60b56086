"""The ledger's trimmed loops give what the code they replace gave, digit for digit: the
signed sum ``check_invariants`` counts with, the fees' total, and the round trips (the reducing
test and the closing quantity's object) on random fills."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from paperdesk.domain import ZERO, Fill, Side, Trade
from paperdesk.portfolio import OpenTrade, PortfolioLedger
from paperdesk.portfolio.ledger import _fee_share, _signed_sum

TS = datetime(2024, 3, 4, 14, 30, tzinfo=UTC)
QUANTITIES = ("1", "2", "3", "10", "10.0", "0.5", "7.25", "100", "1E+1", "3.000")
PRICES = ("99.5", "101.25", "100", "98.125", "1E+2", "100.10")
FEES = ("0", "0", "0.00", "1.5", "0.35", "2", "1E+1")


def random_fills(seed: int, count: int, symbols: tuple[str, ...] = ("SPY",)) -> list[Fill]:
    rng = random.Random(seed)
    fills = []
    for index in range(count):
        fee = rng.choice(FEES)
        fills.append(
            Fill(
                f"o{index}",
                rng.choice(symbols),
                rng.choice((Side.BUY, Side.SELL)),
                Decimal(rng.choice(QUANTITIES)),
                Decimal(rng.choice(PRICES)),
                ZERO if fee == "0" else Decimal(fee),
                TS + timedelta(minutes=index),
            )
        )
    return fills


def signed_sum_before(fills: list[Fill], symbol: str) -> Decimal:
    """The sum the ledger counted with before (a generator over a slice)."""
    return sum((f.signed_quantity for f in fills if f.symbol == symbol), ZERO)


@pytest.mark.parametrize("seed", range(20))
def test_the_signed_sum_is_the_generator_sum_digit_for_digit(seed: int) -> None:
    fills = random_fills(seed, 40, ("SPY", "QQQ"))
    rng = random.Random(seed)
    for _ in range(10):
        start = rng.randrange(len(fills) + 1)
        stop = rng.randrange(start, len(fills) + 1)
        for symbol in ("SPY", "QQQ", "IWM"):
            mine = _signed_sum(fills, start, stop, symbol)
            before = signed_sum_before(fills[start:stop], symbol)
            assert str(mine) == str(before)


def test_the_invariants_still_catch_a_position_the_fills_do_not_add_up_to() -> None:
    ledger = PortfolioLedger(Decimal(100_000))
    for fill in random_fills(3, 30):
        ledger.apply_fill(fill)
    ledger.check_invariants()
    symbol, position = next(iter(ledger.positions.items()))
    ledger.positions[symbol] = position._replace(quantity=position.quantity + 1)
    with pytest.raises(AssertionError, match="sum of fills and splits"):
        ledger.check_invariants()


def record_before(
    open_trades: dict[str, OpenTrade],
    trades: list[Trade],
    held: Decimal,
    fill: Fill,
    realized: Decimal,
    reason: str,
) -> None:
    """The ledger's ``_record_round_trip`` before the trim (two comparisons, ``min``)."""
    symbol, side, quantity, price, fee, ts = (
        fill.symbol,
        fill.side,
        fill.quantity,
        fill.price,
        fill.fee,
        fill.ts,
    )
    opening = quantity
    if held != 0 and (held > 0) != (side is Side.BUY):
        closing = min(quantity, abs(held))
        opening = quantity - closing
        current = open_trades[symbol]
        current.add_exit(closing, price, _fee_share(fee, closing, quantity), realized)
        if closing == abs(held):
            trades.append(current.close(ts, reason))
            del open_trades[symbol]
    if opening > 0:
        current_trade = open_trades.get(symbol)
        if current_trade is None:
            current_trade = OpenTrade(symbol, side, ts, "s")
            open_trades[symbol] = current_trade
        current_trade.add_entry(opening, price, _fee_share(fee, opening, quantity))


def digits(record: object) -> tuple[str, ...]:
    return tuple(repr(value) for value in record)  # type: ignore[attr-defined]


@pytest.mark.parametrize("seed", range(30))
def test_the_round_trips_are_those_of_the_code_before(seed: int) -> None:
    ledger = PortfolioLedger(Decimal(1_000_000))
    open_trades: dict[str, OpenTrade] = {}
    trades: list[Trade] = []
    rng = random.Random(seed)
    fees = ZERO
    for fill in random_fills(seed, 60):
        held = ledger.position(fill.symbol).quantity
        if held != 0 and rng.random() < 0.4:  # a fill closing the position, written its way
            size = abs(held) if rng.random() < 0.5 else abs(held).quantize(Decimal("0.000"))
            side = Side.SELL if held > 0 else Side.BUY
            fill = fill._replace(side=side, quantity=size)
        realized = ledger.apply_fill(fill, strategy="s", reason="why")
        record_before(open_trades, trades, held, fill, realized, "why")
        fees += fill.fee
        assert repr(ledger.fees) == repr(fees)
        assert [digits(t) for t in ledger.trades] == [digits(t) for t in trades]
        assert {s: repr(t) for s, t in ledger._open_trades.items()} == {
            s: repr(t) for s, t in open_trades.items()
        }
    assert trades  # the fills closed round trips
