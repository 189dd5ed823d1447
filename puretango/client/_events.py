"""The client's event consumer: one per process for the synchronous and futures modes
(threads), one per gevent hub, one per asyncio loop (``_events_green.py``), each a thin
driver around the shared :class:`._evstate.ConsumerState`.

A consumer owns one ZeroMQ SUB socket (connected to every server's heartbeat and event
endpoints, subscribed to exact topics), a bounded *dispatch queue* between the socket and
the callbacks, and a keep-alive (re-confirmation, heartbeat watch, re-subscription).

Where callbacks run: a dispatch thread (``puretango-events``) in synchronous and futures
modes; a dispatch greenlet in gevent mode; a task of the running loop in asyncio mode
(coroutine callbacks are awaited). A raising callback is logged and delivery goes on. A
slow callback never blocks the socket: when the dispatch queue is full
(``PURETANGO_EVENT_DISPATCH_QUEUE`` events, default 10000) further events are dropped and
counted in :func:`dropped_event_count`. Pull-model subscriptions (a queue size instead of a
callback) keep their events in their own ring buffer, filled by the socket reader.

A subscription waits (at most ``SETTLE_TIMEOUT``, 2 s) for the ZMTP handshake of its
server's endpoints before its first synchronous read, so that a push right after
``subscribe_event`` returns is not lost. pyzmq is imported with this module, on the first
subscription (a process that never subscribes, e.g. a device server, never loads libzmq).

The threaded consumer: a reader thread (``puretango-events-io``) owns the socket (other
threads queue socket commands and wake it through a socket pair), the dispatch thread, and
a keep-alive thread (``puretango-events-keepalive``) running the GIOP calls.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
import time
from typing import Any

import zmq
from zmq.utils.monitor import parse_monitor_message

from .._errors import DevFailed
from ..idl._enums import GreenMode
from . import _sync
from ._engine import Op, run_sync
from ._evops import g_confirm, g_first_event, g_subscribe_server, subscribed_event
from ._evstate import Command, ConsumerState, Subscription, Timings

__all__ = [
    "ConsumerBase",
    "ThreadedConsumer",
    "consumer_for",
    "dropped_event_count",
    "call_back",
    "dispatch_queue_size",
    "drain",
]

log = logging.getLogger("puretango.events")

_consumers: list[ConsumerBase] = []


def dispatch_queue_size() -> int:
    """``PURETANGO_EVENT_DISPATCH_QUEUE`` (default 10000): events waiting for callbacks."""
    try:
        size = int(os.environ.get("PURETANGO_EVENT_DISPATCH_QUEUE", "") or 10000)
    except ValueError:
        size = 10000
    return max(size, 1)


def subscriber_hwm() -> int:
    """The SUB socket's receive high-water mark (``TANGO_EVENT_BUFFER_HWM``, default 1000)."""
    try:
        return int(os.environ.get("TANGO_EVENT_BUFFER_HWM", "") or 1000)
    except ValueError:
        return 1000


def dropped_event_count() -> int:
    """Events dropped so far because callbacks did not keep up (all consumers)."""
    return sum(c.state.dropped for c in _consumers)


def call_back(sub: Subscription, event: Any) -> Any:
    """Call ``sub``'s callback (a callable or an object with ``push_event``) with ``event``
    unless it unsubscribed meanwhile; what it returns (a coroutine in asyncio mode), or
    None when it raised (logged)."""
    if not sub.active or sub.callback is None:
        return None
    callback = sub.callback
    push = getattr(callback, "push_event", callback)
    try:
        return push(event)
    except Exception:  # a user callback's failure must not stop delivery
        log.exception("event callback %r failed", callback)
        return None


def apply_commands(sock: Any, commands: list[Command]) -> None:
    """Apply the state's socket commands to a SUB socket."""
    for what, arg in commands:
        try:
            if what == "connect":
                sock.connect(arg)
            elif what == "subscribe":
                sock.setsockopt(zmq.SUBSCRIBE, arg.encode())
            else:
                sock.setsockopt(zmq.UNSUBSCRIBE, arg.encode())
        except zmq.ZMQError as exc:
            log.warning("event socket: %s %s failed: %s", what, arg, exc)


#: messages read from the socket in one go (then the driver looks at its commands again)
BATCH = 1000


