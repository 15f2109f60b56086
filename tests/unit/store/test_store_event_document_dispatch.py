"""An event's outbox document built by a dispatch on its values' types is the document
``plain``'s generic tests give (the same keys in the same order, the same values of the same
types), for every kind of event, and an order's event no longer calls ``plain``."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk import domain
from paperdesk.store import event_documents
from paperdesk.store.event_documents import event_document, generic_document

KINDS = 17  # every event type of event_documents._KINDS


@st.composite
def events(draw: st.DrawFn) -> Any:
    """One event of any kind, its optional fields drawn present or absent."""
    moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)))
    later = moment + timedelta(seconds=draw(st.integers(0, 10**6)))
    decimals = st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**6))
    positive = st.decimals(min_value=Decimal("0.0001"), max_value=10**6, places=4)
    maybe = st.none() | positive
    text = st.text(max_size=8)
    order = domain.Order(
        draw(st.text(min_size=1, max_size=6)),
        draw(text),
        "SPY",
        draw(st.sampled_from(domain.Side)),
        domain.OrderType.LIMIT,
        draw(positive),
        moment,
        limit_price=draw(positive),
        stop_price=draw(maybe),
        time_in_force=draw(st.sampled_from(domain.TimeInForce)),
        role=draw(st.sampled_from(domain.OrderRole)),
        parent_id=draw(st.none() | text),
        status=draw(st.sampled_from(domain.OrderStatus)),
        average_price=draw(maybe),
        triggered=draw(st.booleans()),
        ts_expire=draw(st.none() | st.just(later)),
        ts_updated=draw(st.none() | st.just(later)),
        size_fraction=draw(maybe),
        strategy=draw(text),
        reason=draw(text),
        children=tuple(draw(st.lists(text, max_size=2))),
    )
    fill = domain.Fill(
        order.order_id, "SPY", order.side, draw(positive), draw(positive), draw(decimals), later
    )
    position = domain.Position(
        "SPY",
        draw(decimals),
        draw(decimals),
        draw(decimals),
        draw(st.none() | st.just(moment)),
        draw(st.none() | decimals),
    )
    trade = domain.Trade(
        "SPY",
        order.side,
        draw(positive),
        draw(positive),
        draw(positive),
        moment,
        later,
        draw(decimals),
        draw(decimals),
        draw(text),
        draw(text),
    )
    signal = domain.Signal(
        "sma-cross",
        "SPY",
        draw(st.sampled_from(domain.Direction)),
        moment,
        draw(st.floats(0, 1)),
        draw(maybe),
        draw(maybe),
        draw(maybe),
        draw(text),
    )
    terms = domain.CorporateActionTerms(
        "SPY",
        draw(st.sampled_from(("split", "dividend"))),
        date(2020, 1, 2),
        date(2020, 1, 1),
        draw(positive),
        draw(st.integers(1, 10)),
        draw(st.integers(1, 10)),
        draw(decimals),
    )
    reason = draw(text)
    feed = (
        moment,
        "SPY",
        "1d",
        draw(st.none() | st.just(later)),
        draw(decimals),
        reason,
    )
    every = [
        domain.OrderAccepted(moment, order, draw(st.none() | st.just(later))),
        domain.OrderRejected(moment, order, reason),
        domain.OrderFilled(moment, order, fill),
        domain.OrderCanceled(moment, order, reason),
        domain.OrderExpired(moment, order),
        domain.OrderModified(moment, order, draw(st.none() | st.just(later)), reason),
        domain.SignalAccepted(moment, signal, tuple(draw(st.lists(text, max_size=2)))),
        domain.SignalRejected(moment, signal, reason),
        domain.PositionOpened(moment, position),
        domain.PositionChanged(moment, position, draw(decimals)),
        domain.PositionClosed(moment, position, trade),
        domain.CorporateActionApplied(
            moment,
            terms,
            position,
            draw(decimals),
            draw(decimals),
            draw(decimals),
            draw(decimals),
            draw(st.none() | st.just(trade)),
        ),
        domain.MarginCalled(moment, draw(decimals), draw(decimals), ("SPY", "QQQ"), reason),
        domain.CashOverdrawn(
            moment,
            order.order_id,
            "SPY",
            draw(decimals),
            reason,
            draw(st.none() | st.sampled_from(domain.CashCheck)),
        ),
        domain.FeedStale(*feed),
        domain.FeedFailing(*feed),
        domain.FeedRecovered(*feed),
    ]
    assert len(every) == KINDS == len(event_documents._KINDS)
    return draw(st.sampled_from(every))


@settings(max_examples=300, deadline=None)
@given(events())
def test_the_dispatch_gives_the_generic_document(event: Any) -> None:
    built, reference = event_document(event), generic_document(event)
    assert built == reference
    # the same types too (a Decimal left unconverted would compare unequal above; an enum
    # member equal to its text would not): the same JSON, keys in the same order
    assert json.dumps(built) == json.dumps(reference)
    assert [type(value) for value in built.values()] == [type(v) for v in reference.values()]


def test_an_order_event_calls_plain_only_for_its_tuple(monkeypatch: pytest.MonkeyPatch) -> None:
    """On fresh dispatch tables (the types learned during this test), an order's cancel is
    built with one call of ``plain`` (its ``children`` tuple), not one a field (23)."""
    at = datetime(2026, 12, 6, tzinfo=UTC)
    order = domain.Order(
        "O1", "", "SPY", domain.Side.BUY, domain.OrderType.LIMIT, Decimal(1), at, Decimal(50)
    )
    event = domain.OrderCanceled(at, order, "canceled by user")
    expected = generic_document(event)
    calls: list[object] = []
    plain = event_documents.plain

    def counted(value: object) -> object:
        calls.append(value)
        return plain(value)

    monkeypatch.setattr(event_documents, "plain", counted)
    monkeypatch.setattr(event_documents, "_PLAIN", event_documents._Converters(nested=False))
    monkeypatch.setattr(event_documents, "_EVENT_FIELDS", event_documents._Converters(nested=True))
    monkeypatch.setattr(event_documents, "_EVENTS", {}, raising=False)
    assert event_document(event) == expected
    assert calls == [order.children]
