"""The HTTP sender against a real local server: 2xx is delivered, anything else (a redirect, an
error status, no server) is a failure with a short reason and no exception leaking out."""

from __future__ import annotations

import socket

import pytest

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
