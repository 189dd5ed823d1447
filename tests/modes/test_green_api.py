"""The green-mode API per mode: return types, ``wait``/``timeout`` semantics, mode selection.

Unlike ``test_behaviour.py`` these tests are about what differs between modes, so they
name the mode they test: ``wait=False`` gives a ``concurrent.futures.Future`` (futures),
a ``gevent.event.AsyncResult`` (gevent), ``ValueError`` (synchronous); asyncio calls
give awaitables; ``timeout=`` expiry raises ``TimeoutError`` / ``gevent.Timeout``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import json
import os
import time
from typing import Any

import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer, run_pytango_client

from .conftest import DEVICES, attribute_trl
from .helpers import IMPL, IMPL_NAME, impl_module

pytestmark = pytest.mark.timeout(60)

GreenMode = IMPL.GreenMode
DOUBLE_RO = tv.by_attr_name("double_scalar_ro").read


def _gevent() -> Any:
    pytest.importorskip("gevent")
    import gevent.event

    return gevent


def _finish_sleep(proxy: Any, **kwargs: Any) -> None:
    """Wait (synchronously) until a timed-out Sleep is over and check the proxy works."""
    result = proxy.command_inout("EchoDouble", 3.25, **kwargs)
    assert result == 3.25


# ---------------------------------------------------------------------------- enum and modules


def test_green_mode_enum() -> None:
    assert [(m.name, int(m)) for m in GreenMode] == [
        ("Synchronous", 0),
        ("Futures", 1),
        ("Gevent", 2),
        ("Asyncio", 3),
    ]


@pytest.mark.parametrize("flavour", ["futures", "gevent", "asyncio"])
def test_module_exports_and_aliases(flavour: str) -> None:
    if flavour == "gevent":
        _gevent()
    module = impl_module(flavour)
    assert {"DeviceProxy", "AttributeProxy"} <= set(module.__all__)
    assert callable(module.DeviceProxy) and callable(module.AttributeProxy)
    assert module.Device is module.DeviceProxy
    assert module.Attribute is module.AttributeProxy


def test_import_does_not_import_gevent() -> None:
    out = run_pytango_client(
        f"import sys, {IMPL_NAME}\n"
        "print(sorted(m for m in sys.modules if m == 'gevent' or m.startswith('gevent.')))\n"
    )
    assert out.strip().splitlines()[-1] == "[]"


# ------------------------------------------------------------------------- global green mode


@pytest.mark.skipif(bool(os.environ.get("PYTANGO_GREEN_MODE")), reason="PYTANGO_GREEN_MODE is set")
def test_set_and_get_green_mode(modes_server: PyTangoServer) -> None:
    trl = modes_server.trl(DEVICES[0])
    before = IMPL.get_green_mode()
    assert before == GreenMode.Synchronous
    following = IMPL.DeviceProxy(trl)  # no green_mode: follows the global one
    pinned = IMPL.DeviceProxy(trl, green_mode=GreenMode.Synchronous)
    try:
        IMPL.set_green_mode(GreenMode.Futures)
        assert IMPL.get_green_mode() == GreenMode.Futures
        fresh = IMPL.DeviceProxy(trl)
        assert fresh.get_green_mode() == GreenMode.Futures
        future = fresh.read_attribute("double_scalar_ro", wait=False)
        assert isinstance(future, concurrent.futures.Future)
        assert future.result(timeout=10).value == DOUBLE_RO
        assert following.get_green_mode() == GreenMode.Futures
        assert isinstance(following.state(wait=False), concurrent.futures.Future)
        assert pinned.get_green_mode() == GreenMode.Synchronous
        with pytest.raises(ValueError):
            pinned.state(wait=False)
    finally:
        IMPL.set_green_mode(GreenMode.Synchronous)
    assert IMPL.get_green_mode() == GreenMode.Synchronous
    assert following.state() == IMPL.DevState.ON


_ENV_SNIPPET = """
import concurrent.futures, json, {impl} as tango
out = {{"mode": tango.get_green_mode().name}}
if out["mode"] == "Futures":
    dev = tango.DeviceProxy({trl!r})
    out["proxy_mode"] = dev.get_green_mode().name
    out["returns_future"] = isinstance(dev.state(wait=False), concurrent.futures.Future)
