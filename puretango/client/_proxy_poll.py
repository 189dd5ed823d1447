"""The polling side of ``DeviceProxy``: polling configuration through the device's admin
device and the polling history (placeholder while it is written: no method yet)."""

from __future__ import annotations

__all__ = ["PollingMixin"]


class PollingMixin:
    """Polling and history methods of ``DeviceProxy``."""
