"""gevent transport: GIOP connections driven by the gevent hub, no threads, pooled per
server endpoint and hub (:mod:`._pool`).

Each connection registers one read watcher on the hub's loop; the watcher callback
(which runs in the hub) reads what the socket has, feeds the sans-I/O connection
and switches each waiting greenlet to its reply. A greenlet's request is queued on its
connection and the greenlet waits; one hub callback per burst writes every request queued
meanwhile in one non-blocking ``send`` (the rest, if the socket is full, when it becomes
writable), so a burst of greenlets costs one write and one server wake-up. The stdlib
socket class is
taken from before any monkey-patching, so this works with and without
``gevent.monkey.patch_all()``. Connections belong to the hub (thread) that opened
them.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

import gevent
from gevent.hub import Waiter, get_hub, getcurrent
from gevent.lock import Semaphore
from gevent.monkey import get_original
from gevent.socket import wait_write

from ..giop import GiopConnection, Reply
from ._channel import ChannelState, ConnectionDropped, connect_timeout, invoke_retrying
from ._engine import Call, Op, connect_error, timeout_error
from ._pool import EndpointPool, OpRun

__all__ = ["GeventChannel", "invoke_gevent", "start_op", "connect_pending", "endpoint_pool"]

_RealSocket = get_original("socket", "socket")

#: What ``connect_ex`` returns on a non-blocking socket while the connection is under way.
_CONNECTING = frozenset({errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK, errno.EALREADY})


def connect_pending(err: int) -> bool:
    """Read the result of ``connect_ex`` on a non-blocking socket: False if connected, True
    if connecting (wait until writable); a failure raises ``OSError``."""
    if not err:
        return False
    if err in _CONNECTING:
        return True
    raise OSError(err, os.strerror(err))


class GeventChannel:
    """One connection to an endpoint, for one gevent hub."""

    def __init__(self, host: str, port: int, pool: EndpointPool[Any] | None = None) -> None:
        self.host, self.port = host, port
        self.pool = pool
        self.hub = get_hub()
        self.sock: Any = None
        self.watcher: Any = None
        self.state: ChannelState[Any] = ChannelState(_deliver, self._fail)
        self._connect_lock = Semaphore()
        self._entering = 0  # greenlets between picking this connection and sending
        self._out: list[bytes | bytearray] = []  # requests queued for the next flush
        self._flush_pending = False
        self._backlog: memoryview | None = None  # the unsent rest of a partial send
        self._write_watcher: Any = None

    @property
    def in_flight(self) -> int:
        return len(self.state.waiters) + self._entering

    # -- connection ---------------------------------------------------------------------

    def _ensure_connected(self, call: Call) -> None:
        if self.sock is not None:
            return
        with self._connect_lock:
            if self.sock is not None:
                return
            if self.pool is not None and self not in self.pool.channels:
                raise ConnectionDropped("connection closed meanwhile")  # the retry picks anew
            sock = _RealSocket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            connected = False
            try:
                with gevent.Timeout(connect_timeout(call.timeout), False):
                    if connect_pending(sock.connect_ex((self.host, self.port))):
                        wait_write(sock.fileno())
                        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if err:
                            raise OSError(err, os.strerror(err))
                    connected = True
            except OSError as exc:
                sock.close()
                raise connect_error(call, str(exc)) from None
            if not connected:
                sock.close()
                raise connect_error(call, "connect timed out")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock = sock
            self.state.open()
            self.watcher = self.hub.loop.io(sock.fileno(), 1)
            self.watcher.start(self._on_readable)

    def _on_readable(self) -> None:
        """Hub callback: read what is there and hand replies to their greenlets."""
        sock, conn = self.sock, self.state.conn
        if sock is None or conn is None:
            return
        try:
            received = sock.recv_into(conn.get_buffer())
        except BlockingIOError:
            return
        except OSError as exc:
            self._drop(conn, f"connection lost: {exc}")
            return
        if not received:
            self._drop(conn, "connection closed by the server")
            return
        conn.buffer_updated(received)
        try:
            self.state.dispatch(conn)
        except ConnectionDropped as dropped:
            self._drop(conn, str(dropped))
            return
        if self.pool is not None:
            self.pool.shrink_if_idle()

    def _drop(self, conn: GiopConnection, reason: str) -> None:
        """Close the connection ``conn`` (if still current), then fail its waiters."""
        if conn is not self.state.conn:
            return
        self._close_socket()
        if self.pool is not None:
            self.pool.discard(self)
        self.state.drop(conn, reason)

    def _close_socket(self) -> None:
        for watcher in (self.watcher, self._write_watcher):
            if watcher is not None:
                watcher.stop()
        self.watcher = self._write_watcher = None
        self._out.clear()
        self._backlog = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def close(self) -> None:
        """Close an idle connection (the pool shrinks): nobody is waiting on it."""
        conn = self.state.conn
        self._close_socket()
        self.state.drop(conn, "closed by the client")

    def _fail(self, waiter: Any, error: BaseException) -> None:
        if waiter.__class__ is OpRun:
            self.leave(waiter)
            waiter.on_error(error)
            return
        # only the hub may switch into a waiting greenlet: from elsewhere, go through it
        if getcurrent() is self.hub:
            waiter.throw(error)
        else:
            self.hub.loop.run_callback(waiter.throw, error)

    def _queue(self, data: bytearray) -> None:
        """Queue a request for the next flush (one hub callback per burst)."""
        self._out.append(data)
        if not self._flush_pending:
            self._flush_pending = True
            self.hub.loop.run_callback(self._flush)

    def _flush(self) -> None:
        """In the hub: write every request queued since the last flush, in one ``send``."""
        self._flush_pending = False
        sock, out, conn = self.sock, self._out, self.state.conn
        if sock is None or not out or conn is None:
            return
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        if self._backlog is not None:  # still writing: after the rest
            self._backlog = memoryview(bytes(self._backlog) + data)
            return
        self._write(sock, conn, memoryview(data))

    def _write(self, sock: Any, conn: GiopConnection, view: memoryview) -> None:
        try:
            sent = sock.send(view)
        except BlockingIOError:
            sent = 0
        except OSError as exc:
            self._drop(conn, f"send failed: {exc}")
            return
        if sent < len(view):
            self._backlog = view[sent:]
            if self._write_watcher is None:
                self._write_watcher = self.hub.loop.io(sock.fileno(), 2)
                self._write_watcher.start(self._on_writable)
        elif self._write_watcher is not None:
            self._backlog = None
            self._write_watcher.stop()
            self._write_watcher = None
        else:
            self._backlog = None

    def _on_writable(self) -> None:
        sock, conn, backlog = self.sock, self.state.conn, self._backlog
        if sock is not None and conn is not None and backlog is not None:
            self._write(sock, conn, backlog)

    # -- calls ------------------------------------------------------------------------------

    def invoke(self, call: Call) -> Any:
        """Send ``call``, wait for its reply, and return the decoded result."""
        return invoke_retrying(self._roundtrip, call)

    def _roundtrip(self, call: Call) -> Reply:
        self._entering += 1
        try:
            self._ensure_connected(call)
            conn = self.state.conn
            assert conn is not None
            waiter = Waiter(self.hub)
            request_id, expects_reply, data = self.state.start(conn, call, waiter)
        finally:
            self._entering -= 1
        timer = None
        try:
            self._queue(data)
            if not expects_reply:
                return Reply(request_id=request_id)
            if call.timeout > 0:
                # the loop's cached clock is stale if this thread was busy outside the hub
                self.hub.loop.update_now()
                timer = self.hub.loop.timer(call.timeout)
                timer.start(waiter.switch, _EXPIRED)
            reply = waiter.get()
            if reply is _EXPIRED:
                raise timeout_error(call)
            return reply
        finally:
            if timer is not None:
                timer.close()
            self.state.forget(conn, request_id)

    # -- operations run by callbacks (wait=False) --------------------------------------

    def start(self, call: Call, run: OpRun) -> None:
        """Queue ``call`` for the next flush, its outcome to ``run``; never blocks (a
        connection still to be opened is opened by a new greenlet)."""
        if self.sock is None:
            self._entering += 1
            gevent.spawn(self._connect_then_start, call, run)
            return
        conn = self.state.conn
        assert conn is not None
        request_id, expects_reply, data = self.state.start(conn, call, run)
        self._queue(data)
        if not expects_reply:
            run.channel = None
            run.advance(None)
            return
        run.channel, run.conn, run.request_id = self, conn, request_id
        if call.timeout > 0:
            self.hub.loop.update_now()
            timer = run.timer = self.hub.loop.timer(call.timeout)
            timer.start(self._expire, run, request_id)

    def _connect_then_start(self, call: Call, run: OpRun) -> None:
        try:
            try:
                self._ensure_connected(call)
            finally:
                self._entering -= 1
        except BaseException as exc:  # noqa: BLE001 - into the operation
            run.on_error(exc)
            return
        if run.call is call:  # not given up meanwhile
            try:
                self.start(call, run)
            except BaseException as exc:  # noqa: BLE001 - e.g. a value that cannot be sent
                run.advance(None, exc)

    def leave(self, run: OpRun) -> None:
        """``run``'s call is answered, failed or given up: forget its request."""
        run.channel = None
        timer, run.timer = run.timer, None
        if timer is not None:
            timer.close()
        if run.conn is not None:
            self.state.forget(run.conn, run.request_id)

    def _expire(self, run: OpRun, request_id: int) -> None:
        call = run.call
        if run.channel is self and run.request_id == request_id and call is not None:
            self.leave(run)
            run.on_error(timeout_error(call))


