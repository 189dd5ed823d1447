"""Hostile input: random bytes, truncations and bit flips of valid encodings.

The contract (giop/_errors.py): decoding bytes from a peer raises only
``ProtocolError`` (``RemoteProtocolError``/``MarshalError``); any other exception is a
bug. Decoding must also finish quickly and never allocate for lengths it was not given.
"""

from __future__ import annotations

import struct
import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from puretango.giop import (
    IOR,
    NEED_DATA,
    CancelRequest,
    CdrDecoder,
    CdrEncoder,
    ConnectionClosed,
    ConnectionState,
    GiopConnection,
    LocateReply,
    LocateRequest,
    ProtocolError,
    Reply,
    ReplyStatus,
    Request,
    Role,
    SystemException,
    decode_message,
    encode_message,
    read_any,
    read_typecode,
    write_any,
    write_typecode,
)
from puretango.idl import _tango
from puretango.idl._types import IdlType

from .strategies import FAST, SCALE, SETTINGS, command_anys, idl_strategy
from .test_ior import REAL_IOR
from .test_typecode import any_tcs

TYPES = {name: obj for name, obj in vars(_tango).items() if isinstance(obj, IdlType)}
OPERATIONS = _tango.OPERATIONS
TIME_LIMIT = 1.0  # seconds, per decode: generous, a hang or quadratic blow-up is far above


def decode_safely(fn, *args):
    """Run a decoder on hostile input: a ProtocolError is fine, anything else propagates."""
    start = time.perf_counter()
    try:
        return fn(*args)
    except ProtocolError:
        return None
    finally:
        assert time.perf_counter() - start < TIME_LIMIT, f"{fn} took too long"


# -- mutations of valid encodings ------------------------------------------------------------


@st.composite
def mutated(draw, raw: bytes, keep_header_size: bool = False) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "length"]))
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "set":
            data[pos] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, 0x01]))
        elif op == "truncate":
            del data[pos:]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos : pos + draw(st.integers(1, 8))]
        elif op == "length" and len(data) >= pos + 4:  # a plausible-looking huge count
            data[pos : pos + 4] = struct.pack(
                "<I", draw(st.sampled_from([0xFFFFFFF0, 0x7FFFFFFF, 0x10000, 255]))
            )
    if keep_header_size and len(data) >= 12 and data[:4] == b"GIOP":
        # keep the header consistent so the body decoders are reached
        struct.pack_into("<I" if data[6] & 1 else ">I", data, 8, len(data) - 12)
    return bytes(data)


def sample_messages() -> list[bytes]:
    def args(enc):
        enc.write_string("IDL:Tango/Device_6:1.0")
        enc.write_primitive_sequence("double", [1.0, 2.0])

    msgs = [
        Request(request_id=2, object_key=b"a/b/c", operation="_is_a", body=args),
        Reply(request_id=2, body=args),
        Reply(
            request_id=4,
            status=ReplyStatus.SYSTEM_EXCEPTION,
            body=SystemException("MARSHAL").encode_into,
        ),
        Reply(
            request_id=6,
            status=ReplyStatus.LOCATION_FORWARD,
            body=IOR.from_string(REAL_IOR).encode_into,
        ),
        CancelRequest(request_id=2),
        LocateRequest(request_id=2, object_key=b"k"),
        LocateReply(request_id=2, status=1),
    ]
    return [
        bytes(encode_message(m, minor, little))
        for m in msgs
        for minor in (0, 1, 2)
        for little in (True, False)
    ]


MESSAGES = sample_messages()
valid_message = st.sampled_from(MESSAGES)
hostile_message = st.one_of(
    st.binary(max_size=64),
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 8), st.binary(max_size=64)).map(
        lambda t: b"GIOP\x01" + bytes(t[:3]) + struct.pack("<I", len(t[3])) + t[3]
    ),
    valid_message.flatmap(lambda raw: mutated(raw, keep_header_size=True)),
    valid_message.flatmap(mutated),
)


@settings(SETTINGS, max_examples=max(1, int(150 * SCALE)))
@given(raw=hostile_message)
def test_decode_message_raises_only_protocol_errors(raw):
    decode_safely(decode_message, raw)
    decode_safely(decode_message, memoryview(bytearray(raw)))


def _large_reply(minor: int, little: bool) -> bytes:
    body = lambda enc: enc.write_raw(bytes(70_000))  # noqa: E731 - above the 64 KiB scratch size
    return bytes(encode_message(Reply(request_id=2, body=body), minor, little))


hostile_stream = st.one_of(
    st.lists(hostile_message, min_size=1, max_size=3).map(b"".join),
    st.tuples(st.sampled_from([0, 1, 2]), st.booleans())
    .map(lambda a: _large_reply(*a))
    .flatmap(mutated),
)


