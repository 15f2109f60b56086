"""The webhook values: event names, the URL rule, the signature and the retry schedule."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from paperdesk.domain import InvalidInputError
from paperdesk.domain.webhooks import RetryPolicy, event_id, event_kinds, signature, webhook_url


def test_groups_expand_to_outbox_kinds_and_single_kinds_are_kept() -> None:
    assert event_kinds(["fills", "trades"]) == ("order.filled", "position.closed")
    assert event_kinds([" Rejections ", "order.filled", "fills"]) == (
        "order.filled",
        "order.rejected",
        "signal.rejected",
    )
    assert event_kinds(["errors"]) == (
        "account.cash_overdrawn",
        "account.margin_called",
        "feed.failing",
        "feed.stale",
    )


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([], "name at least one event"),
        (["", " "], "name at least one event"),
        (["fill"], "unknown event 'fill'; known: fills, trades"),
    ],
)
def test_unknown_or_no_events_are_refused(names: list[str], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        event_kinds(names)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/paperdesk?token=1",
        "http://127.0.0.1:8080/x",
        "http://[::1]:9000/",
        "https://localhost",
    ],
)
def test_http_urls_with_a_host_are_accepted(url: str) -> None:
    assert webhook_url(f"  {url} ") == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("file:///etc/passwd", "scheme must be http or https"),
        ("gopher://example.com/", "scheme must be http or https"),
        ("https://", "is not a host name"),
        ("https://bad_host.example/", "is not a host name"),
        ("https://a..b/", "is not a host name"),
        ("http://admin:secret@example.com/", "user name or password"),
        ("http://example.com:0/", "port 0"),
        ("http://example.com:70000/", "url:"),
        ("http://example.com/#top", "fragment"),
        ("http://example.com/\x00", "printable"),
        ("https://example.com/" + "a" * 2000, "at most 2000"),
    ],
)
def test_other_urls_are_refused_naming_the_problem(url: str, problem: str) -> None:
    with pytest.raises(InvalidInputError, match="url") as refused:
        webhook_url(url)
    assert problem in str(refused.value)


def test_the_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    body = b'{"id":"evt_7"}'
    expected = hmac.new(b"k" * 16, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("k" * 16, "1700000000", body) == f"sha256={expected}"
    assert signature("k" * 16, "1700000001", body) != f"sha256={expected}"
    assert event_id(7) == "evt_7"


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens() -> None:
    policy = RetryPolicy(
        first_delay=timedelta(seconds=10), longest_delay=timedelta(seconds=60), jitter=0.5
    )
    assert [policy.delay(n, 0.0).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]
    assert policy.delay(2, 0.5) == timedelta(seconds=15)  # 20 * (1 - 0.5 * 0.5)
    assert policy.delay(10_000, 0.999) > timedelta(seconds=30)  # capped, no overflow