#: the frame-level receive below pyzmq's sugar layer; frames come as zmq.Frame (``more`` says
#: whether another follows) instead of asking RCVMORE, an option pyzmq wraps in an enum at
#: each call: 2.8 us for a 4-frame message, 3.9 asking RCVMORE, 4.7 with recv_multipart
_recv = zmq.backend.Socket.recv
_NOBLOCK = int(zmq.NOBLOCK)


def drain(sock: Any) -> list[list[bytes]]:
    """The messages waiting on ``sock`` (at most :data:`BATCH`), read without blocking;
    ``sock`` is a plain (not green, not asyncio) socket."""
    batch: list[list[bytes]] = []
    try:
        while len(batch) < BATCH:
            frame = _recv(sock, _NOBLOCK, False)
            frames = [frame.bytes]
            while frame.more:
                frame = _recv(sock, 0, False)
                frames.append(frame.bytes)
            batch.append(frames)
    except zmq.Again:
        pass
    return batch


#: how long a subscription waits for its endpoints' ZMTP handshake (then goes on anyway)
SETTLE_TIMEOUT = 2.0
#: how long an unsubscription waits for the callbacks of the events already received
DRAIN_TIMEOUT = 2.0
_UP, _DOWN = zmq.EVENT_HANDSHAKE_SUCCEEDED, zmq.EVENT_DISCONNECTED


def new_sub_socket(context: Any) -> tuple[Any, Any]:
    """A SUB socket and the PAIR socket of its monitor (handshakes and disconnections)."""
    sock = context.socket(zmq.SUB)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVHWM, subscriber_hwm())
    sock.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)  # endpoints of stopped servers stay connected
    return sock, sock.get_monitor_socket(_UP | _DOWN)


