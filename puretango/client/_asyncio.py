"""asyncio transport: GIOP connections as non-blocking sockets watched by the running loop
(``add_reader``), pooled per server endpoint and loop (:mod:`._pool`), with operations
driven by reply callbacks.

Nothing here blocks. A call is encoded at once and its bytes queued on its connection;
one callback per loop iteration writes every request queued meanwhile in one ``send``
(a burst of calls costs the client and the server one wake-up, not one per call). A
readable socket is read once per wake-up and every reply in the bytes is dispatched.
An operation started by :func:`start_op` runs without a ``Task``: :class:`._pool.OpRun`
continues it from the reply callbacks and completes an ``asyncio.Future``. A timed-out or
cancelled call forgets its request id, so a late reply is dropped by the sans-I/O core.
Connections belong to the loop that opened them; a new loop (a second ``asyncio.run()``,
another thread) gets its own.
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..giop import Reply
from ._channel import ChannelState, ConnectionDropped, connect_timeout
from ._engine import Call, Op, connect_error, timeout_error
from ._pool import EndpointPool, OpRun

__all__ = ["run_async", "invoke_async", "start_op", "op_future", "endpoint_pool", "AsyncioChannel"]

T = TypeVar("T")

#: What ``connect_ex`` returns on a non-blocking socket while the connection is under way.
_CONNECTING = frozenset({errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK, errno.EALREADY})


class AsyncioChannel:
    """One connection to an endpoint, for one event loop; the waiters are :class:`OpRun`."""

    __slots__ = (
        "loop",
        "pool",
        "host",
        "port",
        "sock",
        "state",
        "_out",
        "_flush_at",
        "_backlog",
        "_waiting",
        "_connect_timer",
        "_deadlines",
        "_sweeper",
        "__weakref__",
    )

    def __init__(
        self, loop: asyncio.AbstractEventLoop, pool: EndpointPool[Any], host: str, port: int
    ):
        self.loop = loop
        self.pool = pool
        self.host, self.port = host, port
        self.sock: socket.socket | None = None
        self.state: ChannelState[OpRun] = ChannelState(_reply, _error)
        self._out: list[bytes | bytearray] = []  # requests queued for the next flush
        self._flush_at: asyncio.Handle | None = None
        self._backlog: memoryview | None = None  # the unsent rest of a partial send
        self._waiting: list[OpRun] | None = None  # calls waiting for the connect
        self._connect_timer: asyncio.TimerHandle | None = None
        # request id -> (deadline on the loop clock, run); swept by one timer
        self._deadlines: dict[int, tuple[float, OpRun]] = {}
        self._sweeper: asyncio.TimerHandle | None = None

    @property
    def in_flight(self) -> int:
        waiting = self._waiting
        return len(self.state.waiters) + (len(waiting) if waiting else 0)

    # -- connection -------------------------------------------------------------------

    def _connect(self, call: Call) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            err = sock.connect_ex((self.host, self.port))
            if err and err not in _CONNECTING:
                raise OSError(err, os.strerror(err))
        except OSError as exc:
            sock.close()
            raise connect_error(call, str(exc)) from None
        self.sock = sock
        self._waiting = []
        self.loop.add_writer(sock.fileno(), self._connected, sock)
        self._connect_timer = self.loop.call_later(
            connect_timeout(call.timeout), self._connect_failed, sock, call, "connect timed out"
        )

    def _connected(self, sock: socket.socket) -> None:
        self.loop.remove_writer(sock.fileno())
        if self._connect_timer is not None:
            self._connect_timer.cancel()
            self._connect_timer = None
        err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        waiting, self._waiting = self._waiting or [], None
        if err:
            call = waiting[0].call if waiting else None
            self._waiting = waiting
            self._connect_failed(sock, call, os.strerror(err))
            return
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.state.open()
        self.loop.add_reader(sock.fileno(), self._on_readable)
        for run in waiting:
            if run.call is not None:  # not cancelled meanwhile
                self.start(run.call, run)

    def _connect_failed(self, sock: socket.socket, call: Call | None, reason: str) -> None:
        self._connect_timer = None
        self.loop.remove_writer(sock.fileno())
        sock.close()
        self.sock = None
        self.pool.discard(self)
        waiting, self._waiting = self._waiting or [], None
        for run in waiting:
            if run.call is not None:
                run.on_error(connect_error(run.call, reason))

    def _on_readable(self) -> None:
        """Read what the socket has (once) and hand every complete reply to its run."""
        sock, conn = self.sock, self.state.conn
        if sock is None or conn is None:
            return
        try:
            received = sock.recv_into(conn.get_buffer())
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._drop(f"connection lost: {exc}")
            return
        if not received:
            self._drop("connection closed by the server")
            return
        conn.buffer_updated(received)
        try:
            self.state.dispatch(conn)
        except ConnectionDropped as dropped:
            self._drop(str(dropped))
            return
        self.pool.shrink_if_idle()

    def _drop(self, reason: str) -> None:
        """Close the socket and fail every call on it with ``ConnectionDropped``."""
        self._close_socket()
        self.pool.discard(self)
        self._deadlines.clear()
        self.state.drop(self.state.conn, reason)

    def _close_socket(self) -> None:
        sock, self.sock = self.sock, None
        self._out.clear()
        self._backlog = None
        if self._flush_at is not None:
            self._flush_at.cancel()
            self._flush_at = None
        if sock is not None:
            self.loop.remove_reader(sock.fileno())
            self.loop.remove_writer(sock.fileno())
            sock.close()

    def close(self) -> None:
        """Close an idle connection (the pool shrinks): nobody is waiting on it."""
        self._close_socket()
        self.state.drop(self.state.conn, "closed by the client")

    # -- writing ----------------------------------------------------------------------

    def _flush(self) -> None:
        """Write every request queued since the last flush, in one ``send``."""
        self._flush_at = None
        sock, out = self.sock, self._out
        if sock is None or not out:
            return
        data = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        if self._backlog is not None:  # still writing: after the rest
            self._backlog = memoryview(bytes(self._backlog) + data)
            return
        try:
            sent = sock.send(data)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            self._drop(f"send failed: {exc}")
            return
        if sent < len(data):
            self._backlog = memoryview(data)[sent:]
            self.loop.add_writer(sock.fileno(), self._on_writable)

    def _on_writable(self) -> None:
        sock, backlog = self.sock, self._backlog
        if sock is None or backlog is None:
            return
        try:
            sent = sock.send(backlog)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._drop(f"send failed: {exc}")
            return
        if sent < len(backlog):
            self._backlog = backlog[sent:]
        else:
            self._backlog = None
            self.loop.remove_writer(sock.fileno())

    # -- calls -------------------------------------------------------------------------

    def start(self, call: Call, run: OpRun) -> None:
        """Queue ``call`` for the next flush; its outcome goes to ``run``."""
        if self.sock is None:
            self._connect(call)
        waiting = self._waiting
        if waiting is not None:  # connecting
            run.channel, run.conn = self, None
            waiting.append(run)
            return
        state = self.state
        conn = state.conn
        assert conn is not None
        request_id, expects_reply, data = state.start(conn, call, run)
        self._out.append(data)
        if self._flush_at is None:
            self._flush_at = self.loop.call_soon(self._flush)
        if not expects_reply:
            run.channel = None
            run.advance(None)
            return
        run.channel, run.conn, run.request_id = self, conn, request_id
        if call.timeout > 0:
            deadline = self.loop.time() + call.timeout
            self._deadlines[request_id] = (deadline, run)
            sweeper = self._sweeper
            if sweeper is None or deadline < sweeper.when():
                if sweeper is not None:
                    sweeper.cancel()
                self._sweeper = self.loop.call_at(deadline, self._expire_overdue)

    def leave(self, run: OpRun) -> None:
        """``run``'s call is answered, failed or given up: forget its request."""
        run.channel = None
        conn = run.conn
        if conn is None:  # still waiting for the connect
            if self._waiting is not None and run in self._waiting:
                self._waiting.remove(run)
            return
        request_id = run.request_id
        if self._deadlines:
            self._deadlines.pop(request_id, None)
        self.state.forget(conn, request_id)

    def _expire_overdue(self) -> None:
        """Fail the calls past their deadline; one timer per connection, not per call."""
        self._sweeper = None
        now = self.loop.time()
        earliest = None
        for request_id, (deadline, run) in list(self._deadlines.items()):
            if deadline <= now:
                del self._deadlines[request_id]
                if run.channel is self and run.call is not None:
                    call = run.call
                    self.leave(run)
                    run.on_error(timeout_error(call))
            elif earliest is None or deadline < earliest:
                earliest = deadline
        if earliest is not None:
            self._sweeper = self.loop.call_at(earliest, self._expire_overdue)
        self.pool.shrink_if_idle()


