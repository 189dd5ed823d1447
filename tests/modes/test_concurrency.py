"""Concurrency of the green modes: many calls in flight, one OS thread, one connection.

gevent and asyncio modes are natively cooperative: their I/O runs in the calling OS
thread, so a burst of 1,000 reads across 20 proxies must not create any OS thread, and
the proxies of one server share one TCP connection. Also: asyncio proxies across
``asyncio.run()`` calls, cancellation mid-call, two event loops in two threads, and
futures/gevent proxies called from a second thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from typing import Any

import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer

from .conftest import DEVICES, ModeAdapter
from .helpers import (
    CALL_LIMIT,
    IMPL,
    established_connections,
    impl_module,
    os_thread_count,
    proc_available,
)

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(not proc_available(), reason="needs /proc to count threads and sockets"),
]

#: Scalar read-only attributes with their expected values; reads rotate over them so that
#: a reply delivered to the wrong caller shows up as a wrong name or value.
READ_NAMES = [
    f"{t}_scalar_ro" for t in ("boolean", "short", "long", "long64", "double", "string", "state")
]
BURST = 1000


def _expected(name: str) -> Any:
    return tv.by_attr_name(name).read


class ThreadProbe:
    """Records the largest OS thread count seen by the calls of ``__call__``."""

    def __init__(self) -> None:
        self.baseline = os_thread_count()
        self.peak = self.baseline
        self.samples = 0

    def __call__(self) -> None:
        self.peak = max(self.peak, os_thread_count())
        self.samples += 1


def _make_proxies(mode: ModeAdapter, server: PyTangoServer) -> list[Any]:
    return [mode.make_proxy(server.trl(device)) for device in DEVICES]


def _warm_up(mode: ModeAdapter, proxies: list[Any]) -> None:
    """One read per proxy, one at a time (connect, learn the attribute config)."""
    for proxy in proxies:
        assert mode.call(proxy.read_attribute, READ_NAMES[0]).name == READ_NAMES[0]


# ------------------------------------------------------------------------ 1,000 reads in flight


def test_reads_in_flight(mode: ModeAdapter, modes_server: PyTangoServer) -> None:
    """1,000 reads across 20 proxies (one per device) are all answered correctly.

    In gevent and asyncio modes no OS thread may appear while they are in flight.
    """
    proxies = _make_proxies(mode, modes_server)
    _warm_up(mode, proxies)
    connections = established_connections(modes_server.port)
    calls = [
        (proxies[i % len(proxies)].read_attribute, (READ_NAMES[i % len(READ_NAMES)],))
        for i in range(BURST)
    ]
    probe = ThreadProbe()
    results = mode.call_all(calls, probe)
    assert probe.samples > 0
    for i, da in enumerate(results):
        name = READ_NAMES[i % len(READ_NAMES)]
        assert isinstance(da, IMPL.DeviceAttribute)
        assert da.name == name, (i, da.name)
        assert tv.same_value(da.value, _expected(name)), (i, name, da.value)
    if mode.name in ("gevent", "asyncio"):
        assert probe.peak == probe.baseline, f"{probe.peak - probe.baseline} OS threads appeared"
        assert os_thread_count() == probe.baseline
    assert established_connections(modes_server.port) == connections, "the burst opened connections"


def test_proxies_share_one_connection(mode: ModeAdapter, modes_server: PyTangoServer) -> None:
    """40 proxies (two per device) to one server open at most one new TCP connection."""
    before = established_connections(modes_server.port)
    proxies = _make_proxies(mode, modes_server) + _make_proxies(mode, modes_server)
    _warm_up(mode, proxies)
    after = established_connections(modes_server.port)
    assert after >= 1
    assert after - before <= 1, (
        f"{after - before} connections for {len(proxies)} proxies of one server"
    )


def test_slow_calls_overlap(mode: ModeAdapter, modes_server: PyTangoServer) -> None:
    """Ten 0.5 s commands on ten devices, all in flight at once, take about 0.5 s.

    In sync mode the calls are made from ten threads: they share one connection, on which
    the threaded transport keeps them all in flight."""
    proxies = _make_proxies(mode, modes_server)[:10]
    _warm_up(mode, proxies)
    probe = ThreadProbe()
    start = time.monotonic()
    if mode.name == "sync":
        with concurrent.futures.ThreadPoolExecutor(len(proxies)) as pool:
            futures = [pool.submit(p.command_inout, tv.SLEEP_COMMAND, 0.5) for p in proxies]
            results = [f.result(timeout=10) for f in futures]
    else:
        results = mode.call_all(
            [(p.command_inout, (tv.SLEEP_COMMAND, 0.5)) for p in proxies], probe
        )
    elapsed = time.monotonic() - start
    assert results == [None] * len(proxies)
    assert 0.45 < elapsed < 1.5, elapsed
    if mode.name in ("gevent", "asyncio"):
        assert probe.peak == probe.baseline


def test_gevent_greenlets_with_blocking_calls(modes_server: PyTangoServer) -> None:
    """100 greenlets each make 10 blocking (wait=True) reads: 1,000 reads, no new thread."""
    gevent = pytest.importorskip("gevent")
    module = impl_module("gevent")
    proxies = [module.DeviceProxy(modes_server.trl(device)) for device in DEVICES]
    for proxy in proxies:
        proxy.read_attribute(READ_NAMES[0])
    connections = established_connections(modes_server.port)
    probe = ThreadProbe()
    results: dict[tuple[int, int], Any] = {}
    running = {"count": 0, "peak": 0}

    def worker(k: int) -> None:
        running["count"] += 1
        running["peak"] = max(running["peak"], running["count"])
        try:
            for j in range(10):
                name = READ_NAMES[(k + j) % len(READ_NAMES)]
                results[k, j] = (name, proxies[(k * 10 + j) % len(proxies)].read_attribute(name))
                probe()
        finally:
            running["count"] -= 1

    greenlets = [gevent.spawn(worker, k) for k in range(100)]
    finished = gevent.joinall(greenlets, timeout=CALL_LIMIT, raise_error=True)
    assert len(finished) == 100
    assert len(results) == 1000
    for name, da in results.values():
        assert da.name == name and tv.same_value(da.value, _expected(name))
    assert running["peak"] == 100, "blocking calls did not yield to the other greenlets"
    assert probe.peak == probe.baseline, f"{probe.peak - probe.baseline} OS threads appeared"
    assert established_connections(modes_server.port) == connections


def test_gevent_blocking_calls_cooperate(modes_server: PyTangoServer) -> None:
    """20 greenlets each block in a 0.4 s command on its own device: about 0.4 s in all."""
    gevent = pytest.importorskip("gevent")
    module = impl_module("gevent")
    proxies = [module.DeviceProxy(modes_server.trl(device)) for device in DEVICES]
    for proxy in proxies:
        proxy.state()
    probe = ThreadProbe()
    start = time.monotonic()
    greenlets = [gevent.spawn(p.command_inout, tv.SLEEP_COMMAND, 0.4) for p in proxies]
    while not all(g.ready() for g in greenlets) and time.monotonic() - start < CALL_LIMIT:
        probe()
        gevent.sleep(0.005)
    elapsed = time.monotonic() - start
    assert all(g.successful() for g in greenlets), [g.exception for g in greenlets]
    assert 0.35 < elapsed < 1.5, elapsed
    assert probe.peak == probe.baseline


# -------------------------------------------------------------------------------------- asyncio


def test_asyncio_run_twice(modes_server: PyTangoServer) -> None:
    """Proxies work in consecutive ``asyncio.run()``: new ones and the same object again."""
    aio = impl_module("asyncio")
    trl = modes_server.trl(DEVICES[5])

    async def make() -> Any:
        return await aio.DeviceProxy(trl)

    async def use(proxy: Any, value: float) -> None:
        assert await proxy.state() == IMPL.DevState.ON
        assert await proxy.command_inout("EchoDouble", value) == value
        assert (await proxy.read_attribute("double_scalar_ro")).value == _expected(
            "double_scalar_ro"
        )

    async def fresh(value: float) -> None:
        await use(await make(), value)

    asyncio.run(fresh(1.0))
    asyncio.run(fresh(2.0))
    kept = asyncio.run(make())  # created in a loop that is closed right after
    asyncio.run(use(kept, 3.0))
    asyncio.run(use(kept, 4.0))


def test_asyncio_cancel_mid_call(modes_server: PyTangoServer) -> None:
    """Cancelling a task during ``Sleep(1.0)`` leaves the shared connection usable."""
    aio = impl_module("asyncio")

    async def main() -> None:
        dev = await aio.DeviceProxy(modes_server.trl(DEVICES[6]))
        other = await aio.DeviceProxy(modes_server.trl(DEVICES[7]))
        assert await dev.state() == IMPL.DevState.ON
        task = asyncio.ensure_future(dev.command_inout(tv.SLEEP_COMMAND, 1.0))
        await asyncio.sleep(0.2)  # the request is on the wire, the server sleeps
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        start = time.monotonic()
        # Another device on the same connection answers at once.
        assert await other.command_inout("EchoDouble", 1.5) == 1.5
        assert time.monotonic() - start < 0.5
        # The same device answers after the sleep; the late Sleep reply is discarded.
        assert await dev.command_inout("EchoDouble", 2.5) == 2.5
        assert (await dev.read_attribute("long_scalar_ro")).value == _expected("long_scalar_ro")
        assert await dev.status() == tv.DEVICE_STATUS

    asyncio.run(main())


def test_asyncio_two_loops_in_two_threads(modes_server: PyTangoServer) -> None:
    """One proxy used concurrently from two event loops running in two threads."""
    aio = impl_module("asyncio")

    async def make() -> Any:
        return await aio.DeviceProxy(modes_server.trl(DEVICES[8]))

    proxy = asyncio.run(make())
    barrier = threading.Barrier(2, timeout=CALL_LIMIT)
    outcome: dict[int, Any] = {}

    async def work(k: int) -> list[Any]:
        barrier.wait()
        values = [k * 1000 + i for i in range(50)]
        results = await asyncio.gather(*(proxy.command_inout("EchoLong", v) for v in values))
        assert list(results) == values
        return list(results)

    def thread_main(k: int) -> None:
        try:
            outcome[k] = asyncio.run(work(k))
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome[k] = exc

    threads = [threading.Thread(target=thread_main, args=(k,)) for k in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(CALL_LIMIT)
    assert not any(t.is_alive() for t in threads), "an event loop thread hung"
    for k in (1, 2):
        assert outcome[k] == [k * 1000 + i for i in range(50)], outcome[k]


# --------------------------------------------------------------------------------- any thread


def _wait_false_from_thread(dev: Any, future_type: type, get: Any) -> dict[str, Any]:
    """In a new thread: ``wait=False`` calls must return ``future_type`` at once."""
    seen: dict[str, Any] = {}

    def thread_main() -> None:
        try:
            start = time.monotonic()
            slow = dev.command_inout(tv.SLEEP_COMMAND, 0.4, wait=False)
            seen["return_delay"] = time.monotonic() - start
            seen["slow_type"] = type(slow)
            seen["slow_result"] = get(slow)
            read = dev.read_attribute("double_scalar_ro", wait=False)
            seen["read_type"] = type(read)
            seen["read_value"] = get(read).value
            seen["plain"] = dev.command_inout("EchoDouble", 8.5)
        except BaseException as exc:  # noqa: BLE001 - reported below
            seen["error"] = exc

    thread = threading.Thread(target=thread_main)
    thread.start()
    thread.join(CALL_LIMIT)
    assert not thread.is_alive()
    assert "error" not in seen, seen.get("error")
    assert issubclass(seen["slow_type"], future_type), seen["slow_type"]
    assert issubclass(seen["read_type"], future_type), seen["read_type"]
    assert seen["return_delay"] < 0.3, "wait=False blocked: the call ran synchronously"
    assert seen["slow_result"] is None
    assert seen["read_value"] == _expected("double_scalar_ro")
    assert seen["plain"] == 8.5
    return seen


def test_futures_call_from_second_thread(modes_server: PyTangoServer) -> None:
    dev = impl_module("futures").DeviceProxy(modes_server.trl(DEVICES[9]))
    assert dev.state() == IMPL.DevState.ON
    _wait_false_from_thread(dev, concurrent.futures.Future, lambda f: f.result(timeout=CALL_LIMIT))
    assert isinstance(dev.state(wait=False), concurrent.futures.Future)


def test_gevent_call_from_second_thread(modes_server: PyTangoServer) -> None:
    pytest.importorskip("gevent")
    import gevent.event

    dev = impl_module("gevent").DeviceProxy(modes_server.trl(DEVICES[10]))
    assert dev.state() == IMPL.DevState.ON
    _wait_false_from_thread(dev, gevent.event.AsyncResult, lambda r: r.get(timeout=CALL_LIMIT))
    # and the proxy still works in the main thread's hub
    assert isinstance(dev.state(wait=False), gevent.event.AsyncResult)
    assert dev.state() == IMPL.DevState.ON
