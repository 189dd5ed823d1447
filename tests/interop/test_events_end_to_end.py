"""Events end to end through a puretango device server written as PyTango users write them
(``evsource_pure.py``: an attribute polled by declaration with change criteria, a pushed
one, one polled only when a client asks): real PyTango 10.3 clients and our own client, in
every green mode, receive polling-driven change and periodic events and pushed events, set
polling and criteria up from the client, and keep receiving after the server restarts."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.launch import PyTangoServer, peer_env

import puretango
import puretango.asyncio
import puretango.futures
import puretango.gevent
from puretango import EventType
from puretango.client import _events

pytest.importorskip("tango", reason="PyTango is the reference client")

HERE = Path(__file__).resolve().parent
DEVICE = "test/evsource/1"


def our_server(port: int | None = None) -> PyTangoServer:
    """Our server of ``evsource_pure.py`` (the launcher runs any server script)."""
    return PyTangoServer(HERE / "evsource_pure.py", "test", [DEVICE], port=port)


@pytest.fixture(scope="module")
def server() -> Iterator[PyTangoServer]:
    with our_server() as srv:
        yield srv


#: what every PyTango client snippet starts with: ``dev``, ``events``, ``record`` (a
#: callback), ``values(kind, attr)``, ``until(predicate)``
_PRELUDE = r"""
import json, sys, time
import tango
dev = tango.DeviceProxy(sys.argv[1])
events = []

def record(ev):
    if ev.err:
        events.append([ev.event, "error", ev.errors[0].reason])
    else:
        events.append([ev.event, ev.attr_name.rsplit("/", 1)[-1].split("#")[0],
                       ev.attr_value.value])

def values(kind, attr):
    return [e[2] for e in events if e[0] == kind and e[1] == attr]

def runs(seq):
    # the first polled reading after the first subscription to an attribute is an event,
    # as with cppTango: it repeats the subscription's read when the SUB socket is already
    # connected, and is lost in ZeroMQ's slow-joiner window otherwise
    return [v for i, v in enumerate(seq) if i == 0 or v != seq[i - 1]]

def until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("timed out; events: %r" % events)
        time.sleep(0.02)
"""


def pytango(code: str, trl: str, timeout: float = 90) -> object:
    """Run ``code`` after :data:`_PRELUDE` in a PyTango client process; its last output
    line is JSON."""
    out = subprocess.run(
        [sys.executable, "-c", _PRELUDE + code, trl],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=peer_env(),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_pytango_client_gets_polling_driven_change_and_periodic_events(
    server: PyTangoServer,
) -> None:
    result = pytango(
        r"""
dev.write_attribute("level", 0.0)
time.sleep(0.3)
change = dev.subscribe_event("level", tango.EventType.CHANGE_EVENT, record)
until(lambda: runs(values("change", "level")) == [0.0])
dev.write_attribute("level", 1.0)
until(lambda: 1.0 in values("change", "level"))
dev.write_attribute("level", 1.2)              # below abs_change 0.5: no event
time.sleep(0.6)
dev.write_attribute("level", 3.0)
until(lambda: 3.0 in values("change", "level"))
periodic = dev.subscribe_event("level", tango.EventType.PERIODIC_EVENT, record)
until(lambda: len(values("periodic", "level")) >= 4, timeout=5)
dev.unsubscribe_event(change)
dev.unsubscribe_event(periodic)
print(json.dumps({"change": runs(values("change", "level")),
                  "poll": dev.get_attribute_poll_period("level")}))
""",
        server.trl(DEVICE),
    )
    assert result == {"change": [0.0, 1.0, 3.0], "poll": 100}


def test_pytango_client_sets_up_polling_and_criteria_on_our_server(
    server: PyTangoServer,
) -> None:
    result = pytango(
        r"""
try:
    dev.subscribe_event("other", tango.EventType.CHANGE_EVENT, record)
    refused = None
except tango.DevFailed as exc:
    refused = exc.args[0].reason
dev.poll_attribute("other", 100)
try:
    dev.subscribe_event("other", tango.EventType.CHANGE_EVENT, record)
    no_criteria = None
except tango.DevFailed as exc:
    no_criteria = exc.args[0].reason
