"""A large attribute value leaves the server from the device's own memory: the buffers the
threaded transport hands to ``sendmsg`` (a synchronous device) and those the asyncio
transport writes (an ``async def`` device) include the returned numpy array itself, and the
client gets the value bit-exact (two 4 MiB reply fragments and a third part)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import puretango
from puretango.idl._enums import GreenMode
from puretango.server import Device, DeviceServer, attribute
from puretango.server import _server as server_module
from puretango.server import _threaded as threaded_module
from puretango.server._server import server_in_thread

VALUES = np.arange(1_100_000, dtype=np.float64) / 3  # 8.8 MB: three GIOP 1.2 parts


class SyncBig(Device):
    @attribute(dtype=(float,), max_dim_x=2_000_000)
    def big(self) -> Any:
        return VALUES


class AsyncBig(Device):
    green_mode = GreenMode.Asyncio

    @attribute(dtype=(float,), max_dim_x=2_000_000)
    async def big(self) -> Any:
        return VALUES


@pytest.fixture(params=[SyncBig, AsyncBig], ids=["threaded", "asyncio"])
def served(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    """(proxy, the buffers the server sent, the server)."""
    sent: list[Any] = []
    send_segments = threaded_module.send_segments
    write = server_module._ServerProtocol._write

    def spy_send_segments(sock: Any, segments: Any) -> None:
        sent.extend(segments)
        send_segments(sock, segments)

    def spy_write(self: Any, data: Any) -> None:
        sent.append(data)
        write(self, data)

    monkeypatch.setattr(threaded_module, "send_segments", spy_send_segments)
    monkeypatch.setattr(server_module._ServerProtocol, "_write", spy_write)
    cls = request.param
    server = DeviceServer(cls.__name__, "z", [(cls, "test/zerocopy/1", None)], host="127.0.0.1")
    thread, _ = server_in_thread(server)
    try:
        trl = f"tango://127.0.0.1:{server.port}/test/zerocopy/1#dbase=no"
        yield puretango.DeviceProxy(trl), sent, server
    finally:
        server.request_stop()
        thread.join(10)


def test_the_reply_is_sent_from_the_array_memory(served: tuple) -> None:
    proxy, sent, server = served
    value = proxy.read_attribute("big").value
    assert value.tobytes() == VALUES.tobytes()
    assert any(np.shares_memory(np.frombuffer(b, np.uint8), VALUES) for b in sent)
    # the synchronous device is served by the threaded transport, the other on the loop
    assert server.serves_with_threads() == ("SyncBig" in server.classes)
