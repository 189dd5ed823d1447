"""The bytes of Tango's ZeroMQ events (protocol.md §6.2-6.4), both directions, sans I/O.

A Tango event is a multipart ZeroMQ message: ``[topic, endianness, call info, payload]``
(a heartbeat has no payload frame). This module builds and parses those frames; sockets,
counters and timing belong to the server's publisher and the client's consumer.

Rules (from cppTango's supplier and consumer, checked against ``captures/zmq_*.jsonl``):

- frame 2 is one byte, ``1`` when frames 3 and 4 are little-endian, ``0`` when big-endian;
- frame 3 is :data:`ZmqCallInfo`, its own CDR stream (alignment from the frame's start);
- frame 4 is 4 filler bytes (``0xDEC0DEC0`` in the sender's byte order) then the CDR payload,
  aligned from the first byte after the filler (pipe events, with 8, are not served);
- topics are lower case; event types ``change``, ``periodic``, ``archive``, ``user_event``
  and ``attr_conf`` are sent as ``idl5_<type>`` to clients of IDL 5 and later.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

from ..giop import CdrDecoder, CdrEncoder, MarshalError
from ..idl import IdlType
from ..idl import types as t
from ..idl._enums import EventType

__all__ = [
    "PROTOCOL_VERSION",
    "HEARTBEAT",
    "DUMMY_MESSAGE",
    "IDL5_PREFIXED",
    "EVENT_NAMES",
    "ZmqCallInfo",
    "EventMessage",
    "wire_event_name",
    "plain_event_name",
    "attribute_topic",
    "interface_topic",
    "heartbeat_topic",
    "payload_type",
    "encode_call_info",
    "encode_call_info_idl",
    "encode_payload",
    "encode_event",
    "encode_heartbeat",
    "parse_message",
    "read_call_info",
    "decode_payload",
]

#: ``ZMQ_EVENT_PROT_VERSION``: the call-info version every Tango event carries
PROTOCOL_VERSION = 1
#: the event name of heartbeats (``<channel>.heartbeat``)
HEARTBEAT = "heartbeat"
#: the one-frame message cppTango publishes on the event socket after each heartbeat
DUMMY_MESSAGE = b"I like beer"
#: event types sent with the ``idl5_`` prefix to clients of IDL 5 and later
IDL5_PREFIXED = frozenset({"change", "periodic", "archive", "user_event", "attr_conf"})
#: ``EventType`` -> its name in subscriptions, topics (un-prefixed) and ``EventData.event``
EVENT_NAMES: dict[EventType, str] = {
    EventType.CHANGE_EVENT: "change",
    EventType.PERIODIC_EVENT: "periodic",
    EventType.ARCHIVE_EVENT: "archive",
    EventType.USER_EVENT: "user_event",
    EventType.ATTR_CONF_EVENT: "attr_conf",
    EventType.DATA_READY_EVENT: "data_ready",
    EventType.INTERFACE_CHANGE_EVENT: "intr_change",
    EventType.ALARM_EVENT: "alarm",
}
_IDL5 = "idl5_"
_FILLER_LE = b"\xc0\xde\xc0\xde"
_FILLER_BE = b"\xde\xc0\xde\xc0"

#: frame 3 of every event and heartbeat
ZmqCallInfo = t.ZmqCallInfo


def wire_event_name(event: str, client_release: int) -> str:
    """The event name in a topic for a client of IDL ``client_release`` (``change`` ->
    ``idl5_change`` for IDL 5 and later; names already prefixed are kept)."""
    event = event.lower()
    if event.startswith(_IDL5):
        event = event[len(_IDL5) :]
        if client_release < 5:
            return event
    if client_release >= 5 and event in IDL5_PREFIXED:
        return _IDL5 + event
    return event


def plain_event_name(event: str) -> str:
    """``idl5_change`` -> ``change``; other names unchanged (lower case)."""
    event = event.lower()
    return event[len(_IDL5) :] if event.startswith(_IDL5) else event


def _no_db(dbase: bool) -> str:
    return "" if dbase else "#dbase=no"


def attribute_topic(
    prefix: str, device: str, attribute: str, event: str, *, dbase: bool = True
) -> str:
    """``<prefix><device>/<attribute>[#dbase=no].<event>``, lower case.

    ``prefix`` is ``tango://host:port/``; ``event`` is the name as it goes on the wire
    (see :func:`wire_event_name`).
    """
    return f"{prefix}{device}/{attribute}{_no_db(dbase)}.{event}".lower()


def interface_topic(prefix: str, device: str, *, dbase: bool = True) -> str:
    """The topic of a device's interface-change events."""
    return f"{prefix}{device}{_no_db(dbase)}.intr_change".lower()


def heartbeat_topic(channel: str, *, dbase: bool = True) -> str:
    """``<channel>[#dbase=no].heartbeat``; ``channel`` is ``<prefix>dserver/<exec>/<inst>``."""
    return f"{channel}{_no_db(dbase)}.{HEARTBEAT}".lower()


_PAYLOADS: dict[str, IdlType] = {
    "change": t.AttributeValue_5,
    "periodic": t.AttributeValue_5,
    "archive": t.AttributeValue_5,
    "user_event": t.AttributeValue_5,
    "alarm": t.AttributeValue_5,
    "attr_conf": t.AttributeConfig_5,
    "data_ready": t.AttDataReady,
    "intr_change": t.DevIntrChange,
}
_PAYLOADS_IDL4: dict[str, IdlType] = {
    "change": t.AttributeValue_4,
    "periodic": t.AttributeValue_4,
    "archive": t.AttributeValue_4,
    "user_event": t.AttributeValue_4,
    "attr_conf": t.AttributeConfig_3,
}


def payload_type(wire_event: str) -> IdlType:
    """The IDL type of frame 4 for an event name as it appears in a topic.

    ``idl5_change`` and ``alarm`` carry AttributeValue_5, un-prefixed ``change`` (an IDL 4
    client's) AttributeValue_4, ``idl5_attr_conf`` AttributeConfig_5 and ``attr_conf``
    AttributeConfig_3. Raises ``KeyError`` for an unknown name.
    """
    name = wire_event.lower()
    if name.startswith(_IDL5) or name not in _PAYLOADS_IDL4:
        return _PAYLOADS[plain_event_name(name)]
    return _PAYLOADS_IDL4[name]


#: ZmqCallInfo{version, ctr, "" (length 1, NUL, 3 padding bytes), [] (length 0), is_error}:
#: its layout never changes, so it is packed in one step (checked against the IDL encoder)
_CALL_INFO = {
    little: struct.Struct(("<" if little else ">") + "IIIB3xIB") for little in (True, False)
}


def encode_call_info(ctr: int, is_error: bool = False, *, little: bool = True) -> bytes:
    """Frame 3: ZmqCallInfo{version 1, ctr, "", [], is_error}."""
    return _CALL_INFO[little].pack(PROTOCOL_VERSION, ctr, 1, 0, 0, bool(is_error))


def encode_call_info_idl(ctr: int, is_error: bool = False, *, little: bool = True) -> bytes:
    """:func:`encode_call_info` through the IDL declaration (the reference it must match)."""
    enc = CdrEncoder(little)
    ZmqCallInfo.write(enc, ZmqCallInfo(PROTOCOL_VERSION, ctr, "", b"", is_error))
    return enc.getvalue()


def encode_payload(idl_type: IdlType, value: Any, *, little: bool = True) -> bytes:
    """Frame 4: the filler then ``value`` encoded as ``idl_type`` (origin after the filler)."""
    enc = CdrEncoder(little)
    idl_type.write(enc, value)
    filler = _FILLER_LE if little else _FILLER_BE
    return filler + enc.getvalue()


def encode_event(
    topic: str,
    ctr: int,
    idl_type: IdlType,
    value: Any,
    *,
    is_error: bool = False,
    little: bool = True,
) -> list[bytes]:
    """The four frames of one event; ``value`` is a DevErrorList when ``is_error``."""
    body_type = t.DevErrorList if is_error else idl_type
    return [
        topic.encode(),
        b"\x01" if little else b"\x00",
        encode_call_info(ctr, is_error, little=little),
        encode_payload(body_type, value, little=little),
    ]


def encode_heartbeat(topic: str, *, little: bool = True) -> list[bytes]:
    """The three frames of one heartbeat (counter 0)."""
    return [topic.encode(), b"\x01" if little else b"\x00", encode_call_info(0, little=little)]


@dataclass(frozen=True)
class EventMessage:
    """A parsed event or heartbeat; :func:`decode_payload` turns ``payload`` into a value."""

    topic: str
    ctr: int
    is_error: bool
    little: bool
    payload: bytes

    @property
    def event_name(self) -> str:
        """The event name as on the wire: the text after the topic's last dot."""
        return self.topic.rpartition(".")[2]


def parse_message(frames: list[bytes]) -> EventMessage | None:
    """Parse a received multipart message; ``None`` for the one-frame dummy message.

    Raises :class:`MarshalError` for anything else that is not a Tango event or heartbeat.
    """
    if len(frames) == 1:
        return None
    if len(frames) not in (3, 4):
        raise MarshalError(f"a Tango event has 3 or 4 frames, got {len(frames)}")
    topic_bytes, order, call_info = frames[0], frames[1], frames[2]
    if len(order) != 1 or order[0] not in (0, 1):
        raise MarshalError(f"bad endianness frame {bytes(order[:8])!r}")
    little = order[0] == 1
    try:
        topic = bytes(topic_bytes).decode()
    except UnicodeDecodeError as exc:
        raise MarshalError(f"event topic is not text: {exc}") from None
    ctr, is_error = read_call_info(call_info, little)
    payload = bytes(frames[3]) if len(frames) == 4 else b""
    return EventMessage(topic, ctr, is_error, little, payload)


def read_call_info(frame: bytes, little: bool) -> tuple[int, bool]:
    """Frame 3's (counter, is_error): unpacked in one step when it has the layout every
    Tango sender gives it (empty method name and data), else through the IDL declaration."""
    if len(frame) == _CALL_INFO[little].size:
        _, ctr, name_length, nul, data_length, is_error = _CALL_INFO[little].unpack(frame)
        if name_length == 1 and nul == 0 and data_length == 0:
            return ctr, bool(is_error)
    info = ZmqCallInfo.read(CdrDecoder(frame, little))
    return info.ctr, bool(info.call_is_except)


def decode_payload(message: EventMessage, idl_type: IdlType | None = None) -> Any:
    """The payload of ``message``: a DevErrorList when it is an error event, else a value of
    ``idl_type`` (by default :func:`payload_type` of the topic's event name)."""
    if message.is_error:
        body_type: IdlType = t.DevErrorList
    else:
        body_type = idl_type if idl_type is not None else payload_type(message.event_name)
    if len(message.payload) < 4:
        raise MarshalError("event payload shorter than its filler")
    dec = CdrDecoder(message.payload, message.little, pos=4, base=-4)
    return body_type.read(dec)
