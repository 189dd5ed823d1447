"""Threaded transport: a small pool of TCP connections per server endpoint, shared by
every proxy of the process, with requests from many threads multiplexed by request id.

One connection (a :class:`SyncChannel`) serves every call while calls are sequential. A
call that finds every connection of its endpoint busy (a request in flight) opens another,
up to :data:`MAX_CONNECTIONS` (``PURETANGO_MAX_CONNECTIONS``, default 4), so that a
multithreaded server (omniORB serves each connection on its own thread) works on them in
parallel; past the limit a call shares the least busy connection.

There is no reader thread. The thread that waits for a reply reads the socket
itself (the *leader*); other waiting threads sleep on a condition variable. Each
reply the leader decodes is handed to its waiter; when the leader's own reply has
arrived it gives up leadership and wakes the others, one of which takes over. With
a single caller this is just send, recv, decode in the calling thread: a caller alone on
its connection becomes the leader as it sends, and its first read is one blocking
``recv`` bounded by the socket's ``SO_RCVTIMEO`` (set to the call's timeout, and only
when that changes), not a ``poll`` then a ``recv``; when that ``recv`` brings exactly its
plain reply (the common case), :meth:`GiopConnection.take_reply` hands it over without the
generic decoding and dispatch.
"""

from __future__ import annotations

import _socket
import os
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from ..giop import Body, GiopConnection, Reply, ReplyStatus
from ..idl._fast import NOT_SIMPLE
from ._channel import (
    ChannelState,
    ConnectionDropped,
    connect_timeout,
    invoke_retrying,
    max_connections,
    retry_after_drop,
)
from ._engine import Call, connect_error, reply_result, run_sync, timeout_error

__all__ = ["MAX_CONNECTIONS", "SyncChannel", "get_channel", "invoke"]

_DONTWAIT = socket.MSG_DONTWAIT
_NO_EXCEPTION = ReplyStatus.NO_EXCEPTION
_TIMEVAL = struct.Struct("@ll")

#: A request at most this long is sent by a caller that has already claimed the reading
#: of its connection (it fits in the socket's buffer: the send cannot wait for the server).
_SOLO_SEND_LIMIT = 64 * 1024

#: Most connections the threaded transport opens to one endpoint (``PURETANGO_MAX_CONNECTIONS``
#: in the environment at import, default 4; assign this attribute to change it at run time).
#: Threads that call at once gain from a few connections when calls are slow (a server serves
#: each connection on a thread of its own); the green transports, whose writes coalesce on one
#: connection, default to 1.
MAX_CONNECTIONS = max_connections(4)


class _Waiter:
    """What a caller waits for: its reply or its error (class defaults: no ``__init__`` to
    run on the path of every call)."""

    reply: Reply | None = None
    error: BaseException | None = None


def _fail(waiter: _Waiter, error: BaseException) -> None:
    if waiter.reply is None and waiter.error is None:
        waiter.error = error


