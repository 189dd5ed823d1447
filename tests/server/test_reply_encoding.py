"""The server's GIOP 1.2 reply encoder (:mod:`puretango.server._reply`, Rule 3) gives the
bytes :meth:`GiopConnection.send_segments` gives for the same Reply: both byte orders, an
empty body, fragmentation, the size limit, a large array kept as its own memory, and the
DevFailed that replaces a result that cannot be encoded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from puretango.giop import GiopConnection, Reply, ReplyStatus, Role, decode_message
from puretango.server._reply import encode_reply

ARRAY = np.arange(300_000, dtype=np.float64)


def _writers() -> dict[str, Any]:
    return {
        "empty": lambda enc: None,
        "double": lambda enc: enc.write_double(1.5),
        "string": lambda enc: enc.write_string("hello"),
        "array": lambda enc: enc.write_primitive_sequence("double", ARRAY),
    }


def _joined(pieces: list[Any]) -> bytes:
    return b"".join(bytes(piece) for piece in pieces)


@pytest.mark.parametrize("little", [True, False])
@pytest.mark.parametrize("fragment_size", [None, 100_000])
@pytest.mark.parametrize("kind", list(_writers()))
def test_same_bytes_as_the_reply_message(
    little: bool, fragment_size: int | None, kind: str
) -> None:
    writer = _writers()[kind]
    conn = GiopConnection(Role.SERVER, little=little, fragment_size=fragment_size)
    ours = encode_reply(conn, 77, ReplyStatus.NO_EXCEPTION, writer, 2)
    reply = Reply(request_id=77, status=ReplyStatus.NO_EXCEPTION, body=writer)
    assert _joined(ours) == _joined(conn.send_segments(reply, 2))
    if kind == "array" and little:  # sent from the array's memory, not a copy
        assert any(np.shares_memory(np.frombuffer(p, np.uint8), ARRAY) for p in ours)
    if fragment_size is None:
        decoded = decode_message(_joined(ours))
        assert isinstance(decoded, Reply) and decoded.request_id == 77


def test_older_giop_and_statuses() -> None:
    conn = GiopConnection(Role.SERVER)
    for minor in (0, 1, 2):
        for status in (ReplyStatus.NO_EXCEPTION, ReplyStatus.USER_EXCEPTION):
            writer = _writers()["string"]
            ours = _joined(encode_reply(conn, 5, status, writer, minor))
            reply = Reply(request_id=5, status=status, body=writer)
            assert ours == _joined(conn.send_segments(reply, minor))


def test_too_large_or_unencodable_becomes_a_devfailed() -> None:
    conn = GiopConnection(Role.SERVER, max_message_size=1000)
    for writer in (_writers()["array"], lambda enc: enc.write_string("\u20ac")):
        decoded = decode_message(_joined(encode_reply(conn, 9, 0, writer, 2)))
        assert isinstance(decoded, Reply)
        assert decoded.request_id == 9 and decoded.status is ReplyStatus.USER_EXCEPTION


def test_giop_1_2_replies_build_no_reply_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from puretango.server import _reply

    built: list[Any] = []

    def counting_reply(**fields: Any) -> Reply:
        built.append(fields)
        return Reply(**fields)

    monkeypatch.setattr(_reply, "Reply", counting_reply)
    conn = GiopConnection(Role.SERVER)
    encode_reply(conn, 1, ReplyStatus.NO_EXCEPTION, _writers()["double"], 2)
    assert built == []
    encode_reply(conn, 2, ReplyStatus.NO_EXCEPTION, _writers()["double"], 1)
    assert len(built) == 1
