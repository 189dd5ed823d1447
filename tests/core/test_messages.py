"""GIOP messages: every class x GIOP 1.0/1.1/1.2 x both byte orders (puretango.giop._messages).

``SAMPLES`` is the registry: a message class in ``MESSAGE_CLASSES`` without samples fails
``test_message_roundtrip``. Sample bodies are *writers*; the decoded message carries a
:class:`Body`, compared with the writer's output encoded at the decoded body's offset.
"""

from __future__ import annotations

import dataclasses
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango.giop import (
    CODE_SETS_CONTEXT,
    EMPTY_BODY,
    HEADER_SIZE,
    IOR,
    MESSAGE_CLASSES,
    Body,
    CancelRequest,
    CdrEncoder,
    CloseConnection,
    IIOPProfile,
    LocalProtocolError,
    LocateReply,
    LocateRequest,
    LocateStatus,
    MarshalError,
    MessageError,
    MsgType,
    RemoteProtocolError,
    Reply,
    ReplyStatus,
    Request,
    ServiceContext,
    SystemException,
    decode_message,
    encode_message,
    parse_header,
)

from .strategies import SETTINGS, latin1

MINORS = (0, 1, 2)


def _args(enc: CdrEncoder) -> None:
    enc.write_string("IDL:Tango/Device_6:1.0")
    enc.write_double(1.5)  # alignment of the body matters


def _odd(enc: CdrEncoder) -> None:
    enc.write_octet(7)  # a 1-byte body


def _exc(enc: CdrEncoder) -> None:
    SystemException("MARSHAL", 0x4154000A).encode_into(enc)


def _ior(enc: CdrEncoder) -> None:
    IOR.for_object("IDL:Tango/Device_6:1.0", "10.0.0.1", 10000, b"a/b/c").encode_into(enc)


#: message class -> samples valid in every GIOP version
SAMPLES: dict[type, list] = {
    Request: [
        Request(request_id=2, object_key=b"a/b/c", operation="_is_a", body=_args),
        Request(request_id=0xFFFFFFFF, object_key=b"", operation="ping", response_expected=False),
        Request(
            request_id=4,
            object_key=bytes(range(14)),
            operation="command_inout_4",
            service_contexts=(CODE_SETS_CONTEXT, ServiceContext(0x4E454F00, b"\x01\x02\x03")),
            body=_odd,
        ),
    ],
    Reply: [
        Reply(request_id=2, body=_args),
        Reply(request_id=3),
        Reply(request_id=4, status=ReplyStatus.USER_EXCEPTION, body=_odd),
        Reply(request_id=5, status=ReplyStatus.SYSTEM_EXCEPTION, body=_exc),
        Reply(
            request_id=6,
            status=ReplyStatus.LOCATION_FORWARD,
            service_contexts=(CODE_SETS_CONTEXT,),
            body=_ior,
        ),
    ],
    CancelRequest: [CancelRequest(request_id=8)],
    LocateRequest: [LocateRequest(request_id=10, object_key=b"dserver/testdev/test")],
    LocateReply: [
        LocateReply(request_id=10, status=LocateStatus.OBJECT_HERE),
        LocateReply(request_id=12, status=LocateStatus.UNKNOWN_OBJECT),
        LocateReply(request_id=14, status=LocateStatus.OBJECT_FORWARD, body=_ior),
    ],
    CloseConnection: [CloseConnection()],
    MessageError: [MessageError()],
}


def expected_after_decode(msg, decoded):
    """``msg`` as it should come back: a writer body becomes the Body it wrote."""
    body = getattr(msg, "body", None)
    if body is None or isinstance(body, Body):
        return msg
    built = Body.build(body, decoded.body.little, decoded.body.offset)
    return dataclasses.replace(msg, body=built)


def check_roundtrip(msg, minor, little):
    raw = bytes(encode_message(msg, minor, little))
    header = parse_header(raw)
    assert (header.minor, header.little, header.more_fragments) == (minor, little, False)
    assert header.msg_type is msg.TYPE and header.size == len(raw) - HEADER_SIZE
    assert raw[6] == (1 if little else 0)
    decoded = decode_message(raw)
    assert type(decoded) is type(msg)
    assert decoded == expected_after_decode(msg, decoded)
    body = getattr(decoded, "body", None)
    if body is not None and len(body):
        assert raw[body.offset :] == bytes(body.data)  # the body runs to the end
        if minor == 2:
            assert body.offset % 8 == 0  # GIOP 1.2 bodies are 8-aligned
    # a decoded message re-encodes to the same bytes (its Body is at the right offset)
    assert bytes(encode_message(decoded, minor, little)) == raw
    return raw, decoded


