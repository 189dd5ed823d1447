"""The client engine, written once for every concurrency flavour.

A client operation is a *generator*: it yields :class:`Call` objects (one remote
invocation each) and receives their results, then returns the final value. A
*runner* drives the generator; the only thing that differs between the synchronous,
futures, gevent and asyncio flavours is how a runner waits for a reply.

Hooks a transport must supply (see ``_sync.py`` for the threaded one):

* ``start_call(call) -> pending``: encode and send ``call`` on the shared
  connection of its endpoint (reconnecting if needed);
* a way to wait for ``pending`` with ``call.timeout``;
* ``finish_call(call, reply)``: :func:`reply_result` turns the GIOP reply into the
  result or a ``DevFailed``.

Everything else (request encoding, reply decoding, error mapping) lives here.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Generator, Iterator
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
from ..giop import (
    CODE_SETS_CONTEXT,
    NEED_DATA,
    Body,
    CloseConnection,
    ConnectionClosed,
    GiopConnection,
    LocalProtocolError,
    MessageError,
    ProtocolError,
    Reply,
    ReplyStatus,
    Request,
    SystemException,
)
from ..idl import UnionValue
from ..idl import types as t
from ..idl._enums import LockerLanguage, TraceContextFormat
from ..idl._types import Operation

__all__ = [
    "Call",
    "Op",
    "build_request",
    "encode_request",
    "ConnectionDropped",
    "replies",
    "invoke_retrying",
    "reply_result",
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
    #: names of a read); the encoded request is then reused with only the id patched.
    cache_key: Any = None

    @property
    def endpoint(self) -> tuple[str, int]:
        return (self.host, self.port)


#: The generator type of a client operation returning ``T``.
Op = Generator[Call, Any, T]


def build_request(call: Call, request_id: int, first: bool) -> Request:
    """The GIOP Request for ``call``; the first request on a connection carries CodeSets."""
    op = call.operation
    args = call.args

    def write_args(enc: Any) -> None:
        op.write_args(enc, args)

    return Request(
        request_id=request_id,
        object_key=call.object_key,
        operation=op.name,
        response_expected=not op.oneway,
        service_contexts=(CODE_SETS_CONTEXT,) if first else (),
        body=write_args,
    )


def encode_request(conn: GiopConnection, call: Call) -> tuple[int, bool, bytearray]:
    """Allocate a request id on ``conn`` and encode ``call``: (id, expects reply, bytes).

    A value that cannot be encoded is the caller's mistake: it raises ``TypeError``
    (as PyTango does for client-side conversion problems) and nothing is sent.
    """
    request_id = conn.next_request_id()
    first = request_id == 2
    template_key = None
    if call.cache_key is not None and conn.minor == 2:
        template_key = (call.object_key, call.operation.name, call.cache_key, conn.little)
        template = _templates.get(template_key)
        if template is not None and not first:
            data = bytearray(template)
            _REQUEST_ID[conn.little].pack_into(
                data, 12, request_id
            )  # GIOP 1.2: id is the first body field
            conn.expect_reply(request_id)
            return request_id, True, data
    request = build_request(call, request_id, first)
    try:
        data = conn.send(request)
    except LocalProtocolError as exc:
        conn.forget(request_id)
        raise TypeError(f"cannot send {call.operation.name} to {call.device}: {exc}") from None
    if template_key is not None and not first and request.response_expected:
        if len(_templates) >= _MAX_TEMPLATES:
            _templates.clear()
        _templates[template_key] = bytes(data)
    return request_id, request.response_expected, data


_MAX_TEMPLATES = 4096
_templates: dict[tuple[Any, ...], bytes] = {}
_REQUEST_ID = {True: struct.Struct("<I"), False: struct.Struct(">I")}


class ConnectionDropped(Exception):
    """The shared connection died before the reply came; the call may be retried once."""


def replies(conn: GiopConnection) -> Iterator[Reply]:
    """Every Reply now complete on ``conn``, in order.

    Raises :class:`ConnectionDropped` when the server closed the connection (EOF,
    CloseConnection, MessageError) or sent something that is not GIOP.
    """
    while True:
        try:
            event = conn.next_event()
        except ProtocolError as exc:
            raise ConnectionDropped(f"protocol error: {exc}") from None
        if event is NEED_DATA:
            return
        if isinstance(event, Reply):
            yield event
        elif isinstance(event, ConnectionClosed):
            raise ConnectionDropped("connection closed by the server")
        elif isinstance(event, (CloseConnection, MessageError)):
            raise ConnectionDropped(f"server sent {type(event).__name__}")


def invoke_retrying(roundtrip: Callable[[Call], Reply], call: Call) -> Any:
    """``roundtrip(call)``, once more on a fresh connection if the shared one died before
    answering (a restarted server, an idle close), as cppTango does; then the result."""
    try:
        reply = roundtrip(call)
    except ConnectionDropped:
        try:
            reply = roundtrip(call)
        except ConnectionDropped as again:
            raise connection_lost_error(call, str(again)) from None
    return reply_result(call, reply)


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
    if exc.name in ("TRANSIENT", "COMM_FAILURE"):
        return CommunicationFailed(
            corba,
            make_error(
                "API_CommunicationFailed",
                f"Failed to execute {call.operation.name} on device {call.device}",
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


def run_sync(op: Op[T], invoke: Any) -> T:
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
