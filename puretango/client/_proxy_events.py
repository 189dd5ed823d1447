"""The event side of ``DeviceProxy``: subscriptions and the event queues (placeholder while
it is written: no method yet)."""

from __future__ import annotations

__all__ = ["EventsMixin"]


class EventsMixin:
    """Event subscription methods of ``DeviceProxy``."""
