"""Provider calls are counted where the aggregator decides each attempt: an outage, a rate
limit and a skip each land on their provider and outcome (recorded responses, no network)."""

from __future__ import annotations

import httpx
import pytest
import respx
from prometheus_client import REGISTRY
from provider_replay import FakeClock, respond
from test_provider_aggregator import END, START, TWELVE, YAHOO, make

from paperdesk.data.providers import AllProvidersFailed, Limits


def calls(provider: str, outcome: str) -> float:
    labels = {"provider": provider, "outcome": outcome}
    return REGISTRY.get_sample_value("paperdesk_provider_calls_total", labels) or 0.0


def test_every_attempt_is_counted_by_provider_and_outcome(
    router: respx.MockRouter, http: httpx.Client, clock: FakeClock
) -> None:
    router.get(YAHOO).mock(return_value=httpx.Response(503, text="Service Unavailable"))
    router.get(TWELVE).mock(return_value=respond("twelvedata_time_series_aapl_1day"))
    limits = {"yahoo": Limits(per_day=None, per_minute=60), "twelvedata": Limits(per_day=1)}
    aggregator = make(http, clock, limits=limits, order=("yahoo", "twelvedata"))
    keys = [(p, o) for p in ("yahoo", "twelvedata") for o in ("ok", "failed", "skipped")]
    before = {key: calls(*key) for key in keys}

    first = aggregator.fetch_bars("AAPL", "1d", START, END)  # yahoo down, twelvedata answers
    assert first.provider == "twelvedata"
    # yahoo's circuit is open, twelvedata's daily quota is spent: nothing answers
    with pytest.raises(AllProvidersFailed):
        aggregator.fetch_bars("AAPL", "1d", START, END)

    counted = {key: calls(*key) - before[key] for key in keys}
    assert counted == {
        ("yahoo", "ok"): 0,
        ("yahoo", "failed"): 1,
        ("yahoo", "skipped"): 1,
        ("twelvedata", "ok"): 1,
        ("twelvedata", "failed"): 0,
        ("twelvedata", "skipped"): 1,
    }
