"""The event consumers of the gevent and asyncio modes: no thread of their own.

Gevent (one per hub): a ``zmq.green`` SUB socket read by a greenlet, a dispatch greenlet
calling the callbacks, a keep-alive greenlet spawning one greenlet per GIOP operation.

Asyncio (one per event loop): a ``zmq.asyncio`` SUB socket read by a task, a dispatch task
(plain callbacks called, coroutine callbacks awaited), a keep-alive task. When the loop's
tasks are cancelled (the end of ``asyncio.run``) the socket is closed.

Both readers wait for the first message the green way, then drain what else is waiting
without blocking through a plain (shadow) socket, and hand the batch over at once: the
dispatch queue is a bounded deque with an event waking the dispatcher once per batch.

The state, the subscription operations and delivery are shared (:mod:`._events`).
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
import weakref
from collections import deque
from typing import Any, cast

from ._asyncio import invoke_async, run_async
from ._engine import Call, Op, run_sync
from ._events import (
    DRAIN_TIMEOUT,
    SETTLE_TIMEOUT,
    ConsumerBase,
    apply_commands,
    call_back,
    dispatch_queue_size,
    drain,
    log,
    new_sub_socket,
)
from ._evops import g_confirm
from ._evstate import Subscription
from ._modes import _current_loop
from ._warn import warn_sync_callback

__all__ = [
    "GeventConsumer",
    "AsyncioConsumer",
    "gevent_consumer",
    "asyncio_consumer",
    "run_asyncio_events",
    "run_events_op",
]


class _DequeDispatch(ConsumerBase):
    """Received events wait in a bounded deque for the dispatcher, woken by an event of
    the mode (a gevent or an asyncio ``Event``)."""

    _pending: deque[tuple[Subscription, Any]]
    _limit: int
    _ready: Any

    def enqueue(self, item: tuple[Subscription, Any]) -> bool:
        if len(self._pending) >= self._limit:
            return False
        self._pending.append(item)
        return True

    def wake(self) -> None:
        self._ready.set()


class GeventConsumer(_DequeDispatch):
    """The consumer of one gevent hub."""

    def __init__(self) -> None:
        import gevent
        import gevent.event
        import zmq.green

        super().__init__()
        self._context = zmq.green.Context()
        self._sock, self._monitor = new_sub_socket(self._context)
        self._raw: Any = zmq.Socket.shadow(self._sock.underlying)
        self._pending: deque[tuple[Subscription, Any]] = deque()
        self._limit = dispatch_queue_size()
        self._ready = gevent.event.Event()
        self._hub = gevent.get_hub()
        self._greenlets = [
            gevent.spawn(self._read_loop),
            gevent.spawn(self._monitor_loop),
            gevent.spawn(self._dispatch_loop),
            gevent.spawn(self._keepalive_loop),
        ]

    def flush(self) -> None:
        apply_commands(self._sock, self.state.take_commands())

    def drain_dispatch(self) -> None:
        import gevent
        import gevent.event

        if gevent.get_hub() is not self._hub or gevent.getcurrent() is self._greenlets[2]:
            return
        done = gevent.event.Event()
        self._pending.append((None, done))  # type: ignore[arg-type]  # a barrier
        self._ready.set()
        done.wait(DRAIN_TIMEOUT)

    def g_settle(self, sub: Subscription) -> Op[None]:
        import gevent

        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not self.state.settled(sub) and time.monotonic() < deadline:
            gevent.sleep(0.001)
        return
        yield

    def _read_loop(self) -> None:
        sock, raw = self._sock, self._raw
        while True:
            first = sock.recv_multipart()
            self.receive_all([first, *drain(raw)])

    def _monitor_loop(self) -> None:
        while True:
            self.on_monitor(self._monitor.recv_multipart())

    def _dispatch_loop(self) -> None:
        pending, ready = self._pending, self._ready
        while True:
            ready.wait()
            ready.clear()
            while pending:
                sub, event = pending.popleft()
                if sub is None:  # a barrier of drain_dispatch
                    event.set()
                else:
                    call_back(sub, event)
                del sub, event  # no subscription kept alive by this frame

    def spawn(self, op: Op[Any]) -> None:
        import gevent

        from ._gevent import invoke_gevent

        def run() -> None:
            try:
                run_sync(op, invoke_gevent)
            except Exception:  # noqa: BLE001 - logged: nobody waits for it
                log.exception("background event operation failed")

        gevent.spawn(run)

    def _keepalive_loop(self) -> None:
        import gevent

        from ._gevent import invoke_gevent

        def run(op: Any) -> None:
            try:
                run_sync(op, invoke_gevent)
            except Exception:  # noqa: BLE001 - the keep-alive must survive anything
                log.exception("event keep-alive operation failed")

        while True:
            timings, due = self.due()
            for admin, argin in due.confirm:
                gevent.spawn(run, g_confirm(admin, argin))
            for sub in due.retry:
                gevent.spawn(run, self.g_resubscribe(sub))
            gevent.sleep(timings.tick)


class _Settle:
    """Yielded by the asyncio consumer's ``g_settle`` instead of a call: the runner of
    :func:`run_events_op` awaits the consumer's handshake instead of sending anything."""

    __slots__ = ("consumer", "sub")

    def __init__(self, consumer: AsyncioConsumer, sub: Subscription) -> None:
        self.consumer, self.sub = consumer, sub


