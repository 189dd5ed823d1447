"""gevent transport: GIOP connections driven by the gevent hub, no threads.

Each connection registers one read watcher on the hub's loop; the watcher callback
(which runs in the hub) reads what the socket has, feeds the sans-I/O connection
and switches each waiting greenlet to its reply. Sends are non-blocking writes that
wait cooperatively for the socket to become writable. The stdlib socket class is
taken from before any monkey-patching, so this works with and without
``gevent.monkey.patch_all()``. Connections belong to the hub (thread) that opened
them.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

import gevent
from gevent.hub import Waiter, get_hub
from gevent.lock import Semaphore
from gevent.monkey import get_original
from gevent.socket import wait_write

from ..giop import (
    GiopConnection,
    Reply,
    Role,
)
from ._engine import (
    Call,
    ConnectionDropped,
    Op,
    connect_error,
    encode_request,
    invoke_retrying,
    replies,
    timeout_error,
)

__all__ = ["GeventChannel", "invoke_gevent", "run_gevent"]

T = TypeVar("T")
_socket_mod = __import__("socket")
_RealSocket = get_original("socket", "socket")
CONNECT_TIMEOUT = 2.0


class GeventChannel:
    """The shared connection to one endpoint, for one gevent hub."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.hub = get_hub()
        self.sock: Any = None
        self.conn: GiopConnection | None = None
        self.watcher: Any = None
        self.waiters: dict[int, Waiter] = {}
        self._send_lock = Semaphore()
        self._connect_lock = Semaphore()

    # -- connection ---------------------------------------------------------------------

    def _ensure_connected(self, call: Call) -> None:
        if self.sock is not None:
            return
        with self._connect_lock:
            if self.sock is not None:
                return
            sock = _RealSocket(_socket_mod.AF_INET, _socket_mod.SOCK_STREAM)
            sock.setblocking(False)
            try:
                with gevent.Timeout(min(CONNECT_TIMEOUT, call.timeout or CONNECT_TIMEOUT), False):
                    err = sock.connect_ex((self.host, self.port))
                    if err not in (0, 115, 11, 36):  # EINPROGRESS, EAGAIN, EALREADY
                        raise OSError(err, _os_strerror(err))
                    if err:
                        wait_write(sock.fileno())
                        err = sock.getsockopt(_socket_mod.SOL_SOCKET, _socket_mod.SO_ERROR)
                        if err:
                            raise OSError(err, _os_strerror(err))
                    sock.setsockopt(_socket_mod.IPPROTO_TCP, _socket_mod.TCP_NODELAY, 1)
                    self.sock, self.conn = sock, GiopConnection(Role.CLIENT)
            except OSError as exc:
                sock.close()
                raise connect_error(call, str(exc)) from None
            if self.sock is None:
                sock.close()
                raise connect_error(call, "connect timed out")
            self.watcher = self.hub.loop.io(sock.fileno(), 1)
            self.watcher.start(self._on_readable)

    def _on_readable(self) -> None:
        """Hub callback: read what is there and hand replies to their greenlets."""
        sock, conn = self.sock, self.conn
        if sock is None or conn is None:
            return
        try:
            received = sock.recv_into(conn.get_buffer())
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail_all(f"connection lost: {exc}")
            return
        if not received:
            self._fail_all("connection closed by the server")
            return
        conn.buffer_updated(received)
        try:
            for reply in replies(conn):
                waiter = self.waiters.pop(reply.request_id, None)
                if waiter is not None:
                    waiter.switch(reply)
        except ConnectionDropped as dropped:
            self._fail_all(str(dropped))

    def _fail_all(self, reason: str) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self.sock is not None:
            self.sock.close()
        self.sock = self.conn = None
        waiters, self.waiters = self.waiters, {}
        for waiter in waiters.values():
            waiter.throw(ConnectionDropped(reason))

    def _send(self, data: bytearray) -> None:
        sock = self.sock
        view = memoryview(data)
        with self._send_lock:
            while view:
                try:
                    sent = sock.send(view)
                except BlockingIOError:
                    wait_write(sock.fileno())
                    continue
                view = view[sent:]

    # -- calls ------------------------------------------------------------------------------

    def invoke(self, call: Call) -> Any:
        """Send ``call``, wait for its reply, and return the decoded result."""
        return invoke_retrying(self._roundtrip, call)

    def _roundtrip(self, call: Call) -> Reply:
        self._ensure_connected(call)
        conn = self.conn
        assert conn is not None
        request_id, expects_reply, data = encode_request(conn, call)
        waiter = Waiter(self.hub)
        if expects_reply:
            self.waiters[request_id] = waiter
        timer = None
        try:
            try:
                self._send(data)
            except OSError as exc:
                self._fail_all(f"send failed: {exc}")
                raise ConnectionDropped(str(exc)) from None
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
            self.waiters.pop(request_id, None)
            if conn is self.conn:
                conn.forget(request_id)


_EXPIRED = object()


def _os_strerror(err: int) -> str:
    import os

    return os.strerror(err)


_local = threading.local()


def invoke_gevent(call: Call) -> Any:
    """Run ``call`` cooperatively on this thread's hub."""
    pool = getattr(_local, "pool", None)
    hub = get_hub()
    if pool is None or _local.hub is not hub:
        pool = _local.pool = {}
        _local.hub = hub
    channel = pool.get(call.endpoint)
    if channel is None:
        channel = pool[call.endpoint] = GeventChannel(call.host, call.port)
    return channel.invoke(call)


def run_gevent(op: Op[T]) -> T:
    """Drive a client operation in the current greenlet."""
    try:
        call = next(op)
        while True:
            try:
                result = invoke_gevent(call)
            except Exception as exc:  # delivered into the operation
                call = op.throw(exc)
            else:
                call = op.send(result)
    except StopIteration as stop:
        return stop.value
