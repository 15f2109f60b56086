"""Frozen events: every state change the engine makes is told as one of these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paperdesk.domain.fills import Fill
from paperdesk.domain.orders import Order
from paperdesk.domain.signals import Signal


@dataclass(frozen=True, slots=True)
class Event:
    ts_event: datetime


@dataclass(frozen=True, slots=True)
class OrderAccepted(Event):
    order: Order


@dataclass(frozen=True, slots=True)
class OrderRejected(Event):
    order: Order
    reason: str


@dataclass(frozen=True, slots=True)
class OrderFilled(Event):
    order: Order  # the order after this fill
    fill: Fill


@dataclass(frozen=True, slots=True)
class OrderCanceled(Event):
    order: Order
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrderExpired(Event):
    order: Order


@dataclass(frozen=True, slots=True)
class OrderModified(Event):
    order: Order


@dataclass(frozen=True, slots=True)
class SignalRejected(Event):
    signal: Signal
    reason: str