@pytest.mark.parametrize("little", [True, False], ids=["LE", "BE"])
@pytest.mark.parametrize("minor", MINORS, ids=lambda m: f"1.{m}")
@pytest.mark.parametrize("cls", MESSAGE_CLASSES, ids=lambda c: c.__name__)
def test_message_roundtrip(cls, minor, little):
    samples = SAMPLES.get(cls)
    if not samples:
        pytest.fail(f"{cls.__name__} has no sample in SAMPLES: add one")
    for msg in samples:
        check_roundtrip(msg, minor, little)


def test_registry_covers_exactly_the_message_classes():
    assert set(SAMPLES) == set(MESSAGE_CLASSES)
    assert {cls.TYPE for cls in MESSAGE_CLASSES} == set(MsgType) - {MsgType.FRAGMENT}


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize(
    "status", [ReplyStatus.LOCATION_FORWARD_PERM, ReplyStatus.NEEDS_ADDRESSING_MODE]
)
def test_giop_12_only_reply_status(status, little):
    msg = Reply(request_id=1, status=status, body=_odd)
    check_roundtrip(msg, 2, little)
    for minor in (0, 1):
        with pytest.raises(LocalProtocolError):
            encode_message(msg, minor, little)


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("status", list(LocateStatus)[3:])
def test_giop_12_only_locate_status(status, little):
    # regression: 1.2-only locate statuses were written into GIOP 1.0/1.1 messages
    msg = LocateReply(request_id=1, status=status)
    check_roundtrip(msg, 2, little)
    for minor in (0, 1):
        with pytest.raises(LocalProtocolError):
            encode_message(msg, minor, little)


def test_unknown_minor_is_refused():
    with pytest.raises(LocalProtocolError):
        encode_message(CloseConnection(), 3)


# -- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("minor", MINORS)
def test_pre_encoded_body_must_match_alignment_and_byte_order(minor):
    msg = SAMPLES[Request][0]
    raw, decoded = check_roundtrip(msg, minor, True)
    assert isinstance(decoded.body, Body)
    # the same Body at the wrong offset modulo 8 or byte order is refused
    for body in (
        Body(decoded.body.data, decoded.body.offset + 4, True),
        Body(decoded.body.data, decoded.body.offset, False),
    ):
        with pytest.raises(LocalProtocolError):
            encode_message(dataclasses.replace(msg, body=body), minor, True)


def test_giop_12_empty_body_has_no_padding():
    # a writer that writes nothing: the 8-padding is dropped again
    raw = bytes(encode_message(Reply(request_id=2, body=lambda enc: None), 2, True))
    assert len(raw) == HEADER_SIZE + 12 and decode_message(raw).body == EMPTY_BODY
    raw = bytes(encode_message(Request(request_id=2, object_key=b"k", operation="op"), 2, True))
    assert len(raw) % 8 != 0 and decode_message(raw).body == EMPTY_BODY


def test_giop_12_body_missing_its_padding_is_tolerated():
    # some ORBs omit the 8-padding when the body is empty: a 2-byte tail cannot hold it
    raw = bytearray(encode_message(Request(request_id=2, object_key=b"k", operation="op"), 2, True))
    assert len(raw) % 8 == 4
    raw += b"\0\0"
    struct.pack_into("<I", raw, 8, len(raw) - HEADER_SIZE)
    msg = decode_message(bytes(raw))
    assert msg.operation == "op" and len(msg.body) == 0


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("minor", MINORS)
def test_system_exception_reply(minor, little):
    exc = SystemException("OBJECT_NOT_EXIST", 0x4F4D0001)
    raw = encode_message(
        Reply(request_id=4, status=ReplyStatus.SYSTEM_EXCEPTION, body=exc.encode_into),
        minor,
        little,
    )
    got = SystemException.decode_from(decode_message(bytes(raw)).body.decoder())
    assert got == exc and got.repo_id == "IDL:omg.org/CORBA/OBJECT_NOT_EXIST:1.0"
    assert "OBJECT_NOT_EXIST" in str(got) and "0x4f4d0001" in str(got)


def test_system_exception_decoding_is_lenient():
    enc = CdrEncoder(True)
    enc.write_string("IDL:Other/ODD:2.0")
    enc.write_ulong(7)
    enc.write_ulong(99)  # unknown completion status
    from puretango.giop import CdrDecoder, CompletionStatus

    got = SystemException.decode_from(CdrDecoder(enc.getvalue()))
    assert (got.name, got.minor, got.completed) == (
        "IDL:Other/ODD",
        7,
        CompletionStatus.COMPLETED_MAYBE,
    )


# -- the annotated bytes of protocol.md §1.9 (hand-transcribed: a sanity check only) -----------