print(json.dumps(out))
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("futures", "Futures"),
        ("FUTURES", "Futures"),
        ("gevent", "Gevent"),
        ("asyncio", "Asyncio"),
        ("synchronous", "Synchronous"),
        ("no-such-mode", "Synchronous"),
        ("", "Synchronous"),
    ],
)
def test_pytango_green_mode_env(modes_server: PyTangoServer, value: str, expected: str) -> None:
    code = _ENV_SNIPPET.format(impl=IMPL_NAME, trl=modes_server.trl(DEVICES[0]))
    out = json.loads(
        run_pytango_client(code, env={"PYTANGO_GREEN_MODE": value}).strip().splitlines()[-1]
    )
    assert out["mode"] == expected
    if expected == "Futures":
        assert out["proxy_mode"] == "Futures" and out["returns_future"] is True


# ------------------------------------------------------------------------------ synchronous


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("state", ()),
        ("read_attribute", ("double_scalar_ro",)),
        ("command_inout", ("EchoDouble", 1.0)),
        ("write_attribute", ("double_scalar_rw", 1.0)),
    ],
)
def test_sync_wait_false_is_value_error(
    modes_server: PyTangoServer, method: str, args: tuple[Any, ...]
) -> None:
    dev = IMPL.DeviceProxy(modes_server.trl(DEVICES[0]))
    assert dev.get_green_mode() == GreenMode.Synchronous
    with pytest.raises(ValueError):
        getattr(dev, method)(*args, wait=False)
    assert dev.state(wait=True) == IMPL.DevState.ON


# ---------------------------------------------------------------------------------- futures


def test_futures_factory(modes_server: PyTangoServer) -> None:
    futures = impl_module("futures")
    dev = futures.DeviceProxy(modes_server.trl(DEVICES[0]))
    assert not isinstance(dev, concurrent.futures.Future)
    assert dev.get_green_mode() == GreenMode.Futures
    da = dev.read_attribute("double_scalar_ro")  # default wait=True: the plain result
    assert isinstance(da, IMPL.DeviceAttribute) and da.value == DOUBLE_RO
    assert dev.state() == IMPL.DevState.ON
    pending = futures.DeviceProxy(modes_server.trl(DEVICES[1]), wait=False)
    assert isinstance(pending, concurrent.futures.Future)
    other = pending.result(timeout=10)
    assert other.get_green_mode() == GreenMode.Futures
    assert other.state() == IMPL.DevState.ON


def test_futures_wait_false_gives_future(modes_server: PyTangoServer) -> None:
    dev = impl_module("futures").DeviceProxy(modes_server.trl(DEVICES[1]))
    future = dev.read_attribute("double_scalar_ro", wait=False)
    assert isinstance(future, concurrent.futures.Future)
    da = future.result(timeout=10)
    assert isinstance(da, IMPL.DeviceAttribute) and da.value == DOUBLE_RO
    start = time.monotonic()
    slow = dev.command_inout(tv.SLEEP_COMMAND, 0.5, wait=False)
    assert time.monotonic() - start < 0.3, "wait=False blocked until the reply"
    assert isinstance(slow, concurrent.futures.Future) and not slow.done()
    assert slow.result(timeout=10) is None
    assert time.monotonic() - start >= 0.45


def test_futures_timeout(modes_server: PyTangoServer) -> None:
    dev = impl_module("futures").DeviceProxy(modes_server.trl(DEVICES[1]))
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        dev.command_inout(tv.SLEEP_COMMAND, 1.0, wait=True, timeout=0.2)
    assert 0.15 < time.monotonic() - start < 0.8
    _finish_sleep(dev)


def test_futures_errors_through_future(modes_server: PyTangoServer) -> None:
    dev = impl_module("futures").DeviceProxy(modes_server.trl(DEVICES[1]))
    future = dev.command_inout(tv.FAIL_COMMAND, wait=False)
    assert isinstance(future, concurrent.futures.Future)
    with pytest.raises(IMPL.DevFailed) as info:
        future.result(timeout=10)
    assert info.value.args[0].reason == tv.FAIL_REASON
    assert isinstance(future.exception(), IMPL.DevFailed)


def test_futures_attribute_proxy(modes_server: PyTangoServer) -> None:
    attr = impl_module("futures").AttributeProxy(
        attribute_trl(modes_server, DEVICES[1], "double_scalar_ro")
    )
    assert attr.read().value == DOUBLE_RO
    future = attr.read(wait=False)
    assert isinstance(future, concurrent.futures.Future)
    assert future.result(timeout=10).value == DOUBLE_RO


