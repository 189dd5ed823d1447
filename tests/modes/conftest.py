"""Fixtures for the green-mode suites: a TypeDev server and one adapter per green mode.

The ``mode`` fixture is parametrised over ``sync``, ``futures``, ``gevent`` and
``asyncio`` (the idea of anyio's ``anyio_backend`` fixture), so a behaviour test is
written once and runs in every mode. An adapter hides how its mode waits:

* ``make_proxy(trl)`` / ``make_attribute_proxy(name)``: build a proxy the way a user of
  that mode does (``IMPL.DeviceProxy``, ``IMPL.futures.DeviceProxy``,
  ``IMPL.gevent.DeviceProxy`` in a greenlet, ``await IMPL.asyncio.DeviceProxy`` in the
  adapter's own event loop);
* ``call(method, *args, **kw)``: call a green proxy method and return the plain result,
  checking on the way that the mode really answered asynchronously (a
  ``concurrent.futures.Future`` / ``gevent.event.AsyncResult`` for ``wait=False``, an
  awaitable in asyncio mode);
* ``access(thunk)``: evaluate high-level access such as ``dev.attr`` or ``dev.Cmd(x)``
  in the mode's context (asyncio: it must give an awaitable, which is awaited; other
  modes: it must give a plain value);
* ``call_all(calls, probe=None)``: start every ``(method, args)`` call before waiting for
  any (sync mode: one after the other) and return the plain results in order; ``probe``
  is called repeatedly *in the mode's own context* while the calls are in flight (a
  greenlet, a task), e.g. to sample the number of OS threads;
* ``run(thunk)``: run any code in the mode's context (in a greenlet, in the loop).

In gevent mode ``call`` runs in the calling (main) greenlet, as a script would, while
``run``, ``access``, ``make_proxy`` and ``call_all`` use spawned greenlets, so both
situations are exercised.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from collections.abc import Callable, Coroutine, Iterator, Sequence
from typing import Any

import pytest

pytest.importorskip("tango", reason="PyTango runs the TypeDev peer server")

from peers.launch import PyTangoServer, typedev_server  # noqa: E402

from .helpers import CALL_LIMIT, IMPL, impl_module  # noqa: E402

DEVICE_COUNT = 20
DEVICES = [f"test/mode/{i}" for i in range(1, DEVICE_COUNT + 1)]
MODE_NAMES = ["sync", "futures", "gevent", "asyncio"]
#: Seconds between two calls of a ``call_all`` probe.
PROBE_PERIOD = 0.002

CallSpec = tuple[Callable[..., Any], tuple[Any, ...]]
Probe = Callable[[], None]


# --------------------------------------------------------------------------------- servers


@pytest.fixture(scope="session")
def modes_server() -> Iterator[PyTangoServer]:
    """A PyTango TypeDev server with 20 devices ``test/mode/1..20``, shared by the session."""
    server = typedev_server(DEVICES, instance="modes")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lone_server() -> Iterator[PyTangoServer]:
    """A private one-device TypeDev server, for tests that restart or kill it."""
    server = typedev_server(["test/mode/lone"], instance="modes_lone")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def attribute_trl(server: PyTangoServer, device: str, attr: str) -> str:
    """Full attribute name for ``AttributeProxy`` (no database)."""
    return f"tango://{server.host}:{server.port}/{device}/{attr}#dbase=no"


# -------------------------------------------------------------------------------- adapters


class ModeAdapter:
    """How one green mode builds proxies and waits for calls (see the module docstring)."""

    name = ""
    is_async = False

    @property
    def green_mode(self) -> Any:
        return {
            "sync": IMPL.GreenMode.Synchronous,
            "futures": IMPL.GreenMode.Futures,
            "gevent": IMPL.GreenMode.Gevent,
            "asyncio": IMPL.GreenMode.Asyncio,
        }[self.name]

    def run(self, thunk: Callable[[], Any]) -> Any:
        return thunk()

    def access(self, thunk: Callable[[], Any]) -> Any:
        def plain() -> Any:
            value = thunk()
            assert not inspect.isawaitable(value), (
                f"{self.name}: expected a plain value, got {value!r}"
            )
            return value

        return self.run(plain)

    def make_proxy(self, trl: str) -> Any:
        proxy = self.run(lambda: self._factory("DeviceProxy")(trl))
        return self._checked(proxy)

    def make_attribute_proxy(self, name: str) -> Any:
        proxy = self.run(lambda: self._factory("AttributeProxy")(name))
        return self._checked_attribute(proxy)

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def call_all(self, calls: Sequence[CallSpec], probe: Probe | None = None) -> list[Any]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def _factory(self, kind: str) -> Callable[..., Any]:
        return getattr(impl_module(self.name), kind)

    def _checked(self, proxy: Any) -> Any:
        assert not inspect.isawaitable(proxy), f"{self.name}: factory gave {proxy!r}, not a proxy"
        assert not isinstance(proxy, concurrent.futures.Future)
        assert proxy.get_green_mode() == self.green_mode
        return proxy

    def _checked_attribute(self, proxy: Any) -> Any:
        assert not inspect.isawaitable(proxy), f"{self.name}: factory gave {proxy!r}, not a proxy"
        assert not isinstance(proxy, concurrent.futures.Future)
        assert proxy.get_device_proxy().get_green_mode() == self.green_mode
        return proxy


class SyncAdapter(ModeAdapter):
    name = "sync"

    def _factory(self, kind: str) -> Callable[..., Any]:
        return getattr(IMPL, kind)

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        assert not isinstance(result, concurrent.futures.Future) and not inspect.isawaitable(result)
        return result

    def call_all(self, calls: Sequence[CallSpec], probe: Probe | None = None) -> list[Any]:
        results = []
        for method, args in calls:
            results.append(self.call(method, *args))
            if probe is not None:
                probe()
        return results


class FuturesAdapter(ModeAdapter):
    name = "futures"

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        future = method(*args, wait=False, **kwargs)
        assert isinstance(future, concurrent.futures.Future), f"futures: got {future!r}"
        return future.result(timeout=CALL_LIMIT)

    def call_all(self, calls: Sequence[CallSpec], probe: Probe | None = None) -> list[Any]:
        futures = [method(*args, wait=False) for method, args in calls]
        assert all(isinstance(f, concurrent.futures.Future) for f in futures)
        pending = set(futures)
        while pending:
            if probe is not None:
                probe()
            _, pending = concurrent.futures.wait(pending, timeout=PROBE_PERIOD)
        return [f.result(timeout=CALL_LIMIT) for f in futures]


class GeventAdapter(ModeAdapter):
    name = "gevent"

    def __init__(self) -> None:
        self.gevent = pytest.importorskip("gevent")
        import gevent.event

        self.AsyncResult = gevent.event.AsyncResult

    def run(self, thunk: Callable[[], Any]) -> Any:
        """Run ``thunk`` in a fresh greenlet and return (or raise) what it did."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = thunk()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
                box["error"] = exc

        greenlet = self.gevent.spawn(target)
        greenlet.join(timeout=CALL_LIMIT)
        if not greenlet.dead:
            greenlet.kill()
            raise AssertionError(f"gevent: greenlet still running after {CALL_LIMIT} s")
        if "error" in box:
            raise box["error"]
        return box["value"]

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        # Called from the current (main) greenlet, as a script would; ``run``, ``access``
        # and ``call_all`` use spawned greenlets, so both situations are covered.
        result = method(*args, wait=False, **kwargs)
        assert isinstance(result, self.AsyncResult), f"gevent: got {result!r}"
        return result.get(timeout=CALL_LIMIT)

    def call_all(self, calls: Sequence[CallSpec], probe: Probe | None = None) -> list[Any]:
        gevent = self.gevent

        def thunk() -> list[Any]:
            results = [method(*args, wait=False) for method, args in calls]
            assert all(isinstance(r, self.AsyncResult) for r in results)
            done = False

            def sample() -> None:
                while not done:
                    assert probe is not None
                    probe()
                    gevent.sleep(PROBE_PERIOD)

            sampler = gevent.spawn(sample) if probe is not None else None
            try:
                finished = gevent.joinall(results, timeout=CALL_LIMIT)
            finally:
                done = True
                if sampler is not None:
                    sampler.join(1)
            assert len(finished) == len(results), (
                f"{len(results) - len(finished)} calls still pending"
            )
            if sampler is not None:
                sampler.get(block=False)  # re-raise what the probe raised
            return [r.get(block=False) for r in results]

        return self.run(thunk)