class ConsumerBase:
    """What every driver shares: adding, binding, removing subscriptions, delivering
    events, and the subscription operations (GIOP calls) run in the driver's mode."""

    state: ConsumerState

    def __init__(self) -> None:
        self.state = ConsumerState()
        _consumers.append(self)

    # -- hooks of a driver -------------------------------------------------------------------

    def locked(self) -> contextlib.AbstractContextManager[Any]:
        """Held around every use of the state (a lock for threads, nothing otherwise)."""
        return contextlib.nullcontext()

    def flush(self) -> None:
        """Have the state's socket commands applied."""
        raise NotImplementedError

    def enqueue(self, item: tuple[Subscription, Any]) -> bool:
        """Put an event on the dispatch queue; False when it is full."""
        raise NotImplementedError

    def wake(self) -> None:
        """Wake the dispatcher after events were queued (drivers whose queue does not)."""

    def drain_dispatch(self) -> None:
        """Wait (at most :data:`DRAIN_TIMEOUT`) until the events queued so far were handed
        to their callbacks, unless called by the dispatcher itself: an unsubscription then
        comes after the events received before it (the first one included), as with
        cppTango, whose callbacks have all run when ``unsubscribe_event`` returns."""

    def spawn(self, op: Op[Any]) -> None:
        """Run ``op`` in the background, in the driver's mode (failures are logged)."""
        raise NotImplementedError

    # -- subscriptions ---------------------------------------------------------------------------

    def add(self, sub: Subscription) -> None:
        with self.locked():
            self.state.add(sub)

    def new_id(self) -> int:
        with self.locked():
            return self.state.new_id()

    def bind(self, sub: Subscription, reply: Any, admin: Any) -> None:
        with self.locked():
            self.state.attach(sub, reply, admin, time.monotonic())
        self.flush()

    def remove(self, sub_id: int) -> Subscription | None:
        self.drain_dispatch()
        with self.locked():
            sub = self.state.remove(sub_id)
        if sub is not None:
            sub.callback = None  # released now, as PyTango does (events in flight are dropped)
            self.flush()
        return sub

    def retry_later(self, sub: Subscription) -> None:
        with self.locked():
            self.state.lost(sub, time.monotonic(), Timings.from_env().retry_period)

    def find(self, sub_id: int) -> Subscription | None:
        with self.locked():
            return self.state.subscriptions.get(sub_id)

    def deliver(self, sub: Subscription, event: Any) -> None:
        """Hand ``event`` to ``sub``: its ring buffer (pull model) or the dispatch queue."""
        self._deliver(sub, event)
        self.wake()

    def _deliver(self, sub: Subscription, event: Any) -> None:
        if sub.queue is not None:
            with self.locked():
                sub.queue.append(event)
                sub.last_date = event.reception_date
            return
        sub.last_date = event.reception_date
        if not self.enqueue((sub, event)):
            with self.locked():
                self.state.dropped += 1

    def deliver_all(self, items: list[tuple[Subscription, Any]]) -> None:
        for sub, event in items:
            self._deliver(sub, event)
        self.wake()

    def receive_all(self, messages: list[list[bytes]]) -> None:
        """Deliver the events of a batch of received messages (the state locked once)."""
        now = time.monotonic()
        with self.locked():
            receive = self.state.receive
            items = [item for frames in messages for item in receive(frames, now)]
        if items:
            self.deliver_all(items)

    def on_monitor(self, frames: list[bytes]) -> None:
        """A message of the socket monitor."""
        try:
            msg = parse_monitor_message(frames)
        except (zmq.ZMQError, ValueError):
            return
        endpoint: Any = msg["endpoint"]
        if isinstance(endpoint, bytes):
            endpoint = endpoint.decode()
        with self.locked():
            self.state.monitor_event(msg["event"], endpoint, _UP, _DOWN)

    def g_settle(self, sub: Subscription) -> Op[None]:
        """Wait (at most :data:`SETTLE_TIMEOUT`) until a push reaches ``sub``: ZeroMQ
        connects asynchronously, and an event sent before the handshake is lost. The
        threaded and gevent drivers block here; the asyncio one yields a marker that its
        runner awaits (``_events_green.run_events_op``)."""
        raise NotImplementedError

    # -- operations (driven by the caller's or the keep-alive's runner) -------------------------

    def g_subscribe(self, sub: Subscription) -> Op[int]:
        """Subscribe ``sub`` for the first time: its id, or ``DevFailed`` (not stateless)."""
        self.add(sub)
        try:
            reply, admin = yield from g_subscribe_server(sub)
        except DevFailed as exc:
            if not sub.stateless:
                self.remove(sub.id)
                raise
            self.deliver(sub, self.state.subscribe_failed_event(sub, exc.args))
            self.retry_later(sub)
            return sub.id
        self.bind(sub, reply, admin)
        yield from self.g_settle(sub)
        if sub.read_first:
            first = yield from g_first_event(sub)
            if first is not None:
                self.deliver(sub, first)
        return sub.id

    def g_subscribe_in_background(self, sub: Subscription) -> Op[None]:
        """Subscribe ``sub`` (added already) for an ``Async``/``AsyncRead`` subscription:
        the outcome is a ``SubSuccess`` event (with the read value for ``AsyncRead``) or a
        ``SubFail`` one, after which the keep-alive tries again."""
        try:
            reply, admin = yield from g_subscribe_server(sub)
        except DevFailed as exc:
            if sub.active:
                self.deliver(sub, self.state.subscribe_failed_event(sub, exc.args))
                self.retry_later(sub)
            return
        if not sub.active:
            return
        self.bind(sub, reply, admin)
        yield from self.g_settle(sub)
        first = (yield from g_first_event(sub)) if sub.read_first else None
        if first is None:
            first = subscribed_event(sub)
        if sub.active:
            self.deliver(sub, first)

    def g_resubscribe(self, sub: Subscription) -> Op[None]:
        """Subscribe ``sub`` again (keep-alive); a failure waits for the next attempt."""
        try:
            reply, admin = yield from g_subscribe_server(sub)
        except DevFailed as exc:
            if sub.active and sub.topic is None:  # never in place: a stateless subscription
                self.deliver(sub, self.state.subscribe_failed_event(sub, exc.args))
            return
        if not sub.active:
            return
        self.bind(sub, reply, admin)
        yield from self.g_settle(sub)
        first = yield from g_first_event(sub)
        if first is not None and sub.active:
            self.deliver(sub, first)

    def due(self) -> tuple[Timings, Any]:
        timings = Timings.from_env()
        with self.locked():
            due = self.state.tick(time.monotonic(), timings)
        self.deliver_all(due.events)
        return timings, due


