"""The API's own Prometheus metrics (the platform's counts live in ``paperdesk.service.metrics``,
provider calls in ``paperdesk.data.providers.metrics``; ``/metrics`` shows them all).

``WEBSOCKET_CLIENTS`` is for the WebSocket endpoints: ``inc()`` when a client is accepted,
``dec()`` when it leaves (``labels(channel="trading")`` or ``"prices"``).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "paperdesk_http_requests_total",
    "HTTP requests by method, route template (unmatched: any path no route knows) and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "paperdesk_http_request_duration_seconds",
    "Time from a request's arrival to its response's last byte, by method and route template.",
    ["method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBSOCKET_CLIENTS = Gauge(
    "paperdesk_websocket_clients", "WebSocket clients connected now, by channel.", ["channel"]
)
RATE_LIMITED = Counter("paperdesk_rate_limited_total", "Requests refused with 429 rate_limited.")
RATE_LIMITER_ERRORS = Counter(
    "paperdesk_rate_limiter_errors_total",
    "Requests let through unchecked because Redis did not answer the rate limiter.",
)
