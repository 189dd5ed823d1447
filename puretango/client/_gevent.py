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

import errno
import os
import socket
import threading
from typing import Any

import gevent
from gevent.hub import Waiter, get_hub, getcurrent
from gevent.lock import Semaphore
from gevent.monkey import get_original
from gevent.socket import wait_write

from ..giop import GiopConnection, Reply
from ._channel import ChannelState, ConnectionDropped, connect_timeout, invoke_retrying
from ._engine import Call, connect_error, timeout_error

__all__ = ["GeventChannel", "invoke_gevent", "connect_pending"]

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
    """The shared connection to one endpoint, for one gevent hub."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.hub = get_hub()
        self.sock: Any = None
        self.watcher: Any = None
        self.state: ChannelState[Any] = ChannelState(Waiter.switch, self._fail)
        self._send_lock = Semaphore()
        self._connect_lock = Semaphore()

    # -- connection ---------------------------------------------------------------------

    def _ensure_connected(self, call: Call) -> None:
        if self.sock is not None:
            return
        with self._connect_lock:
            if self.sock is not None:
                return
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

    def _drop(self, conn: GiopConnection, reason: str) -> None:
        """Close the connection ``conn`` (if still current), then fail its waiters."""
        if conn is not self.state.conn:
            return
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        self.state.drop(conn, reason)

    def _fail(self, waiter: Any, error: BaseException) -> None:
        # only the hub may switch into a waiting greenlet: from elsewhere, go through it
        if getcurrent() is self.hub:
            waiter.throw(error)
        else:
            self.hub.loop.run_callback(waiter.throw, error)

    def _send(self, sock: Any, data: bytearray) -> None:
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
        sock, conn = self.sock, self.state.conn
        assert conn is not None
        waiter = Waiter(self.hub)
        request_id, expects_reply, data = self.state.start(conn, call, waiter)
        timer = None
        try:
            try:
                self._send(sock, data)
            except OSError as exc:
                self.state.forget(conn, request_id)
                self._drop(conn, f"send failed: {exc}")
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
            self.state.forget(conn, request_id)


_EXPIRED = object()
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