class ThreadedConsumer(ConsumerBase):
    """The consumer of the synchronous and futures modes (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._queue: queue.SimpleQueue[tuple[Subscription, Any]] = queue.SimpleQueue()
        self._queue_limit = dispatch_queue_size()
        self._context = zmq.Context()
        self._sock, self._monitor = new_sub_socket(self._context)
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        threads = [
            threading.Thread(target=target, name=name, daemon=True)
            for target, name in (
                (self._read_loop, "puretango-events-io"),
                (self._dispatch_loop, "puretango-events"),
                (self._keepalive_loop, "puretango-events-keepalive"),
            )
        ]
        self._dispatcher = threads[1]
        for thread in threads:
            thread.start()

    def locked(self) -> contextlib.AbstractContextManager[Any]:
        return self._lock

    def flush(self) -> None:
        with contextlib.suppress(BlockingIOError):
            self._wake_w.send(b"\0")

    def enqueue(self, item: tuple[Subscription, Any]) -> bool:
        # the reader and the keep-alive put, one thread gets: the bound is approximate
        if self._queue.qsize() >= self._queue_limit:
            return False
        self._queue.put(item)
        return True

    def drain_dispatch(self) -> None:
        if threading.current_thread() is self._dispatcher:
            return
        done = threading.Event()
        self._queue.put((None, done))  # type: ignore[arg-type]  # a barrier
        done.wait(DRAIN_TIMEOUT)

    def spawn(self, op: Op[Any]) -> None:
        def run() -> None:
            try:
                run_sync(op, _sync.invoke)
            except Exception:  # noqa: BLE001 - logged: nobody waits for it
                log.exception("background event operation failed")

        threading.Thread(target=run, name="puretango-events-subscribe", daemon=True).start()

    def g_settle(self, sub: Subscription) -> Op[None]:
        with self._changed:
            self._changed.wait_for(lambda: self.state.settled(sub), SETTLE_TIMEOUT)
        return
        yield

    def _read_loop(self) -> None:
        sock, wake, monitor = self._sock, self._wake_r, self._monitor
        wake_fd = wake.fileno()  # zmq.Poller reports a native socket by its descriptor
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(wake_fd, zmq.POLLIN)
        poller.register(monitor, zmq.POLLIN)
        while True:
            ready = dict(poller.poll())
            if wake_fd in ready:
                with contextlib.suppress(BlockingIOError):
                    wake.recv(4096)
            if monitor in ready:
                while True:
                    try:
                        self.on_monitor(monitor.recv_multipart(zmq.NOBLOCK))
                    except zmq.Again:
                        break
            with self._changed:
                commands = self.state.take_commands()
                if commands:
                    apply_commands(sock, commands)
                self._changed.notify_all()
            if sock in ready:
                self.receive_all(drain(sock))

    def _dispatch_loop(self) -> None:
        get = self._queue.get
        while True:
            sub, event = get()
            if sub is None:  # a barrier of drain_dispatch
                event.set()
            else:
                call_back(sub, event)
            del sub, event  # no subscription kept alive by this frame

    def _keepalive_loop(self) -> None:
        def run(op: Op[Any]) -> None:
            try:
                run_sync(op, _sync.invoke)
            except Exception:  # noqa: BLE001 - the keep-alive must survive anything
                log.exception("event keep-alive operation failed")

        while True:
            try:
                timings, due = self.due()
            except Exception:  # noqa: BLE001
                log.exception("event keep-alive failed")
                time.sleep(1.0)
                continue
            for admin, argin in due.confirm:
                run(g_confirm(admin, argin))
            for sub in due.retry:
                run(self.g_resubscribe(sub))
            time.sleep(timings.tick)


_threaded: ThreadedConsumer | None = None
_threaded_lock = threading.Lock()


def consumer_for(mode: GreenMode) -> ConsumerBase:
    """The consumer for a subscription made in ``mode`` (call it where the operation runs:
    the gevent one belongs to the current hub, the asyncio one to the running loop)."""
    global _threaded
    if mode is GreenMode.Gevent:
        from ._events_green import gevent_consumer

        return gevent_consumer()
    if mode is GreenMode.Asyncio:
        from ._events_green import asyncio_consumer

        return asyncio_consumer()
    consumer = _threaded
    if consumer is None:
        with _threaded_lock:
            consumer = _threaded
            if consumer is None:
                consumer = _threaded = ThreadedConsumer()
    return consumer


def _reset_after_fork() -> None:
    global _threaded, _threaded_lock
    _threaded = None
    _threaded_lock = threading.Lock()
    _consumers.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