conf = dev.get_attribute_config("other")
conf.events.ch_event.abs_change = "1"
dev.set_attribute_config(conf)
eid = dev.subscribe_event("other", tango.EventType.CHANGE_EVENT, record)
dev.write_attribute("other", 5.0)
until(lambda: 5.0 in values("change", "other"))
dev.write_attribute("other", 5.5)
time.sleep(0.5)
dev.write_attribute("other", 7.0)
until(lambda: 7.0 in values("change", "other"))
dev.command_inout("Push", 42)
pushed = dev.subscribe_event("pushed", tango.EventType.CHANGE_EVENT, record)
dev.command_inout("Push", 43)
until(lambda: 43 in values("change", "pushed"))
dev.unsubscribe_event(eid)
dev.unsubscribe_event(pushed)
dev.stop_poll_attribute("other")
print(json.dumps({"refused": refused, "no_criteria": no_criteria,
                  "other": runs(values("change", "other")),
                  "pushed": values("change", "pushed")}))
""",
        server.trl(DEVICE),
    )
    assert result == {
        "refused": "API_AttributePollingNotStarted",
        "no_criteria": "API_EventPropertiesNotSet",
        "other": [0.0, 5.0, 7.0],
        "pushed": [42, 43],
    }


def test_pytango_client_resubscribes_after_our_server_restarts() -> None:
    """cppTango's keep-alive notices the missing heartbeats (it checks every 10 s), sends
    an API_EventTimeout error event, then subscribes again to the restarted server."""
    with our_server() as srv:
        code = r"""
eid = dev.subscribe_event("level", tango.EventType.CHANGE_EVENT, record)
until(lambda: len(values("change", "level")) >= 1)
print("SUBSCRIBED", flush=True)
sys.stdin.readline()                 # the test restarts the server meanwhile
dev.write_attribute("level", 9.0)
until(lambda: any(e[1] == "error" for e in events), timeout=40)
until(lambda: 9.0 in values("change", "level"), timeout=40)
print(json.dumps({"errors": sorted({e[2] for e in events if e[1] == "error"}),
                  "last": values("change", "level")[-1]}))
"""
        proc = subprocess.Popen(
            [sys.executable, "-c", _PRELUDE + code, srv.trl(DEVICE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=peer_env(),
        )
        try:
            assert proc.stdout is not None and proc.stdin is not None
            assert proc.stdout.readline().strip() == "SUBSCRIBED"
            srv.restart()
            proc.stdin.write("\n")
            proc.stdin.flush()
            out, err = proc.communicate(timeout=100)
        finally:
            proc.kill()
        assert proc.returncode == 0, out + err
        result = json.loads(out.strip().splitlines()[-1])
    assert result == {"errors": ["API_EventTimeout"], "last": 9.0}


# -- our client, in every green mode -------------------------------------------------------


@pytest.fixture(autouse=True)
def _forget_subscriptions() -> Iterator[None]:
    """A test's subscriptions must not keep re-subscribing to servers it stopped."""
    yield
    for consumer in list(_events._consumers):
        for sub_id in list(consumer.state.subscriptions):
            consumer.remove(sub_id)


def _runs(seq: list[Any]) -> list[Any]:
    """``seq`` without consecutive repeats (see ``runs`` in the PyTango prelude: a PyTango
    server, like ours, may repeat the subscription's reading once)."""
    return [v for i, v in enumerate(seq) if i == 0 or v != seq[i - 1]]


def _value(event: Any) -> Any:
    return None if event.err else event.attr_value.value


def _scenario(dev: Any, wait: Callable[[Callable[[], bool]], None], pause: Any) -> dict:
    """Polling-driven change events on ``level`` (abs_change 0.5) and pushed ones on
    ``pushed``, with blocking calls (sync, futures and gevent modes)."""
    dev.write_attribute("level", 0.0)
    pause(0.3)
    level: list[Any] = []
    pushed: list[Any] = []
    ids = [dev.subscribe_event("level", EventType.CHANGE_EVENT, level.append)]
    wait(lambda: _runs([_value(e) for e in level]) == [0.0])
    for value in (1.0, 1.2, 3.0):
        dev.write_attribute("level", value)
        pause(0.4)
    wait(lambda: 3.0 in [_value(e) for e in level])
    ids.append(dev.subscribe_event("pushed", EventType.CHANGE_EVENT, pushed.append))

    def pushed_arrived() -> bool:
        dev.Push(7)
        pause(0.05)
        return 7 in [_value(e) for e in pushed]

    wait(pushed_arrived)
    for event_id in ids:
        dev.unsubscribe_event(event_id)
    return {
        "level": _runs([_value(e) for e in level]),
        "errors": [e for e in level + pushed if e.err],
    }


