"""The consumer's sans-I/O state with hand-made frames: counters (duplicates dropped, gaps
reported as ``API_MissedEvents``), reference-counted topics and endpoints, heartbeat loss,
re-confirmation argin, and the settle rule."""

from __future__ import annotations

from collections import deque
from types import SimpleNamespace
from typing import Any

from puretango.client._evstate import ConsumerState, Subscription, Timings
from puretango.client._names import parse_device_name
from puretango.events import encode_event, encode_heartbeat, payload_type
from puretango.idl import UnionValue
from puretango.idl import types as t
from puretango.idl._enums import AttrDataFormat, AttrQuality, EventType, ExtractAs
from puretango.idl._values import TimeVal

PREFIX = "tango://127.0.0.1:10000/"
TOPIC = PREFIX + "a/b/c/dbl#dbase=no.idl5_change"
CHANNEL = PREFIX + "dserver/srv/inst"
HEARTBEAT = CHANNEL + "#dbase=no.heartbeat"
REPLY = (
    [1000, 6, 1000, 0, 0, 435],
    ["tcp://127.0.0.1:1", "tcp://127.0.0.1:2", TOPIC, CHANNEL],
)
ADMIN = SimpleNamespace(
    _name=parse_device_name(CHANNEL + "#dbase=no"), _dev_name="dserver/srv/inst"
)


def _sub(state: ConsumerState) -> Subscription:
    proxy = SimpleNamespace(_dev_name="a/b/c")
    sub = Subscription(
        state.new_id(), proxy, "dbl", EventType.CHANGE_EVENT, "change",
        PREFIX + "a/b/c/dbl#dbase=no", None, deque(), ExtractAs.Numpy, False,
    )  # fmt: skip
    state.add(sub)
    state.attach(sub, REPLY, ADMIN, now=0.0)
    return sub


def _value(x: float) -> Any:
    cls = t.AttributeValue_5.cls
    dim = t.AttributeDim.cls(dim_x=1, dim_y=0)
    return cls(
        value=UnionValue(5, [x]), quality=AttrQuality.ATTR_VALID,
        data_format=AttrDataFormat.SCALAR, data_type=5, time=TimeVal(1, 2, 3),
        name="dbl", r_dim=dim, w_dim=t.AttributeDim.cls(dim_x=0, dim_y=0), err_list=[],
    )  # fmt: skip


def _frames(ctr: int, x: float) -> list[bytes]:
    return encode_event(TOPIC, ctr, payload_type("idl5_change"), _value(x))


def test_topics_are_reference_counted_endpoints_stay_connected() -> None:
    state = ConsumerState()
    first, second = _sub(state), _sub(state)
    assert state.take_commands() == [
        ("subscribe", TOPIC),
        ("subscribe", HEARTBEAT),
        ("connect", "tcp://127.0.0.1:1"),
        ("connect", "tcp://127.0.0.1:2"),
    ]
    state.remove(first.id)
    assert state.take_commands() == []
    state.remove(second.id)
    assert state.take_commands() == [("unsubscribe", TOPIC), ("unsubscribe", HEARTBEAT)]
    _sub(state)
    assert state.take_commands() == [("subscribe", TOPIC), ("subscribe", HEARTBEAT)]


def test_duplicates_are_dropped_and_gaps_reported() -> None:
    state = ConsumerState()
    _sub(state)
    got = state.receive(_frames(5, 1.0), 0.1)
    assert [e.attr_value.value for _, e in got] == [1.0]
    assert state.receive(_frames(5, 1.0), 0.1) == []  # the double send
    got = state.receive(_frames(8, 2.0), 0.1)
    assert [e.errors[0].reason if e.err else e.attr_value.value for _, e in got] == [
        "API_MissedEvents",
        2.0,
    ]
    assert state.receive([b"I like beer"], 0.1) == []


def test_heartbeat_loss_confirmation_and_retry() -> None:
    state = ConsumerState()
    sub = _sub(state)
    timings = Timings(heartbeat_timeout=10, confirm_period=5, retry_period=1)
    due = state.tick(6.0, timings)
    assert due.confirm == [(ADMIN, ["a/b/c", "dbl", "idl5_change"])] and not due.events
    state.receive(encode_heartbeat(HEARTBEAT), 8.0)
    assert not state.tick(17.0, timings).events  # 9 s after the heartbeat
    due = state.tick(18.5, timings)
    assert [e.errors[0].reason for _, e in due.events] == ["API_EventTimeout"]
    assert due.retry == [sub] and sub.pending
    assert state.tick(19.0, timings).retry == []
    assert state.tick(19.6, timings).retry == [sub]
    state.attach(sub, REPLY, ADMIN, now=20.0)
    assert not sub.pending and state.tick(21.0, timings).retry == []


def test_settled_once_endpoints_shook_hands() -> None:
    state = ConsumerState()
    sub = _sub(state)
    assert not state.settled(sub)
    state.take_commands()
    state.monitor_event(1, "tcp://127.0.0.1:1", up=1, down=2)
    assert not state.settled(sub)
    state.monitor_event(1, "tcp://127.0.0.1:2", up=1, down=2)
    assert state.settled(sub)
    state.monitor_event(2, "tcp://127.0.0.1:2", up=1, down=2)
    assert not state.settled(sub)
