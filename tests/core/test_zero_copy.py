"""Large values without copies (issue 12): a reply is encoded as pieces that include the
array's own memory (``GiopConnection.send_segments``), fragmented across those pieces
(``fragment_segments``), and a client reassembles it in the buffer the socket wrote, so
the decoded array is a view of that buffer. The joined pieces are always the bytes
``send`` gives (bit-exact, both byte orders, around the fragment boundaries)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from puretango.giop import (
    HEADER_SIZE,
    NEED_DATA,
    ConnectionClosed,
    GiopConnection,
    RemoteProtocolError,
    Reply,
    Role,
    encode_message,
    fragment_message,
    parse_header,
)
from puretango.giop._cdr import SEGMENT_MIN_SIZE, CdrEncoder
from puretango.giop._messages import encode_message_segments, fragment_segments
from puretango.idl import types as t
from puretango.idl._enums import AttrDataFormat, AttributeDataType, AttrQuality, CmdArgType
from puretango.idl._types import Seq, UnionValue

FRAGMENT = 256 * 1024


def _shares(piece: object, arr: np.ndarray) -> bool:
    return bool(np.shares_memory(np.frombuffer(piece, np.uint8), arr))  # type: ignore[call-overload]


def _reply(*arrays: np.ndarray, request_id: int = 7) -> Reply:
    """A reply whose body is a long, then each array (of its own CDR kind), then a double:
    alignment after an array whose size is not a multiple of 8 is exercised."""
    kinds = {"f8": "double", "i4": "long", "u1": "octet", "i2": "short", "b1": "boolean"}

    def write(enc: CdrEncoder) -> None:
        enc.write_long(-1)
        for arr in arrays:
            enc.write_primitive_sequence(kinds[arr.dtype.str[1:]], arr)
        enc.write_double(2.5)

    return Reply(request_id=request_id, body=write)


@pytest.mark.parametrize("little", [True, False], ids=["LE", "BE"])
def test_pieces_are_the_message_and_native_arrays_are_not_copied(little: bool) -> None:
    doubles = np.arange(100_001, dtype=np.float64)
    ints = np.arange(SEGMENT_MIN_SIZE // 4 + 3, dtype=np.int32)  # nbytes % 8 == 4
    octets = np.arange(SEGMENT_MIN_SIZE + 5, dtype=np.uint8)
    small = np.arange(10, dtype=np.int16)
    reply = _reply(doubles, ints, octets, small)
    pieces = encode_message_segments(reply, 2, little)
    assert b"".join(pieces) == bytes(encode_message(reply, 2, little))
    native = little == (np.little_endian)
    assert any(_shares(p, doubles) for p in pieces) == native
    assert any(_shares(p, ints) for p in pieces) == native
    assert any(_shares(p, octets) for p in pieces)  # bytes have no byte order
    assert not any(_shares(p, small) for p in pieces)  # small arrays are copied


def test_generated_struct_writer_keeps_the_array_in_place() -> None:
    # the generated codecs cache ``enc.buf`` and ``enc.base``: alignment after the
    # array's piece must still be right
    values = np.arange(70_001, dtype=np.int32) * 3
    av = t.AttributeValue_5(
        value=UnionValue(AttributeDataType.ATT_LONG, values),
        quality=AttrQuality.ATTR_VALID,
        data_format=AttrDataFormat.SPECTRUM,
        data_type=int(CmdArgType.DevLong),
        name="big",
        r_dim=t.AttributeDim(dim_x=len(values), dim_y=0),
        w_dim=t.AttributeDim(dim_x=0, dim_y=0),
        err_list=[],
    )
    seq = Seq(t.AttributeValue_5)
    reply = Reply(request_id=9, body=lambda enc: seq.write(enc, [av]))
    pieces = GiopConnection(Role.SERVER).send_segments(reply)
    assert b"".join(pieces) == bytes(encode_message(reply))
    assert any(_shares(p, values) for p in pieces)
    client = GiopConnection(Role.CLIENT)
    client.expect_reply(9)
    client.receive_data(b"".join(pieces))
    got = client.next_event()
    assert isinstance(got, Reply)
    (back,) = seq.read(got.body.decoder())  # type: ignore[union-attr]
    assert np.array_equal(back.value.value, values) and back.name == "big"


def _sizes_around(boundary: int) -> list[int]:
    """Double counts whose reply (see _reply) ends just below, at and above ``boundary``."""
    overhead = len(encode_message(_reply(np.zeros(0)))) + 8  # + the 8-aligned array start
    n = (boundary - overhead) // 8
    return [n - 2, n - 1, n, n + 1, n + 2]


@pytest.mark.parametrize("little", [True, False], ids=["LE", "BE"])
@pytest.mark.parametrize("n", _sizes_around(FRAGMENT) + _sizes_around(2 * FRAGMENT))
def test_fragments_across_pieces_are_bit_exact(little: bool, n: int) -> None:
    values = np.arange(n, dtype=np.float64) + 0.25
    reply = _reply(values)
    expected = bytes(fragment_message(encode_message(reply, 2, little), FRAGMENT))
    server = GiopConnection(Role.SERVER, little=little, fragment_size=FRAGMENT)
    pieces = server.send_segments(reply)
    assert b"".join(pieces) == expected
    assert any(_shares(p, values) for p in pieces) == (little == np.little_endian)
    assert bytes(server.send(reply)) == expected  # the copying path agrees
    # every part but the last ends 8-aligned in the reassembled stream
    offset, stream = 0, 0
    while offset < len(expected):
        header = parse_header(expected[offset : offset + HEADER_SIZE])
        stream += header.size + (HEADER_SIZE if offset == 0 else -4)
        offset += HEADER_SIZE + header.size
        assert header.more_fragments == (offset < len(expected))
        assert stream % 8 == 0 or not header.more_fragments
    assert offset == len(expected)


def test_fragment_segments_leaves_small_and_old_messages_alone() -> None:
    reply = _reply(np.arange(SEGMENT_MIN_SIZE, dtype=np.float64))
    for minor in (0, 1):
        pieces = encode_message_segments(reply, minor)
        assert fragment_segments(pieces, FRAGMENT) is pieces
    pieces = encode_message_segments(reply, 2)
    assert fragment_segments(pieces, 10 * len(b"".join(pieces))) is pieces


def feed_in_place(conn: GiopConnection, raw: bytes, hold_view: bool) -> tuple[list, list]:
    """Feed ``raw`` as transports do (recv_into the buffer of get_buffer): the events, and
    the objects received into. ``hold_view`` keeps each view alive while buffer_updated
    and next_event run, as asyncio's BufferedProtocol transport does."""
    events, targets, i = [], [], 0
    while i < len(raw):
        view = conn.get_buffer(-1)
        targets.append(view.obj)
        n = min(len(view), len(raw) - i, 200_000)  # a socket delivers in chunks
        view[:n] = raw[i : i + n]
        i += n
        if not hold_view:
            view.release()
        conn.buffer_updated(n)
        while (event := conn.next_event()) is not NEED_DATA:
            events.append(event)
        if hold_view:
            view.release()
    return events, targets


