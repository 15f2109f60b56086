"""The market-data service: what the ``paperdesk data ...`` commands (and later the API) call.

``providers()`` reports every configured price provider: whether it is enabled (or why it is
skipped), its quota used and left today from the persisted quota store in ``PAPERDESK_HOME``,
its use of the current minute and its circuit state. Reporting makes no network request.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from paperdesk.data.providers import ProviderAggregator, ProviderSettings, ProviderStatus

__all__ = ["MarketDataService", "ProviderStatus", "provider_status_document"]


class MarketDataService:
    """One door to market data for the interfaces.

    ``settings`` default to ``ProviderSettings.from_env(environ)``. Pass the long-lived
    ``aggregator`` of a running process to see its live circuit states; without one, a fresh
    aggregator is built for each call, so circuits show closed (breakers live in memory) while
    quotas come from the persisted store.
    """

    def __init__(
        self,
        settings: ProviderSettings | None = None,
        *,
        aggregator: ProviderAggregator | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._settings = settings
        self._environ = environ
        self._aggregator = aggregator

    @property
    def settings(self) -> ProviderSettings:
        if self._settings is None:
            self._settings = ProviderSettings.from_env(self._environ)
        return self._settings

    def providers(self) -> list[ProviderStatus]:
        """The status of every provider in priority order, enabled ones first."""
        if self._aggregator is not None:
            return self._aggregator.status()
        with httpx.Client() as client:  # never used: status() sends no request
            aggregator = ProviderAggregator.from_settings(self.settings, client=client)
            return aggregator.status()


def provider_status_document(status: ProviderStatus) -> dict[str, object]:
    """``status`` as a JSON-ready dictionary (times in ISO 8601, UTC)."""
    return {
        "name": status.name,
        "enabled": status.enabled,
        "skipped_reason": status.skipped_reason,
        "blocked_reason": status.blocked_reason,
        "per_day": status.per_day,
        "used_today": status.used_today,
        "left_today": status.left_today,
        "per_minute": status.per_minute,
        "used_this_minute": status.used_this_minute,
        "circuit": status.circuit if status.enabled else None,
        "open_until": status.open_until.isoformat() if status.open_until else None,
        "last_error": status.last_error,
    }
