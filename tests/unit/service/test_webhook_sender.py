"""The HTTP sender against a real local server: 2xx is delivered, anything else (a redirect, an
error status, no server) is a failure with a short reason and no exception leaking out."""

from __future__ import annotations

import socket

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.domain import InvalidInputError
from paperdesk.domain.webhooks import webhook_url
from paperdesk.service.webhook_delivery import DeliveryFailedError, HttpSender
from webhook_receiver import running_receiver

BODY = b'{"id":"evt_1"}'


def test_a_2xx_answer_is_a_delivery() -> None:
    sender = HttpSender()
    with running_receiver() as receiver:
        receiver.status = 204
        sender(receiver.url, BODY, {"X-Paperdesk-Event-Id": "evt_1"})
    sender.close()
    [request] = receiver.requests
    assert (request.body, request.headers["x-paperdesk-event-id"]) == (BODY, "evt_1")
    assert request.headers["user-agent"].startswith("paperdesk-webhooks/")


@pytest.mark.parametrize(("status", "reason"), [(302, "HTTP 302 Found"), (404, "HTTP 404")])
def test_a_redirect_or_an_error_status_is_a_failure_and_is_not_followed(
    status: int, reason: str
) -> None:
    sender = HttpSender()
    with running_receiver() as receiver:
        receiver.status = status
        with pytest.raises(DeliveryFailedError, match=reason):
            sender(receiver.url, BODY, {})
    sender.close()
    assert len(receiver.requests) == 1  # the redirect's Location was not asked


def test_no_server_is_a_failure_naming_the_connection_error() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = HttpSender(timeout=2, connect_timeout=2)
    with pytest.raises(DeliveryFailedError, match="ConnectError"):
        sender(f"http://127.0.0.1:{port}/hook", BODY, {})
    sender.close()


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        st.builds(
            "{}://{}{}/{}".format,
            st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
            st.text(max_size=30),
            st.sampled_from(["", ":80", ":0", ":65536", ":x"]),
            st.text(max_size=20),
        ),
    )
)
def test_any_text_is_refused_cleanly_or_is_a_url_httpx_can_send_to(text: str) -> None:
    """A URL the check lets through never makes the sender fail with anything but a delivery
    failure (httpx parses it); anything else is refused with a message naming the url."""
    try:
        url = webhook_url(text)
    except InvalidInputError as refused:
        message = str(refused)
        url = ""
    else:
        message = "url: accepted"
    assert message.startswith("url: ")
    if not url:
        return
    parsed = httpx.URL(url)
    assert parsed.scheme in ("http", "https")
    assert parsed.host