async def _invoke(call: Any) -> Any:
    if isinstance(call, _Settle):
        await call.consumer.settled(call.sub)
        return None
    return await invoke_async(call)


async def run_events_op(op: Op[Any]) -> Any:
    """Drive an event operation on the running loop (a client operation that may also
    wait for a handshake)."""
    return await run_async(op, _invoke)


def run_asyncio_events(op: Op[Any], wait: bool | None, timeout: float | None) -> Any:
    """The asyncio-mode runner of ``subscribe_event`` (as :func:`._modes.run_asyncio`,
    with :func:`run_events_op`)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None

    async def with_timeout() -> Any:
        if timeout is None:
            return await run_events_op(op)
        return await asyncio.wait_for(run_events_op(op), timeout)

    if not wait:
        return loop.create_task(run_events_op(op)) if loop is not None else with_timeout()
    if loop is not None:
        op.close()
        raise RuntimeError("wait=True is not possible inside a running event loop: use await")
    return _current_loop().run_until_complete(with_timeout())


class AsyncioConsumer(_DequeDispatch):
    """The consumer of one asyncio event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        import zmq.asyncio

        super().__init__()
        self.loop = loop
        self._context = zmq.asyncio.Context()
        self._sock, self._monitor = new_sub_socket(self._context)
        self._raw: Any = zmq.Socket.shadow(self._sock.underlying)
        self._pending: deque[tuple[Subscription, Any]] = deque()
        self._limit = dispatch_queue_size()
        self._ready = asyncio.Event()
        self._tasks = {
            loop.create_task(self._read_loop()),
            loop.create_task(self._monitor_loop()),
            loop.create_task(self._dispatch_loop()),
            loop.create_task(self._keepalive_loop()),
        }
        self._spawned: set[asyncio.Task[Any]] = set()

    def flush(self) -> None:
        commands = self.state.take_commands()
        if not self._sock.closed:  # closed with its loop
            apply_commands(self._sock, commands)

    def g_settle(self, sub: Subscription) -> Op[None]:
        yield cast(Call, _Settle(self, sub))

    async def settled(self, sub: Subscription) -> None:
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not self.state.settled(sub) and time.monotonic() < deadline:
            await asyncio.sleep(0.002)

    async def _read_loop(self) -> None:
        sock, raw = self._sock, self._raw
        try:
            while True:
                first = await sock.recv_multipart()
                self.receive_all([first, *drain(raw)])
        finally:
            self._monitor.close(0)
            sock.close(0)
            self._context.term()

    async def _monitor_loop(self) -> None:
        while True:
            self.on_monitor(await self._monitor.recv_multipart())

    async def _dispatch_loop(self) -> None:
        pending, ready = self._pending, self._ready
        while True:
            await ready.wait()
            ready.clear()
            while pending:
                sub, event = pending.popleft()
                push = getattr(sub.callback, "push_event", sub.callback)
                if push is not None and not inspect.iscoroutinefunction(push):
                    try:
                        warn_sync_callback(push)
                    except Warning:  # warnings made errors: delivery goes on all the same
                        log.debug("sync callback %r in Asyncio mode", push)
                result = call_back(sub, event)
                if inspect.isawaitable(result):
                    try:
                        await result
                    except Exception:  # a user callback's failure must not stop delivery
                        log.exception("event callback %r failed", sub.callback)

    def spawn(self, op: Op[Any]) -> None:
        self._spawn(op)

    def _spawn(self, op: Any) -> None:
        async def run() -> None:
            try:
                await run_events_op(op)
            except Exception:  # noqa: BLE001 - the keep-alive must survive anything
                log.exception("event keep-alive operation failed")

        task = self.loop.create_task(run())
        self._spawned.add(task)
        task.add_done_callback(self._spawned.discard)

    async def _keepalive_loop(self) -> None:
        while True:
            timings, due = self.due()
            for admin, argin in due.confirm:
                self._spawn(g_confirm(admin, argin))
            for sub in due.retry:
                self._spawn(self.g_resubscribe(sub))
            await asyncio.sleep(timings.tick)


_gevent_local = threading.local()


def gevent_consumer() -> GeventConsumer:
    """The consumer of the current thread's gevent hub."""
    from gevent.hub import get_hub

    hub = get_hub()
    consumer = getattr(_gevent_local, "consumer", None)
    if consumer is None or _gevent_local.hub is not hub:
        consumer = _gevent_local.consumer = GeventConsumer()
        _gevent_local.hub = hub
    return consumer


_asyncio_consumers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncioConsumer] = (
    weakref.WeakKeyDictionary()
)


def asyncio_consumer() -> AsyncioConsumer:
    """The consumer of the running event loop."""
    loop = asyncio.get_running_loop()
    consumer = _asyncio_consumers.get(loop)
    if consumer is None:
        consumer = _asyncio_consumers[loop] = AsyncioConsumer(loop)
    return consumer