def _reply(run: OpRun, reply: Reply) -> None:
    run.channel.leave(run)
    run.on_reply(reply)


def _error(run: OpRun, error: BaseException) -> None:
    if run.channel is not None:
        run.channel.leave(run)
    run.on_error(error)


_pools: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, int], EndpointPool[AsyncioChannel]]
] = weakref.WeakKeyDictionary()


def _loop_pools(loop: asyncio.AbstractEventLoop) -> dict[tuple[str, int], EndpointPool[Any]]:
    pools = _pools.get(loop)
    if pools is None:
        pools = _pools[loop] = {}
    return pools


def _new_pool(loop: asyncio.AbstractEventLoop, host: str, port: int) -> EndpointPool[Any]:
    pool: EndpointPool[AsyncioChannel] = EndpointPool(
        lambda: AsyncioChannel(loop, pool, host, port)
    )
    return pool


def _launcher(loop: asyncio.AbstractEventLoop) -> Callable[[Call, OpRun], None]:
    """``launch(call, run)`` for the runs of ``loop``: the call goes out on its endpoint's
    pool."""
    pools = _loop_pools(loop)

    def launch(call: Call, run: OpRun) -> None:
        pool = pools.get((call.host, call.port))
        if pool is None:
            pool = pools[call.host, call.port] = _new_pool(loop, call.host, call.port)
        pool.pick().start(call, run)

    return launch