def _feed(conn: GiopConnection, data: bytes, in_place: bool) -> None:
    if not in_place:
        conn.receive_data(data)
        return
    i = 0
    while i < len(data):
        view = conn.get_buffer(-1)  # kept alive across buffer_updated, as asyncio does
        n = min(len(view), len(data) - i)
        view[:n] = data[i : i + n]
        conn.buffer_updated(n)
        i += n
        del view


@SETTINGS
@given(
    raw=hostile_stream,
    role=st.sampled_from([Role.CLIENT, Role.SERVER]),
    chunk=st.sampled_from([1, 7, 40, 4096, 100_000]),
    in_place=st.booleans(),
    eof=st.booleans(),
)
def test_connection_raises_only_protocol_errors(raw, role, chunk, in_place, eof):
    conn = GiopConnection(role, max_message_size=200_000)
    conn.pending.update({2, 4, 6})
    slowest = 0.0

    def next_event():
        nonlocal slowest
        start = time.perf_counter()
        try:
            return conn.next_event()
        finally:
            slowest = max(slowest, time.perf_counter() - start)

    try:
        for i in range(0, len(raw), chunk):
            _feed(conn, raw[i : i + chunk], in_place)
            for _ in range(len(raw) + 2):  # next_event must settle: NEED_DATA or closed
                event = next_event()
                if event is NEED_DATA or isinstance(event, ConnectionClosed):
                    break
            else:
                pytest.fail("next_event never returned NEED_DATA")
        if eof:
            conn.receive_data(b"")
            while not isinstance(next_event(), ConnectionClosed):
                pass
    except ProtocolError:
        assert conn.state is ConnectionState.ERROR
    assert slowest < TIME_LIMIT


def _typecode_bytes(tc, little):
    enc = CdrEncoder(little)
    write_typecode(enc, tc)
    return enc.getvalue()


def _any_bytes(value, little):
    enc = CdrEncoder(little)
    write_any(enc, value)
    return enc.getvalue()


@SETTINGS
@given(
    raw=st.one_of(
        st.binary(max_size=80),
        st.tuples(any_tcs, st.booleans()).map(lambda a: _typecode_bytes(*a)).flatmap(mutated),
        st.tuples(command_anys(), st.booleans()).map(lambda a: _any_bytes(*a)).flatmap(mutated),
    ),
    little=st.booleans(),
    base=st.integers(0, 7),
)
def test_typecode_and_any_decoders_raise_only_protocol_errors(raw, little, base):
    decode_safely(read_typecode, CdrDecoder(raw, little, base=base))
    decode_safely(read_any, CdrDecoder(raw, little, base=base))


@SETTINGS
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.binary(max_size=60).map(lambda b: "IOR:" + b.hex()),
        st.just(REAL_IOR[4:]).map(bytes.fromhex).flatmap(mutated).map(lambda b: "IOR:" + b.hex()),
    )
)
def test_ior_from_string_raises_only_protocol_errors(text):
    ior = decode_safely(IOR.from_string, text)
    if ior is not None:
        decode_safely(ior.iiop)


def _sysexc_bytes(little: bool) -> bytes:
    enc = CdrEncoder(little)
    SystemException("TRANSIENT", 0x41540002).encode_into(enc)
    return enc.getvalue()


@SETTINGS
@given(little=st.booleans(), data=st.data())
def test_system_exception_decoder_raises_only_protocol_errors(little, data):
    raw = data.draw(st.one_of(st.binary(max_size=40), mutated(_sysexc_bytes(little))))
    decode_safely(SystemException.decode_from, CdrDecoder(raw, little))


def _encoded(t: IdlType, value, little: bool) -> bytes:
    enc = CdrEncoder(little)
    t.write(enc, value)
    return enc.getvalue()


def _hostile_for(t: IdlType):
    return st.one_of(
        st.binary(max_size=64),
        st.tuples(idl_strategy(t), st.booleans()).map(lambda a: _encoded(t, *a)).flatmap(mutated),
    )


@pytest.mark.parametrize("name", sorted(TYPES))
@FAST
@given(data=st.data(), little=st.booleans(), base=st.integers(0, 7))
def test_idl_read_raises_only_protocol_errors(name, data, little, base):
    t = TYPES[name]
    raw = data.draw(_hostile_for(t))
    decode_safely(t.read, CdrDecoder(raw, little, base=base))


@pytest.mark.parametrize("name", sorted(OPERATIONS))
@FAST
@given(data=st.data(), little=st.booleans())
def test_operation_decoders_raise_only_protocol_errors(name, data, little):
    op = OPERATIONS[name]
    raw = data.draw(_hostile_for(op.result))
    decode_safely(op.result.read, CdrDecoder(raw, little))
    args = [data.draw(idl_strategy(t)) for _, t in op.params]
    enc = CdrEncoder(little)
    op.write_args(enc, args)
    raw = data.draw(st.one_of(st.binary(max_size=64), mutated(enc.getvalue())))
    decode_safely(op.read_args, CdrDecoder(raw, little))


