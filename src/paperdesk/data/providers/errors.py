"""Typed provider failures: the aggregator decides what to do from the class alone."""

from __future__ import annotations

from paperdesk.domain import DataError


class ProviderError(DataError):
    """A price provider could not give what was asked; ``provider`` names it."""

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.reason = message


class RateLimited(ProviderError):  # noqa: N818 (the names the spec uses)
    """The provider refused for quota or rate reasons (HTTP 429 or a "limit" payload)."""

    def __init__(self, provider: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(provider, message)
        self.retry_after = retry_after


class ProviderUnavailable(ProviderError):  # noqa: N818 (the names the spec uses)
    """The provider is down or unreachable: HTTP 5xx, a timeout or a connection error."""


class SymbolNotFound(ProviderError):  # noqa: N818 (the names the spec uses)
    """The provider does not know the symbol (or does not serve its asset class)."""


class BadResponse(ProviderError):  # noqa: N818 (the names the spec uses)
    """The provider answered with something that is not the expected data (or refused the key)."""