#: (loop, its launcher) of the last call: most processes use one loop at a time.
_last_launcher: tuple[Any, Callable[[Call, OpRun], None]] = (None, lambda call, run: None)


def start_op(
    op: Op[T],
    loop: asyncio.AbstractEventLoop,
    finish: Callable[[Any, BaseException | None], None],
) -> OpRun:
    """Start ``op`` on ``loop`` (call from the loop's thread); ``finish(result, error)``
    gets its outcome."""
    global _last_launcher
    last = _last_launcher
    if last[0] is loop:
        launch = last[1]
    else:
        launch = _launcher(loop)
        _last_launcher = (loop, launch)
    run = OpRun(op, launch, finish)
    run.advance()
    return run


class _OpFuture(asyncio.Future[Any]):
    """The future of an operation run by callbacks: cancelling it abandons the call in
    flight (without a done-callback, which would cost a loop callback per call)."""

    __slots__ = ("_run",)
    _run: OpRun | None

    def cancel(self, msg: Any = None) -> bool:
        if not super().cancel(msg):
            return False
        run = self._run
        if run is not None:
            self._run = None
            channel = run.channel
            if channel is not None:
                channel.leave(run)
                channel.pool.shrink_if_idle()
            run.cancel()
        return True


def op_future(op: Op[T], loop: asyncio.AbstractEventLoop) -> asyncio.Future[T]:
    """``op`` started now on ``loop`` (its thread), as a future; cancelling the future
    abandons the call in flight."""
    future = _OpFuture(loop=loop)
    future._run = None

    def finish(result: Any, error: BaseException | None) -> None:
        future._run = None
        if future.done():
            return
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    run = start_op(op, loop, finish)
    if not future.done():
        future._run = run
    return future


def invoke_async(call: Call) -> Awaitable[Any]:
    """Awaitable result of ``call`` on the running loop's connections to its endpoint."""
    return op_future(_one(call), asyncio.get_running_loop())


def _one(call: Call) -> Op[Any]:
    return (yield call)


async def run_async(op: Op[T], invoke: Callable[[Call], Awaitable[Any]] | None = None) -> T:
    """Drive a client operation on the running loop, awaiting ``invoke(call)`` for each
    yielded call (by default: each call on the endpoint's pool, without a task)."""
    if invoke is None:
        return await op_future(op, asyncio.get_running_loop())
    try:
        call = next(op)
        while True:
            try:
                result = await invoke(call)
            except Exception as exc:  # delivered into the operation, which may handle it
                call = op.throw(exc)
            else:
                call = op.send(result)
    except StopIteration as stop:
        return stop.value


def endpoint_pool(
    loop: asyncio.AbstractEventLoop, host: str, port: int
) -> EndpointPool[AsyncioChannel] | None:
    """The connections of ``loop`` to ``host:port`` (None before the first call)."""
    pools = _pools.get(loop)
    return None if pools is None else pools.get((host, port))
