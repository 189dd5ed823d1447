"""``GiopConnection.take_reply``, the client's fast path for a plain reply, fed with the
replies a real omniORB (PyTango) server sent (``shared/captures``: GIOP 1.0 in
``cap1.jsonl``, 1.2 in ``cap_dev.jsonl``): exactly one
complete, unfragmented NO_EXCEPTION Reply to the awaited request, without service
contexts, is taken at once and equals what the generic decoder gives; every other kind of
input (an exception reply, a partial reply, two replies, another id, a fragment, a
LocateReply, a CloseConnection, a GIOP 1.0 reply with contexts) is left to ``next_event``,
which then decodes it as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from puretango.giop import (
    NEED_DATA,
    Body,
    CloseConnection,
    GiopConnection,
    LocateReply,
    LocateStatus,
    Reply,
    ReplyStatus,
    Role,
    ServiceContext,
    decode_message,
    encode_message,
    fragment_message,
    parse_header,
)

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "captures"


def _captured_replies() -> list[bytes]:
    """Every message the device servers sent in the captures, one bytes object each."""
    streams: dict[tuple[str, int], bytearray] = {}
    for name in ("cap1.jsonl", "cap_dev.jsonl"):
        for line in (CAPTURES / name).read_text().splitlines():
            record = json.loads(line)
            if record.get("dir") == "S2C":
                stream = streams.setdefault((name, record["c"]), bytearray())
                stream.extend(bytes.fromhex(record["hex"]))
    messages = []
    for stream in streams.values():
        while stream:
            total = 12 + parse_header(stream).size
            messages.append(bytes(stream[:total]))
            del stream[:total]
    return messages


MESSAGES = _captured_replies()
REPLIES = [m for m in MESSAGES if isinstance(decode_message(m), Reply)]
CLOSES = [m for m in MESSAGES if isinstance(decode_message(m), CloseConnection)]


def _reply(data: bytes) -> Reply:
    message = decode_message(data)
    assert isinstance(message, Reply)
    return message


def _client(*pending: int) -> GiopConnection:
    conn = GiopConnection(Role.CLIENT)
    for request_id in pending:
        conn.expect_reply(request_id)
    return conn


def _receive(conn: GiopConnection, data: bytes) -> int:
    """Write ``data`` into the connection's receive buffer, as ``recv_into`` would."""
    buffer = conn.get_buffer()
    buffer[: len(data)] = data
    return len(data)


def _same(a: Reply, b: Reply) -> bool:
    assert isinstance(a.body, Body) and isinstance(b.body, Body)
    return (a.request_id, a.status, a.service_contexts, bytes(a.body.data), a.body.offset) == (
        b.request_id,
        b.status,
        b.service_contexts,
        bytes(b.body.data),
        b.body.offset,
    )


def _generic(conn: GiopConnection) -> list[object]:
    events = []
    while (event := conn.next_event()) is not NEED_DATA:
        events.append(event)
    return events


PLAIN = [m for m in REPLIES if _reply(m).status is ReplyStatus.NO_EXCEPTION]
FAILED = [m for m in REPLIES if _reply(m).status is not ReplyStatus.NO_EXCEPTION]


def test_the_capture_holds_plain_and_failed_replies() -> None:
    assert len(PLAIN) > 20 and FAILED
    assert {parse_header(m).minor for m in PLAIN} == {0, 2}
    assert {_reply(m).status for m in FAILED} >= {ReplyStatus.USER_EXCEPTION}


@pytest.mark.parametrize("data", PLAIN, ids=range(len(PLAIN)))
def test_a_plain_reply_is_taken(data: bytes) -> None:
    expected = _reply(data)
    conn = _client(expected.request_id)
    taken = conn.take_reply(expected.request_id, _receive(conn, data))
    assert taken is not None and _same(taken, expected)
    assert expected.request_id not in conn.pending
    assert conn.next_event() is NEED_DATA
    # the body is a copy: the receive buffer may be overwritten at once
    _receive(conn, b"\xff" * len(data))
    assert _same(taken, expected)


@pytest.mark.parametrize("data", FAILED, ids=range(len(FAILED)))
def test_an_exception_reply_goes_the_generic_way(data: bytes) -> None:
    expected = _reply(data)
    conn = _client(expected.request_id)
    assert conn.take_reply(expected.request_id, _receive(conn, data)) is None
    [event] = _generic(conn)
    assert isinstance(event, Reply) and _same(event, expected)


