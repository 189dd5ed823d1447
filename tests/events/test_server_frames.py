"""The ZeroMQ side of our event supplier seen by a raw pyzmq SUB socket: the frames we send
against the cppTango captures (byte for byte outside CDR padding), heartbeats at the period
``PURETANGO_EVENT_HEARTBEAT_PERIOD`` with the dummy message, the double send to new
subscribers, counters, and subscriptions that expire after
``PURETANGO_EVENT_SUBSCRIPTION_EXPIRY`` unless confirmed."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zmq
from peers.launch import HOST, free_port

from puretango.events import DUMMY_MESSAGE, decode_payload, parse_message
from puretango.idl import UnionValue
from puretango.idl._enums import AttributeDataType
from puretango.server import Device, attribute
from puretango.server._server import DeviceServer, server_in_thread

CAPTURES = Path(__file__).resolve().parents[3] / "shared" / "captures"
HEARTBEAT = 0.2
EXPIRY = 1.5


class Dbl(Device):
    """The device of the captures: ``a/b/c`` with a READ_WRITE double ``dbl``."""

    dbl = attribute(
        dtype=float,
        unit="mm",
        format="%6.3f",
        abs_change=0.1,
        change_event_implemented=True,
        change_event_detect=False,
        archive_event_implemented=True,
        archive_event_detect=False,
    )

    def read_dbl(self) -> float:
        return 7.5

    def write_dbl(self, value: float) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[DeviceServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PURETANGO_EVENT_HEARTBEAT_PERIOD", str(HEARTBEAT))
        patch.setenv("PURETANGO_EVENT_SUBSCRIPTION_EXPIRY", str(EXPIRY))
        srv = DeviceServer("TestDev", "test", [(Dbl, "a/b/c", None)], host=HOST, port=free_port())
    thread, _ = server_in_thread(srv)
    try:
        yield srv
    finally:
        srv.request_stop()
        thread.join(10)


def on_loop(srv: DeviceServer, func: Any, *args: Any) -> Any:
    """Run ``func(*args)`` on the server's loop (as the admin device's commands run)."""

    async def call() -> Any:
        return func(*args)

    assert srv.loop is not None
    return asyncio.run_coroutine_threadsafe(call(), srv.loop).result(10)


def subscribe(srv: DeviceServer, attr: str, event: str) -> tuple[list[int], list[str]]:
    result: tuple[list[int], list[str]] = on_loop(
        srv, srv.events.subscribe, ["a/b/c", attr, "subscribe", event, "6"]
    )
    return result


class Sub:
    """A raw SUB socket on the server's event and heartbeat endpoints."""

    def __init__(self, reply: tuple[list[int], list[str]], everything: bool = False) -> None:
        self.context = zmq.Context()
        self.events = self.context.socket(zmq.SUB)
        self.beats = self.context.socket(zmq.SUB)
        heartbeat, event, topic, channel = reply[1]
        self.events.connect(event)
        self.beats.connect(heartbeat)
        self.events.setsockopt(zmq.SUBSCRIBE, b"" if everything else topic.encode())
        self.beats.setsockopt(zmq.SUBSCRIBE, f"{channel}#dbase=no.heartbeat".encode())
        time.sleep(0.3)  # the subscriptions reach the PUB sockets

    def receive(self, sock: Any, timeout: float = 3.0) -> list[bytes] | None:
        if not sock.poll(int(timeout * 1000)):
            return None
        frames: list[bytes] = sock.recv_multipart()
        return frames

    def drain(self, sock: Any, seconds: float = 0.3) -> list[list[bytes]]:
        """Everything received in the next ``seconds``."""
        out = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if (frames := self.receive(sock, left)) is not None:
                out.append(frames)
        return out

    def close(self) -> None:
        self.events.close(0)
        self.beats.close(0)
        self.context.term()


def _captured(event_name: str) -> list[bytes]:
    for name in ("zmq_ev.jsonl", "zmq_ev2.jsonl", "zmq_hb.jsonl"):
        for line in (CAPTURES / name).read_text().splitlines():
            record = json.loads(line)
            frames = [bytes.fromhex(f) for f in record.get("frames", [])]
            if len(frames) > 1 and frames[0].endswith(b"." + event_name.encode()):
                return frames
    raise AssertionError(f"no {event_name} in the captures")


def _same_outside_padding(ours: bytes, captured: bytes) -> bool:
    return len(ours) == len(captured) and all(x == y or x == 0 for x, y in zip(ours, captured))