# (a) GIOP 1.0 _is_a sent by PyTango through corbaloc; True marks pad bytes
IS_A_REQUEST = [
    ("47494f50 01000100 43000000", False),
    ("00000000", False),
    ("02000000", False),
    ("01", False),
    ("646165", True),
    ("05000000 612f622f63", False),
    ("736269", True),
    ("06000000 5f69735f6100", False),
    ("6e2f", True),
    ("00000000", False),
    ("17000000 49444c3a54616e676f2f4465766963655f363a312e3000", False),
]
IS_A_REPLY = "47494f50 01000101 0d000000 00000000 02000000 00000000 01"

# (b) GIOP 1.2 _non_existent, first request on a connection to a DB-imported device
NON_EXISTENT_REQUEST = [
    ("47494f50 01020100 4c000000", False),
    ("02000000 03 000000", False),
    ("0000", False),
    ("6165", True),
    ("0e000000 fe11cc066b0000353c0000000000", False),
    ("2f73", True),
    ("0e000000 5f6e6f6e5f6578697374656e7400", False),
    ("323a", True),
    ("01000000", False),
    ("01000000 0c000000 01000000 01000100 09010100", False),
]
NON_EXISTENT_REPLY = "47494f50 01020101 0d000000 02000000 00000000 00000000 00"


def observed(parts):
    raw = b"".join(bytes.fromhex(h) for h, _ in parts)
    mask = b"".join((b"\0" if pad else b"\xff") * len(bytes.fromhex(h)) for h, pad in parts)
    return raw, mask


def masked(data: bytes, mask: bytes) -> bytes:
    return bytes(a & m for a, m in zip(data, mask))


@pytest.mark.parametrize(
    ("parts", "msg", "minor"),
    [
        (
            IS_A_REQUEST,
            Request(
                request_id=2,
                object_key=b"a/b/c",
                operation="_is_a",
                body=lambda enc: enc.write_string("IDL:Tango/Device_6:1.0"),
            ),
            0,
        ),
        (
            NON_EXISTENT_REQUEST,
            Request(
                request_id=2,
                object_key=bytes.fromhex("fe11cc066b0000353c0000000000"),
                operation="_non_existent",
                service_contexts=(CODE_SETS_CONTEXT,),
            ),
            2,
        ),
    ],
    ids=["a-is_a-1.0", "b-non_existent-1.2"],
)
def test_observed_requests(parts, msg, minor):
    raw, mask = observed(parts)
    ours = bytes(encode_message(msg, minor, True))
    assert len(ours) == len(raw)
    assert masked(ours, mask) == masked(raw, mask)
    decoded = decode_message(raw)  # with omniORB's garbage padding
    assert decoded == expected_after_decode(msg, decoded)


@pytest.mark.parametrize(("hexdata", "minor"), [(IS_A_REPLY, 0), (NON_EXISTENT_REPLY, 2)])
def test_observed_replies(hexdata, minor):
    raw = bytes.fromhex(hexdata)
    value = raw[-1] == 1
    msg = Reply(request_id=2, body=lambda enc: enc.write_boolean(value))
    assert bytes(encode_message(msg, minor, True)) == raw
    decoded = decode_message(raw)
    assert decoded.request_id == 2 and decoded.status is ReplyStatus.NO_EXCEPTION
    assert decoded.body.decoder().read_boolean() is value


def test_observed_close_connection():
    raw = bytes.fromhex("47494f50 01020105 00000000")
    assert bytes(encode_message(CloseConnection(), 2, True)) == raw
    assert decode_message(raw) == CloseConnection()


# -- property round trip -----------------------------------------------------------------------

contexts = st.lists(
    st.builds(ServiceContext, st.integers(0, 2**32 - 1), st.binary(max_size=12)), max_size=3
)
ids = st.integers(0, 2**32 - 1)
bodies = st.binary(max_size=24).map(lambda b: lambda enc: enc.write_raw(b))
messages = st.one_of(
    st.builds(
        Request,
        request_id=ids,
        object_key=st.binary(max_size=20),
        operation=latin1,
        response_expected=st.booleans(),
        service_contexts=contexts.map(tuple),
        body=bodies,
    ),
    st.builds(
        Reply,
        request_id=ids,
        status=st.sampled_from(list(ReplyStatus)[:4]),
        service_contexts=contexts.map(tuple),
        body=bodies,
    ),
    st.builds(CancelRequest, request_id=ids),
    st.builds(LocateRequest, request_id=ids, object_key=st.binary(max_size=20)),
    st.builds(
        LocateReply, request_id=ids, status=st.sampled_from(list(LocateStatus)[:3]), body=bodies
    ),
)


@SETTINGS
@given(msg=messages, minor=st.sampled_from(MINORS), little=st.booleans())
def test_message_property_roundtrip(msg, minor, little):
    check_roundtrip(msg, minor, little)


