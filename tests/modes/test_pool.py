"""puretango's green transports against a real PyTango server: the connection pool per
endpoint (one connection for sequential calls, more while many calls are in flight, one
again after the burst) and coalesced writes (a burst of calls goes out in one ``send``).

These look inside puretango (pool objects, socket sends), so they are skipped when the
mode tests run against another implementation.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer

from .conftest import DEVICES
from .helpers import IMPL, IMPL_NAME, established_connections, impl_module, proc_available

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(IMPL_NAME != "puretango", reason="puretango's own transports"),
    pytest.mark.skipif(not proc_available(), reason="needs /proc to count sockets"),
]

HOST = "127.0.0.1"
SLEEP = 0.4  # seconds per Sleep command: long enough to count connections meanwhile


class CountingSocket:
    """A socket whose ``send`` calls are counted (everything else is the real socket's)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sends = 0

    def send(self, data: Any, *flags: int) -> int:
        self.sends += 1
        return self.sock.send(data, *flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pools made meanwhile spread at 2 calls in flight, up to 3 connections."""
    from puretango.client import _pool

    monkeypatch.setattr(_pool, "SPREAD_AT", 2)
    monkeypatch.setattr(_pool, "MAX_CONNECTIONS", 3)
    yield


# ------------------------------------------------------------------------------- asyncio


def test_asyncio_pool_grows_for_a_burst_and_shrinks(
    modes_server: PyTangoServer, small_pool: None
) -> None:
    """Sequential calls: one connection; six slow calls in flight: three connections (the
    limit); once they are answered: one connection again."""
    aio = impl_module("asyncio")
    port = modes_server.port

    async def main() -> None:
        before = established_connections(port)
        devs = [await aio.DeviceProxy(modes_server.trl(d)) for d in DEVICES[:6]]
        for dev in devs:
            assert await dev.command_inout("EchoDouble", 1.25) == 1.25
        assert established_connections(port) == before + 1
        sleeps = [dev.command_inout(tv.SLEEP_COMMAND, SLEEP) for dev in devs]
        await asyncio.sleep(SLEEP / 2)
        assert established_connections(port) == before + 3
        assert await asyncio.gather(*sleeps) == [None] * 6
        assert established_connections(port) == before + 1

    asyncio.run(main())


def test_asyncio_burst_goes_out_in_one_send(modes_server: PyTangoServer) -> None:
    """100 calls started in one loop iteration cost one ``send``; every caller gets its
    own reply."""
    from puretango.client._asyncio import endpoint_pool

    aio = impl_module("asyncio")

    async def main() -> None:
        devs = [await aio.DeviceProxy(modes_server.trl(d)) for d in DEVICES]
        for dev in devs:  # each proxy learns the command's types first
            assert await dev.command_inout("EchoDouble", 0.5) == 0.5
        pool = endpoint_pool(asyncio.get_running_loop(), HOST, modes_server.port)
        assert pool is not None and len(pool.channels) == 1
        pool.spread_at = 1000  # keep the burst on this connection
        channel = pool.channels[0]
        counting = channel.sock = CountingSocket(channel.sock)
        values = [i + 0.5 for i in range(100)]
        calls = [devs[i % len(devs)].command_inout("EchoDouble", v) for i, v in enumerate(values)]
        assert await asyncio.gather(*calls) == values
        assert counting.sends == 1

    asyncio.run(main())


# ------------------------------------------------------------------------------- futures


def test_futures_pool_and_coalesced_submissions(modes_server: PyTangoServer) -> None:
    """Futures mode: a burst submitted from this thread goes out in a few sends (one wake-up
    of the I/O thread per burst), spreads over the pool's connections while in flight, and
    leaves one connection behind."""
    from puretango.client._asyncio import endpoint_pool
    from puretango.client._modes import io_loop

    fut = impl_module("futures")
    port = modes_server.port
    devs = [fut.DeviceProxy(modes_server.trl(d)) for d in DEVICES[:6]]
    for dev in devs:
        assert dev.command_inout("EchoDouble", 2.5) == 2.5
    pool = endpoint_pool(io_loop(), HOST, port)
    assert pool is not None and len(pool.channels) == 1
    before = established_connections(port)

    def burst(values: list[float]) -> tuple[list[Any], int]:
        channel = pool.channels[0]
        counting = CountingSocket(channel.sock)
        io_loop().call_soon_threadsafe(setattr, channel, "sock", counting)
        futures = [
            devs[i % len(devs)].command_inout("EchoDouble", v, wait=False)
            for i, v in enumerate(values)
        ]
        return [f.result(timeout=20) for f in futures], counting.sends

    pool.spread_at, pool.max_connections = 1000, 1
    values = [i + 0.25 for i in range(200)]
    results, sends = burst(values)
    assert results == values
    assert sends <= 20, f"{sends} sends for 200 requests"
    try:
        pool.spread_at, pool.max_connections = 2, 3
        sleeps = [dev.command_inout(tv.SLEEP_COMMAND, SLEEP, wait=False) for dev in devs]
        time.sleep(SLEEP / 2)
        assert not sleeps[-1].done()
        assert established_connections(port) == before + 2
        assert [f.result(timeout=20) for f in sleeps] == [None] * 6
        # the I/O thread closes the extra connections right after the last reply's dispatch
        deadline = time.monotonic() + 5
        while established_connections(port) != before and time.monotonic() < deadline:
            time.sleep(0.01)
        assert established_connections(port) == before
    finally:
        from puretango.client import _pool

        pool.spread_at, pool.max_connections = _pool.SPREAD_AT, _pool.MAX_CONNECTIONS


# -------------------------------------------------------------------------------- gevent


def test_gevent_pool_and_one_send_per_burst(modes_server: PyTangoServer) -> None:
    """gevent: 100 greenlets' calls go out in one ``send``; slow calls in flight spread over
    the pool, which shrinks back to one connection afterwards."""
    gevent = pytest.importorskip("gevent")
    from puretango.client._gevent import endpoint_pool

    gev = impl_module("gevent")
    port = modes_server.port
    devs = [gev.DeviceProxy(modes_server.trl(d)) for d in DEVICES]
    for dev in devs:
        assert dev.command_inout("EchoDouble", 3.5) == 3.5
    pool = endpoint_pool(HOST, port)
    assert pool is not None and len(pool.channels) == 1
    before = established_connections(port)

    pool.spread_at = 1000
    channel = pool.channels[0]
    counting = channel.sock = CountingSocket(channel.sock)
    values = [i + 0.75 for i in range(100)]
    greenlets = [
        gevent.spawn(devs[i % len(devs)].command_inout, "EchoDouble", v)
        for i, v in enumerate(values)
    ]
    gevent.joinall(greenlets, timeout=20, raise_error=True)
    assert [g.value for g in greenlets] == values
    assert counting.sends == 1
    try:
        pool.spread_at, pool.max_connections = 2, 3
        sleeps = [gevent.spawn(dev.command_inout, tv.SLEEP_COMMAND, SLEEP) for dev in devs[:6]]
        gevent.sleep(SLEEP / 2)
        assert established_connections(port) == before + 2
        gevent.joinall(sleeps, timeout=20, raise_error=True)
        assert [g.value for g in sleeps] == [None] * 6
        assert established_connections(port) == before
    finally:
        from puretango.client import _pool

        pool.spread_at, pool.max_connections = _pool.SPREAD_AT, _pool.MAX_CONNECTIONS


def test_gevent_wait_false_runs_without_a_greenlet(modes_server: PyTangoServer) -> None:
    """gevent ``wait=False``: the operation is driven from the hub (no greenlet per call),
    connects a fresh hub's first connection, honours the proxy's timeout and leaves the
    connection usable."""
    gevent = pytest.importorskip("gevent")
    import threading

    gev = impl_module("gevent")
    out: dict[str, Any] = {}

    def in_fresh_hub() -> None:  # a new thread: its own hub, no connection yet
        try:
            dev = gev.DeviceProxy(modes_server.trl(DEVICES[8]))
            spawned = []
            real_spawn = gevent.spawn
            gevent.spawn = lambda *a, **k: spawned.append(a) or real_spawn(*a, **k)
            try:
                pending = [dev.command_inout("EchoDouble", v, wait=False) for v in (1.5, 2.5)]
                out["values"] = [p.get(timeout=20) for p in pending]
                spawned.clear()
                out["again"] = dev.command_inout("EchoDouble", 3.5, wait=False).get(timeout=20)
                out["spawned"] = len(spawned)
            finally:
                gevent.spawn = real_spawn
            dev.set_timeout_millis(200)
            slow = dev.command_inout(tv.SLEEP_COMMAND, 0.8, wait=False)
            try:
                slow.get(timeout=20)
            except IMPL.DevFailed as exc:
                out["timeout"] = exc.args[-1].reason
            dev.set_timeout_millis(3000)
            out["after"] = dev.command_inout("EchoDouble", 4.5, wait=False).get(timeout=20)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            out["error"] = exc

    thread = threading.Thread(target=in_fresh_hub)
    thread.start()
    thread.join(30)
    assert "error" not in out, out.get("error")
    assert out["values"] == [1.5, 2.5]
    assert out["again"] == 3.5 and out["spawned"] == 0
    assert out["timeout"] == "API_DeviceTimedOut"
    assert out["after"] == 4.5