def _blocking_wait(sleep: Callable[[float], Any]) -> Callable[[Callable[[], bool]], None]:
    def wait(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                pytest.fail(f"condition not met within {timeout} s")
            sleep(0.02)

    return wait


@pytest.mark.parametrize("mode", ["sync", "futures", "gevent"])
def test_our_client_gets_our_servers_events(server: PyTangoServer, mode: str) -> None:
    trl = server.trl(DEVICE)
    if mode == "gevent":
        import gevent

        dev = puretango.gevent.DeviceProxy(trl)
        result = _scenario(dev, _blocking_wait(gevent.sleep), gevent.sleep)
    else:
        factory = puretango.futures.DeviceProxy if mode == "futures" else puretango.DeviceProxy
        result = _scenario(factory(trl), _blocking_wait(time.sleep), time.sleep)
    assert result == {"level": [0.0, 1.0, 3.0], "errors": []}


def test_our_asyncio_client_gets_our_servers_events(server: PyTangoServer) -> None:
    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        dev = await puretango.asyncio.DeviceProxy(server.trl(DEVICE))
        await dev.write_attribute("level", 0.0)
        await asyncio.sleep(0.3)
        level: list[tuple[bool, Any]] = []

        async def callback(event: Any) -> None:  # coroutine callbacks are awaited on the loop
            level.append((asyncio.get_running_loop() is loop, _value(event)))

        event_id = await dev.subscribe_event("level", EventType.CHANGE_EVENT, callback)
        for value in (1.0, 1.2, 3.0):
            await asyncio.sleep(0.4)
            await dev.write_attribute("level", value)
        for _ in range(500):
            if (True, 3.0) in level:
                break
            await asyncio.sleep(0.02)
        await dev.unsubscribe_event(event_id)
        return level

    assert _runs(asyncio.run(main())) == [(True, 0.0), (True, 1.0), (True, 3.0)]


def test_our_client_resubscribes_after_our_server_restarts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PURETANGO_EVENT_HEARTBEAT_PERIOD", "0.5")  # our server's
    monkeypatch.setenv("PURETANGO_EVENT_HEARTBEAT_TIMEOUT", "2")  # our client's
    monkeypatch.setenv("PURETANGO_EVENT_RETRY_PERIOD", "0.5")
    with our_server() as srv:
        dev = puretango.DeviceProxy(srv.trl(DEVICE))
        seen: list[Any] = []
        dev.subscribe_event("level", EventType.CHANGE_EVENT, seen.append)
        wait = _blocking_wait(time.sleep)
        wait(lambda: len(seen) >= 1)
        srv.restart()
        wait(lambda: any(e.err and e.errors[0].reason == "API_EventTimeout" for e in seen))

        def resumed() -> bool:
            dev.write_attribute("level", 11.0)
            time.sleep(0.1)
            return 11.0 in [_value(e) for e in seen]

        wait(resumed, timeout=20)


def test_attribute_proxy_events_push_and_pull_models(server: PyTangoServer) -> None:
    """``AttributeProxy.subscribe_event(event_type, cb_or_queuesize)`` as PyTango has it."""
    attr = puretango.AttributeProxy(server.trl(DEVICE).replace("#dbase=no", "/pushed#dbase=no"))
    seen: list[Any] = []
    pushed_id = attr.subscribe_event(EventType.CHANGE_EVENT, seen.append)
    queued_id = attr.subscribe_event(EventType.CHANGE_EVENT, 10)
    wait = _blocking_wait(time.sleep)

    def arrived() -> bool:
        attr.get_device_proxy().Push(21)
        time.sleep(0.05)
        return 21 in [_value(e) for e in seen] and attr.event_queue_size(queued_id) >= 2

    wait(arrived)
    assert not attr.is_event_queue_empty(queued_id)
    queued = attr.get_events(queued_id)
    assert 21 in [_value(e) for e in queued]
    assert {e.attr_name.rsplit("/", 1)[-1] for e in seen + queued} == {"pushed#dbase=no"}
    assert attr.get_last_event_date(queued_id).totime() > 0
    attr.unsubscribe_event(pushed_id)
    attr.unsubscribe_event(queued_id)