class AsyncioAdapter(ModeAdapter):
    name = "asyncio"
    is_async = True

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()

    def run_coroutine(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(coro, CALL_LIMIT))

    def run(self, thunk: Callable[[], Any]) -> Any:
        async def go() -> Any:
            value = thunk()
            if inspect.isawaitable(value):
                value = await value
            return value

        return self.run_coroutine(go())

    def access(self, thunk: Callable[[], Any]) -> Any:
        async def go() -> Any:
            value = thunk()
            assert inspect.isawaitable(value), f"asyncio: expected an awaitable, got {value!r}"
            return await value

        return self.run_coroutine(go())

    def make_proxy(self, trl: str) -> Any:
        return self._checked(self.access(lambda: self._factory("DeviceProxy")(trl)))

    def make_attribute_proxy(self, name: str) -> Any:
        return self._checked_attribute(self.access(lambda: self._factory("AttributeProxy")(name)))

    def call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.access(lambda: method(*args, **kwargs))

    def call_all(self, calls: Sequence[CallSpec], probe: Probe | None = None) -> list[Any]:
        async def go() -> list[Any]:
            awaitables = [method(*args) for method, args in calls]
            assert all(inspect.isawaitable(a) for a in awaitables)
            gathered = asyncio.gather(*awaitables)
            while probe is not None and not gathered.done():
                probe()
                await asyncio.wait([gathered], timeout=PROBE_PERIOD)
            return await gathered

        return self.run_coroutine(go())

    def close(self) -> None:
        """Cancel what is left in the loop (as ``asyncio.run`` does) and close it."""
        loop = self.loop
        try:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            if tasks:
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


ADAPTERS: dict[str, Callable[[], ModeAdapter]] = {
    "sync": SyncAdapter,
    "futures": FuturesAdapter,
    "gevent": GeventAdapter,
    "asyncio": AsyncioAdapter,
}


@pytest.fixture(params=MODE_NAMES)
def mode(request: pytest.FixtureRequest) -> Iterator[ModeAdapter]:
    """The adapter of one green mode; a test using it runs once per mode."""
    adapter = ADAPTERS[request.param]()
    try:
        yield adapter
    finally:
        adapter.close()


@pytest.fixture
def dev(mode: ModeAdapter, modes_server: PyTangoServer) -> Any:
    """A proxy of the current mode to ``test/mode/1``, whose values were just reset."""
    proxy = mode.make_proxy(modes_server.trl(DEVICES[0]))
    mode.call(proxy.command_inout, "Reset")
    return proxy


@pytest.fixture
def sync_dev(modes_server: PyTangoServer) -> Any:
    """A plain synchronous proxy to ``test/mode/1`` (reference results, set-up)."""
    return IMPL.DeviceProxy(modes_server.trl(DEVICES[0]))
