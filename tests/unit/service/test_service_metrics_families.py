"""Every metrics family is exposed from the start, also those counted in modules that load
only when first needed (the price providers' calls)."""

from __future__ import annotations

import subprocess
import sys

EXPOSE = """
import paperdesk.service.metrics
from prometheus_client import generate_latest
print(generate_latest().decode())
"""


def test_the_provider_calls_are_exposed_before_any_provider_loads() -> None:
    """A fresh process (the API's /metrics, the worker's ``serve_metrics``) shows the provider
    calls' family although no aggregator was made (the providers load on first use)."""
    done = subprocess.run(
        [sys.executable, "-c", EXPOSE], capture_output=True, text=True, check=True
    )
    assert "# TYPE paperdesk_provider_calls_total counter" in done.stdout
    assert "# TYPE paperdesk_outbox_events_total counter" in done.stdout
