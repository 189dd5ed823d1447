"""GIOP messages as immutable values, and their encoding for GIOP 1.0, 1.1 and 1.2.

Rule 1: every message type is a frozen dataclass; ``encode_message`` turns one into
bytes and ``decode_message`` turns one complete (reassembled) message back into a
value. Neither keeps state: fragments, request ids, pending replies and the reuse of
encoded requests belong to :mod:`._connection` (which builds requests from
``encode_request_head`` and ``finish_request``).

Rule 2: a message body (operation arguments, reply value, exception members) is either
a :class:`Body` (bytes already encoded, with the stream offset they were encoded at)
or a *body writer*, a callable that writes the body into a :class:`CdrEncoder` placed
at the right offset. Received messages always carry a :class:`Body`.

Rule 3: codecs are chosen by table (message type -> function), never by ``isinstance``
chains.

Rule 4: :func:`encode_message_segments` encodes a message as a list of buffers whose
concatenation is the message: large arrays stay in their own memory (see
:mod:`._cdr`, Rule 4). :func:`fragment_segments` splits such a list into a first part
and GIOP 1.2 Fragments without copying the large pieces; :func:`fragment_message` is the
same split, joined.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple, Union

from ._cdr import CdrDecoder, CdrEncoder
from ._errors import LocalProtocolError, MarshalError, RemoteProtocolError

__all__ = [
    "MsgType",
    "ReplyStatus",
    "LocateStatus",
    "Body",
    "BodyWriter",
    "EMPTY_BODY",
    "ServiceContext",
    "CODE_SETS_CONTEXT",
    "Request",
    "Reply",
    "CancelRequest",
    "LocateRequest",
    "LocateReply",
    "CloseConnection",
    "MessageError",
    "Message",
    "HEADER_SIZE",
    "MAGIC",
    "parse_header",
    "encode_message",
    "decode_message",
    "MESSAGE_CLASSES",
    "fragment_message",
    "fragment_segments",
    "encode_message_segments",
    "Buffers",
    "encode_request_head",
    "finish_request",
    "PLAIN_REPLY_SIZE",
    "plain_reply",
]

MAGIC = b"GIOP"
HEADER_SIZE = 12
_HEADER = {True: struct.Struct("<4sBBBBI"), False: struct.Struct(">4sBBBBI")}


class MsgType(IntEnum):
    REQUEST = 0
    REPLY = 1
    CANCEL_REQUEST = 2
    LOCATE_REQUEST = 3
    LOCATE_REPLY = 4
    CLOSE_CONNECTION = 5
    MESSAGE_ERROR = 6
    FRAGMENT = 7


_MSG_TYPES = {int(m): m for m in MsgType}


class ReplyStatus(IntEnum):
    NO_EXCEPTION = 0
    USER_EXCEPTION = 1
    SYSTEM_EXCEPTION = 2
    LOCATION_FORWARD = 3
    LOCATION_FORWARD_PERM = 4
    NEEDS_ADDRESSING_MODE = 5


_REPLY_STATUSES = {int(m): m for m in ReplyStatus}


class LocateStatus(IntEnum):
    UNKNOWN_OBJECT = 0
    OBJECT_HERE = 1
    OBJECT_FORWARD = 2
    OBJECT_FORWARD_PERM = 3
    LOC_SYSTEM_EXCEPTION = 4
    LOC_NEEDS_ADDRESSING_MODE = 5


class Body:
    """Encoded CDR bytes and the stream offset of their first byte.

    Two bodies are equal when their bytes, byte order and alignment (offset modulo 8)
    are equal: the same body may then be copied into any message at that alignment.
    """

    __slots__ = ("data", "offset", "little")

    def __init__(
        self, data: bytes | bytearray | memoryview = b"", offset: int = 0, little: bool = True
    ) -> None:
        self.data = data
        self.offset = offset
        self.little = little

    @classmethod
    def build(cls, writer: BodyWriter, little: bool = True, offset: int = 0) -> Body:
        enc = CdrEncoder(little, offset)
        writer(enc)
        return cls(bytes(enc.buf), offset, little)

    def decoder(self) -> CdrDecoder:
        """A decoder positioned at the first byte of the body."""
        return CdrDecoder(self.data, self.little, pos=0, base=self.offset)

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Body):
            return NotImplemented
        if not self.data and not other.data:
            return True
        return (
            bytes(self.data) == bytes(other.data)
            and self.offset % 8 == other.offset % 8
            and self.little == other.little
        )

    def __hash__(self) -> int:
        return hash(bytes(self.data))

    def __repr__(self) -> str:
        return (
            f"Body({len(self.data)} bytes at offset {self.offset}, {'LE' if self.little else 'BE'})"
        )


BodyWriter = Callable[[CdrEncoder], None]
EMPTY_BODY = Body()


@dataclass(frozen=True, slots=True)
class ServiceContext:
    context_id: int
    data: bytes


#: The CodeSets context cppTango clients send: ISO-8859-1 for char, UTF-16 for wchar.
CODE_SETS_CONTEXT = ServiceContext(1, bytes.fromhex("010000000100010009010100"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Request:
    request_id: int
    object_key: bytes
    operation: str
    response_expected: bool = True
    service_contexts: tuple[ServiceContext, ...] = ()
    body: Body | BodyWriter = field(default=EMPTY_BODY, compare=True)

    TYPE = MsgType.REQUEST


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    request_id: int
    status: ReplyStatus = ReplyStatus.NO_EXCEPTION
    service_contexts: tuple[ServiceContext, ...] = ()
    body: Body | BodyWriter = EMPTY_BODY

    TYPE = MsgType.REPLY


@dataclass(frozen=True, slots=True, kw_only=True)
class CancelRequest:
    request_id: int

    TYPE = MsgType.CANCEL_REQUEST


@dataclass(frozen=True, slots=True, kw_only=True)
class LocateRequest:
    request_id: int
    object_key: bytes

    TYPE = MsgType.LOCATE_REQUEST


@dataclass(frozen=True, slots=True, kw_only=True)
class LocateReply:
    request_id: int
    status: LocateStatus
    body: Body | BodyWriter = EMPTY_BODY

    TYPE = MsgType.LOCATE_REPLY


@dataclass(frozen=True, slots=True, kw_only=True)
class CloseConnection:
    TYPE = MsgType.CLOSE_CONNECTION


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageError:
    TYPE = MsgType.MESSAGE_ERROR


Message = Union[
    Request, Reply, CancelRequest, LocateRequest, LocateReply, CloseConnection, MessageError
]
MESSAGE_CLASSES: tuple[type, ...] = (
    Request,
    Reply,
    CancelRequest,
    LocateRequest,
    LocateReply,
    CloseConnection,
    MessageError,
)


# -- header -----------------------------------------------------------------------


class Header(NamedTuple):
    """The 12-byte GIOP header, decoded."""

    minor: int
    little: bool
    more_fragments: bool
    msg_type: MsgType
    size: int


def parse_header(data: bytes | bytearray | memoryview) -> Header:
    """Decode the 12-byte GIOP header at the start of ``data``."""
    if len(data) < HEADER_SIZE:
        raise RemoteProtocolError(f"GIOP header needs {HEADER_SIZE} bytes, got {len(data)}")
    if data[:4] != MAGIC:
        raise RemoteProtocolError(f"not a GIOP message (magic {bytes(data[:4])!r})")
    major, minor, flags, msg_type = data[4], data[5], data[6], data[7]
    if major != 1 or minor > 2:
        raise RemoteProtocolError(f"unsupported GIOP version {major}.{minor}")
    mt = _MSG_TYPES.get(msg_type)
    if mt is None:
        raise RemoteProtocolError(f"unknown GIOP message type {msg_type}")
    if mt is MsgType.FRAGMENT and minor == 0:
        raise RemoteProtocolError("Fragment messages do not exist in GIOP 1.0")
    little = bool(flags & 1)
    more = bool(flags & 2) if minor >= 1 else False
    size = _HEADER[little].unpack_from(data, 0)[5]
    return Header(minor, little, more, mt, size)


# -- shared pieces ----------------------------------------------------------------


def _write_contexts(enc: CdrEncoder, contexts: tuple[ServiceContext, ...]) -> None:
    enc.write_ulong(len(contexts))
    for ctx in contexts:
        enc.write_ulong(ctx.context_id)
        enc.write_octets(ctx.data)


def _read_contexts(dec: CdrDecoder) -> tuple[ServiceContext, ...]:
    n = dec.read_count(8)
    if not n:
        return ()
    return tuple(ServiceContext(dec.read_ulong(), dec.read_octets()) for _ in range(n))


def _write_body(enc: CdrEncoder, body: Body | BodyWriter, minor: int) -> None:
    if isinstance(body, Body):
        if not body.data:
            return
        if minor >= 2:
            enc.align(8)
        if body.little != enc.little or body.offset % 8 != enc.position % 8:
            raise LocalProtocolError(
                "pre-encoded body does not match the message's byte order or alignment"
            )
        enc.write_raw(body.data)
    else:
        if minor >= 2:
            # GIOP 1.2 pads to 8 only if a body follows; write it, then drop the pad if empty.
            mark = len(enc.buf)
            enc.align(8)
            start = enc.position
            body(enc)
            if enc.position == start:
                del enc.buf[mark:]
        else:
            body(enc)


def _read_body(dec: CdrDecoder, minor: int) -> Body:
    if minor >= 2 and dec.pos < dec.end:
        dec.pos += -(dec.base + dec.pos) % 8
        if dec.pos > dec.end:
            # Some ORBs omit the padding when the body is empty.
            dec.pos = dec.end
    data = dec.data[dec.pos : dec.end]
    return Body(data, dec.base + dec.pos, dec.little)


def _write_target(enc: CdrEncoder, key: bytes, minor: int) -> None:
    if minor >= 2:
        enc.write_short(0)  # KeyAddr
    enc.write_octets(key)


def _read_target(dec: CdrDecoder, minor: int) -> bytes:
    if minor < 2:
        return dec.read_octets()
    disc = dec.read_short()
    if disc == 0:
        return dec.read_octets()
    if disc == 1:  # ProfileAddr: TaggedProfile -> object key of its IIOP profile
        from ._ior import TaggedProfile, object_key_of_profile

        tag = dec.read_ulong()
        return object_key_of_profile(TaggedProfile(tag, dec.read_octets()))
    if disc == 2:  # ReferenceAddr
        from ._ior import IOR, object_key_of_profile

        index = dec.read_ulong()
        ior = IOR.decode_from(dec)
        if index >= len(ior.profiles):
            raise MarshalError("ReferenceAddr selects a missing profile")
        return object_key_of_profile(ior.profiles[index])
    raise MarshalError(f"unknown TargetAddress discriminator {disc}")


# -- per-type codecs --------------------------------------------------------------


def _enc_request(enc: CdrEncoder, m: Request, minor: int) -> None:
    _enc_request_fields(
        enc, m.request_id, m.object_key, m.operation, m.response_expected, m.service_contexts, minor
    )
    _write_body(enc, m.body, minor)


def _enc_request_fields(
    enc: CdrEncoder,
    request_id: int,
    object_key: bytes,
    operation: str,
    response_expected: bool,
    contexts: tuple[ServiceContext, ...],
    minor: int,
) -> None:
    """The Request header: everything between the GIOP header and the body."""
    if minor >= 2:
        enc.write_ulong(request_id)
        enc.write_octet(3 if response_expected else 0)
        enc.write_raw(b"\0\0\0")
        _write_target(enc, object_key, minor)
        enc.write_string(operation)
        _write_contexts(enc, contexts)
    else:
        _write_contexts(enc, contexts)
        enc.write_ulong(request_id)
        enc.write_boolean(response_expected)
        if minor == 1:
            enc.write_raw(b"\0\0\0")
        enc.write_octets(object_key)
        enc.write_string(operation)
        enc.write_octets(b"")  # requesting_principal


def encode_request_head(
    request_id: int,
    object_key: bytes,
    operation: str,
    response_expected: bool,
    contexts: tuple[ServiceContext, ...],
    little: bool,
) -> bytearray:
    """A GIOP 1.2 Request up to its body: the GIOP header (its size is set by
    :func:`finish_request`) and the request header. The request id is its first four bytes
    after the GIOP header, so a copy of the head serves any other id."""
    enc = CdrEncoder(little, 0)
    enc.buf += bytes(HEADER_SIZE)
    _enc_request_fields(enc, request_id, object_key, operation, response_expected, contexts, 2)
    _HEADER[little].pack_into(enc.buf, 0, MAGIC, 1, 2, 1 if little else 0, MsgType.REQUEST, 0)
    return enc.buf


def finish_request(head: bytearray, body: Body | BodyWriter, little: bool) -> bytearray:
    """Append ``body`` to a GIOP 1.2 message started by :func:`encode_request_head` (a copy
    of one may be used) and set its size: the complete message."""
    enc = CdrEncoder(little, 0)
    enc.buf = head
    _write_body(enc, body, 2)
    data = enc.buf
    _SIZE[little].pack_into(data, 8, len(data) - HEADER_SIZE)
    return data


_SIZE = {True: struct.Struct("<I"), False: struct.Struct(">I")}


def _dec_request(dec: CdrDecoder, minor: int) -> Request:
    if minor >= 2:
        request_id = dec.read_ulong()
        flags = dec.read_octet()
        dec.read_raw(3)
        key = _read_target(dec, minor)
        operation = dec.read_string()
        contexts = _read_contexts(dec)
        response_expected = bool(flags & 1)
    else:
        contexts = _read_contexts(dec)
        request_id = dec.read_ulong()
        response_expected = dec.read_boolean()
        if minor == 1:
            dec.read_raw(3)
        key = dec.read_octets()
        operation = dec.read_string()
        dec.read_octets()  # requesting_principal
    return Request(
        request_id=request_id,
        object_key=key,
        operation=operation,
        response_expected=response_expected,
        service_contexts=contexts,
        body=_read_body(dec, minor),
    )


def _enc_reply(enc: CdrEncoder, m: Reply, minor: int) -> None:
    if minor >= 2:
        enc.write_ulong(m.request_id)
        enc.write_ulong(m.status)
        _write_contexts(enc, m.service_contexts)
    else:
        if m.status > ReplyStatus.LOCATION_FORWARD:
            raise LocalProtocolError(f"reply status {m.status.name} needs GIOP 1.2")
        _write_contexts(enc, m.service_contexts)
        enc.write_ulong(m.request_id)
        enc.write_ulong(m.status)
    _write_body(enc, m.body, minor)


def _dec_reply(dec: CdrDecoder, minor: int) -> Reply:
    if minor >= 2:
        request_id = dec.read_ulong()
        status = dec.read_ulong()
        contexts = _read_contexts(dec)
    else:
        contexts = _read_contexts(dec)
        request_id = dec.read_ulong()
        status = dec.read_ulong()
    st = _REPLY_STATUSES.get(status)
    if st is None:
        raise MarshalError(f"unknown reply status {status}")
    # the hot path of every client: build the frozen value without the keyword __init__
    reply = _new(Reply)
    _set(reply, "request_id", request_id)
    _set(reply, "status", st)
    _set(reply, "service_contexts", contexts)
    _set(reply, "body", _read_body(dec, minor))
    return reply


_new = object.__new__
_set = object.__setattr__

#: Bytes before the body of a plain reply (see :func:`plain_reply`), in every GIOP version.
PLAIN_REPLY_SIZE = HEADER_SIZE + 12
# header, then GIOP 1.2: request id, status, context count; 1.0/1.1: count, request id, status
_PLAIN_REPLY = {True: struct.Struct("<4sBBBBIIII"), False: struct.Struct(">4sBBBBIIII")}
#: the first 8 bytes of what omniORB sends on little-endian hosts: a GIOP 1.2 Reply, whole
_LE_REPLY_12 = MAGIC + bytes((1, 2, 1, MsgType.REPLY))
_after_le_prefix = struct.Struct("<IIII").unpack_from  # size, request id, status, contexts
_NO_EXCEPTION = ReplyStatus.NO_EXCEPTION


def plain_reply(data: bytearray, size: int, request_id: int) -> Reply | None:
    """The Reply held by the first ``size`` bytes of ``data`` if they are exactly one
    complete, unfragmented NO_EXCEPTION Reply to ``request_id`` without service contexts
    (the reply to almost every call), else None (decode it the general way).

    One prefix comparison and one ``unpack_from`` for a little-endian GIOP 1.2 reply (two
    for other versions) instead of the generic decoder; the body is a view of ``data``.
    """
    if size < PLAIN_REPLY_SIZE:
        return None
    if data.startswith(_LE_REPLY_12):
        length, first, status, contexts = _after_le_prefix(data, 8)
        if length != size - HEADER_SIZE or first != request_id or status or contexts:
            return None
        little = True
    else:
        little = data[6] & 1 == 1
        magic, major, minor, flags, msg_type, length, first, second, third = _PLAIN_REPLY[
            little
        ].unpack_from(data, 0)
        if (
            magic != MAGIC
            or major != 1
            or msg_type != MsgType.REPLY
            or length != size - HEADER_SIZE
            or (minor >= 1 and flags & 2)  # more fragments follow
        ):
            return None
        if minor == 2:
            if first != request_id or second != 0 or third != 0:
                return None
        elif minor > 2 or first != 0 or second != request_id or third != 0:
            return None
    reply = _new(Reply)
    _set(reply, "request_id", request_id)
    _set(reply, "status", _NO_EXCEPTION)
    _set(reply, "service_contexts", ())
    _set(reply, "body", Body(memoryview(data)[PLAIN_REPLY_SIZE:size], PLAIN_REPLY_SIZE, little))
    return reply


def _enc_cancel(enc: CdrEncoder, m: CancelRequest, minor: int) -> None:
    enc.write_ulong(m.request_id)


def _dec_cancel(dec: CdrDecoder, minor: int) -> CancelRequest:
    return CancelRequest(request_id=dec.read_ulong())


def _enc_locate_request(enc: CdrEncoder, m: LocateRequest, minor: int) -> None:
    enc.write_ulong(m.request_id)
    _write_target(enc, m.object_key, minor)


def _dec_locate_request(dec: CdrDecoder, minor: int) -> LocateRequest:
    request_id = dec.read_ulong()
    return LocateRequest(request_id=request_id, object_key=_read_target(dec, minor))


def _enc_locate_reply(enc: CdrEncoder, m: LocateReply, minor: int) -> None:
    if minor < 2 and m.status > LocateStatus.OBJECT_FORWARD:
        raise LocalProtocolError(f"locate status {m.status!r} needs GIOP 1.2")
    enc.write_ulong(m.request_id)
    enc.write_ulong(m.status)
    _write_body(enc, m.body, minor)


def _dec_locate_reply(dec: CdrDecoder, minor: int) -> LocateReply:
    request_id = dec.read_ulong()
    status = dec.read_ulong()
    try:
        st = LocateStatus(status)
    except ValueError:
        raise MarshalError(f"unknown locate status {status}") from None
    return LocateReply(request_id=request_id, status=st, body=_read_body(dec, minor))


def _enc_nothing(enc: CdrEncoder, m: object, minor: int) -> None:
    pass


_ENCODERS: dict[MsgType, Callable[[CdrEncoder, object, int], None]] = {
    MsgType.REQUEST: _enc_request,  # type: ignore[dict-item]
    MsgType.REPLY: _enc_reply,  # type: ignore[dict-item]
    MsgType.CANCEL_REQUEST: _enc_cancel,  # type: ignore[dict-item]
    MsgType.LOCATE_REQUEST: _enc_locate_request,  # type: ignore[dict-item]
    MsgType.LOCATE_REPLY: _enc_locate_reply,  # type: ignore[dict-item]
    MsgType.CLOSE_CONNECTION: _enc_nothing,
    MsgType.MESSAGE_ERROR: _enc_nothing,
}

_DECODERS: dict[MsgType, Callable[[CdrDecoder, int], Message]] = {
    MsgType.REQUEST: _dec_request,
    MsgType.REPLY: _dec_reply,
    MsgType.CANCEL_REQUEST: _dec_cancel,
    MsgType.LOCATE_REQUEST: _dec_locate_request,
    MsgType.LOCATE_REPLY: _dec_locate_reply,
    MsgType.CLOSE_CONNECTION: lambda dec, minor: CloseConnection(),
    MsgType.MESSAGE_ERROR: lambda dec, minor: MessageError(),
}


def _encode(msg: Message, minor: int, little: bool, segments: bool) -> CdrEncoder:
    if minor not in (0, 1, 2):
        raise LocalProtocolError(f"unsupported GIOP minor version {minor}")
    enc = CdrEncoder(little, 0, segments=segments)
    enc.buf += bytes(HEADER_SIZE)
    _ENCODERS[msg.TYPE](enc, msg, minor)
    size = enc.position - HEADER_SIZE
    _HEADER[little].pack_into(enc.buf, 0, MAGIC, 1, minor, 1 if little else 0, msg.TYPE, size)
    return enc


def encode_message(msg: Message, minor: int = 2, little: bool = True) -> bytearray:
    """Encode ``msg`` as one complete GIOP 1.``minor`` message (never fragmented)."""
    return _encode(msg, minor, little, False).buf


Buffers = list[Union[bytes, bytearray, memoryview]]


def encode_message_segments(msg: Message, minor: int = 2, little: bool = True) -> Buffers:
    """``msg`` as one complete GIOP message in pieces (Rule 4): the first piece holds the
    GIOP header; arrays of :data:`._cdr.SEGMENT_MIN_SIZE` bytes or more are views of their
    own memory."""
    return list(_encode(msg, minor, little, True).pieces())


def decode_message(data: bytes | bytearray | memoryview, header: Header | None = None) -> Message:
    """Decode one complete, reassembled GIOP message (header included)."""
    if header is None:
        header = parse_header(data)
    if header.msg_type is MsgType.FRAGMENT:
        raise RemoteProtocolError("a Fragment cannot be decoded on its own")
    dec = CdrDecoder(data, header.little, pos=HEADER_SIZE, base=0, end=HEADER_SIZE + header.size)
    if dec.end > len(data):
        raise MarshalError("message shorter than its header says")
    return _DECODERS[header.msg_type](dec, header.minor)


def fragment_message(data: bytes | bytearray, fragment_size: int) -> bytearray:
    """Split one encoded GIOP 1.2 Request or Reply into a first part and Fragment messages.

    Every part but the last ends on an 8-byte boundary of the reassembled stream, as
    GIOP 1.2 requires; each Fragment repeats the request id. Messages no larger than
    ``fragment_size`` (and other versions and types) come back unchanged.
    """
    return bytearray().join(fragment_segments([data], fragment_size))


def fragment_segments(pieces: Buffers, fragment_size: int) -> Buffers:
    """:func:`fragment_message` for a message given as ``pieces`` (their concatenation):
    the parts as new pieces, views of the given ones plus a new header for each part.

    The first piece must hold at least the GIOP header and the request id.
    """
    header = parse_header(pieces[0])
    total = HEADER_SIZE + header.size
    if (
        header.minor < 2
        or header.msg_type not in (MsgType.REQUEST, MsgType.REPLY)
        or total <= fragment_size
    ):
        return pieces
    fmt = _HEADER[header.little]
    views = [memoryview(p) for p in pieces]
    if sum(len(v) for v in views) != total or len(views[0]) < HEADER_SIZE + 4:
        raise LocalProtocolError("message pieces do not match their GIOP header")
    request_id = bytes(views[0][HEADER_SIZE : HEADER_SIZE + 4])
    chunk = max(8, fragment_size - fragment_size % 8)
    little_flag = 1 if header.little else 0
    # first part: a header of its own, then the stream up to an 8-aligned end
    out: Buffers = [
        fmt.pack(MAGIC, 1, header.minor, little_flag | 2, header.msg_type, chunk - HEADER_SIZE)
    ]
    index, offset = 0, HEADER_SIZE  # where the stream continues: views[index][offset:]
    pos = HEADER_SIZE
    end = chunk
    while True:
        while pos < end:  # the stream [pos, end) as views of the pieces
            view = views[index]
            n = min(len(view) - offset, end - pos)
            if n:
                out.append(view[offset : offset + n])
            offset += n
            pos += n
            if offset == len(view):
                index, offset = index + 1, 0
        if pos == total:
            return out
        end = min(pos + chunk, total)
        more = 0 if end == total else 2
        head = fmt.pack(MAGIC, 1, header.minor, little_flag | more, MsgType.FRAGMENT, 4 + end - pos)
        out.append(head + request_id)