@pytest.mark.parametrize("hold_view", [False, True], ids=["recv_into", "buffered-protocol"])
@pytest.mark.parametrize("fragment_size", [None, FRAGMENT, 100_000])
def test_client_array_is_a_view_of_the_receive_buffer(
    hold_view: bool, fragment_size: int | None
) -> None:
    values = np.arange(3 * FRAGMENT // 8 + 3, dtype=np.float64)
    server = GiopConnection(Role.SERVER, fragment_size=fragment_size)
    client = GiopConnection(Role.CLIENT)
    for request_id in (2, 4, 6):  # later ones reuse the room reserved by the first
        client.expect_reply(request_id)
        raw = b"".join(server.send_segments(_reply(values, request_id=request_id)))
        (got,), targets = feed_in_place(client, raw, hold_view)
        dec = got.body.decoder()
        dec.read_long()
        arr = dec.read_primitive_sequence("double")
        assert np.array_equal(arr, values) and dec.read_double() == 2.5
        assert arr.flags.writeable  # as PyTango's arrays
        # every large read went into the one buffer the array is a view of (from the
        # second reply on: the first one's Fragments may outgrow the first part's room)
        root = arr.base
        while isinstance(root, np.ndarray):
            root = root.base
        root = root.obj if isinstance(root, memoryview) else root
        assert np.shares_memory(arr, np.frombuffer(root, np.uint8))  # type: ignore[call-overload]
        if request_id > 2 or fragment_size is None:
            assert all(b is root for b in targets if len(b) > 65536)  # type: ignore[arg-type]


def test_small_fragments_after_a_large_first_part_are_appended() -> None:
    # omniORB's shape: the whole value in the first part, a few bytes in a Fragment
    values = np.arange(100_000, dtype=np.float64)
    whole = bytes(encode_message(_reply(values)))
    cut = (len(whole) - 24) & ~7  # the first part ends 8-aligned
    first = bytearray(whole[:cut])
    first[6] |= 2
    first[8:12] = struct.pack("<I", cut - HEADER_SIZE)
    frag = b"GIOP\x01\x02\x01\x07" + struct.pack("<I", 4 + len(whole) - cut)
    raw = bytes(first) + frag + whole[12:16] + whole[cut:]
    client = GiopConnection(Role.CLIENT)
    for request_id in (7, 7):
        client.expect_reply(request_id)
        (got,), _ = feed_in_place(client, raw, hold_view=True)
        assert bytes(got.body.data) == whole[24:]  # the body follows the 24-byte head


def _fragmented(values: np.ndarray) -> bytes:
    server = GiopConnection(Role.SERVER, fragment_size=FRAGMENT)
    return b"".join(server.send_segments(_reply(values)))


@pytest.mark.parametrize("cut", [20, 70_000, FRAGMENT + 8, FRAGMENT + 30, FRAGMENT + 200_000])
def test_truncated_fragmented_reply_is_an_unclean_close(cut: int) -> None:
    values = np.arange(FRAGMENT // 4, dtype=np.float64)
    raw = b"".join(
        GiopConnection(Role.SERVER, fragment_size=FRAGMENT).send_segments(_reply(values))
    )
    client = GiopConnection(Role.CLIENT)
    client.expect_reply(7)
    events, _ = feed_in_place(client, raw[:cut], hold_view=False)
    assert events == []
    client.buffer_updated(0)
    assert client.next_event() == ConnectionClosed(clean=False)


def test_large_fragment_of_another_request_is_refused_before_its_body() -> None:
    values = np.arange(FRAGMENT // 4, dtype=np.float64)
    raw = bytearray(_fragmented(values))
    raw[FRAGMENT + HEADER_SIZE : FRAGMENT + HEADER_SIZE + 4] = struct.pack("<I", 99)
    client = GiopConnection(Role.CLIENT)
    client.expect_reply(7)
    with pytest.raises(RemoteProtocolError, match="request 99"):
        feed_in_place(client, bytes(raw[: FRAGMENT + 100]), hold_view=True)


def test_large_fragment_above_the_size_limit_is_refused_before_its_body() -> None:
    values = np.arange(FRAGMENT // 4, dtype=np.float64)
    raw = b"".join(
        GiopConnection(Role.SERVER, fragment_size=FRAGMENT).send_segments(_reply(values))
    )
    client = GiopConnection(Role.CLIENT, max_message_size=FRAGMENT + 1000)
    client.expect_reply(7)
    with pytest.raises(RemoteProtocolError, match="size limit"):
        feed_in_place(client, raw[: FRAGMENT + 100], hold_view=False)


def test_send_segments_refuses_oversized_messages_and_leaves_nothing_pending() -> None:
    from puretango.giop import LocalProtocolError, Request

    client = GiopConnection(Role.CLIENT, max_message_size=SEGMENT_MIN_SIZE)
    big = np.zeros(SEGMENT_MIN_SIZE, dtype=np.uint8)
    request = Request(
        request_id=2,
        object_key=b"k",
        operation="op",
        body=lambda enc: enc.write_primitive_sequence("octet", big),
    )
    with pytest.raises(LocalProtocolError):
        client.send_segments(request)
    assert client.pending == set()
