"""GiopConnection as a state object: bytes in, messages out (puretango.giop._connection).

``Pair`` joins a client and a server connection with an in-memory link, as h11's
``ConnectionPair``: what one side sends, the other must decode as the same message.
"""

from __future__ import annotations

import dataclasses
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from puretango.giop import (
    HEADER_SIZE,
    NEED_DATA,
    Body,
    CancelRequest,
    CloseConnection,
    ConnectionClosed,
    ConnectionState,
    GiopConnection,
    LocalProtocolError,
    LocateReply,
    LocateRequest,
    LocateStatus,
    MessageError,
    RemoteProtocolError,
    Reply,
    Request,
    Role,
    encode_message,
)

from .strategies import SETTINGS


def drain(conn: GiopConnection) -> list:
    """Every event available now, up to (excluding) NEED_DATA or a ConnectionClosed."""
    events = []
    while True:
        event = conn.next_event()
        if event is NEED_DATA:
            return events
        events.append(event)
        if isinstance(event, ConnectionClosed):
            return events


def same(sent, got) -> bool:
    """``got`` is ``sent`` after the wire (a writer body comes back as its bytes)."""
    body = getattr(sent, "body", None)
    if body is not None and not isinstance(body, Body):
        sent = dataclasses.replace(sent, body=Body.build(body, got.body.little, got.body.offset))
    return sent == got


class Pair:
    def __init__(
        self, minor: int = 2, client_little: bool = True, server_little: bool = False, **kw
    ) -> None:
        self.client = GiopConnection(Role.CLIENT, minor=minor, little=client_little, **kw)
        self.server = GiopConnection(Role.SERVER, minor=minor, little=server_little, **kw)

    def peer(self, conn: GiopConnection) -> GiopConnection:
        return self.server if conn is self.client else self.client

    def send(self, sender: GiopConnection, *messages, expect=None):
        """Send ``messages`` from ``sender``; the peer must decode ``expect`` (default: them)."""
        receiver = self.peer(sender)
        for msg in messages:
            receiver.receive_data(sender.send(msg))
        got = drain(receiver)
        expected = list(messages) if expect is None else expect
        assert len(got) == len(expected), (got, expected)
        assert all(same(s, g) for s, g in zip(expected, got)), (got, expected)
        return got

    def request(self, operation: str = "ping", body=None, **kw) -> Request:
        kw.setdefault("request_id", self.client.next_request_id())
        return Request(
            object_key=b"a/b/c", operation=operation, body=body or (lambda enc: None), **kw
        )


def _body(value: float):
    return lambda enc: enc.write_double(value)


@pytest.mark.parametrize("minor", [0, 1, 2])
def test_request_and_reply_are_matched(minor):
    p = Pair(minor)
    req = p.request("read", _body(1.0))
    p.send(p.client, req)
    assert p.client.pending == {req.request_id}
    p.send(p.server, Reply(request_id=req.request_id, body=_body(2.0)))
    assert p.client.pending == set()
    assert p.client.state is p.server.state is ConnectionState.OPEN


def test_request_ids_are_even_and_increasing():
    conn = GiopConnection(Role.CLIENT)
    assert [conn.next_request_id() for _ in range(3)] == [2, 4, 6]


def test_out_of_order_replies():
    p = Pair()
    reqs = [p.request(f"op{i}", _body(i)) for i in range(4)]
    p.send(p.client, *reqs)
    assert p.client.pending == {r.request_id for r in reqs}
    replies = [Reply(request_id=r.request_id, body=_body(-i)) for i, r in enumerate(reqs)][::-1]
    p.send(p.server, *replies)
    assert p.client.pending == set()


def test_oneway_request_is_not_pending():
    p = Pair()
    p.send(p.client, p.request(response_expected=False))
    assert p.client.pending == set()


def test_reply_to_a_forgotten_request_is_dropped():
    p = Pair()
    late, live = p.request(), p.request()
    p.send(p.client, late, live)
    p.client.forget(late.request_id)
    p.send(p.server, Reply(request_id=late.request_id), expect=[])
    assert p.client.next_event() is NEED_DATA
    p.send(
        p.server,
        Reply(request_id=late.request_id),
        Reply(request_id=live.request_id),
        expect=[Reply(request_id=live.request_id)],
    )
    # a reply to an id that was never sent is dropped the same way
    p.send(p.server, Reply(request_id=1234), expect=[])
    assert p.client.state is ConnectionState.OPEN


