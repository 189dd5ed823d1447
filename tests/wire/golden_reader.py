"""Read the golden captures of ``tests/wire/golden`` (see its README) into GIOP messages.

A session is three files: ``<name>.jsonl`` (one JSON line per TCP read: ``t``, ``c``,
``dir``, ``hex``), ``<name>_marks.jsonl`` (``{"t", "mark"}`` before each client action) and
``<name>_expected.json`` (what PyTango saw per mark).

:func:`load_session` frames every byte stream twice, independently:

* by hand (:func:`frame_stream`): cut at GIOP headers, glue 1.1/1.2 Fragments onto the
  message they continue; this keeps the raw bytes, the time of the first byte and the
  header fields of each message;
* with our sans-I/O core (``GiopConnection``, server role for C2S, client role for S2C,
  every decoded Request id registered as pending on the client side).

It does not judge anything: the tests compare the two framings and everything else.
"""

from __future__ import annotations

import bisect
import json
import struct
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from puretango.giop import (
    NEED_DATA,
    ConnectionClosed,
    GiopConnection,
    Message,
    Reply,
    Request,
    Role,
)

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
SESSIONS = ("typedev_client", "typedev_client_giop12")

HEADER_SIZE = 12
FRAGMENT = 7
_MSG_TYPES = {
    0: "Request",
    1: "Reply",
    2: "CancelRequest",
    3: "LocateRequest",
    4: "LocateReply",
    5: "CloseConnection",
    6: "MessageError",
    7: "Fragment",
}


@dataclass
class Part:
    """One GIOP message exactly as it was on the wire (a Fragment is a part of its own)."""

    t: float  # time of the TCP read holding its first byte
    offset: int  # offset of its first byte in the direction's byte stream
    minor: int
    flags: int
    msg_type: int
    raw: bytes

    @property
    def little(self) -> bool:
        return bool(self.flags & 1)

    @property
    def more_fragments(self) -> bool:
        return self.minor >= 1 and bool(self.flags & 2)


@dataclass
class WireMessage:
    """A complete GIOP message: its parts, reassembled, and what our core decoded."""

    conn: int
    direction: str  # "C2S" or "S2C"
    index: int  # position in its direction's stream of complete messages
    parts: list[Part]
    #: the first part followed by every Fragment's payload (the header is the first part's)
    reassembled: bytes
    decoded: Message | None = None

    @property
    def t(self) -> float:
        return self.parts[0].t

    @property
    def minor(self) -> int:
        return self.parts[0].minor

    @property
    def little(self) -> bool:
        return self.parts[0].little

    @property
    def msg_type(self) -> int:
        return self.parts[0].msg_type

    @property
    def fragmented(self) -> bool:
        return len(self.parts) > 1

    @property
    def offset(self) -> int:
        return self.parts[0].offset

    def describe(self) -> str:
        what = _MSG_TYPES.get(self.msg_type, str(self.msg_type))
        extra = ""
        if isinstance(self.decoded, Request):
            extra = f" id={self.decoded.request_id} op={self.decoded.operation}"
        elif isinstance(self.decoded, Reply):
            extra = f" id={self.decoded.request_id} status={self.decoded.status.name}"
        frag = f", {len(self.parts)} parts" if self.fragmented else ""
        return (
            f"conn {self.conn} {self.direction} message #{self.index} ({what} GIOP 1.{self.minor}"
            f"{extra}, stream offset {self.offset}, {len(self.reassembled)} bytes{frag})"
        )


@dataclass
class Exchange:
    """A Request and, unless it was one-way, its Reply."""

    request: WireMessage
    reply: WireMessage | None

    @property
    def operation(self) -> str:
        assert isinstance(self.request.decoded, Request)
        return self.request.decoded.operation

    @property
    def t(self) -> float:
        return self.request.t