# -- declared lengths of 0xFFFFFFF0 --------------------------------------------------------------

HUGE = 0xFFFFFFF0


def _le(*fields) -> bytes:
    return b"".join(struct.pack("<I", f) if isinstance(f, int) else f for f in fields)


def _message(minor: int, msg_type: int, body: bytes) -> bytes:
    return b"GIOP" + bytes([1, minor, 1, msg_type]) + struct.pack("<I", len(body)) + body


HUGE_CASES = {
    # GIOP messages
    "request-1.0-context-count": lambda: decode_message(_message(0, 0, _le(HUGE) + bytes(32))),
    "request-1.0-key-length": lambda: decode_message(
        _message(0, 0, _le(0, 2, b"\x01\0\0\0", HUGE) + bytes(32))
    ),
    "request-1.2-operation-length": lambda: decode_message(
        _message(2, 0, _le(2, b"\x03\0\0\0", b"\0\0\0\0", 0, HUGE) + bytes(32))
    ),
    "reply-1.2-context-count": lambda: decode_message(_message(2, 1, _le(2, 0, HUGE) + bytes(32))),
    "context-data-length": lambda: decode_message(
        _message(2, 1, _le(2, 0, 1, 1, HUGE) + bytes(32))
    ),
    # TypeCodes and anys
    "typecode-encapsulation": lambda: read_typecode(CdrDecoder(_le(15, HUGE) + bytes(32))),
    "typecode-struct-members": lambda: read_typecode(
        CdrDecoder(_le(15, 24, b"\x01\0\0\0", 1, 0, 1, 0, HUGE, 0))
    ),
    "typecode-enum-labels": lambda: read_typecode(
        CdrDecoder(_le(17, 20, b"\x01\0\0\0", 1, 0, 1, 0, HUGE))
    ),
    "any-array-length": lambda: read_any(
        CdrDecoder(_le(20, 12, b"\x01\0\0\0", 10, HUGE) + bytes(64))
    ),
    "any-sequence-count": lambda: read_any(
        CdrDecoder(_le(19, 12, b"\x01\0\0\0", 18, 0, HUGE) + bytes(64))
    ),
    # IORs
    "ior-profile-count": lambda: IOR.from_string("IOR:" + _le(1, 1, 0, HUGE).hex()),
    "ior-component-count": lambda: IOR.from_string(
        "IOR:" + _le(1, 1, 0, 1, 0, 20, b"\x01\x01\x02\0", 2, b"h\0\0\0", 0, HUGE).hex()
    ).iiop(),
    # IDL types
    "DevErrorList": lambda: _tango.DevErrorList.read(CdrDecoder(_le(HUGE) + bytes(64))),
    "DevVarStringArray": lambda: _tango.DevVarStringArray.read(CdrDecoder(_le(HUGE) + bytes(64))),
    "DevVarDoubleArray": lambda: _tango.DevVarDoubleArray.read(CdrDecoder(_le(HUGE) + bytes(64))),
    "DevError-string": lambda: _tango.DevError.read(CdrDecoder(_le(HUGE) + bytes(64))),
    "AttributeValue_5-list": lambda: OPERATIONS["read_attributes_5"].result.read(
        CdrDecoder(_le(1, 5, HUGE) + bytes(64))
    ),
}


@pytest.mark.parametrize("case", sorted(HUGE_CASES))
def test_huge_declared_lengths_are_refused_without_allocating(case):
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(ProtocolError):
            HUGE_CASES[case]()
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000 and elapsed < TIME_LIMIT


@pytest.mark.parametrize(
    ("role", "msg_type", "size"),
    [
        (Role.SERVER, 0, HUGE),  # above the limit: refused
        (Role.CLIENT, 1, HUGE),
        (Role.SERVER, 0, 200_000_000),  # within the limit: wait for the bytes, reserve nothing
        (Role.CLIENT, 0, 200_000_000),  # a Request to a client: refused from the header
    ],
)
def test_connection_does_not_allocate_for_a_declared_size(role, msg_type, size):
    # (a client does reserve room for a large Reply from the server it called, to receive
    # it in place; a server never reserves memory on a client's say-so)
    tracemalloc.start()
    try:
        conn = GiopConnection(role)  # default limit: 256 MiB
        conn.receive_data(b"GIOP\x01\x02\x01" + bytes([msg_type]) + struct.pack("<I", size))
        if size > conn.max_message_size or role is Role.CLIENT:
            with pytest.raises(ProtocolError):
                conn.next_event()
        else:
            assert conn.next_event() is NEED_DATA
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10_000_000
