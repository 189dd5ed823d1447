"""The client engine, written once for every concurrency flavour.

A client operation is a *generator*: it yields :class:`Call` objects (one remote
invocation each) and receives their results, then returns the final value. A
*runner* drives the generator (:func:`run_sync`, or ``run_async`` in ``_asyncio.py``)
with an ``invoke(call)`` function; the only thing that differs between the synchronous,
futures, gevent and asyncio flavours is that function:

* ``_sync.invoke`` (threaded), ``_gevent.invoke_gevent``: return the result;
* ``_asyncio.invoke_async``: return an awaitable of the result (futures mode runs it on
  the I/O thread's loop).

Each invoke sends the call on a connection its process shares to the endpoint (the
threaded transport keeps a small pool of them, see :mod:`._sync`), whose bookkeeping is
written once in :mod:`._channel`; :func:`reply_result` turns the GIOP Reply into the
result or a ``DevFailed``. This module owns the Call, reply decoding and the mapping of
failures to ``DevFailed`` (timeouts, connection errors, CORBA system exceptions).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

from .._errors import (
    CommunicationFailed,
    ConnectionFailed,
    DevFailed,
    NamedDevFailed,
    NamedDevFailedList,
    make_error,
)
from ..giop import Body, CdrEncoder, ProtocolError, Reply, ReplyStatus, SystemException
from ..idl import UnionValue
from ..idl import types as t
from ..idl._enums import LockerLanguage, TraceContextFormat
from ..idl._types import Operation

__all__ = [
    "Call",
    "Op",
    "reply_result",
    "system_exception_error",
    "timeout_error",
    "connect_error",
    "connection_lost_error",
    "client_ident",
    "run_sync",
]

T = TypeVar("T")


@dataclass(slots=True)
class Call:
    """One remote invocation: where, which operation, with what, and how long to wait."""

    host: str
    port: int
    object_key: bytes
    operation: Operation
    args: tuple[Any, ...]
    timeout: float
    device: str = ""
    #: Hashable summary of ``args`` when they fully determine the request body (e.g. the
    #: names of a read): the connection then reuses the whole encoded request.
    cache_key: Any = None

    @property
    def endpoint(self) -> tuple[str, int]:
        return (self.host, self.port)

    def write_body(self, enc: CdrEncoder) -> None:
        """Write the request body: the operation's arguments."""
        self.operation.write_args(enc, self.args)


#: The generator type of a client operation returning ``T``.
Op = Generator[Call, Any, T]


def _origin(call: Call) -> str:
    return f"{call.operation.name} on {call.device or call.object_key.decode('latin-1', 'replace')}"


def reply_result(call: Call, reply: Reply) -> Any:
    """Decode a Reply to ``call``: its result, or raise the matching ``DevFailed``."""
    body = reply.body
    assert isinstance(body, Body)
    dec = body.decoder()
    try:
        if reply.status is ReplyStatus.NO_EXCEPTION:
            return call.operation.result.read(dec)
        if reply.status is ReplyStatus.USER_EXCEPTION:
            repo_id = dec.read_string()
            if repo_id == t.DevFailed.repo_id:
                errors = t.DevErrorList.read(dec)
                raise DevFailed(*errors)
            if repo_id == t.MultiDevFailed.repo_id:
                named = t.MultiDevFailed.fields[0][1].read(dec)
                raise NamedDevFailedList(
                    [NamedDevFailed(n.name, n.index_in_call, n.err_list) for n in named],
                    *(named[0].err_list if named else ()),
                )
            raise CommunicationFailed(
                make_error(
                    "API_CorbaException", f"unexpected user exception {repo_id}", _origin(call)
                )
            )
        if reply.status is ReplyStatus.SYSTEM_EXCEPTION:
            exc = SystemException.decode_from(dec)
            raise system_exception_error(call, exc)
        raise CommunicationFailed(
            make_error(
                "API_CorbaException", f"unsupported reply status {reply.status.name}", _origin(call)
            )
        )
    except ProtocolError as exc:
        raise CommunicationFailed(
            make_error(
                "API_MarshallingError",
                f"cannot decode the reply to {call.operation.name}: {exc}",
                _origin(call),
            )
        ) from None


def system_exception_error(call: Call, exc: SystemException) -> DevFailed:
    """The ``DevFailed`` for a CORBA system exception in reply to ``call``."""
    corba = make_error("API_CorbaException", str(exc), _origin(call))
    if exc.name == "OBJECT_NOT_EXIST":
        return ConnectionFailed(
            corba,
            make_error(
                "API_DeviceNotDefined",
                f"Device {call.device} is not served at {call.host}:{call.port}",
                _origin(call),
            ),
        )
    return CommunicationFailed(
        corba,
        make_error(
            "API_CommunicationFailed",
            f"Failed to execute {call.operation.name} on device {call.device}",
            _origin(call),
        ),
    )


def timeout_error(call: Call) -> CommunicationFailed:
    ms = int(round(call.timeout * 1000))
    return CommunicationFailed(
        make_error(
            "API_CorbaException",
            "TRANSIENT CORBA system exception: TRANSIENT_CallTimedout",
            _origin(call),
        ),
        make_error(
            "API_DeviceTimedOut",
            f"Timeout ({ms} mS) exceeded on device {call.device}",
            _origin(call),
        ),
    )


def connect_error(call: Call, reason: str) -> ConnectionFailed:
    return ConnectionFailed(
        make_error(
            "API_CorbaException",
            f"TRANSIENT CORBA system exception: TRANSIENT_ConnectFailed ({reason})",
            _origin(call),
        ),
        make_error(
            "API_CantConnectToDevice",
            f"Failed to connect to device {call.device} at {call.host}:{call.port}",
            _origin(call),
        ),
    )


def connection_lost_error(call: Call, reason: str) -> CommunicationFailed:
    return CommunicationFailed(
        make_error(
            "API_CorbaException", f"COMM_FAILURE CORBA system exception: {reason}", _origin(call)
        ),
        make_error(
            "API_CommunicationFailed",
            f"Failed to execute {call.operation.name} on device {call.device}",
            _origin(call),
        ),
    )


_PID = os.getpid()


def _new_pid() -> None:  # a forked child identifies itself with its own pid
    global _PID
    _PID = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_pid)


def client_ident(server_version: int) -> UnionValue:
    """The ClntIdent a cppTango client sends: CPP_6 to IDL-6 servers, else CPP."""
    if server_version >= 6:
        trace = UnionValue(
            TraceContextFormat.W3C_TC_V0, t.W3CTraceContextV0(trace_parent="", trace_state="")
        )
        return UnionValue(
            LockerLanguage.CPP_6, t.CppClntIdent_6(cpp_clnt=_PID, trace_context=trace)
        )
    return UnionValue(LockerLanguage.CPP, _PID)


def run_sync(op: Op[T], invoke: Callable[[Call], Any]) -> T:
    """Drive ``op`` to completion, calling ``invoke(call)`` for each yielded call."""
    try:
        call = next(op)
        while True:
            try:
                result = invoke(call)
            except BaseException as exc:  # noqa: BLE001 - delivered into the operation
                call = op.throw(exc)
            else:
                call = op.send(result)
    except StopIteration as stop:
        return stop.value
