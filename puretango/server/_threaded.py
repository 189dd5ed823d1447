"""The thread-per-connection transport (omniORB's model) of a server whose devices are all
synchronous: :class:`ThreadedTransport` serves each accepted connection on a thread of its
own; :func:`send_segments` sends a reply.

Rule 1: a connection's thread reads with a blocking ``recv_into`` into its
:class:`GiopConnection`'s buffer, decodes, runs the request right there
(:meth:`DeviceServer.handle` driven to its end on this thread, a worker thread in the
sense of :mod:`._bridge`: no event-loop round trip), encodes and sends the reply. The
device's serialisation lock applies as on any worker thread; a request from this very
process takes no lock (``UserCodeBridge.serialised``).

Rule 2: what must run on the server's loop is handed to it and the thread waits for the
result: requests to a device that is not synchronous (the admin device is an asyncio one),
to an unknown device, and operations that call no device code, except the look-ups listed in
:data:`LOOP_FREE` (they never wait). A request that would block is never run on the loop.

Rule 3: the requests of one connection are served in order on its thread (replies carry
their own request ids). When a request has been running for a tick (:data:`TICK`) while
more requests of that connection wait, helper threads serve them side by side: one per
request already received, and one that takes over reading the connection if requests wait
unread on its socket. A slow device does not hold up a client's other requests for long,
and a device calling this server back through a client connection its process shares does
not deadlock.

Rule 4: at most ``max_threads`` threads (connection threads and helpers); connections
beyond are served by the asyncio transport. A connection with no request in progress for
``idle_timeout`` seconds is closed with a CloseConnection; malformed GIOP closes only that
connection, after a MessageError; a LocateRequest is answered; a CancelRequest is ignored;
a CloseConnection or EOF ends the connection. :meth:`ThreadedTransport.shutdown` shuts
every socket down and :meth:`ThreadedTransport.join` waits for the threads.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import logging
import select
import socket
import threading
import time
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

from ..giop import (
    MINOR,
    NEED_DATA,
    CancelRequest,
    CloseConnection,
    ConnectionClosed,
    GiopConnection,
    LocateReply,
    LocateRequest,
    LocateStatus,
    MessageError,
    ProtocolError,
    ReplyStatus,
    Request,
    Role,
    SystemException,
)
from ._bridge import bind_worker_thread, run_to_end
from ._handlers import HANDLERS
from ._reply import REPLY_FRAGMENT_SIZE, encode_reply

if TYPE_CHECKING:
    from ._server import DeviceServer

__all__ = ["ThreadedTransport", "send_segments", "LOOP_FREE", "MAX_CONNECTION_THREADS", "TICK"]

log = logging.getLogger("puretango.server")

#: omniORB's thread pool holds 100 threads by default (``maxServerThreadPoolSize``)
MAX_CONNECTION_THREADS = 100

#: seconds between two checks for idle connections and stalled ones (Rule 3)
TICK = 0.02

#: operations that call no device code and never wait: served on the connection's thread
LOOP_FREE = frozenset(
    {
        "_is_a",
        "_non_existent",
        "_not_existent",
        "_get_name",
        "_get_description",
        "_get_adm_name",
        "ping",
        "info",
        "info_3",
        "info_6",
        "black_box",
        "command_list_query",
        "command_list_query_2",
        "command_query",
        "command_query_2",
        "get_attribute_config",
        "get_attribute_config_2",
        "get_attribute_config_3",
        "get_attribute_config_5",
    }
)

_UNKNOWN = SystemException("UNKNOWN", MINOR["UNKNOWN"])

#: buffers per ``sendmsg`` call (Linux refuses more than 1024)
_MAX_IOV = 512
_DONTWAIT = socket.MSG_DONTWAIT


def send_segments(sock: socket.socket, segments: Sequence[Any]) -> None:
    """Send the buffers of one reply, in order, in as few system calls as the kernel takes.

    A large segment is the device's own array (:func:`._reply.encode_reply`), so it is read
    only while the kernel copies it: ``sendmsg`` without waiting, for as long as the socket
    takes data, then one copy of what is left, sent after. A client slow to read never holds
    the array, and a device that changes its array in place once the read has returned does
    not tear the value on its way (PyTango copies the value at the read; the window here is
    the same). A one-buffer reply is the encoder's own and is simply sent.
    """
    if len(segments) == 1:
        sock.sendall(segments[0])
        return
    views = [memoryview(s).cast("B") for s in segments]
    while views:
        try:
            sent = sock.sendmsg(views[:_MAX_IOV], (), _DONTWAIT)
        except (BlockingIOError, InterruptedError):
            break
        while views and sent >= len(views[0]):
            sent -= len(views[0])
            del views[0]
        if views and sent:
            views[0] = views[0][sent:]
    if views:
        sock.sendall(b"".join(views))


class ThreadedTransport:
    """The connection threads of one :class:`DeviceServer` (see the module's rules)."""

    def __init__(
        self, server: DeviceServer, loop: asyncio.AbstractEventLoop, max_threads: int
    ) -> None:
        self.server = server
        self.loop = loop
        self.max_threads = max_threads
        self.connections: set[_Connection] = set()
        #: every thread serving a connection (connection threads and helpers)
        self.threads: set[threading.Thread] = set()
        self.closing = False
        self._lock = threading.Lock()
        self._tick: asyncio.TimerHandle | None = None

    def adopt(self, sock: socket.socket, client_host: str) -> bool:
        """Serve an accepted socket on a new thread (on the loop); False at the bound."""
        with self._lock:
            if self.closing or len(self.threads) >= self.max_threads:
                return False
            conn = _Connection(self, sock, client_host)
            self.connections.add(conn)
            thread = self._new_thread(conn)
        sock.setblocking(True)
        thread.start()
        if self._tick is None:
            self._tick = self.loop.call_later(TICK, self._on_tick)
        return True

    def _new_thread(self, conn: _Connection, queued: bool = False) -> threading.Thread:
        """A thread for ``conn``, counted (with ``self._lock`` held): the reader, or (with
        ``queued``) a helper for a request received and waiting."""
        thread = threading.Thread(
            target=conn.serve,
            args=(queued,),
            name=f"puretango-conn-{conn.client_host}",
            daemon=True,
        )
        self.threads.add(thread)
        conn.threads += 1
        return thread

    def thread_done(self, conn: _Connection) -> None:
        """The calling thread stops serving ``conn``; the last one closes its socket."""
        with self._lock:
            self.threads.discard(threading.current_thread())
            conn.threads -= 1
            last = conn.threads == 0
            if last:
                self.connections.discard(conn)
        if last:
            conn.sock.close()

    def _on_tick(self) -> None:
        """On the loop: close idle connections, help stalled ones (Rules 3 and 4)."""
        self._tick = None
        if self.closing:
            return
        now = time.monotonic()
        idle = self.server.idle_timeout
        stalled = []
        with self._lock:
            connections = list(self.connections)
        for conn in connections:
            if conn.closed:
                continue
            if conn.serving and conn.started == conn.seen:
                stalled.append(conn)
            conn.seen = conn.started
            if idle is not None and now - conn.last_request > idle:
                conn.close_idle()
        if stalled:
            self._help(stalled)
        if self.connections:
            self._tick = self.loop.call_later(TICK, self._on_tick)

    def _help(self, stalled: list[_Connection]) -> None:
        """Helper threads for stalled connections: one per request received and waiting,
        and one to read a connection nobody reads while requests wait on its socket."""
        unread = [conn for conn in stalled if not conn.reading]
        if unread:
            try:
                readable, _, _ = select.select(unread, [], [], 0)
            except (OSError, ValueError):  # a socket closed meanwhile: next tick
                readable = []
        else:
            readable = []
        helpers = []
        with self._lock:
            for conn in stalled:
                if conn.closed:
                    continue
                for _ in range(len(conn.queue)):
                    if len(self.threads) >= self.max_threads:
                        break
                    helpers.append(self._new_thread(conn, queued=True))
                if conn in readable and len(self.threads) < self.max_threads:
                    with conn.lock:
                        if conn.reading or conn.closed:
                            continue
                        conn.reading = True
                    helpers.append(self._new_thread(conn))
        for thread in helpers:
            thread.start()

    def shutdown(self) -> None:
        """End every connection (on the loop) once the requests it serves are answered."""
        self.closing = True
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        with self._lock:
            connections = list(self.connections)
        for conn in connections:
            conn.finish()

    async def join(self, timeout: float = 5.0) -> None:
        """Wait (on the loop, which keeps running) until every thread has ended."""
        with self._lock:
            threads = list(self.threads)
        deadline = self.loop.time() + timeout
        while any(thread.is_alive() for thread in threads):
            if self.loop.time() > deadline:
                log.warning("%d connection threads still busy at shutdown", len(self.threads))
                return
            await asyncio.sleep(0.005)


class _Connection:
    """One client connection served by threads (one at a time reads: the *reader*)."""

    def __init__(self, transport: ThreadedTransport, sock: socket.socket, client_host: str):
        self.transport = transport
        self.server = transport.server
        self.sock = sock
        self.client_host = client_host
        # large GIOP 1.2 replies go out as Fragments, as omniORB sends them
        self.conn = GiopConnection(Role.SERVER, fragment_size=REPLY_FRAGMENT_SIZE)
        #: guards the reader role and the counts below
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        #: requests received and not yet taken, with their GIOP minor version
        self.queue: collections.deque[tuple[Request, int]] = collections.deque()
        self.reading = True  # the first thread starts as the reader
        self.serving = 0
        self.started = 0
        self.seen = 0  # ``started`` at the last tick
        self.threads = 0
        self.last_request = time.monotonic()
        #: the socket is shut down
        self.closed = False
        #: the server stops: end once no request is being served
        self.stopping = False

    def fileno(self) -> int:
        return self.sock.fileno()

    def serve(self, queued: bool = False) -> None:
        """A thread's life: read (as the reader) or take a waiting request (``queued``),
        serve, read again unless another thread has the reader role (then this one ends)."""
        bind_worker_thread(self.transport.loop)
        try:
            item = self._waiting_request() if queued else self._next_request()
            while item is not None:
                self._respond(*item)
                with self.lock:
                    self.serving -= 1
                    if self.stopping and not self.serving:
                        self.closed = True
                    if self.reading or self.closed:
                        break
                    self.reading = True
                item = self._next_request()
            if self.closed:
                self.end()
        except Exception:  # noqa: BLE001 - a bug of ours ends this connection only
            log.exception("connection from %s failed", self.client_host)
            self.end()
        finally:
            self.transport.thread_done(self)

    def _waiting_request(self) -> tuple[Request, int] | None:
        """A request received and waiting (None if another thread took it)."""
        try:
            item = self.queue.popleft()
        except IndexError:
            return None
        with self.lock:
            self.serving += 1
            self.started += 1
        return item

    def _next_request(self) -> tuple[Request, int] | None:
        """The next request, read as the reader; the role is released when it returns."""
        queue = self.queue
        conn = self.conn
        while True:
            if queue:
                try:
                    item = queue.popleft()
                    break
                except IndexError:  # a helper took it
                    continue
            if self.closed:
                return None
            try:
                nbytes = self.sock.recv_into(conn.get_buffer())
            except OSError:
                nbytes = 0
            conn.buffer_updated(nbytes)
            if not self._decode():
                self.end()
                return None
        with self.lock:
            self.reading = False
            self.serving += 1
            self.started += 1
        self.last_request = time.monotonic()
        return item

    def _decode(self) -> bool:
        """Take every complete message received; False when the connection ends."""
        conn = self.conn
        try:
            while True:
                event = conn.next_event()
                if event is NEED_DATA:
                    return True
                if isinstance(event, Request):
                    self.queue.append((event, conn.peer_minor))
                elif isinstance(event, LocateRequest):
                    key = bytes(event.object_key).lower()
                    status = (
                        LocateStatus.OBJECT_HERE
                        if key in self.server.servants
                        else LocateStatus.UNKNOWN_OBJECT
                    )
                    reply = LocateReply(request_id=event.request_id, status=status)
                    self._send([conn.send(reply, conn.peer_minor)])
                elif isinstance(event, (CloseConnection, ConnectionClosed, MessageError)):
                    return False
                elif isinstance(event, CancelRequest):
                    pass  # the reply, if any, will simply be sent
        except ProtocolError as exc:
            log.info("closing connection from %s: %s", self.client_host, exc)
            self._send([conn.message_error()])
            return False

    def _respond(self, request: Request, minor: int) -> None:
        server = self.server
        handle = server.handle(request, self.client_host)
        try:
            if self._runs_here(request):
                status, writer = run_to_end(handle)
            else:
                status, writer = self._on_loop(handle)
        except Exception:  # noqa: BLE001 - a bug of ours must not take the server down
            log.exception("internal error while serving %s", request.operation)
            status, writer = ReplyStatus.SYSTEM_EXCEPTION, _UNKNOWN.encode_into
        if not request.response_expected or self.closed:
            return
        self._send(encode_reply(self.conn, request.request_id, status, writer, minor))

    def _runs_here(self, request: Request) -> bool:
        """Rule 2: whether ``request`` runs on this thread (else on the loop)."""
        servant = self.server.servants.get(bytes(request.object_key).lower())
        if servant is None or not servant.bridge.threaded:
            return False
        handler = HANDLERS.get(request.operation)
        return handler is None or handler.runs_user_code or handler.name in LOOP_FREE

    def _on_loop(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Run ``coro`` on the server's loop; wait for its result here."""
        loop = self.transport.loop
        try:
            future = asyncio.run_coroutine_threadsafe(coro, loop)
        except RuntimeError:  # the loop is closed: the server has stopped
            coro.close()
            raise
        while True:
            try:
                return future.result(timeout=1.0)
            except concurrent.futures.TimeoutError:
                if loop.is_closed():
                    future.cancel()
                    raise RuntimeError("the server's loop closed") from None

    def _send(self, segments: Sequence[Any]) -> None:
        with self.send_lock:
            try:
                send_segments(self.sock, segments)
            except OSError:
                self.end()

    def close_idle(self) -> None:
        """Idle for ``idle_timeout`` seconds: say goodbye the GIOP way and end (on the loop)."""
        with self.lock:
            if self.serving or self.queue or self.closed:
                return
            self.closed = True
        self._send([self.conn.close()])
        self.end()

    def finish(self) -> None:
        """End the connection as soon as no request is being served (on the loop)."""
        with self.lock:
            self.stopping = True
            if self.serving:
                return
        self.end()

    def end(self) -> None:
        """Shut the socket down (any thread): every thread of the connection then ends."""
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