def _deliver(waiter: Any, reply: Reply) -> None:
    if waiter.__class__ is OpRun:
        waiter.channel.leave(waiter)
        waiter.on_reply(reply)
    else:
        waiter.switch(reply)


_EXPIRED = object()
_local = threading.local()


def _roundtrip_for(call: Call) -> Callable[[Call], Reply]:
    """The pooled ``roundtrip`` of this thread's hub to the endpoint of ``call``."""
    pool = getattr(_local, "pool", None)
    hub = get_hub()
    if pool is None or _local.hub is not hub:
        pool = _local.pool = {}
        _local.hub = hub
    roundtrip = pool.get(call.endpoint)
    if roundtrip is None:
        roundtrip = pool[call.endpoint] = _pooled_roundtrip(call.host, call.port)
    return roundtrip


def invoke_gevent(call: Call) -> Any:
    """Run ``call`` cooperatively on this thread's hub."""
    return invoke_retrying(_roundtrip_for(call), call)


def _launch(call: Call, run: OpRun) -> None:
    pool: EndpointPool[GeventChannel] = _roundtrip_for(call).pool  # type: ignore[attr-defined]
    pool.pick().start(call, run)


def start_op(op: Op[Any], finish: Callable[[Any, BaseException | None], None]) -> OpRun:
    """Start ``op`` on this thread's hub without a greenlet (the replies continue it from
    the hub); ``finish(result, error)`` gets its outcome."""
    run = OpRun(op, _launch, finish)
    run.advance()
    return run


def _pooled_roundtrip(host: str, port: int) -> Callable[[Call], Reply]:
    """``roundtrip(call)`` on the least busy connection of a new pool to ``host:port`` (a
    retry picks again: the dropped connection has left the pool)."""
    pool: EndpointPool[GeventChannel] = EndpointPool(lambda: GeventChannel(host, port, pool))

    def roundtrip(call: Call) -> Reply:
        return pool.pick()._roundtrip(call)

    roundtrip.pool = pool  # type: ignore[attr-defined]  # for tests
    return roundtrip


def endpoint_pool(host: str, port: int) -> EndpointPool[GeventChannel] | None:
    """The connections of this thread's hub to ``host:port`` (None before the first call)."""
    pool = getattr(_local, "pool", None)
    if pool is None or _local.hub is not get_hub():
        return None
    roundtrip = pool.get((host, port))
    return None if roundtrip is None else roundtrip.pool