def test_a_system_exception_goes_the_generic_way() -> None:
    data = encode_message(
        Reply(request_id=6, status=ReplyStatus.SYSTEM_EXCEPTION, body=Body(b"x" * 8, 24)), 2
    )
    conn = _client(6)
    assert conn.take_reply(6, _receive(conn, data)) is None
    [event] = _generic(conn)
    assert isinstance(event, Reply) and event.status is ReplyStatus.SYSTEM_EXCEPTION


def test_a_reply_split_over_two_reads_goes_the_generic_way() -> None:
    data = PLAIN[-1]
    expected = _reply(data)
    conn = _client(expected.request_id)
    assert conn.take_reply(expected.request_id, _receive(conn, data[:20])) is None
    assert conn.next_event() is NEED_DATA
    assert conn.take_reply(expected.request_id, _receive(conn, data[20:])) is None
    [event] = _generic(conn)
    assert isinstance(event, Reply) and _same(event, expected)


def test_two_replies_in_one_read_go_the_generic_way() -> None:
    first, second = _reply(PLAIN[0]), _reply(PLAIN[1])
    conn = _client(first.request_id, second.request_id)
    assert conn.take_reply(first.request_id, _receive(conn, PLAIN[0] + PLAIN[1])) is None
    events = _generic(conn)
    assert len(events) == 2 and _same(events[0], first) and _same(events[1], second)


def test_a_reply_to_another_request_goes_the_generic_way() -> None:
    expected = _reply(PLAIN[0])
    conn = _client(expected.request_id, expected.request_id + 2)
    assert conn.take_reply(expected.request_id + 2, _receive(conn, PLAIN[0])) is None
    [event] = _generic(conn)
    assert _same(event, expected)  # type: ignore[arg-type]


def test_a_reply_to_a_forgotten_request_is_dropped() -> None:
    conn = _client()
    request_id = _reply(PLAIN[0]).request_id
    assert conn.take_reply(request_id, _receive(conn, PLAIN[0])) is None
    assert _generic(conn) == []


def test_a_fragmented_reply_goes_the_generic_way() -> None:
    data = max((m for m in PLAIN if parse_header(m).minor == 2), key=len)
    expected = _reply(data)
    conn = _client(expected.request_id)
    fragmented = fragment_message(data, 48)
    assert len(fragmented) > len(data)  # split into a first part and Fragments
    assert conn.take_reply(expected.request_id, _receive(conn, fragmented)) is None
    [event] = _generic(conn)
    assert isinstance(event, Reply) and _same(event, expected)


def test_close_connection_and_locate_reply_go_the_generic_way() -> None:
    assert CLOSES  # omniORB closed idle connections during the capture
    conn = _client(4)
    assert conn.take_reply(4, _receive(conn, CLOSES[0])) is None
    assert isinstance(conn.next_event(), CloseConnection)
    conn = _client(4)
    locate = encode_message(LocateReply(request_id=4, status=LocateStatus.OBJECT_HERE), 2)
    assert conn.take_reply(4, _receive(conn, locate)) is None


@pytest.mark.parametrize("minor", [0, 1, 2])
@pytest.mark.parametrize("little", [True, False])
def test_every_giop_version_and_byte_order(minor: int, little: bool) -> None:
    reply = Reply(request_id=8, body=lambda enc: enc.write_ulong(7))
    data = encode_message(reply, minor, little)
    conn = GiopConnection(Role.CLIENT, minor=minor, little=little)
    conn.expect_reply(8)
    taken = conn.take_reply(8, _receive(conn, data))
    assert taken is not None and taken.request_id == 8
    assert _same(taken, _reply(bytes(data)))
    assert isinstance(taken.body, Body) and taken.body.decoder().read_ulong() == 7


@pytest.mark.parametrize("minor", [0, 2])
def test_a_reply_with_service_contexts_goes_the_generic_way(minor: int) -> None:
    reply = Reply(request_id=8, service_contexts=(ServiceContext(1, b"ab"),))
    conn = _client(8)
    assert conn.take_reply(8, _receive(conn, encode_message(reply, minor))) is None
    [event] = _generic(conn)
    assert isinstance(event, Reply) and event.service_contexts == reply.service_contexts


def test_end_of_stream_goes_the_generic_way() -> None:
    conn = _client(2)
    assert conn.take_reply(2, 0) is None
    assert conn.next_event().clean  # type: ignore[union-attr]