@dataclass
class Session:
    name: str
    records: list[dict[str, Any]]
    marks: list[tuple[float, str]]
    expected: dict[str, Any]
    #: (conn, direction) -> complete messages in stream order
    streams: dict[tuple[int, str], list[WireMessage]] = field(default_factory=dict)
    #: (conn, direction) -> bytes left over after the last complete message
    leftovers: dict[tuple[int, str], bytes] = field(default_factory=dict)
    #: (conn, direction) -> messages as our GiopConnection produced them
    core_messages: dict[tuple[int, str], list[Message]] = field(default_factory=dict)
    #: (conn, direction) -> the exception our GiopConnection raised, if any
    core_errors: dict[tuple[int, str], BaseException] = field(default_factory=dict)
    #: (conn, direction) -> what next_event returned after the stream ended
    core_end: dict[tuple[int, str], object] = field(default_factory=dict)
    exchanges: list[Exchange] = field(default_factory=list)
    unanswered: list[WireMessage] = field(default_factory=list)
    orphan_replies: list[WireMessage] = field(default_factory=list)

    @property
    def actions(self) -> dict[str, dict[str, Any]]:
        return {a["mark"]: a for a in self.expected["actions"]}

    def messages(self) -> list[WireMessage]:
        return sorted((m for ms in self.streams.values() for m in ms), key=lambda m: m.t)

    def mark_of(self, t: float) -> str | None:
        """The mark whose interval [mark t, next mark t) holds time ``t``."""
        times = [mt for mt, _ in self.marks]
        i = bisect.bisect_right(times, t) - 1
        return self.marks[i][1] if i >= 0 else None

    def exchanges_of(self, mark: str) -> list[Exchange]:
        return [ex for ex in self.exchanges if self.mark_of(ex.t) == mark]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_marks(name: str) -> list[tuple[float, str]]:
    """The marks of a session (cheap: for test parametrization)."""
    return [(m["t"], m["mark"]) for m in _read_jsonl(GOLDEN_DIR / f"{name}_marks.jsonl")]


def frame_stream(chunks: list[tuple[float, bytes]]) -> tuple[list[Part], bytes]:
    """Cut one direction's byte stream at GIOP headers: (parts, bytes left over)."""
    data = b"".join(c for _, c in chunks)
    starts = []
    pos = 0
    for t, c in chunks:
        starts.append((pos, t))
        pos += len(c)
    offsets = [s for s, _ in starts]
    parts: list[Part] = []
    pos = 0
    while len(data) - pos >= HEADER_SIZE and data[pos : pos + 4] == b"GIOP":
        minor, flags, msg_type = data[pos + 5], data[pos + 6], data[pos + 7]
        size = struct.unpack_from("<I" if flags & 1 else ">I", data, pos + 8)[0]
        end = pos + HEADER_SIZE + size
        if end > len(data):
            break
        t = starts[bisect.bisect_right(offsets, pos) - 1][1]
        parts.append(Part(t, pos, minor, flags, msg_type, data[pos:end]))
        pos = end
    return parts, data[pos:]


def assemble(parts: list[Part]) -> list[list[Part]]:
    """Group parts into messages: a message with 'more fragments' plus its Fragments."""
    groups: list[list[Part]] = []
    current: list[Part] | None = None
    for p in parts:
        if current is not None:
            if p.msg_type != FRAGMENT:
                raise ValueError(
                    f"a {_MSG_TYPES.get(p.msg_type)} at stream offset {p.offset} "
                    "interrupts a fragmented message"
                )
            current.append(p)
            if not p.more_fragments:
                groups.append(current)
                current = None
            continue
        if p.msg_type == FRAGMENT:
            raise ValueError(f"Fragment at stream offset {p.offset} continues nothing")
        if p.more_fragments:
            current = [p]
        else:
            groups.append([p])
    if current is not None:
        raise ValueError("the stream ends inside a fragmented message")
    return groups


def reassemble(parts: list[Part]) -> bytes:
    """The first part followed by each Fragment's payload (after its request id in 1.2)."""
    out = bytearray(parts[0].raw)
    for p in parts[1:]:
        out += p.raw[HEADER_SIZE + (4 if p.minor >= 2 else 0) :]
    return bytes(out)


def _run_core(
    role: Role,
    chunks: list[tuple[float, bytes]],
    pending_from: list[Message] | None,
) -> tuple[list[Message], BaseException | None, object]:
    """Feed the chunks to a GiopConnection one TCP read at a time, collecting messages."""
    conn = GiopConnection(role)
    if pending_from is not None:
        for m in pending_from:
            if isinstance(m, Request) and m.response_expected:
                conn.pending.add(m.request_id)
    out: list[Message] = []
    try:
        for _, chunk in chunks:
            conn.receive_data(chunk)
            while True:
                ev = conn.next_event()
                if ev is NEED_DATA:
                    break
                assert not isinstance(ev, ConnectionClosed)
                out.append(ev)  # type: ignore[arg-type]
        conn.receive_data(b"")
        end = conn.next_event()
    except Exception as exc:  # noqa: BLE001 - reported by the tests
        return out, exc, None
    return out, None, end


