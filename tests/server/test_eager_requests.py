"""``DeviceServer.eager_requests``: a request runs at once up to its first wait and becomes
a task only if it waits. Requests that never wait, that wait, that fail, and slow requests
overlapping on one connection all answer as they do without it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from puretango import DevFailed, DeviceProxy
from puretango.idl._enums import GreenMode
from puretango.server import Device, DeviceServer, command
from puretango.server._server import server_in_thread


class EagerDev(Device):
    green_mode = GreenMode.Asyncio

    @command(dtype_in=str, dtype_out=str)
    async def Fast(self, text: str) -> str:
        return text.upper()

    @command(dtype_in=float, dtype_out=float)
    async def Slow(self, seconds: float) -> float:
        await asyncio.sleep(seconds)
        return seconds

    @command
    async def Fail(self) -> None:
        raise ValueError("no")


class EagerServer(DeviceServer):
    eager_requests = True


@pytest.fixture(scope="module")
def proxy() -> Iterator[DeviceProxy]:
    server = EagerServer("EagerDev", "t", [(EagerDev, "test/eager/1", None)], host="127.0.0.1")
    thread, _ = server_in_thread(server)
    try:
        yield DeviceProxy(f"tango://127.0.0.1:{server.port}/test/eager/1#dbase=no")
    finally:
        server.request_stop()
        thread.join(10)


def test_requests_that_never_wait_wait_or_fail(proxy: DeviceProxy) -> None:
    assert proxy.command_inout("Fast", "abc") == "ABC"
    assert proxy.command_inout("Slow", 0.01) == 0.01
    with pytest.raises(DevFailed) as info:
        proxy.command_inout("Fail")
    assert "ValueError: no" in info.value.args[0].desc
    assert proxy.state() is not None


def test_slow_requests_overlap_and_fast_ones_pass_them(proxy: DeviceProxy) -> None:
    results: list[float] = []
    slow = [
        threading.Thread(target=lambda: results.append(proxy.command_inout("Slow", 0.5)))
        for _ in range(2)
    ]
    t0 = time.monotonic()
    for t in slow:
        t.start()
    time.sleep(0.1)
    assert proxy.command_inout("Fast", "x") == "X"
    fast_done = time.monotonic() - t0
    for t in slow:
        t.join(5)
    assert results == [0.5, 0.5]
    assert fast_done < 0.45
    assert time.monotonic() - t0 < 0.95  # the two slow requests ran side by side
