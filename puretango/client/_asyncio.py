"""asyncio transport: GIOP connections as ``asyncio.Protocol`` objects on the running
loop, one per server endpoint and loop, with replies dispatched to futures.

Nothing here blocks: connecting, sending and waiting are all loop operations. A
timed-out or cancelled call forgets its request id on the shared connection, so a
late reply is dropped by the sans-I/O core instead of answering another call.
Connections belong to the loop that opened them; a new loop (a second
``asyncio.run()``, another thread) gets its own.
"""

from __future__ import annotations

import asyncio
import socket
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ..giop import Reply
from ._channel import ChannelState, ConnectionDropped, connect_timeout, retry_after_drop
from ._engine import Call, Op, connect_error, reply_result, timeout_error

__all__ = ["run_async", "invoke_async", "AsyncioChannel"]

T = TypeVar("T")


class _Expired(Exception):
    pass


def _set_result(fut: asyncio.Future[Reply], reply: Reply) -> None:
    if not fut.done():  # a cancelled or expired call may not have left yet
        fut.set_result(reply)


def _set_exception(fut: asyncio.Future[Reply], error: BaseException) -> None:
    if not fut.done():
        fut.set_exception(error)


class AsyncioChannel(asyncio.BufferedProtocol):
    """The shared connection to one endpoint, for one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, host: str, port: int) -> None:
        self.loop = loop
        self.host, self.port = host, port
        self.transport: asyncio.Transport | None = None
        self.state: ChannelState[asyncio.Future[Reply]] = ChannelState(_set_result, _set_exception)
        # request id -> (deadline on the loop clock, future); swept by one timer
        self._deadlines: dict[int, tuple[float, asyncio.Future[Reply]]] = {}
        self._sweeper: asyncio.TimerHandle | None = None
        self._connecting: asyncio.Future[None] | None = None

    # -- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.transport = transport
        self.state.open()

    def get_buffer(self, sizehint: int) -> memoryview:
        conn = self.state.conn
        return conn.get_buffer(sizehint) if conn is not None else memoryview(bytearray(65536))

    def buffer_updated(self, nbytes: int) -> None:
        conn = self.state.conn
        if conn is None:
            return
        conn.buffer_updated(nbytes)
        try:
            self.state.dispatch(conn)
        except ConnectionDropped as dropped:
            self._drop(str(dropped))

    def connection_lost(self, exc: Exception | None) -> None:
        self._drop(f"connection lost: {exc}" if exc else "connection closed by the server")

    def _drop(self, reason: str) -> None:
        transport = self.transport
        self.transport = None
        if transport is not None:
            transport.abort()
        self.state.drop(self.state.conn, reason)

    # -- calls -------------------------------------------------------------------------

    async def _ensure_connected(self, call: Call) -> None:
        while self.transport is None or self.state.conn is None:
            if self._connecting is None:
                self._connecting = self.loop.create_future()
                connecting = self._connecting
                try:
                    await asyncio.wait_for(
                        self.loop.create_connection(lambda: self, self.host, self.port),
                        connect_timeout(call.timeout),
                    )
                except (OSError, asyncio.TimeoutError) as exc:
                    error = connect_error(call, str(exc) or type(exc).__name__)
                    connecting.set_exception(error)
                    connecting.exception()  # mark retrieved
                    raise error from None
                finally:
                    self._connecting = None
                if not connecting.done():
                    connecting.set_result(None)
            else:
                await asyncio.shield(self._connecting)

    async def invoke(self, call: Call) -> Any:
        """Send ``call``, wait for its reply, and return the decoded result."""
        try:
            reply = await self._roundtrip(call)
        except ConnectionDropped:
            return await run_async(retry_after_drop(call), self._roundtrip)
        return reply_result(call, reply)

    async def _roundtrip(self, call: Call) -> Reply:
        await self._ensure_connected(call)
        conn, transport = self.state.conn, self.transport
        assert conn is not None and transport is not None
        fut: asyncio.Future[Reply] = self.loop.create_future()
        request_id, expects_reply, data = self.state.start(conn, call, fut)
        if not expects_reply:
            transport.write(data)
            return Reply(request_id=request_id)
        if call.timeout > 0:
            deadline = self.loop.time() + call.timeout
            self._deadlines[request_id] = (deadline, fut)
            if self._sweeper is None or deadline < self._sweeper.when():
                if self._sweeper is not None:
                    self._sweeper.cancel()
                self._sweeper = self.loop.call_at(deadline, self._expire_overdue)
        try:
            transport.write(data)
            return await fut
        except _Expired:
            raise timeout_error(call) from None
        finally:
            self._deadlines.pop(request_id, None)
            self.state.forget(conn, request_id)

    def _expire_overdue(self) -> None:
        """Fail the calls past their deadline; one timer per connection, not per call."""
        self._sweeper = None
        now = self.loop.time()
        earliest = None
        for request_id, (deadline, fut) in list(self._deadlines.items()):
            if deadline <= now:
                del self._deadlines[request_id]
                if not fut.done():
                    fut.set_exception(_Expired())
            elif earliest is None or deadline < earliest:
                earliest = deadline
        if earliest is not None:
            self._sweeper = self.loop.call_at(earliest, self._expire_overdue)


_channels: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, int], AsyncioChannel]
] = weakref.WeakKeyDictionary()


def invoke_async(call: Call) -> Awaitable[Any]:
    """Awaitable result of ``call`` on the running loop's shared connection."""
    loop = asyncio.get_running_loop()
    pool = _channels.get(loop)
    if pool is None:
        pool = _channels[loop] = {}
    channel = pool.get(call.endpoint)
    if channel is None:
        channel = pool[call.endpoint] = AsyncioChannel(loop, call.host, call.port)
    return channel.invoke(call)


async def run_async(op: Op[T], invoke: Callable[[Call], Awaitable[Any]] = invoke_async) -> T:
    """Drive a client operation on the running loop, awaiting ``invoke(call)`` for each
    yielded call."""
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