@cache
def load_session(name: str) -> Session:
    records = _read_jsonl(GOLDEN_DIR / f"{name}.jsonl")
    session = Session(
        name=name,
        records=records,
        marks=read_marks(name),
        expected=json.loads((GOLDEN_DIR / f"{name}_expected.json").read_text(encoding="utf-8")),
    )
    chunks: dict[tuple[int, str], list[tuple[float, bytes]]] = {}
    for r in records:
        chunks.setdefault((r["c"], r["dir"]), []).append((r["t"], bytes.fromhex(r["hex"])))
    for key, cs in chunks.items():
        parts, rest = frame_stream(cs)
        session.leftovers[key] = rest
        session.streams[key] = [
            WireMessage(key[0], key[1], i, g, reassemble(g)) for i, g in enumerate(assemble(parts))
        ]
    conns = sorted({c for c, _ in chunks})
    for c in conns:
        c2s, s2c = (c, "C2S"), (c, "S2C")
        requests, err, end = _run_core(Role.SERVER, chunks.get(c2s, []), None)
        session.core_messages[c2s], session.core_end[c2s] = requests, end
        if err is not None:
            session.core_errors[c2s] = err
        replies, err, end = _run_core(Role.CLIENT, chunks.get(s2c, []), requests)
        session.core_messages[s2c], session.core_end[s2c] = replies, end
        if err is not None:
            session.core_errors[s2c] = err
        # attach decoded messages to the hand-framed ones, in order
        for key in (c2s, s2c):
            for wm, msg in zip(session.streams.get(key, []), session.core_messages[key]):
                wm.decoded = msg
        # pair requests and replies by id
        replies_by_id: dict[int, WireMessage] = {}
        for wm in session.streams.get(s2c, []):
            if isinstance(wm.decoded, Reply):
                replies_by_id.setdefault(wm.decoded.request_id, wm)
        for wm in session.streams.get(c2s, []):
            if isinstance(wm.decoded, Request):
                reply = replies_by_id.pop(wm.decoded.request_id, None)
                if reply is None and wm.decoded.response_expected:
                    session.unanswered.append(wm)
                session.exchanges.append(Exchange(wm, reply))
        session.orphan_replies.extend(replies_by_id.values())
    session.exchanges.sort(key=lambda ex: ex.t)
    return session


# -- the JSON encoding of Python values used by tools/capture_golden.py ----------------------


@dataclass(frozen=True)
class BigArray:
    """A large numpy array recorded only by dtype, shape, sha256 and first/last 5 items."""

    dtype: str
    shape: tuple[int, ...]
    sha256: str
    head: list[Any]
    tail: list[Any]


def from_json(obj: Any) -> Any:
    """Decode the capture tool's JSON back to comparable Python values.

    ndarray -> numpy array (or :class:`BigArray`); enum -> ``("enum", class, name, value)``;
    bytes -> bytes; float specials -> float; struct -> ``{"__struct__": class, **fields}``;
    devfailed -> ``{"__devfailed__": [DevError structs]}``.
    """
    if isinstance(obj, list):
        return [from_json(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if set(obj) == {"float"}:
        return float(obj["float"])
    if set(obj) == {"bytes"}:
        return bytes.fromhex(obj["bytes"])
    if "enum" in obj and set(obj) == {"enum", "name", "value"}:
        return ("enum", obj["enum"], obj["name"], obj["value"])
    if set(obj) == {"ndarray"}:
        d = obj["ndarray"]
        if "data" in d:
            return np.array(from_json(d["data"]), dtype=d["dtype"]).reshape(d["shape"])
        return BigArray(
            d["dtype"], tuple(d["shape"]), d["sha256"], from_json(d["head"]), from_json(d["tail"])
        )
    if set(obj) == {"devfailed"}:
        return {"__devfailed__": [from_json(e) for e in obj["devfailed"]]}
    if set(obj) == {"struct", "fields"}:
        return {"__struct__": obj["struct"], **{k: from_json(v) for k, v in obj["fields"].items()}}
    return {k: from_json(v) for k, v in obj.items()}
