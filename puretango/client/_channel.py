"""The bookkeeping of a client channel, written once for the three transports.

A *channel* is one connection of this process to a server endpoint, shared by every proxy
(a transport keeps one per endpoint, or a small pool while calls pile up: see
:func:`max_connections` and the transports' modules). The threaded
(``_sync.py``), gevent (``_gevent.py``) and asyncio (``_asyncio.py``) transports own its
socket and the way a caller waits; :class:`ChannelState` owns the rest:

* which :class:`GiopConnection` is current. A dropped one is replaced by a new one (a new
  generation): a caller still holding the old one can tell, it is no longer ``state.conn``;
* encoding a call under a new request id, and the registry request id -> waiter;
* dispatch of the replies the sans-I/O connection decodes to their waiters;
* failing every waiter with :class:`ConnectionDropped` when the connection drops;
* forgetting a request when its caller leaves (answered, timed out, cancelled), so that
  a late reply is dropped.

This module also holds the connect timeout and the retry-once rule for calls whose
connection dropped before the reply (:func:`retry_after_drop`), shared by every transport.

Rule 1: no sockets, threads, event loops or clocks here. A transport calls these methods
under whatever lock it needs (the threaded one under its condition variable).

Rule 2: a *waiter* is whatever the transport waits on (a slot object, a gevent
``Waiter``, an asyncio ``Future``). The state stores it and hands it to the two
callables the transport gives the constructor: ``deliver(waiter, reply)`` and
``fail(waiter, error)``.

Hooks a transport supplies, around these methods:

* connect: open a socket within :func:`connect_timeout`, then :meth:`ChannelState.open`;
* write: send the bytes from :meth:`ChannelState.start`; on failure,
  :meth:`ChannelState.drop` and raise :class:`ConnectionDropped`;
* wait: until ``deliver`` or ``fail`` reaches the waiter, feeding received bytes to the
  connection and calling :meth:`ChannelState.dispatch` (and :meth:`ChannelState.drop` on
  :class:`ConnectionDropped`); then :meth:`ChannelState.forget`, whatever happened.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..giop import (
    NEED_DATA,
    CloseConnection,
    ConnectionClosed,
    GiopConnection,
    LocalProtocolError,
    MessageError,
    ProtocolError,
    Reply,
    Role,
)
from ._engine import Call, Op, connection_lost_error, reply_result, run_sync

__all__ = [
    "ChannelState",
    "ConnectionDropped",
    "DEFAULT_CONNECT_TIMEOUT",
    "connect_timeout",
    "retry_after_drop",
    "invoke_retrying",
    "max_connections",
]

W = TypeVar("W")

#: Seconds allowed to open a connection when ``TANGOconnectTimeout`` is not set (cppTango
#: allows 100 ms for devices; we are lenient).
DEFAULT_CONNECT_TIMEOUT = 2.0


def connect_timeout(call_timeout: float) -> float:
    """Seconds allowed to open a connection for a call with ``call_timeout`` (0: none).

    ``TANGOconnectTimeout`` (milliseconds) is read each time, default 2 s; a call's own
    positive timeout is never exceeded.
    """
    try:
        limit = float(os.environ.get("TANGOconnectTimeout", "") or 0) / 1000
    except ValueError:
        limit = 0.0
    if limit <= 0:
        limit = DEFAULT_CONNECT_TIMEOUT
    return min(limit, call_timeout or limit)


def max_connections(default: int) -> int:
    """Most connections a transport opens to one endpoint: ``PURETANGO_MAX_CONNECTIONS``
    from the environment (at least 1), else the transport's ``default`` (the threaded
    transport 4, the green ones 1: see their modules for why)."""
    try:
        return max(1, int(os.environ.get("PURETANGO_MAX_CONNECTIONS", "") or default))
    except ValueError:
        return default


class ConnectionDropped(Exception):
    """The connection died before the reply came; the call may be retried once."""


class ChannelState(Generic[W]):
    """The socket-free state of one channel: current connection and waiting callers."""

    __slots__ = ("conn", "waiters", "_deliver", "_fail")

    def __init__(
        self,
        deliver: Callable[[W, Reply], None],
        fail: Callable[[W, BaseException], None],
    ) -> None:
        #: The connection in use; None until connected and after a drop.
        self.conn: GiopConnection | None = None
        #: Request id -> waiter, for the two-way requests on ``conn`` still unanswered.
        self.waiters: dict[int, W] = {}
        self._deliver = deliver
        self._fail = fail

    def open(self) -> GiopConnection:
        """The sans-I/O connection for a socket the transport has just opened."""
        if self.conn is not None:
            self.drop(self.conn, "connection replaced")
        conn = self.conn = GiopConnection(Role.CLIENT)
        return conn

    def start(self, conn: GiopConnection, call: Call, waiter: W) -> tuple[int, bool, bytearray]:
        """Encode ``call`` on ``conn`` and register ``waiter`` for its reply:
        ``(request id, whether a reply is expected, bytes to write)``.

        A value that cannot be encoded is the caller's mistake: it raises ``TypeError``
        (as PyTango does for client-side conversion problems) and nothing is sent.
        """
        op = call.operation
        expects_reply = not op.oneway
        try:
            request_id, data = conn.send_request(
                call.object_key, op.name, call.write_body, expects_reply, call.cache_key
            )
        except LocalProtocolError as exc:
            raise TypeError(f"cannot send {op.name} to {call.device}: {exc}") from None
        if expects_reply:
            self.waiters[request_id] = waiter
        return request_id, expects_reply, data

    def dispatch(self, conn: GiopConnection) -> None:
        """Hand every reply now complete on ``conn`` to its waiter.

        Raises :class:`ConnectionDropped` when the server closed the connection (EOF,
        CloseConnection, MessageError) or sent something that is not GIOP: the transport
        then calls :meth:`drop`.
        """
        deliver = self._deliver
        while conn is self.conn:  # a waiter woken here may have dropped the connection
            try:
                event = conn.next_event()
            except ProtocolError as exc:
                raise ConnectionDropped(f"protocol error: {exc}") from None
            if event is NEED_DATA:
                return
            if isinstance(event, Reply):
                waiter = self.waiters.get(event.request_id)
                if waiter is not None:
                    deliver(waiter, event)
            elif isinstance(event, ConnectionClosed):
                raise ConnectionDropped("connection closed by the server")
            elif isinstance(event, (CloseConnection, MessageError)):
                raise ConnectionDropped(f"server sent {type(event).__name__}")

    def drop(self, conn: GiopConnection | None, reason: str) -> bool:
        """Give up ``conn`` and fail everyone waiting on it with ``ConnectionDropped(reason)``.

        False (and nothing done) if ``conn`` is not the current connection any more. The
        state forgets the connection and its waiters before failing them, so a woken caller
        may open the next one at once.
        """
        if conn is None or conn is not self.conn:
            return False
        self.conn = None
        waiters, self.waiters = self.waiters, {}
        fail = self._fail
        for waiter in waiters.values():
            fail(waiter, ConnectionDropped(reason))
        return True

    def forget(self, conn: GiopConnection, request_id: int) -> None:
        """The caller of ``request_id`` on ``conn`` leaves: a late reply will be dropped."""
        if conn is self.conn:
            self.waiters.pop(request_id, None)
            conn.pending.discard(request_id)  # conn.forget, without a call on the hot path


def retry_after_drop(call: Call) -> Op[Any]:
    """The retry-once rule of every transport, as an operation: the result of ``call``
    once its connection died before answering it (a restarted server, an idle
    close).

    The call is sent once more, on a fresh connection, as cppTango does; a second drop is
    a ``CommunicationFailed``. Blocking transports drive it with :func:`run_sync` (see
    :func:`invoke_retrying`), the asyncio one with its ``run_async``.
    """
    try:
        reply = yield call
    except ConnectionDropped as again:
        raise connection_lost_error(call, str(again)) from None
    return reply_result(call, reply)


def invoke_retrying(roundtrip: Callable[[Call], Reply], call: Call) -> Any:
    """The result of ``call`` with a blocking ``roundtrip`` (send, wait, return the Reply),
    retried by the rule of :func:`retry_after_drop`."""
    try:
        reply = roundtrip(call)
    except ConnectionDropped:
        return run_sync(retry_after_drop(call), roundtrip)
    return reply_result(call, reply)