def test_locate_and_cancel():
    p = Pair(1)
    p.send(p.client, LocateRequest(request_id=2, object_key=b"a/b/c"), CancelRequest(request_id=2))
    p.send(p.server, LocateReply(request_id=2, status=LocateStatus.OBJECT_HERE))


def test_server_answers_in_the_request_minor_version():
    server = GiopConnection(Role.SERVER, minor=2)
    server.receive_data(encode_message(Request(request_id=2, object_key=b"k", operation="ping"), 0))
    (req,) = drain(server)
    raw = server.send(Reply(request_id=req.request_id), minor=0)
    assert raw[5] == 0


@pytest.mark.parametrize("minor", [0, 1, 2])
def test_input_fed_one_byte_at_a_time(minor):
    p = Pair(minor)
    msgs = [
        p.request("a", _body(1.5)),
        p.request("b"),
        CancelRequest(request_id=2),
        p.request("c", _body(3.0)),
    ]
    stream = b"".join(bytes(p.client.send(m)) for m in msgs)
    got = []
    for i in range(len(stream)):
        p.server.receive_data(stream[i : i + 1])
        events = drain(p.server)
        if i < HEADER_SIZE - 1:
            assert events == []
        got += events
    assert len(got) == len(msgs) and all(same(s, g) for s, g in zip(msgs, got))


def test_trailing_data_stays_buffered():
    p = Pair()
    first, second = p.request("a", _body(1.0)), p.request("b", _body(2.0))
    raw1, raw2 = bytes(p.client.send(first)), bytes(p.client.send(second))
    p.server.receive_data(raw1 + raw2[:5])
    got = drain(p.server)
    assert len(got) == 1 and same(first, got[0])
    assert p.server.next_event() is NEED_DATA
    p.server.receive_data(raw2[5:])
    assert same(second, p.server.next_event())


def test_close_connection_event():
    p = Pair()
    raw = p.client.close()
    assert p.client.state is ConnectionState.CLOSED
    with pytest.raises(LocalProtocolError):
        p.client.send(p.request())
    p.server.receive_data(raw)
    assert p.server.next_event() == CloseConnection()
    assert p.server.state is ConnectionState.CLOSED


def test_message_error_bytes():
    conn = GiopConnection(Role.SERVER, minor=1)
    peer = GiopConnection(Role.CLIENT)
    peer.receive_data(conn.message_error())
    assert peer.next_event() == MessageError()


def test_clean_eof():
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(b"")
    assert conn.next_event() == ConnectionClosed(clean=True)
    assert conn.state is ConnectionState.CLOSED


def test_eof_after_messages_and_mid_message():
    p = Pair()
    req = p.request()
    raw = bytes(p.client.send(req)) * 2
    p.server.receive_data(raw[:-3])
    p.server.receive_data(b"")
    events = drain(p.server)
    assert same(req, events[0]) and events[1] == ConnectionClosed(clean=False)


# -- fragments ------------------------------------------------------------------------------------


def fragment(raw: bytes, cuts: list[int], request_id: int | None) -> list[bytes]:
    """Split one encoded message at the message offsets ``cuts``: the first part keeps
    its header (flag bit 1 set, size adjusted), the rest become Fragment messages."""
    little = bool(raw[6] & 1)
    minor = raw[5]
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)])]
    fmt = "<I" if little else ">I"
    first = bytearray(pieces[0])
    first[6] |= 2
    struct.pack_into(fmt, first, 8, len(first) - HEADER_SIZE)
    out = [bytes(first)]
    for i, payload in enumerate(pieces[1:]):
        more = i < len(pieces) - 2
        prefix = struct.pack(fmt, request_id) if minor >= 2 else b""
        size = len(prefix) + len(payload)
        header = (
            b"GIOP"
            + bytes([1, minor, (1 if little else 0) | (2 if more else 0), 7])
            + struct.pack(fmt, size)
        )
        out.append(header + prefix + payload)
    return out


