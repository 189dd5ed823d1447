"""A request's reply as bytes to send, shared by both transports of the server (the asyncio
one in :mod:`._server`, the threaded one in :mod:`._threaded`).

Rule 1: the result is encoded straight into the reply message; a result that cannot be
encoded becomes a DevFailed reply (``API_MarshallingError``), never a lost reply.

Rule 2: a reply is a list of segments (buffers sent one after the other, in order): a large
array's segment is the array's own memory (:meth:`GiopConnection.send_segments`), not a copy.

Rule 3: a GIOP 1.2 reply (every Tango client's) is encoded here, without a :class:`Reply`
value: its header, request id, status and empty service context list are one packed struct
of 24 bytes (the body follows 8-aligned, no padding); the connection's size limit and
fragmentation apply as in :meth:`GiopConnection.send_segments`. Other GIOP versions go
through :meth:`GiopConnection.send_segments`.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from .._errors import make_error
from ..giop import (
    HEADER_SIZE,
    CdrEncoder,
    ConnectionState,
    GiopConnection,
    LocalProtocolError,
    ProtocolError,
    Reply,
    ReplyStatus,
)
from ..giop._messages import MAGIC, MsgType, fragment_segments
from ..idl import types as t

__all__ = ["encode_reply", "devfailed_writer", "REPLY_FRAGMENT_SIZE"]

#: Size above which GIOP 1.2 replies are sent as a first part and Fragment messages.
REPLY_FRAGMENT_SIZE = 4 * 1024 * 1024

#: a GIOP 1.2 Reply up to its body (Rule 3): header, request id, status, no service context
_REPLY_12_HEAD = {
    little: struct.Struct(("<" if little else ">") + "4sBBBBIIII") for little in (True, False)
}
_REPLY_12_HEAD_SIZE = _REPLY_12_HEAD[True].size
_REPLY = int(MsgType.REPLY)


def devfailed_writer(errors: Sequence[Any]) -> Any:
    """The body writer of a DevFailed user exception carrying ``errors``."""

    def write(enc: Any) -> None:
        enc.write_string(t.DevFailed.repo_id)
        t.DevErrorList.write(enc, list(errors))

    return write


def encode_reply(
    conn: GiopConnection, request_id: int, status: ReplyStatus, writer: Any, minor: int
) -> list[Any]:
    """The segments of the reply to ``request_id`` (see the module's rules)."""
    try:
        if minor == 2 and conn.state is ConnectionState.OPEN:
            return _reply_12(conn, request_id, status, writer)
        return conn.send_segments(Reply(request_id=request_id, status=status, body=writer), minor)
    except (ProtocolError, TypeError, ValueError, OverflowError) as exc:
        # the text may quote the value that failed: keep it encodable (Latin-1, as every
        # string on the wire), or this reply fails too and the client waits in vain
        cause = exc.__context__
        what = f"UnicodeError: {cause}" if isinstance(cause, UnicodeError) else str(exc)
        desc = f"The result could not be encoded: {what}"
        error = make_error(
            "API_MarshallingError",
            desc.encode("latin-1", "backslashreplace").decode("latin-1"),
            "puretango.server",
        )
        reply = Reply(
            request_id=request_id,
            status=ReplyStatus.USER_EXCEPTION,
            body=devfailed_writer([error]),
        )
        return [conn.send(reply, minor)]


def _reply_12(conn: GiopConnection, request_id: int, status: int, writer: Any) -> list[Any]:
    """The segments of a GIOP 1.2 reply (Rule 3)."""
    little = conn.little
    enc = CdrEncoder(little, 0, segments=True)
    enc.buf += bytes(_REPLY_12_HEAD_SIZE)
    writer(enc)
    size = enc.position
    if size - HEADER_SIZE > conn.max_message_size:
        raise LocalProtocolError(
            f"message of {size} bytes exceeds the limit of {conn.max_message_size} bytes"
        )
    _REPLY_12_HEAD[little].pack_into(
        enc.buf, 0, MAGIC, 1, 2, little, _REPLY, size - HEADER_SIZE, request_id, status, 0
    )
    pieces: list[Any] = enc.pieces()
    fragment_size = conn.fragment_size
    if fragment_size is not None and size > fragment_size:
        return fragment_segments(pieces, fragment_size)
    return pieces
