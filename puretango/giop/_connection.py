"""One GIOP connection, as a state object: bytes in, messages out.

Rule 1: no sockets, threads or clocks here. A transport feeds received bytes with
:meth:`GiopConnection.receive_data` (``b""`` means the peer closed), or receives straight
into :meth:`GiopConnection.get_buffer`; it pulls decoded messages with
:meth:`GiopConnection.next_event` until it returns ``NEED_DATA`` (a client with one request
in flight may call :meth:`GiopConnection.take_reply` instead of ``buffer_updated``: the
common plain reply, taken without the generic decoder), and writes whatever
:meth:`GiopConnection.send` returns, or all the pieces :meth:`GiopConnection.send_segments`
returns, in order (large arrays are pieces of their own: their memory, not a copy).

Rule 2: fragments are reassembled here; a message reaches ``next_event`` only when
complete. Alignment inside a reassembled message is relative to the first
message's header, as GIOP requires. A client receives a large message, and each large
Fragment's body, in place: straight after the previous part, in one buffer, so the
decoded arrays are (writeable) views of the bytes the socket wrote. Such buffers are
numpy ``uint8`` arrays, allocated without zero-filling; a first part gets room for as
much as the last reassembled message took, so its Fragments need no reallocation.

Rule 3 (client role): request ids are allocated here and every two-way request is
remembered until its reply arrives or :meth:`GiopConnection.forget` is called. A
reply to a forgotten (timed out or cancelled) request is dropped silently, so a late
reply can never be mistaken for the answer to another call.

Rule 4 (client role): :meth:`GiopConnection.send_request` owns the wire layout of
requests. The first request it encodes carries the CodeSets service context (as cppTango
clients send it); later ones reuse a cached encoding of the same target and operation,
patching only the request id: the whole message when the caller names its body with a
``template_key``, else the request header. Callers never touch the bytes.

Rule 5: any :class:`RemoteProtocolError` out of ``next_event`` puts the connection in
the ``ERROR`` state; the transport should send :meth:`message_error` bytes and close.
Any other exception out of this module is a bug.
"""

from __future__ import annotations

import enum
import itertools
import struct
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from ._cdr import lazy_numpy
from ._errors import LocalProtocolError, RemoteProtocolError
from ._messages import (
    CODE_SETS_CONTEXT,
    EMPTY_BODY,
    HEADER_SIZE,
    Body,
    BodyWriter,
    Buffers,
    CloseConnection,
    Header,
    Message,
    MessageError,
    MsgType,
    Reply,
    Request,
    decode_message,
    encode_message,
    encode_message_segments,
    encode_request_head,
    finish_request,
    fragment_message,
    fragment_segments,
    parse_header,
    plain_reply,
)

__all__ = [
    "Role",
    "ConnectionState",
    "NEED_DATA",
    "ConnectionClosed",
    "GiopConnection",
    "DEFAULT_MAX_MESSAGE_SIZE",
]

#: Size of the buffer offered for ordinary reads; larger messages are received in place.
SCRATCH_SIZE = 64 * 1024

#: Largest message a client preallocates when its header arrives; larger ones grow only as
#: their bytes actually arrive.
IN_PLACE_LIMIT = 64 * 1024 * 1024

#: omniORB's giopMaxMsgSize as set by cppTango: 256 MiB.
DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024 * 1024

#: Encoded requests a connection keeps for reuse (the cache starts over when full).
MAX_REQUEST_TEMPLATES = 4096

_ULONG = {True: struct.Struct("<I"), False: struct.Struct(">I")}

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

#: A buffer bytes are received or reassembled in.
Buffer = Union[bytearray, memoryview]


def _uninitialised(size: int) -> memoryview:
    """``size`` writable bytes (of a numpy array), not zero-filled: the socket or a copy
    fills them."""
    return np.empty(size, np.uint8).data


class Role(enum.Enum):
    CLIENT = "client"
    SERVER = "server"


