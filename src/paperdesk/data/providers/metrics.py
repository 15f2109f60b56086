"""Provider calls for Prometheus, counted where the aggregator decides each attempt (one place
for every fetch and latest price): ``outcome`` is ``ok`` (answered), ``failed`` (an outage, a
rate limit, a bad response, an unknown symbol) or ``skipped`` (quota, open circuit, unsupported).
"""

from __future__ import annotations

from prometheus_client import Counter

PROVIDER_CALLS = Counter(
    "paperdesk_provider_calls_total",
    "Price provider attempts by provider and outcome (ok, failed, skipped).",
    ["provider", "outcome"],
)


def count_attempt(provider: str, outcome: str) -> None:
    PROVIDER_CALLS.labels(provider=provider, outcome=outcome).inc()
