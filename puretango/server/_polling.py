"""The polling of a device server: one poller for all its devices (placeholder while the
polling is written: nothing is polled yet, and :meth:`Poller.period_of` says so)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._server import DeviceServer

__all__ = ["Poller"]


class Poller:
    """Polls the attributes and commands of a server's devices at their periods."""

    def __init__(self, server: DeviceServer) -> None:
        self._server = server

    async def start(self) -> None:
        """Start polling what the devices and the Database declare as polled."""

    async def stop(self) -> None:
        """Stop every polling task."""

    def period_of(self, device: str, kind: str, name: str) -> int | None:
        """The polling period in ms of ``kind`` (``"attribute"`` or ``"command"``) ``name``
        of ``device``, or None when it is not polled."""
        return None