# ----------------------------------------------------------------------------------- gevent


def test_gevent_factory(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    module = impl_module("gevent")
    dev = module.DeviceProxy(modes_server.trl(DEVICES[2]))
    assert not isinstance(dev, gevent.event.AsyncResult)
    assert dev.get_green_mode() == GreenMode.Gevent
    da = dev.read_attribute("double_scalar_ro")
    assert isinstance(da, IMPL.DeviceAttribute) and da.value == DOUBLE_RO
    pending = module.DeviceProxy(modes_server.trl(DEVICES[3]), wait=False)
    assert isinstance(pending, gevent.event.AsyncResult)
    assert pending.get(timeout=10).state() == IMPL.DevState.ON


def test_gevent_wait_false_gives_async_result(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    dev = impl_module("gevent").DeviceProxy(modes_server.trl(DEVICES[2]))
    result = dev.read_attribute("double_scalar_ro", wait=False)
    assert isinstance(result, gevent.event.AsyncResult)
    da = result.get(timeout=10)
    assert isinstance(da, IMPL.DeviceAttribute) and da.value == DOUBLE_RO
    start = time.monotonic()
    slow = dev.command_inout(tv.SLEEP_COMMAND, 0.5, wait=False)
    assert time.monotonic() - start < 0.3, "wait=False blocked until the reply"
    assert isinstance(slow, gevent.event.AsyncResult) and not slow.ready()
    assert slow.get(timeout=10) is None
    assert time.monotonic() - start >= 0.45


def test_gevent_timeout(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    dev = impl_module("gevent").DeviceProxy(modes_server.trl(DEVICES[2]))
    start = time.monotonic()
    with pytest.raises(gevent.Timeout):
        dev.command_inout(tv.SLEEP_COMMAND, 1.0, wait=True, timeout=0.2)
    assert 0.15 < time.monotonic() - start < 0.8
    _finish_sleep(dev)


def test_gevent_blocking_call_after_thread_was_busy(modes_server: PyTangoServer) -> None:
    """A wait=True call from the main greenlet, made after this OS thread was busy (hub not
    running) for longer than the Tango timeout, gets its full timeout, not an instant one."""
    _gevent()
    dev = impl_module("gevent").DeviceProxy(modes_server.trl(DEVICES[2]))
    dev.set_timeout_millis(200)
    assert dev.state() == IMPL.DevState.ON
    time.sleep(0.3)  # blocks the OS thread: the hub's clock is not updated meanwhile
    assert dev.command_inout("EchoDouble", 1.25) == 1.25
    time.sleep(0.3)
    assert dev.read_attribute("double_scalar_ro").value == DOUBLE_RO


def test_gevent_errors_through_async_result(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    dev = impl_module("gevent").DeviceProxy(modes_server.trl(DEVICES[2]))
    result = dev.read_attribute(tv.DEVFAILED_ATTR, wait=False)
    assert isinstance(result, gevent.event.AsyncResult)
    with pytest.raises(IMPL.DevFailed) as info:
        result.get(timeout=10)
    assert info.value.args[0].reason == tv.DEVFAILED_ATTR_REASON
    assert isinstance(result.exception, IMPL.DevFailed)


def test_gevent_attribute_proxy(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    attr = impl_module("gevent").AttributeProxy(
        attribute_trl(modes_server, DEVICES[2], "double_scalar_ro")
    )
    assert attr.read().value == DOUBLE_RO
    result = attr.read(wait=False)
    assert isinstance(result, gevent.event.AsyncResult)
    assert result.get(timeout=10).value == DOUBLE_RO


# ---------------------------------------------------------------------------------- asyncio


def test_asyncio_factory_and_awaitables(modes_server: PyTangoServer) -> None:
    aio = impl_module("asyncio")

    async def main() -> None:
        pending = aio.DeviceProxy(modes_server.trl(DEVICES[3]))
        assert inspect.isawaitable(pending)
        dev = await pending
        assert not inspect.isawaitable(dev)
        assert dev.get_green_mode() == GreenMode.Asyncio
        call = dev.read_attribute("double_scalar_ro")
        assert inspect.isawaitable(call)
        da = await call
        assert isinstance(da, IMPL.DeviceAttribute) and da.value == DOUBLE_RO
        state = dev.state()
        assert inspect.isawaitable(state)
        assert await state == IMPL.DevState.ON
        start = time.monotonic()
        slow = dev.command_inout(tv.SLEEP_COMMAND, 0.5)
        assert time.monotonic() - start < 0.3, "making the awaitable blocked until the reply"
        assert await slow is None
        assert time.monotonic() - start >= 0.45
        attr = await aio.AttributeProxy(attribute_trl(modes_server, DEVICES[3], "double_scalar_ro"))
        assert (await attr.read()).value == DOUBLE_RO

    asyncio.run(main())


def test_asyncio_timeout_with_wait_for(modes_server: PyTangoServer) -> None:
    aio = impl_module("asyncio")

    async def main() -> None:
        dev = await aio.DeviceProxy(modes_server.trl(DEVICES[3]))
        start = time.monotonic()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(dev.command_inout(tv.SLEEP_COMMAND, 1.0), 0.2)
        assert 0.15 < time.monotonic() - start < 0.8
        assert await dev.command_inout("EchoDouble", 3.25) == 3.25

    asyncio.run(main())


def test_asyncio_errors_through_await(modes_server: PyTangoServer) -> None:
    aio = impl_module("asyncio")

    async def main() -> None:
        dev = await aio.DeviceProxy(modes_server.trl(DEVICES[3]))
        with pytest.raises(IMPL.DevFailed) as info:
            await dev.command_inout(tv.FAIL_COMMAND)
        assert info.value.args[0].reason == tv.FAIL_REASON
        results = await asyncio.gather(
            dev.read_attribute(tv.FAILING_ATTR),
            dev.command_inout("EchoDouble", 4.5),
            return_exceptions=True,
        )
        assert isinstance(results[0], IMPL.DevFailed) and results[1] == 4.5

    asyncio.run(main())


# ------------------------------------------------------------------- per-proxy, per-call modes


def test_per_proxy_green_mode(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    trl = modes_server.trl(DEVICES[4])
    fut_dev = IMPL.DeviceProxy(trl, green_mode=GreenMode.Futures)
    assert fut_dev.get_green_mode() == GreenMode.Futures
    assert fut_dev.state() == IMPL.DevState.ON
    assert isinstance(fut_dev.state(wait=False), concurrent.futures.Future)
    gev_dev = IMPL.DeviceProxy(trl, green_mode=GreenMode.Gevent)
    assert gev_dev.get_green_mode() == GreenMode.Gevent
    assert isinstance(gev_dev.state(wait=False), gevent.event.AsyncResult)
    aio_dev = IMPL.DeviceProxy(trl, green_mode=GreenMode.Asyncio)  # the constructor is synchronous
    assert aio_dev.get_green_mode() == GreenMode.Asyncio

    async def main() -> Any:
        call = aio_dev.read_attribute("double_scalar_ro")
        assert inspect.isawaitable(call)
        return await call

    assert asyncio.run(main()).value == DOUBLE_RO


def test_per_call_override_on_sync_proxy(modes_server: PyTangoServer) -> None:
    gevent = _gevent()
    dev = IMPL.DeviceProxy(modes_server.trl(DEVICES[4]))
    future = dev.read_attribute("double_scalar_ro", green_mode=GreenMode.Futures, wait=False)
    assert isinstance(future, concurrent.futures.Future)
    assert future.result(timeout=10).value == DOUBLE_RO
    result = dev.command_inout("EchoDouble", 6.5, green_mode=GreenMode.Gevent, wait=False)
    assert isinstance(result, gevent.event.AsyncResult)
    assert result.get(timeout=10) == 6.5

    async def main() -> Any:
        call = dev.state(green_mode=GreenMode.Asyncio)
        assert inspect.isawaitable(call)
        return await call

    assert asyncio.run(main()) == IMPL.DevState.ON
    # the override was for those calls only
    assert dev.get_green_mode() == GreenMode.Synchronous
    assert dev.read_attribute("double_scalar_ro").value == DOUBLE_RO
    with pytest.raises(ValueError):
        dev.state(wait=False)


def test_per_call_synchronous_on_futures_proxy(modes_server: PyTangoServer) -> None:
    dev = impl_module("futures").DeviceProxy(modes_server.trl(DEVICES[4]))
    assert dev.state(green_mode=GreenMode.Synchronous) == IMPL.DevState.ON
    with pytest.raises(ValueError):
        dev.state(green_mode=GreenMode.Synchronous, wait=False)
    assert isinstance(dev.state(wait=False), concurrent.futures.Future)
