"""The connections of one server endpoint in the green transports, and the callback-driven
runner of a client operation; both written once for the asyncio and gevent transports.

*The pool.* Every proxy of a process (per event loop, per gevent hub) calls one endpoint
through one :class:`EndpointPool`. Sequential calls all go out on its first connection.
When calls pile up (the least busy connection already has :data:`SPREAD_AT` calls in
flight), the pool may open another connection, up to :data:`MAX_CONNECTIONS`, and each
call goes to the least busy one. When no call is in flight any more the extra connections
are closed again, so a burst leaves one connection behind. Both limits are read once from
the environment: ``PURETANGO_MAX_CONNECTIONS`` (default 1: one shared connection; up to 4-8
is sensible) and ``PURETANGO_SPREAD_AT`` (default 16). One connection is the default
because an omniORB server already serves the interleaved calls of one connection on up to
100 threads, and more connections measured slower: requests spread over several sockets
coalesce less, and a bursty caller reopens connections after each burst.

*The runner.* :class:`OpRun` drives an operation (:data:`._engine.Op`) without a task,
a coroutine or a greenlet: it sends the operation's next call through its transport's
``launch(call, run)`` and continues the generator from the reply callback. It applies the
retry-once rule of :func:`._channel.retry_after_drop` itself (a call whose connection
dropped before the reply is sent once more; a second drop is a ``CommunicationFailed``)
and hands the outcome to ``finish(result, error)``.

Rule: no sockets, threads, event loops or clocks here; a transport owns those and calls
these objects from its one I/O thread (the loop's, the hub's).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from ..giop import Reply
from ._channel import ConnectionDropped
from ._engine import Call, Op, connection_lost_error, reply_result

__all__ = ["MAX_CONNECTIONS", "SPREAD_AT", "PooledChannel", "EndpointPool", "OpRun"]


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, "") or default))
    except ValueError:
        return default


#: Most connections a process opens to one endpoint (per event loop or gevent hub).
MAX_CONNECTIONS = _env_int("PURETANGO_MAX_CONNECTIONS", 1)
#: Calls in flight on the least busy connection before the pool opens another one.
SPREAD_AT = _env_int("PURETANGO_SPREAD_AT", 16)


class PooledChannel(Protocol):
    """What the pool needs of a transport's connection."""

    @property
    def in_flight(self) -> int: ...

    def close(self) -> None: ...


C = TypeVar("C", bound=PooledChannel)


class EndpointPool(Generic[C]):
    """The connections to one endpoint: which one a call goes out on, when to open more,
    when to close the extra ones."""

    __slots__ = ("channels", "_make", "max_connections", "spread_at")

    def __init__(self, make: Callable[[], C]) -> None:
        self._make = make
        self.channels: list[C] = []
        self.max_connections = MAX_CONNECTIONS
        self.spread_at = SPREAD_AT

    def pick(self) -> C:
        """The connection for the next call: the least busy one, or a new one when every
        open connection is busy and the limit allows."""
        channels = self.channels
        if not channels:
            best = self._make()
            channels.append(best)
            return best
        best = channels[0]
        load = best.in_flight
        if load and len(channels) > 1:
            for channel in channels:
                n = channel.in_flight
                if n < load:
                    best, load = channel, n
        if load >= self.spread_at and len(channels) < self.max_connections:
            best = self._make()
            channels.append(best)
        return best

    def shrink_if_idle(self) -> None:
        """Close the extra connections once no call is in flight on any connection."""
        channels = self.channels
        if len(channels) > 1 and not any(c.in_flight for c in channels):
            for channel in channels[1:]:
                channel.close()
            del channels[1:]

    def discard(self, channel: C) -> None:
        """Forget a connection that was closed or dropped (the next call may reopen)."""
        try:
            self.channels.remove(channel)
        except ValueError:
            pass


class OpRun:
    """One operation driven by callbacks: ``launch(call, run)`` sends each call and the
    transport answers with :meth:`on_reply` or :meth:`on_error`; the outcome goes to
    ``finish(result, error)``.

    ``channel``, ``conn`` and ``request_id`` say where the current call is waiting (set by
    the transport; ``None`` while it is not on a connection), so that a cancelled run can
    forget it.
    """

    __slots__ = (
        "op",
        "launch",
        "finish",
        "call",
        "retried",
        "channel",
        "conn",
        "request_id",
        "timer",
    )

    def __init__(
        self,
        op: Op[Any],
        launch: Callable[[Call, OpRun], None],
        finish: Callable[[Any, BaseException | None], None],
    ) -> None:
        self.op = op
        self.launch = launch
        self.finish = finish
        self.call: Call | None = None
        self.retried = False
        self.channel: Any = None
        self.conn: Any = None
        self.request_id = 0
        #: The transport's timer for the current call's timeout, if it keeps one per call.
        self.timer: Any = None

    def advance(self, value: Any = None, error: BaseException | None = None) -> None:
        """Send ``value`` (or throw ``error``) into the operation and launch its next call,
        or finish."""
        op = self.op
        try:
            call = op.send(value) if error is None else op.throw(error)
        except StopIteration as stop:
            self.call = None
            self.finish(stop.value, None)
            return
        except BaseException as exc:  # noqa: BLE001 - the operation's outcome
            self.call = None
            self.finish(None, exc)
            return
        self.call = call
        self.retried = False
        try:
            self.launch(call, self)
        except BaseException as exc:  # noqa: BLE001 - e.g. a connect error, into the op
            self.advance(None, exc)

    def on_reply(self, reply: Reply) -> None:
        """The reply to the current call came (the transport has forgotten the request)."""
        call = self.call
        assert call is not None
        try:
            result = reply_result(call, reply)
        except BaseException as exc:  # noqa: BLE001 - a DevFailed, into the operation
            self.advance(None, exc)
            return
        self.advance(result)

    def on_error(self, error: BaseException) -> None:
        """The current call failed (the transport has forgotten the request)."""
        call = self.call
        if call is None:  # already finished (e.g. cancelled)
            return
        if isinstance(error, ConnectionDropped):
            if not self.retried:
                self.retried = True
                try:
                    self.launch(call, self)
                except BaseException as exc:  # noqa: BLE001 - into the operation
                    self.advance(None, exc)
                return
            error = connection_lost_error(call, str(error))
        self.advance(None, error)

    def cancel(self) -> None:
        """The caller gave up: close the operation; the transport forgets the request."""
        self.call = None
        self.op.close()