class SyncChannel:
    """The shared connection to one server endpoint."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        #: the condition's lock, for ``with`` on the hot path (the Condition's own
        #: ``__enter__``/``__exit__`` are Python functions)
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._send_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._state: ChannelState[_Waiter] = ChannelState(self._deliver, _fail)
        self._reading = False
        self._sleepers = 0
        self._lock_held_by_leader = False
        self._poller = select.poll()
        #: the socket whose SO_RCVTIMEO was last set, and to what (seconds, 0: none)
        self._rcvtimeo: tuple[socket.socket | None, float] = (None, 0.0)
        #: the socket is the operating system's (SO_RCVTIMEO bounds its blocking recv; a
        #: cooperative one, e.g. gevent's after monkey-patching, ignores it)
        self._native = True

    @property
    def busy(self) -> int:
        """Requests in flight on this connection (read without the lock: a hint)."""
        return len(self._state.waiters)

    # -- connection management (call with _cond held) ------------------------------

    def _ensure_connected(self, call: Call) -> tuple[socket.socket, GiopConnection]:
        sock, conn = self._sock, self._state.conn
        if sock is None or conn is None:
            try:
                sock = socket.create_connection(
                    (self.host, self.port), timeout=connect_timeout(call.timeout)
                )
            except OSError as exc:
                raise connect_error(call, str(exc)) from None
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(None)
            self._native = isinstance(sock, _socket.socket)
            self._sock, conn = sock, self._state.open()
            self._poller = select.poll()
            self._poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
        return sock, conn

    def _drop(self, conn: GiopConnection | None, reason: str) -> None:
        """Close the connection ``conn`` (if still current) and fail everyone waiting on it."""
        if not self._state.drop(conn, reason):
            return
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass
        self._cond.notify_all()

    def _deliver(self, waiter: _Waiter, reply: Reply) -> None:
        waiter.reply = reply
        if self._sleepers:
            self._cond.notify_all()

    # -- one call ---------------------------------------------------------------------

    def invoke(self, call: Call) -> Any:
        """Send ``call``, wait for its reply, and return the decoded result."""
        return invoke_retrying(self._roundtrip, call)

    def _roundtrip(self, call: Call) -> Reply:
        timeout = call.timeout
        deadline = time.monotonic() + timeout if timeout > 0 else None
        cond = self._cond
        waiter = _Waiter()
        with self._lock:  # the condition's lock
            sock, conn = self._sock, self._state.conn
            if sock is None or conn is None:
                sock, conn = self._ensure_connected(call)
            state = self._state
            request_id, expects_reply, data = state.start(conn, call, waiter)
            # alone on the connection: claim the reading now, read right after sending
            leading = (
                expects_reply
                and not self._reading
                and len(state.waiters) == 1
                and len(data) <= _SOLO_SEND_LIMIT
            )
            if leading:
                self._reading = True
        try:
            with self._send_lock:
                sock.sendall(data)
        except BaseException as exc:
            with cond:
                if leading:
                    self._step_down()
                self._state.forget(conn, request_id)
                if isinstance(exc, OSError):
                    self._drop(conn, f"send failed: {exc}")
            if isinstance(exc, OSError):
                raise ConnectionDropped(str(exc)) from None
            raise
        if not expects_reply:
            return Reply(request_id=request_id)
        try:
            while True:
                if not leading:
                    with cond:
                        if self._await_turn(waiter, deadline, call):
                            return self._finish(waiter, request_id, conn)
                # We are the leader: read until our reply arrives or time runs out.
                try:
                    if self._lead(
                        waiter, request_id, sock, conn, deadline, call, leading and self._native
                    ):
                        # _lead returned holding the lock
                        return self._finish(waiter, request_id, conn)
                except BaseException:
                    with cond:
                        self._step_down()
                    raise
                leading = False
        except BaseException:
            with cond:
                self._state.forget(conn, request_id)
            raise

    def _await_turn(self, waiter: _Waiter, deadline: float | None, call: Call) -> bool:
        """With the lock held: True if our reply is in, False once we are the leader."""
        while waiter.reply is None:
            if waiter.error is not None:
                raise waiter.error
            if not self._reading:
                self._reading = True
                return False
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise timeout_error(call)
            self._sleepers += 1
            try:
                self._cond.wait(remaining)
            finally:
                self._sleepers -= 1
        return True

    def _finish(self, waiter: _Waiter, request_id: int, conn: GiopConnection) -> Reply:
        """With the lock held (and released here): forget the request, return its reply."""
        try:
            self._state.forget(conn, request_id)
            assert waiter.reply is not None
            return waiter.reply
        finally:
            if self._lock_held_by_leader:
                self._lock_held_by_leader = False
                self._cond.release()

    def _step_down(self) -> None:
        self._reading = False
        if self._sleepers:
            self._cond.notify_all()

    def _lead(
        self,
        waiter: _Waiter,
        request_id: int,
        sock: socket.socket,
        conn: GiopConnection,
        deadline: float | None,
        call: Call,
        just_sent: bool,
    ) -> bool:
        """Read as the leader. True: our reply is in and the lock is *held* (for
        :meth:`_finish`); False: the connection died, leadership given up.

        ``just_sent``: the call was sent a moment ago, so its whole timeout remains: the
        first read blocks in ``recv`` itself, bounded by ``SO_RCVTIMEO``; when that read
        brings exactly our plain reply, :meth:`GiopConnection.take_reply` hands it over
        without the generic dispatch.
        """
        poller = self._poller
        cond = self._cond
        eager = False  # try a non-blocking read before polling?
        fed = False  # the bytes received were given to ``conn`` already (take_reply)
        while True:
            # The first read of a reply waits for readability (a small reply is rarely
            # there yet, and a failed read costs an exception); once a reply is flowing,
            # read before polling (large replies arrive faster than we drain them).
            try:
                received = -1
                if just_sent:
                    just_sent = False
                    if self._rcvtimeo != (sock, call.timeout):
                        self._set_rcvtimeo(sock, call.timeout)
                    try:
                        received = sock.recv_into(conn.get_buffer())
                    except BlockingIOError:  # SO_RCVTIMEO expired
                        raise timeout_error(call) from None
                    if received > 0:
                        # the fast path: the buffer holds just our plain reply
                        reply = conn.take_reply(request_id, received)
                        fed = True
                        if reply is not None:
                            cond.acquire()
                            self._step_down()
                            if conn is not self._state.conn:
                                cond.release()
                                return False  # dropped meanwhile; our waiter has been failed
                            waiter.reply = reply
                            self._lock_held_by_leader = True
                            return True
                elif eager:
                    try:
                        received = sock.recv_into(conn.get_buffer(), 0, _DONTWAIT)
                    except BlockingIOError:
                        pass
                if received < 0:
                    if deadline is None:
                        poller.poll()
                    else:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0 or not poller.poll(int(remaining * 1000) + 1):
                            raise timeout_error(call) from None
                    received = sock.recv_into(
                        conn.get_buffer()
                    )  # only the leader touches conn's buffer
                eager = True
                reason = "connection closed by the server"
            except OSError as exc:
                received = 0
                reason = str(exc)
            cond.acquire()
            try:
                if conn is not self._state.conn:
                    self._step_down()
                    return False  # the connection was dropped; our waiter has been failed
                if not fed:
                    conn.buffer_updated(received)
                fed = False
                try:
                    self._state.dispatch(conn)
                except ConnectionDropped as dropped:
                    self._drop(conn, str(dropped) if received else reason)
                if waiter.reply is not None or waiter.error is not None:
                    self._step_down()
                    if waiter.reply is not None:
                        self._lock_held_by_leader = True
                        return True
                    return False
            finally:
                if not self._lock_held_by_leader:
                    cond.release()

    def _set_rcvtimeo(self, sock: socket.socket, timeout: float) -> None:
        """Bound each blocking ``recv`` on ``sock`` by ``timeout`` seconds (0: no bound)."""
        micros = max(int(timeout * 1e6), 1) if timeout > 0 else 0
        sock.setsockopt(
            socket.SOL_SOCKET, socket.SO_RCVTIMEO, _TIMEVAL.pack(*divmod(micros, 1_000_000))
        )
        self._rcvtimeo = (sock, timeout)

    def close(self) -> None:
        with self._cond:
            self._drop(self._state.conn, "closed by the client")


class _Endpoint:
    """The connections of this process to one server endpoint (see the module docstring)."""

    __slots__ = ("host", "port", "channels", "_lock")

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        #: replaced, never mutated, when a connection is added (read without the lock)
        self.channels: tuple[SyncChannel, ...] = (SyncChannel(host, port),)
        self._lock = threading.Lock()

    def pick(self) -> SyncChannel:
        """An idle connection, a new one while under the limit, else the least busy."""
        channels = self.channels
        first = channels[0]
        if not first.busy:
            return first
        for channel in channels:
            if not channel.busy:
                return channel
        if len(channels) < MAX_CONNECTIONS:
            with self._lock:
                channels = self.channels
                if len(channels) < MAX_CONNECTIONS:
                    channel = SyncChannel(self.host, self.port)
                    self.channels = (*channels, channel)
                    return channel
        return min(channels, key=_busy)

    def close(self) -> None:
        for channel in self.channels:
            channel.close()


def _busy(channel: SyncChannel) -> int:
    return channel.busy


_endpoints: dict[tuple[str, int], _Endpoint] = {}
_endpoints_lock = threading.Lock()


def _endpoint(host: str, port: int) -> _Endpoint:
    key = (host, port)
    endpoint = _endpoints.get(key)
    if endpoint is None:
        with _endpoints_lock:
            endpoint = _endpoints.get(key)
            if endpoint is None:
                endpoint = _endpoints[key] = _Endpoint(host, port)
    return endpoint


def get_channel(host: str, port: int) -> SyncChannel:
    """The first connection to ``host:port`` (the one every sequential call uses)."""
    return _endpoint(host, port).channels[0]


def invoke(call: Call, read: Callable[[Any, bool], Any] | None = None) -> Any:
    """Run one call on the shared threaded transport.

    ``read``: a reader of :mod:`..idl._fast` tried first on a plain reply's body; when it
    returns ``NOT_SIMPLE`` (or the reply is not plain), the generic reader decodes it.
    """
    endpoint = _endpoints.get((call.host, call.port))
    if endpoint is None:
        endpoint = _endpoint(call.host, call.port)
    channel = endpoint.channels[0]
    if channel._state.waiters:  # busy: another connection may be idle
        channel = endpoint.pick()
    # invoke_retrying, inline: this is the path of every synchronous call
    try:
        reply = channel._roundtrip(call)
    except ConnectionDropped:
        return run_sync(retry_after_drop(call), channel._roundtrip)
    if read is not None and reply.status is _NO_EXCEPTION:
        body = reply.body
        assert isinstance(body, Body)
        if not body.offset & 7:  # Rule 1 of _fast: an 8-aligned body
            result = read(body.data, body.little)
            if result is not NOT_SIMPLE:
                return result
    return reply_result(call, reply)


def _reset_after_fork() -> None:
    global _endpoints_lock
    _endpoints.clear()
    _endpoints_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
