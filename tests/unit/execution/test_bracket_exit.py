"""The one bracket rule the venue and the plan simulator share: which leg trades on a bar."""

from __future__ import annotations

from decimal import Decimal

from paperdesk.domain import OrderRole, Side
from paperdesk.execution import BracketExit, bracket_exit

from ._support import make_bar

D = Decimal


def test_neither_leg_touched_is_no_exit() -> None:
    bar = make_bar(0, "100", "104", "96", "101")
    assert bracket_exit(Side.SELL, D("95"), D("105"), bar) is None


def test_long_take_profit_inside_the_bar_fills_at_the_target() -> None:
    bar = make_bar(0, "100", "106", "97", "101")
    assert bracket_exit(Side.SELL, D("95"), D("105"), bar) == BracketExit(
        OrderRole.TAKE_PROFIT, D("105"), False
    )


def test_long_stop_gapped_through_fills_at_the_open() -> None:
    bar = make_bar(0, "93", "94", "90", "91")
    assert bracket_exit(Side.SELL, D("95"), D("105"), bar) == BracketExit(
        OrderRole.STOP_LOSS, D("93"), False
    )


def test_both_legs_inside_the_bar_is_ambiguous_and_the_stop_wins() -> None:
    bar = make_bar(0, "100", "106", "94", "101")
    assert bracket_exit(Side.SELL, D("95"), D("105"), bar) == BracketExit(
        OrderRole.STOP_LOSS, D("95"), True
    )


def test_bar_opening_through_the_target_takes_profit_though_it_later_hits_the_stop() -> None:
    bar = make_bar(0, "106", "107", "94", "95")
    assert bracket_exit(Side.SELL, D("95"), D("105"), bar) == BracketExit(
        OrderRole.TAKE_PROFIT, D("106"), False
    )


def test_short_bracket_mirrors_the_long_one() -> None:
    bar = make_bar(0, "100", "106", "94", "101")  # short: stop 105 above, target 95 below
    assert bracket_exit(Side.BUY, D("105"), D("95"), bar) == BracketExit(
        OrderRole.STOP_LOSS, D("105"), True
    )


def test_one_leg_alone_is_never_ambiguous() -> None:
    bar = make_bar(0, "100", "106", "94", "101")
    assert bracket_exit(Side.SELL, None, D("105"), bar) == BracketExit(
        OrderRole.TAKE_PROFIT, D("105"), False
    )
    assert bracket_exit(Side.SELL, D("95"), None, bar) == BracketExit(
        OrderRole.STOP_LOSS, D("95"), False
    )
