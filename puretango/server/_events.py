"""The events a device server publishes over ZeroMQ (placeholder while the publisher is
written: no event is published yet)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._server import DeviceServer

__all__ = ["EventSupplier"]


class EventSupplier:
    """The heartbeat and event PUB sockets of one server and its subscriptions."""

    def __init__(self, server: DeviceServer) -> None:
        self._server = server

    async def start(self) -> None:
        """Bind the heartbeat socket (called once the server listens)."""

    async def stop(self) -> None:
        """Close the sockets."""

    def attribute_polled(self, device: str, attribute: str, value: Any) -> None:
        """The poller read ``attribute`` of ``device``: ``value`` is the AttributeValue_5 it
        read (its ``err_list`` set when the read failed). Called on the server's loop."""
