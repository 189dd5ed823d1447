"""The event frames codec against real ZeroMQ traffic from cppTango 10.3.3 (PyTango 10.3.1
servers), ``shared/captures/zmq_*.jsonl``: every message parses, every payload decodes,
and re-encoding gives the same bytes outside CDR padding (cppTango leaves garbage there)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from puretango.events import (
    DUMMY_MESSAGE,
    attribute_topic,
    decode_payload,
    encode_event,
    encode_heartbeat,
    heartbeat_topic,
    interface_topic,
    parse_message,
    payload_type,
    plain_event_name,
    wire_event_name,
)
from puretango.giop import MarshalError
from puretango.idl import ErrSeverity
from puretango.idl import types as t
from puretango.idl._values import DevError

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "captures"


def _captured() -> list[list[bytes]]:
    messages = []
    for name in ("zmq_ev.jsonl", "zmq_ev2.jsonl", "zmq_hb.jsonl"):
        for line in (CAPTURES / name).read_text().splitlines():
            record = json.loads(line)
            if "frames" in record:
                messages.append([bytes.fromhex(f) for f in record["frames"]])
    return messages


MESSAGES = _captured()


def _same_outside_padding(ours: list[bytes], captured: list[bytes]) -> bool:
    """Equal frame by frame, except bytes we wrote as zero padding where cppTango left
    whatever its buffer held (the values are compared separately)."""
    if [len(f) for f in ours] != [len(f) for f in captured]:
        return False
    for a, b in zip(ours, captured):
        if any(x != y and x != 0 for x, y in zip(a, b)):
            return False
    return True


def test_the_captures_hold_each_kind() -> None:
    names = {m.event_name for fr in MESSAGES if (m := parse_message(fr)) is not None}
    assert {"heartbeat", "idl5_change", "data_ready", "idl5_attr_conf", "alarm"} <= names


@pytest.mark.parametrize("frames", MESSAGES)
def test_captured_message_round_trips(frames: list[bytes]) -> None:
    message = parse_message(frames)
    if message is None:
        assert frames == [DUMMY_MESSAGE]
        return
    if not message.payload:
        assert message.event_name == "heartbeat" and message.ctr == 0
        assert encode_heartbeat(message.topic) == frames
        return
    value = decode_payload(message)
    again = encode_event(message.topic, message.ctr, payload_type(message.event_name), value)
    assert _same_outside_padding(again, frames)
    assert decode_payload(parse_message(again)) == value  # type: ignore[arg-type]


def test_decoded_change_event_values() -> None:
    changes = [
        decode_payload(m)
        for fr in MESSAGES
        if (m := parse_message(fr)) is not None and m.event_name == "idl5_change"
    ]
    assert [7.5, 4.5] in [list(v.value.value) for v in changes]
    assert all(v.name == "dbl" for v in changes)


def test_error_event_round_trip_big_endian() -> None:
    errors = [DevError("API_X", ErrSeverity.ERR, "went wrong", "here")]
    frames = encode_event(
        "tango://h:1/a/b/c/x.idl5_change",
        7,
        t.AttributeValue_5,
        errors,
        is_error=True,
        little=False,
    )
    message = parse_message(frames)
    assert message is not None and message.is_error and not message.little
    assert message.ctr == 7
    assert decode_payload(message)[0].reason == "API_X"


def test_topic_names() -> None:
    assert wire_event_name("change", 6) == "idl5_change"
    assert wire_event_name("CHANGE", 4) == "change"
    assert wire_event_name("idl5_archive", 4) == "archive"
    assert wire_event_name("data_ready", 6) == "data_ready"
    assert plain_event_name("idl5_user_event") == "user_event"
    prefix = "tango://VM:10000/"
    assert (
        attribute_topic(prefix, "A/b/C", "Dbl", "idl5_change", dbase=False)
        == "tango://vm:10000/a/b/c/dbl#dbase=no.idl5_change"
    )
    assert interface_topic(prefix, "a/b/c") == "tango://vm:10000/a/b/c.intr_change"
    assert (
        heartbeat_topic("tango://vm:10000/dserver/TestDev/test", dbase=False)
        == "tango://vm:10000/dserver/testdev/test#dbase=no.heartbeat"
    )
    assert payload_type("change") is t.AttributeValue_4
    assert payload_type("idl5_attr_conf") is t.AttributeConfig_5


@pytest.mark.parametrize(
    "frames",
    [
        [b"a", b"b"],
        [b"t", b"\x02", b"\x00" * 21],
        [b"t", b"\x01", b"\x01\x00"],
        [b"\xff\xfe", b"\x01", b"\x00" * 21],
        [b"t", b"\x01", b"\x00" * 21, b"\x00" * 2],
        [b"a"] * 5,
    ],
)
def test_malformed_messages_raise_protocol_errors(frames: list[bytes]) -> None:
    with pytest.raises(MarshalError):
        message = parse_message(frames)
        assert message is not None
        decode_payload(message, t.AttributeValue_5)