def test_reply_layout_and_topics(server: DeviceServer) -> None:
    lvalue, svalue = subscribe(server, "dbl", "change")
    assert lvalue[:3] == [1033, 6, 1000] and lvalue[5] != 310
    heartbeat, event, topic, channel = svalue
    assert heartbeat.startswith(f"tcp://{HOST}:") and event.startswith(f"tcp://{HOST}:")
    assert topic == f"{server.events.prefix}a/b/c/dbl#dbase=no.idl5_change"
    assert channel == f"{server.events.prefix}dserver/testdev/test"
    assert server.events.prefix.endswith(f":{server.port}/")


def test_change_event_frames_as_captured(server: DeviceServer) -> None:
    reply = subscribe(server, "dbl", "change")
    sub = Sub(reply)
    try:
        servant = server.servants[b"a/b/c"]
        servant.attributes["dbl"].setpoint = UnionValue(
            AttributeDataType.ATT_DOUBLE, np.array([4.5])
        )
        servant.attributes["dbl"].setpoint_dims = (1, 0)
        server.events.push_value("a/b/c", "dbl", "change", (7.5,), False)
        frames = sub.receive(sub.events)
        assert frames is not None
        captured = _captured("idl5_change")
        message = parse_message(frames)
        assert message is not None and message.topic == reply[1][2]
        assert frames[1] == captured[1]
        ctr = message.ctr.to_bytes(4, "little")
        assert _same_outside_padding(frames[2], captured[2][:4] + ctr + captured[2][8:])
        # the payload: the same bytes but the time (read 7.5, set point 4.5, VALID, "dbl")
        ours, theirs = frames[3], captured[3]
        assert _same_outside_padding(ours, theirs[:40] + ours[40:52] + theirs[52:])
        value = decode_payload(message)
        assert list(value.value.value) == [7.5, 4.5]
    finally:
        sub.close()


def test_data_ready_frames_as_captured(server: DeviceServer) -> None:
    on_loop(server, server.servants[b"a/b/c"].device.set_data_ready_event, "dbl", True)
    sub = Sub(subscribe(server, "dbl", "data_ready"))
    try:
        server.events.push_data_ready("a/b/c", "dbl", 42)
        frames = sub.drain(sub.events)
        captured = _captured("data_ready")
        assert frames and frames[0][3] == captured[3]
        assert frames[0][0] == f"{server.events.prefix}a/b/c/dbl#dbase=no.data_ready".encode()
    finally:
        sub.close()


def test_heartbeats_dummy_and_double_send(server: DeviceServer) -> None:
    reply = subscribe(server, "dbl", "user_event")
    sub = Sub(reply, everything=True)
    try:
        subscribe(server, "dbl", "user_event")  # a new subscription: the next ones go twice
        server.events.push_value("a/b/c", "dbl", "user_event", (1.0,), False)
        server.events.push_value("a/b/c", "dbl", "user_event", (2.0,), False)
        time.sleep(HEARTBEAT * 3)
        received = sub.drain(sub.events)
        events = [f for f in received if len(f) == 4]
        ctrs = [parse_message(f).ctr for f in events]  # type: ignore[union-attr]
        assert len(ctrs) == 3 and ctrs[0] == ctrs[1] and ctrs[2] == ctrs[0] + 1
        assert [DUMMY_MESSAGE] in received  # after each heartbeat, on the event socket
        beats = sub.drain(sub.beats, HEARTBEAT * 2)
        assert len(beats) >= 2
        captured = _captured("heartbeat")
        assert beats[0][0] == f"{reply[1][3]}#dbase=no.heartbeat".encode()
        assert beats[0][1:] == captured[1:]
    finally:
        sub.close()


def test_error_event_frames(server: DeviceServer) -> None:
    sub = Sub(subscribe(server, "dbl", "change"))
    try:
        server.events.push_value("a/b/c", "dbl", "change", (RuntimeError("boom"),), False)
        frames = sub.drain(sub.events)[-1]
        message = parse_message(frames)
        assert message is not None and message.is_error
        errors = decode_payload(message)
        assert errors[0].reason == "PyDs_PythonError" and errors[0].desc == "RuntimeError: boom\n"
    finally:
        sub.close()