def cuts_strategy(length: int, minor: int):
    if minor == 2:
        # GIOP 1.2: split points on 8-byte boundaries, so the payload after each 16-byte
        # fragment header continues at an 8-aligned position
        points = st.lists(
            st.integers(3, (length - 1) // 8).map(lambda k: 8 * k),
            unique=True,
            min_size=1,
            max_size=4,
        )
    else:
        points = st.lists(
            st.integers(HEADER_SIZE + 4, length - 1), unique=True, min_size=1, max_size=4
        )
    return points.map(sorted)


big_body = st.lists(st.floats(allow_nan=False), min_size=4, max_size=20).map(
    lambda vals: lambda enc: enc.write_primitive_sequence("double", vals)
)


@SETTINGS
@given(
    data=st.data(),
    minor=st.sampled_from([1, 2]),
    little=st.booleans(),
    body=big_body,
    direction=st.booleans(),
)
def test_fragmented_messages_reassemble(data, minor, little, body, direction):
    p = Pair(minor, client_little=little, server_little=little)
    req = p.request("write", body)
    if direction:  # a fragmented Request to the server
        sender, msg = p.client, req
    else:  # a fragmented Reply to the client
        p.send(p.client, req)
        sender, msg = p.server, Reply(request_id=req.request_id, body=body)
    raw = bytes(sender.send(msg))
    cuts = data.draw(cuts_strategy(len(raw), minor))
    if minor == 2:
        assert all(c % 8 == 0 for c in cuts)
    receiver = p.peer(sender)
    for part in fragment(raw, cuts, req.request_id):
        assert receiver.next_event() is NEED_DATA
        receiver.receive_data(part)
    (got,) = drain(receiver)
    assert same(msg, got)
    assert receiver.state is ConnectionState.OPEN


def test_observed_fragment_shape():
    # protocol.md §1.3: Reply flags=3 then Fragment flags=1 in GIOP 1.2
    p = Pair(2, server_little=True)
    req = p.request()
    p.send(p.client, req)
    raw = bytes(p.server.send(Reply(request_id=req.request_id, body=_body(1.0))))
    first, frag = fragment(raw, [24], req.request_id)
    assert first[4:8] == b"\x01\x02\x03\x01" and frag[4:8] == b"\x01\x02\x01\x07"
    assert struct.unpack_from("<I", frag, 8)[0] == 4 + len(raw) - 24


def test_fragment_without_a_first_message():
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(b"GIOP\x01\x02\x01\x07" + struct.pack("<II", 4, 2))
    with pytest.raises(RemoteProtocolError):
        conn.next_event()
    assert conn.state is ConnectionState.ERROR


def test_fragment_of_another_request_is_refused():
    raw = bytes(
        encode_message(Request(request_id=2, object_key=b"k", operation="op", body=_body(1.0)), 2)
    )
    first, frag = fragment(raw, [32], 2)
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(first + frag[:12] + struct.pack("<I", 4) + frag[16:])
    with pytest.raises(RemoteProtocolError):
        conn.next_event()


def test_new_fragmented_message_before_the_last_ended():
    raw = bytes(
        encode_message(Request(request_id=2, object_key=b"k", operation="op", body=_body(1.0)), 1)
    )
    first = fragment(raw, [20], None)[0]
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(first + first)
    with pytest.raises(RemoteProtocolError):
        conn.next_event()


def test_unfragmentable_message_with_more_fragments_flag():
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(b"GIOP\x01\x02\x03\x05" + bytes(4))  # CloseConnection, more fragments
    with pytest.raises(RemoteProtocolError):
        conn.next_event()


# -- size limit ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1025, 0xFFFFFFF0])
def test_oversized_message_refused_from_its_header(size):
    conn = GiopConnection(Role.SERVER, max_message_size=1024)
    conn.receive_data(b"GIOP\x01\x02\x01\x00" + struct.pack("<I", size))  # the header only
    with pytest.raises(RemoteProtocolError):
        conn.next_event()
    assert conn.state is ConnectionState.ERROR
    with pytest.raises(RemoteProtocolError):  # stays in ERROR
        conn.next_event()


def test_message_at_the_size_limit_is_accepted():
    raw = bytes(
        encode_message(Request(request_id=2, object_key=b"k", operation="op", body=_body(1.0)), 2)
    )
    conn = GiopConnection(Role.SERVER, max_message_size=len(raw) - HEADER_SIZE)
    conn.receive_data(raw)
    assert isinstance(conn.next_event(), Request)


def test_fragmented_message_above_the_limit():
    raw = bytes(
        encode_message(
            Request(
                request_id=2,
                object_key=b"k",
                operation="op",
                body=lambda enc: enc.write_raw(bytes(200)),
            ),
            2,
        )
    )
    parts = fragment(raw, [40, 80, 120], 2)
    conn = GiopConnection(Role.SERVER, max_message_size=100)
    with pytest.raises(RemoteProtocolError):
        for part in parts:
            conn.receive_data(part)
            conn.next_event()


def test_oversized_send_is_a_local_error_and_leaves_nothing_pending():
    conn = GiopConnection(Role.CLIENT, max_message_size=64)
    req = Request(
        request_id=conn.next_request_id(),
        object_key=b"k",
        operation="op",
        body=lambda enc: enc.write_raw(bytes(100)),
    )
    with pytest.raises(LocalProtocolError):
        conn.send(req)
    assert conn.pending == set() and conn.state is ConnectionState.OPEN


def test_unencodable_request_leaves_nothing_pending():
    # regression: the id was registered before encoding, and leaked when encoding failed
    conn = GiopConnection(Role.CLIENT)
    with pytest.raises(LocalProtocolError):
        conn.send(Request(request_id=2, object_key=b"k", operation="\u20ac"))
    assert conn.pending == set() and conn.state is ConnectionState.OPEN


# -- role violations ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "msg"),
    [
        (Role.SERVER, Reply(request_id=2)),
        (Role.SERVER, LocateReply(request_id=2, status=LocateStatus.OBJECT_HERE)),
        (Role.CLIENT, Request(request_id=2, object_key=b"k", operation="op")),
        (Role.CLIENT, LocateRequest(request_id=2, object_key=b"k")),
        (Role.CLIENT, CancelRequest(request_id=2)),
    ],
    ids=[
        "reply-to-server",
        "locate-reply-to-server",
        "request-to-client",
        "locate-request-to-client",
        "cancel-to-client",
    ],
)
def test_role_violation_is_a_remote_error(role, msg):
    conn = GiopConnection(role)
    conn.receive_data(encode_message(msg, 2))
    with pytest.raises(RemoteProtocolError):
        conn.next_event()
    assert conn.state is ConnectionState.ERROR
    with pytest.raises(RemoteProtocolError):
        conn.next_event()