# -- header and decode errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        b"GIOQ\x01\x02\x01\x00" + bytes(4),  # magic
        b"GIOP\x01\x03\x01\x00" + bytes(4),  # version 1.3
        b"GIOP\x02\x00\x01\x00" + bytes(4),  # version 2.0
        b"GIOP\x01\x05\x01\x00" + bytes(4),  # version 1.5 (omniORB just closes)
        b"GIOP\x01\x02\x01\x08" + bytes(4),  # message type 8
        b"GIOP\x01\x00\x01\x07" + bytes(4),  # Fragment in GIOP 1.0
        b"GIOP\x01\x02\x01",  # shorter than a header
        b"",
    ],
)
def test_bad_headers_are_remote_errors(header):
    with pytest.raises(RemoteProtocolError):
        parse_header(header)
    with pytest.raises(RemoteProtocolError):
        decode_message(header)


def test_header_fields():
    h = parse_header(b"GIOP\x01\x02\x03\x01" + struct.pack("<I", 1600028))
    assert (h.minor, h.little, h.more_fragments, h.msg_type, h.size) == (
        2,
        True,
        True,
        MsgType.REPLY,
        1600028,
    )
    h = parse_header(b"GIOP\x01\x00\x02\x01" + struct.pack(">I", 5))  # 1.0: only bit 0 counts
    assert (h.little, h.more_fragments, h.size) == (False, False, 5)


def test_fragment_cannot_be_decoded_alone():
    with pytest.raises(RemoteProtocolError):
        decode_message(b"GIOP\x01\x02\x01\x07" + struct.pack("<II", 4, 2))


def test_message_shorter_than_its_header_says():
    raw = bytes(encode_message(CancelRequest(request_id=1), 2, True))
    with pytest.raises(MarshalError):
        decode_message(raw[:-1])


@pytest.mark.parametrize("minor", MINORS)
def test_unknown_reply_and_locate_status_are_refused(minor):
    for msg, offset in (
        (Reply(request_id=1), 4 if minor == 2 else 8),
        (LocateReply(request_id=1, status=1), 4),
    ):
        raw = bytearray(encode_message(msg, minor, True))
        struct.pack_into("<I", raw, HEADER_SIZE + offset, 99)
        with pytest.raises(MarshalError):
            decode_message(bytes(raw))


# -- GIOP 1.2 TargetAddress forms -----------------------------------------------------------------


def _target_request(write_target) -> bytes:
    enc = CdrEncoder(True, 0)
    enc.write_raw(bytes(HEADER_SIZE))
    enc.write_ulong(42)
    enc.write_octet(3)
    enc.write_raw(b"\xaa\xbb\xcc")  # reserved: not checked
    write_target(enc)
    enc.write_string("ping")
    enc.write_ulong(0)
    struct.pack_into("<4sBBBBI", enc.buf, 0, b"GIOP", 1, 2, 1, 0, len(enc.buf) - HEADER_SIZE)
    return enc.getvalue()


def test_target_address_profile_and_reference_forms():
    profile = IIOPProfile("h", 1, b"the/key", components=()).encode()
    ior = IOR("IDL:Tango/Device_6:1.0", (IIOPProfile("x", 2, b"other").encode(), profile))

    def profile_addr(enc):
        enc.write_short(1)
        enc.write_ulong(profile.tag)
        enc.write_octets(profile.data)

    def reference_addr(enc):
        enc.write_short(2)
        enc.write_ulong(1)  # selected profile index
        ior.encode_into(enc)

    def bad_index(enc):
        enc.write_short(2)
        enc.write_ulong(2)
        ior.encode_into(enc)

    def bad_disc(enc):
        enc.write_short(3)

    for form in (profile_addr, reference_addr):
        msg = decode_message(_target_request(form))
        assert (msg.request_id, msg.object_key, msg.operation) == (42, b"the/key", "ping")
    for form in (bad_index, bad_disc):
        with pytest.raises(MarshalError):
            decode_message(_target_request(form))


def test_oneway_flag_in_giop_12():
    msg = decode_message(_target_request(lambda enc: (enc.write_short(0), enc.write_octets(b"k"))))
    assert msg.response_expected is True
    raw = bytearray(_target_request(lambda enc: (enc.write_short(0), enc.write_octets(b"k"))))
    raw[HEADER_SIZE + 4] = 0
    assert decode_message(bytes(raw)).response_expected is False


def test_messages_are_frozen_and_keyword_only():
    msg = Request(request_id=1, object_key=b"k", operation="ping")
    with pytest.raises(dataclasses.FrozenInstanceError):
        msg.request_id = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        Request(1, b"k", "ping")  # type: ignore[misc]