def test_subscriptions_expire_unless_confirmed(server: DeviceServer) -> None:
    events = server.events
    sub = Sub(subscribe(server, "dbl", "archive"))
    try:
        assert events.has_subscriber("a/b/c", "dbl", "archive")
        time.sleep(EXPIRY / 2)
        on_loop(server, events.confirm, ["a/b/c", "dbl", "idl5_archive"])
        time.sleep(EXPIRY / 2 + 0.2)
        assert events.has_subscriber("a/b/c", "dbl", "archive")  # confirmed in time
        time.sleep(EXPIRY / 2 + 0.2)
        assert not events.has_subscriber("a/b/c", "dbl", "archive")
        sub.drain(sub.events)
        events.push_value("a/b/c", "dbl", "archive", (9.0,), False)
        assert sub.drain(sub.events) == []
    finally:
        sub.close()


def test_idl4_clients_get_unprefixed_topics_and_attribute_value_4(server: DeviceServer) -> None:
    reply = on_loop(server, server.events.subscribe, ["a/b/c", "dbl", "subscribe", "change", "4"])
    assert reply[1][2].endswith("/a/b/c/dbl#dbase=no.change")
    sub = Sub(reply)
    try:
        server.events.push_value("a/b/c", "dbl", "change", (3.5,), False)
        message = parse_message(sub.drain(sub.events)[-1])
        assert message is not None and message.event_name == "change"
        value = decode_payload(message)
        assert type(value).__name__ == "AttributeValue_4" and value.value.value[0] == 3.5
    finally:
        sub.close()


def test_ipv6_server_publishes_on_ipv6() -> None:
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 loopback here")
    srv = DeviceServer("TestDev", "v6", [(Dbl, "a/b/c", None)], host="::1", port=0)
    thread, _ = server_in_thread(srv)
    try:
        reply = subscribe(srv, "dbl", "user_event")
        assert reply[1][1].startswith("tcp://[::1]:")
        context = zmq.Context()
        sock = context.socket(zmq.SUB)
        sock.setsockopt(zmq.IPV6, 1)
        sock.connect(reply[1][1])
        sock.setsockopt(zmq.SUBSCRIBE, reply[1][2].encode())
        time.sleep(0.3)
        srv.events.push_value("a/b/c", "dbl", "user_event", (1.5,), False)
        assert sock.poll(3000)
        assert decode_payload(parse_message(sock.recv_multipart())).value.value[0] == 1.5
        sock.close(0)
        context.term()
    finally:
        srv.request_stop()
        thread.join(10)


def test_attr_conf_frames_as_captured(server: DeviceServer) -> None:
    """The capture's label change of ``dbl`` (declared as in captures/TestDev.py)."""
    sub = Sub(subscribe(server, "dbl", "attr_conf"))
    try:
        attr = server.servants[b"a/b/c"].attributes["dbl"]
        original = attr.config
        attr.config = dataclasses.replace(original, label="Changed")
        try:
            server.events.push_config("a/b/c", "dbl")
        finally:
            attr.config = original
        frames = sub.drain(sub.events)[-1]
        captured = _captured("idl5_attr_conf")
        ours_conf = decode_payload(parse_message(frames))
        theirs = decode_payload(parse_message(captured))
        assert ours_conf == theirs
        assert _same_outside_padding(frames[3], captured[3])
    finally:
        sub.close()


class Enc(Device):
    """A DevEncoded attribute whose change events are pushed."""

    enc = attribute(dtype=bytes, change_event_implemented=True, change_event_detect=True)

    def read_enc(self) -> tuple[str, bytes]:
        return "raw", b"\x01\x02"


def test_encoded_pushes_and_their_detection() -> None:
    srv = DeviceServer("TestDev", "enc", [(Enc, "e/n/c", None)], host=HOST, port=0)
    thread, _ = server_in_thread(srv)
    try:
        reply = on_loop(srv, srv.events.subscribe, ["e/n/c", "enc", "subscribe", "change", "6"])
        sub = Sub(reply)
        try:
            for data in (b"ab", b"ab", b"cd"):  # the same value again is no change
                srv.events.push_value("e/n/c", "enc", "change", ("fmt", data), True)
            messages = {m.ctr: m for f in sub.drain(sub.events) if (m := parse_message(f))}
            received = [decode_payload(m) for m in messages.values()]  # double send dropped
            encoded = [v.value.value for v in received]
            assert [(e[0].encoded_format, bytes(e[0].encoded_data)) for e in encoded] == [
                ("fmt", b"ab"),
                ("fmt", b"cd"),
            ]
        finally:
            sub.close()
    finally:
        srv.request_stop()
        thread.join(10)