def test_garbage_puts_the_connection_in_error():
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(b"HTTP/1.1 200 OK\r\n\r\n")
    with pytest.raises(RemoteProtocolError):
        conn.next_event()
    assert conn.state is ConnectionState.ERROR


# -- receiving in place (get_buffer / buffer_updated) ---------------------------------------------


def feed_in_place(conn: GiopConnection, raw: bytes, hold_view: bool) -> list:
    """Feed ``raw`` as transports do. ``hold_view`` keeps the buffer from get_buffer alive
    while buffer_updated and next_event run, as asyncio's BufferedProtocol transport does."""
    events, i = [], 0
    while i < len(raw):
        view = conn.get_buffer(-1)
        n = min(len(view), len(raw) - i)
        view[:n] = raw[i : i + n]
        i += n
        if not hold_view:
            view.release()
        conn.buffer_updated(n)
        events += drain(conn)
        if hold_view:
            view.release()
    return events


LARGE = 300_000  # above the connection's 64 KiB scratch buffer


def _large(enc):
    enc.write_primitive_sequence("double", [float(i) for i in range(LARGE // 8)])


@pytest.mark.parametrize("hold_view", [False, True], ids=["recv_into", "buffered-protocol"])
@pytest.mark.parametrize("minor", [0, 2])
def test_large_reply_received_in_place(minor, hold_view):
    p = Pair(minor)
    req = p.request()
    p.send(p.client, req)
    reply = Reply(request_id=req.request_id, body=_large)
    small = Reply(request_id=req.request_id + 2, body=_body(1.0))
    p.client.pending.add(small.request_id)
    raw = bytes(p.server.send(reply)) + bytes(p.server.send(small))
    got = feed_in_place(p.client, raw, hold_view)
    assert len(got) == 2 and same(reply, got[0]) and same(small, got[1])
    values = got[0].body.decoder().read_primitive_sequence("double")
    assert values[-1] == LARGE // 8 - 1


@pytest.mark.parametrize("hold_view", [False, True], ids=["recv_into", "buffered-protocol"])
@pytest.mark.parametrize("big_part", ["first", "fragment"])
def test_large_fragmented_reply_received_in_place(big_part, hold_view):
    # regression: a large Fragment received in place was resized while the transport
    # still held the view on it (BufferError escaped next_event)
    p = Pair(2, server_little=True)
    req = p.request()
    p.send(p.client, req)
    reply = Reply(request_id=req.request_id, body=_large)
    raw = bytes(p.server.send(reply))
    cut = len(raw) - 64 if big_part == "first" else 32
    got = feed_in_place(p.client, b"".join(fragment(raw, [cut], req.request_id)), hold_view)
    assert len(got) == 1 and same(reply, got[0])


def test_receive_data_during_an_in_place_message():
    p = Pair()
    req = p.request()
    p.send(p.client, req)
    reply = Reply(request_id=req.request_id, body=_large)
    raw = bytes(p.server.send(reply)) * 2  # the second copy is dropped: no longer pending
    p.client.receive_data(raw[:100_000])
    assert p.client.next_event() is NEED_DATA
    p.client.receive_data(raw[100_000:])  # overflows the in-place buffer into the next message
    (got,) = drain(p.client)
    assert same(reply, got) and p.client.pending == set()


@pytest.mark.parametrize("role", [Role.CLIENT, Role.SERVER])
def test_eof_in_the_middle_of_a_large_message_is_not_clean(role):
    # regression: once moved to the in-place buffer, a half-received message looked clean
    msg_type = 1 if role is Role.CLIENT else 0
    conn = GiopConnection(role)
    conn.receive_data(
        b"GIOP\x01\x02\x01" + bytes([msg_type]) + struct.pack("<I", LARGE) + bytes(70_000)
    )
    assert conn.next_event() is NEED_DATA
    conn.receive_data(b"")
    assert conn.next_event() == ConnectionClosed(clean=False)


@pytest.mark.parametrize(
    ("role", "msg_type"), [(Role.SERVER, 1), (Role.CLIENT, 0), (Role.CLIENT, 2)]
)
def test_role_violation_refused_from_the_header_alone(role, msg_type):
    conn = GiopConnection(role)
    conn.receive_data(b"GIOP\x01\x02\x01" + bytes([msg_type]) + struct.pack("<I", 100_000))
    with pytest.raises(RemoteProtocolError):
        conn.next_event()
    assert conn.state is ConnectionState.ERROR


def test_get_buffer_is_never_empty():
    # regression: once a message received in place was complete but not yet taken by
    # next_event, get_buffer returned an empty view (asyncio refuses it; recv_into of 0
    # bytes looks like EOF) and bytes written to the scratch buffer were miscounted
    p = Pair()
    first, second = p.request(), p.request()
    p.send(p.client, first, second)
    raw = bytes(p.server.send(Reply(request_id=first.request_id, body=_large)))
    raw += bytes(p.server.send(Reply(request_id=second.request_id, body=_body(4.0))))
    conn, i, got = p.client, 0, []
    while i < len(raw):  # after the first read, several reads before next_event runs again
        view = conn.get_buffer(-1)
        assert len(view) > 0
        n = min(len(view), len(raw) - i)
        view[:n] = raw[i : i + n]
        view.release()
        conn.buffer_updated(n)
        if i == 0:
            got += drain(conn)  # sees the large header: the rest is now received in place
        i += n
    got += drain(conn)
    assert [r.request_id for r in got] == [first.request_id, second.request_id]
    assert same(Reply(request_id=second.request_id, body=_body(4.0)), got[1])


def test_buffer_updated_zero_means_eof():
    conn = GiopConnection(Role.SERVER)
    conn.get_buffer(-1)
    conn.buffer_updated(0)
    assert conn.next_event() == ConnectionClosed(clean=True)


def test_fragment_followed_by_another_message_in_the_same_read():
    p = Pair(2)
    first_req, second_req = p.request("a", _body(1.0)), p.request("b")
    raw = bytes(p.client.send(first_req))
    stream = b"".join(fragment(raw, [40], first_req.request_id)) + bytes(p.client.send(second_req))
    p.server.receive_data(stream)
    got = drain(p.server)
    assert len(got) == 2 and same(first_req, got[0]) and same(second_req, got[1])


def test_giop_12_fragment_without_request_id():
    raw = bytes(
        encode_message(Request(request_id=2, object_key=b"k", operation="op", body=_body(1.0)), 2)
    )
    first = fragment(raw, [32], 2)[0]
    conn = GiopConnection(Role.SERVER)
    conn.receive_data(first + b"GIOP\x01\x02\x01\x07" + struct.pack("<I", 2) + b"\0\0")
    with pytest.raises(RemoteProtocolError):
        conn.next_event()


def test_expect_reply_for_a_request_encoded_elsewhere():
    p = Pair()
    req = p.request()
    p.server.receive_data(encode_message(req, 2))  # encoded without the client connection
    p.client.expect_reply(req.request_id)
    drain(p.server)
    p.send(p.server, Reply(request_id=req.request_id))
    assert p.client.pending == set()
