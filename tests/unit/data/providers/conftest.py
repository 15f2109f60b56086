"""Fixtures for the provider tests; nothing may reach the network."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
import requests
import respx
from provider_replay import FakeClock, ReplayAdapter, utc


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name lookup or socket connection fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to open a network connection: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """respx over every httpx client; an unmatched request fails the test."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock_router:
        yield mock_router


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(2024, 1, 8, 15, 0))


@pytest.fixture
def replay_session() -> Callable[[dict[str, list[str]]], tuple[requests.Session, ReplayAdapter]]:
    def make(routes: dict[str, list[str]]) -> tuple[requests.Session, ReplayAdapter]:
        adapter = ReplayAdapter(routes)
        session = requests.Session()
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session, adapter

    return make
