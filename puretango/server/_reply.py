"""A request's reply as bytes to send, shared by both transports of the server (the asyncio
one in :mod:`._server`, the threaded one in :mod:`._threaded`).

Rule 1: the result is encoded straight into the reply message; a result that cannot be
encoded becomes a DevFailed reply (``API_MarshallingError``), never a lost reply.

Rule 2: a reply is a list of segments (buffers sent one after the other, in order): a large
array's segment is the array's own memory (:meth:`GiopConnection.send_segments`), not a copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._errors import make_error
from ..giop import GiopConnection, ProtocolError, Reply, ReplyStatus
from ..idl import types as t

__all__ = ["encode_reply", "devfailed_writer", "REPLY_FRAGMENT_SIZE"]

#: Size above which GIOP 1.2 replies are sent as a first part and Fragment messages.
REPLY_FRAGMENT_SIZE = 4 * 1024 * 1024


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