class ConnectionState(enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    ERROR = "error"


class _NeedData:
    def __repr__(self) -> str:
        return "NEED_DATA"


_OPEN = ConnectionState.OPEN
_CLIENT = Role.CLIENT
#: message types each role never receives (a client gets no requests, a server no replies)
_REFUSED_BY_CLIENT = frozenset((MsgType.REQUEST, MsgType.LOCATE_REQUEST, MsgType.CANCEL_REQUEST))
_REFUSED_BY_SERVER = frozenset((MsgType.REPLY, MsgType.LOCATE_REPLY))

#: Returned by :meth:`GiopConnection.next_event` when more bytes are needed.
NEED_DATA = _NeedData()


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer closed the TCP stream (EOF), possibly in the middle of a message."""

    clean: bool


class GiopConnection:
    """The sans-I/O state of one GIOP connection for one role."""

    def __init__(
        self,
        role: Role,
        *,
        minor: int = 2,
        little: bool = True,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        fragment_size: int | None = None,
    ) -> None:
        """``fragment_size``: split GIOP 1.2 Requests/Replies larger than this into
        Fragment messages (None: never fragment)."""
        self.role = role
        self.minor = minor
        self.little = little
        self.max_message_size = max_message_size
        self.fragment_size = fragment_size
        self.state = ConnectionState.OPEN
        self.pending: set[int] = set()
        #: GIOP minor version of the last message received (a server replies in it)
        self.peer_minor = minor
        self._ids = itertools.count(2, 2)
        self._buf = bytearray()
        self._scratch = bytearray(SCRATCH_SIZE)
        # a large message being received in place: its final buffer and how full it is
        self._big: memoryview | None = None
        self._big_filled = 0
        self._big_end = 0  # where the awaited bytes end in ``_big`` (it may be longer)
        self._big_header: Header | None = None  # of the message or first part in ``_big``
        # when ``_big`` is the reassembled message growing by a Fragment's body: whether
        # that Fragment said more follow (None: ``_big`` is a message or a first part)
        self._big_more: bool | None = None
        self._eof = False
        # fragment reassembly: header of the first part, the message so far
        self._partial: Header | None = None
        self._partial_data: Buffer | None = None
        self._partial_len = 0  # bytes of ``_partial_data`` filled (it may be longer)
        self._partial_id: int | None = None
        # size of the last reassembled message: room reserved for the next one
        self._reassembled_size = 0
        # client requests: the CodeSets context is still to be sent; reusable encodings
        self._code_sets_due = True
        self._request_templates: dict[tuple[object, ...], bytes] = {}
        self._pack_request_id = _ULONG[little].pack_into

    # -- sending --------------------------------------------------------------

    def next_request_id(self) -> int:
        return next(self._ids)

    def send(self, msg: Message, minor: int | None = None) -> bytearray:
        """Encode ``msg``; for a client Request, register its id as pending."""
        if self.state is not ConnectionState.OPEN:
            raise LocalProtocolError(f"cannot send on a connection in state {self.state.name}")
        data = self._checked(
            encode_message(msg, self.minor if minor is None else minor, self.little)
        )
        # registered only once encoded: a refused message leaves no pending id behind
        if self.role is Role.CLIENT and isinstance(msg, Request) and msg.response_expected:
            self.pending.add(msg.request_id)
        return data

    def send_segments(self, msg: Message, minor: int | None = None) -> Buffers:
        """:meth:`send`, as pieces to write in order (``sendmsg``): arrays of
        :data:`._cdr.SEGMENT_MIN_SIZE` bytes or more are views of their own memory, also
        when the message is fragmented. The values must not change until written."""
        if self.state is not ConnectionState.OPEN:
            raise LocalProtocolError(f"cannot send on a connection in state {self.state.name}")
        pieces = encode_message_segments(msg, self.minor if minor is None else minor, self.little)
        if len(pieces) == 1:
            data = pieces[0]
            assert isinstance(data, bytearray)
            pieces = [self._checked(data)]
        else:
            size = sum(len(p) for p in pieces)
            if size - HEADER_SIZE > self.max_message_size:
                raise LocalProtocolError(
                    f"message of {size} bytes exceeds the limit of {self.max_message_size} bytes"
                )
            if self.fragment_size is not None and size > self.fragment_size:
                pieces = fragment_segments(pieces, self.fragment_size)
        if self.role is Role.CLIENT and isinstance(msg, Request) and msg.response_expected:
            self.pending.add(msg.request_id)
        return pieces

    def send_request(
        self,
        object_key: bytes,
        operation: str,
        body: Body | BodyWriter = EMPTY_BODY,
        response_expected: bool = True,
        template_key: Hashable | None = None,
    ) -> tuple[int, bytearray]:
        """Encode a client Request under a new request id: ``(request id, bytes to write)``.

        ``template_key``: a hashable summary of everything ``body`` writes (None: the body
        is encoded each time). A two-way request is pending once encoded; a request that
        cannot be encoded raises :class:`LocalProtocolError` and leaves nothing pending.
        """
        if self.state is not _OPEN:
            raise LocalProtocolError(f"cannot send on a connection in state {self.state.name}")
        request_id = next(self._ids)
        key = (object_key, operation, response_expected, template_key)
        template = self._request_templates.get(key)
        if template is None:
            data = self._encode_request(
                key, request_id, object_key, operation, body, response_expected, template_key
            )
        else:
            data = bytearray(template)
            self._pack_request_id(data, HEADER_SIZE, request_id)
            if template_key is None:  # the template is the head: add this call's body
                data = self._checked(finish_request(data, body, self.little))
        if response_expected:
            self.pending.add(request_id)
        return request_id, data

    def _encode_request(
        self,
        key: tuple[object, ...],
        request_id: int,
        object_key: bytes,
        operation: str,
        body: Body | BodyWriter,
        response_expected: bool,
        template_key: Hashable | None,
    ) -> bytearray:
        """Encode a request that has no template yet; keep one if it can be reused."""
        if self.role is not Role.CLIENT:
            raise LocalProtocolError("only a client sends requests")
        contexts = (CODE_SETS_CONTEXT,) if self._code_sets_due else ()
        if self.minor != 2:  # templates are GIOP 1.2 only (the id is the first field)
            request = Request(
                request_id=request_id,
                object_key=object_key,
                operation=operation,
                response_expected=response_expected,
                service_contexts=contexts,
                body=body,
            )
            data = self._checked(encode_message(request, self.minor, self.little))
            self._code_sets_due = False
            return data
        head = encode_request_head(
            request_id, object_key, operation, response_expected, contexts, self.little
        )
        head_template = bytes(head) if template_key is None else None
        data = finish_request(head, body, self.little)
        fragmented = self.fragment_size is not None and len(data) > self.fragment_size
        data = self._checked(data)
        self._code_sets_due = False
        if not contexts and not fragmented:  # the first request is never reused
            templates = self._request_templates
            if len(templates) >= MAX_REQUEST_TEMPLATES:
                templates.clear()
            templates[key] = bytes(data) if head_template is None else head_template
        return data

    def _checked(self, data: bytearray) -> bytearray:
        """``data`` within the size limit, fragmented if this connection fragments."""
        if len(data) - HEADER_SIZE > self.max_message_size:
            raise LocalProtocolError(
                f"message of {len(data)} bytes exceeds the limit of {self.max_message_size} bytes"
            )
        if self.fragment_size is not None and len(data) > self.fragment_size:
            data = fragment_message(data, self.fragment_size)
        return data

    def expect_reply(self, request_id: int) -> None:
        """Register ``request_id`` as pending when the caller encoded the request itself."""
        self.pending.add(request_id)

    def forget(self, request_id: int) -> None:
        """Stop waiting for ``request_id``: a late reply will be dropped."""
        self.pending.discard(request_id)

    def close(self) -> bytearray:
        """Bytes of a CloseConnection message; the connection is then closed."""
        minor = self.peer_minor if self.role is Role.SERVER else self.minor
        data = encode_message(CloseConnection(), minor, self.little)
        self.state = ConnectionState.CLOSED
        return data

    def message_error(self, minor: int | None = None) -> bytearray:
        return encode_message(MessageError(), self.minor if minor is None else minor, self.little)

    # -- receiving ------------------------------------------------------------

    def receive_data(self, data: bytes | bytearray | memoryview) -> None:
        """Feed bytes received from the peer; ``b""`` means the peer closed."""
        if not data:
            self._eof = True
            return
        big = self._big
        if big is not None:
            n = min(self._big_end - self._big_filled, len(data))
            big[self._big_filled : self._big_filled + n] = memoryview(data)[:n]
            self._big_filled += n
            if n < len(data):
                self._buf += data[n:]
        else:
            self._buf += data

    def get_buffer(self, sizehint: int = -1) -> memoryview:
        """A buffer to receive into (then call :meth:`buffer_updated`).

        While a large message (or a large Fragment's body) is arriving this is exactly
        its missing part, so the transport's ``recv_into`` writes the payload straight
        into the message's final buffer: no copy, no reallocation (asyncio's
        ``BufferedProtocol`` contract).
        """
        big = self._big
        if big is not None and self._big_filled < self._big_end:
            return big[self._big_filled : self._big_end]
        return memoryview(self._scratch)  # never empty, even before next_event takes ``big``

    def buffer_updated(self, nbytes: int) -> None:
        """``nbytes`` were written into the buffer from :meth:`get_buffer`."""
        if nbytes <= 0:
            self._eof = True
        elif self._big is not None and self._big_filled < self._big_end:
            self._big_filled += nbytes
        else:
            self._buf += memoryview(self._scratch)[:nbytes]

    def take_reply(self, request_id: int, nbytes: int) -> Reply | None:
        """:meth:`buffer_updated`, for a client that awaits the reply to ``request_id``
        and has nothing else in flight: when the ``nbytes`` just written into the buffer
        are exactly that reply, unfragmented, NO_EXCEPTION and without service contexts
        (the common case), it is returned at once (a copy of the bytes: the buffer is
        reused); otherwise None, and the bytes wait for :meth:`next_event` as usual.
        """
        if (
            nbytes > 0
            and self._big is None
            and self._partial is None
            and not self._buf
            and request_id in self.pending
            and self.state is _OPEN
            and self.role is _CLIENT
        ):
            data = self._scratch[:nbytes]
            reply = plain_reply(data, nbytes, request_id)
            if reply is None:
                self._buf = data  # as buffer_updated would have it
                return None
            self.pending.discard(request_id)
            self.peer_minor = data[5]
            return reply
        self.buffer_updated(nbytes)
        return None

    def next_event(self) -> Message | _NeedData | ConnectionClosed:
        """The next complete message, ``NEED_DATA``, or :class:`ConnectionClosed`.

        Raises :class:`RemoteProtocolError` on malformed input; the state is then
        ``ERROR``.
        """
        if self.state is ConnectionState.ERROR:
            raise RemoteProtocolError("connection is in the ERROR state")
        try:
            while True:
                result = self._next_message()
                if result is None:
                    if self._eof:
                        self.state = ConnectionState.CLOSED
                        clean = not self._buf and self._partial is None and self._big is None
                        return ConnectionClosed(clean=clean)
                    return NEED_DATA
                if isinstance(result, Reply) and self.role is Role.CLIENT:
                    if result.request_id not in self.pending:
                        continue  # a late reply to a forgotten request
                    self.pending.discard(result.request_id)
                if isinstance(result, CloseConnection):
                    self.state = ConnectionState.CLOSED
                return result
        except RemoteProtocolError:
            self.state = ConnectionState.ERROR
            raise

    def _next_message(self) -> Message | None:
        while True:
            big = self._big
            if big is not None:
                if self._big_filled < self._big_end:
                    return None
                done = self._big_done(big)
                if done is not None:
                    return done
                continue
            buf = self._buf
            if len(buf) < HEADER_SIZE:
                return None
            header = parse_header(buf)
            if header.size > self.max_message_size:
                raise RemoteProtocolError(
                    f"message of {header.size} bytes exceeds the limit of "
                    f"{self.max_message_size} bytes"
                )
            total = HEADER_SIZE + header.size
            if self._check_role(header) is False:  # refused from the header alone
                raise RemoteProtocolError(
                    f"a {self.role.value} cannot receive {header.msg_type.name}"
                )
            if len(buf) < total:
                if header.msg_type is MsgType.FRAGMENT:
                    self._receive_fragment_in_place(header, buf, total)
                else:
                    self._receive_in_place(header, buf, total)
                return None
            if header.msg_type is MsgType.FRAGMENT:
                self._add_fragment(header, buf, total)
                del buf[:total]
                if self._partial is not None and self._complete:
                    return self._finish_fragmented()
                continue
            if header.more_fragments:
                if len(buf) == total:  # hand over the buffer, no copy
                    self._buf = bytearray()
                    self._start_fragmented(header, buf, total)
                else:
                    self._start_fragmented(header, bytearray(buf[:total]), total)
                    del buf[:total]
                continue
            self.peer_minor = header.minor
            if len(buf) == total:  # the common case: hand over the buffer, no copy
                message = buf
                self._buf = bytearray()
            else:
                message = bytearray(buf[:total])
                del buf[:total]
            return decode_message(memoryview(message), header)

    def _receive_in_place(self, header: Header, buf: bytearray, total: int) -> None:
        """Receive the rest of a large message in place (:meth:`get_buffer`). Only a client
        does, and only up to IN_PLACE_LIMIT: nobody reserves 256 MiB on the say-so of a
        12-byte header. The first part of a fragmented message gets room for as much as
        the last reassembled message took, so that its Fragments land without a copy."""
        if not SCRATCH_SIZE <= total <= IN_PLACE_LIMIT or self.role is not Role.CLIENT:
            return
        size = total
        if header.more_fragments:
            size = max(total, min(self._reassembled_size, IN_PLACE_LIMIT))
        big = _uninitialised(size)
        big[: len(buf)] = buf
        self._big, self._big_filled, self._big_end = big, len(buf), total
        self._big_header, self._big_more = header, None
        self._buf = bytearray()

    def _big_done(self, big: memoryview) -> Message | None:
        """``big`` is all in: a whole message is decoded, a first part or a Fragment's body
        joins the reassembly (a complete reassembled message is decoded). Bytes that
        arrived after it, which only receive_data can deliver, wait in ``_buf``."""
        self._big = None
        more = self._big_more
        if more is not None:  # the body of a Fragment
            self._big_more = None
            self._partial_len = self._big_end
            self._complete = not more
            return self._finish_fragmented() if self._complete else None
        header = self._big_header
        assert header is not None
        self._big_header = None
        if header.more_fragments:
            self._start_fragmented(header, big, self._big_end)
            return None
        self.peer_minor = header.minor
        return decode_message(big[: self._big_end], header)

    def _start_fragmented(self, header: Header, data: Buffer, length: int) -> None:
        """The first ``length`` bytes of ``data`` are the first part of a fragmented message
        (``data`` may be longer: room for the Fragments)."""
        if self._partial is not None:
            raise RemoteProtocolError("a new fragmented message started before the last one ended")
        if header.msg_type not in (
            MsgType.REQUEST,
            MsgType.REPLY,
            MsgType.LOCATE_REQUEST,
            MsgType.LOCATE_REPLY,
        ):
            raise RemoteProtocolError(f"{header.msg_type.name} cannot be fragmented")
        self._partial = header
        self._partial_data = data
        self._partial_len = length
        self._partial_id = self._request_id_of(header, data)
        self._complete = False

    def _check_role(self, header: Header) -> bool:
        """False if this role never receives the header's message type (on every message:
        kept to a set lookup)."""
        refused = _REFUSED_BY_CLIENT if self.role is _CLIENT else _REFUSED_BY_SERVER
        return header.msg_type not in refused

    @staticmethod
    def _request_id_of(header: Header, data: Buffer) -> int | None:
        """Request id of a GIOP 1.2 message (the first body field), for fragment matching."""
        if header.minor < 2 or len(data) < HEADER_SIZE + 4:
            return None
        return int.from_bytes(
            memoryview(data)[HEADER_SIZE : HEADER_SIZE + 4], "little" if header.little else "big"
        )

    _complete = False

    def _fragment_body_start(self, header: Header, buf: bytearray, total: int) -> int | None:
        """Where the body of the Fragment at the start of ``buf`` begins, once it is checked
        against the message being reassembled (None: its request id has not arrived)."""
        if self._partial is None or self._partial_data is None:
            raise RemoteProtocolError("Fragment without a fragmented message to continue")
        start = HEADER_SIZE
        if header.minor >= 2:
            if total < HEADER_SIZE + 4:
                raise RemoteProtocolError("GIOP 1.2 Fragment without a request id")
            if len(buf) < HEADER_SIZE + 4:
                return None
            frag_id = int.from_bytes(
                buf[HEADER_SIZE : HEADER_SIZE + 4], "little" if header.little else "big"
            )
            if self._partial_id is not None and frag_id != self._partial_id:
                raise RemoteProtocolError(
                    f"Fragment for request {frag_id} while reassembling {self._partial_id}"
                )
            start += 4
        if self._partial_len + total - start > self.max_message_size + HEADER_SIZE:
            raise RemoteProtocolError("fragmented message exceeds the size limit")
        return start

    def _reserve(self, size: int) -> memoryview:
        """The reassembly buffer, at least ``size`` bytes long. Growing it copies what is
        there: rare (see Rule 2), and at least doubling (each byte is copied O(1) times)."""
        data = self._partial_data
        assert data is not None
        if len(data) < size or not isinstance(data, memoryview):
            grown = _uninitialised(
                max(size, min(2 * len(data), self.max_message_size + HEADER_SIZE))
            )
            grown[: self._partial_len] = memoryview(data)[: self._partial_len]
            self._partial_data = data = grown
        return data

    def _add_fragment(self, header: Header, buf: bytearray, total: int) -> None:
        start = self._fragment_body_start(header, buf, total)
        assert start is not None  # the whole Fragment is in ``buf``
        end = self._partial_len + total - start
        self._reserve(end)[self._partial_len : end] = memoryview(buf)[start:total]
        self._partial_len = end
        self._complete = not header.more_fragments

    def _receive_fragment_in_place(self, header: Header, buf: bytearray, total: int) -> None:
        """A client's large Fragment, partly arrived: its body goes straight after the
        message so far, in the same buffer, where the rest of it is received
        (:meth:`get_buffer`)."""
        start = self._fragment_body_start(header, buf, total)
        if start is None or self.role is not Role.CLIENT or total - start < SCRATCH_SIZE:
            return  # small ones are copied once complete
        end = self._partial_len + total - start
        if end > IN_PLACE_LIMIT:
            return
        data = self._reserve(end)
        filled = self._partial_len + len(buf) - start
        data[self._partial_len : filled] = memoryview(buf)[start:]
        self._big, self._big_filled, self._big_end = data, filled, end
        self._big_more = header.more_fragments
        self._buf = bytearray()

    def _finish_fragmented(self) -> Message:
        assert self._partial is not None and self._partial_data is not None
        first = self._partial
        data = self._partial_data
        length = self._partial_len
        self._partial = self._partial_data = self._partial_id = None
        self._complete = False
        self._reassembled_size = length
        header = Header(first.minor, first.little, False, first.msg_type, length - HEADER_SIZE)
        self.peer_minor = first.minor
        return decode_message(memoryview(data)[:length], header)
