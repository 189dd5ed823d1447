"""Outgoing GIOP 1.2 fragmentation: our own reassembly gives back the same message."""

from __future__ import annotations

import numpy as np
import pytest

from puretango.giop import (
    HEADER_SIZE,
    Body,
    GiopConnection,
    MsgType,
    Reply,
    Role,
    encode_message,
    fragment_message,
    parse_header,
)


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("size", [64, 100, 4096])
def test_fragmented_reply_reassembles(little: bool, size: int) -> None:
    values = np.arange(1000, dtype=np.float64)
    reply = Reply(request_id=42, body=lambda enc: enc.write_primitive_sequence("double", values))
    whole = encode_message(reply, 2, little)
    parts = fragment_message(whole, size)
    # every part is a GIOP message; all but the last have "more fragments" and end 8-aligned
    offset, headers = 0, []
    while offset < len(parts):
        header = parse_header(parts[offset : offset + HEADER_SIZE])
        headers.append(header)
        offset += HEADER_SIZE + header.size
    assert offset == len(parts) and len(headers) > 1
    assert headers[0].msg_type is MsgType.REPLY and all(
        h.msg_type is MsgType.FRAGMENT for h in headers[1:]
    )
    assert all(h.more_fragments for h in headers[:-1]) and not headers[-1].more_fragments
    client = GiopConnection(Role.CLIENT)
    client.expect_reply(42)
    client.receive_data(parts)
    event = client.next_event()
    assert isinstance(event, Reply) and event.request_id == 42
    assert isinstance(event.body, Body)
    assert np.array_equal(event.body.decoder().read_primitive_sequence("double"), values)


def test_small_and_old_messages_are_not_fragmented() -> None:
    reply = Reply(request_id=1, body=lambda enc: enc.write_ulong(7))
    for minor in (0, 1, 2):
        whole = encode_message(reply, minor)
        assert fragment_message(whole, 10_000) == whole
    big = encode_message(Reply(request_id=1, body=lambda enc: enc.write_octets(bytes(5000))), 0)
    assert fragment_message(big, 64) == big  # GIOP 1.0 has no fragments


def test_connection_fragments_on_send() -> None:
    server = GiopConnection(Role.SERVER, fragment_size=256)
    data = server.send(
        Reply(request_id=3, body=lambda enc: enc.write_octets(bytes(range(256)) * 8))
    )
    assert parse_header(data).more_fragments
