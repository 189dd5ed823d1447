"""Events published by a puretango device server, received by real PyTango 10.3 clients
(``tango.DeviceProxy.subscribe_event`` in a subprocess): every kind pushed by device code,
the kinds the poller's reads drive (``attribute_polled``, called as the poller calls it),
the refusals compared with a PyTango server's, with and without a Database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.databases import call_db, ours
from peers.launch import HOST, READY_MARKER, PyTangoServer, free_port, peer_env, run_pytango_client

from events.evdev import EvDev, polled_period
from puretango.server._server import DeviceServer, server_in_thread

pytest.importorskip("tango", reason="PyTango is the reference client")

HERE = Path(__file__).resolve().parent
DEVICE = "ev/dev/1"

#: collects the events of PyTango subscriptions, one JSON line per event at the end
CLIENT_PRELUDE = r"""
import json, sys, time
import tango
dev = tango.DeviceProxy(sys.argv[1])
events = []

def summary(ev):
    name = ev.attr_name.rsplit("/", 1)[-1].split("#")[0] if hasattr(ev, "attr_name") else ""
    if ev.err:
        return [ev.event, name, "error", [e.reason for e in ev.errors]]
    if isinstance(ev, tango.AttrConfEventData):
        return [ev.event, name, "conf", ev.attr_conf.label]
    if isinstance(ev, tango.DataReadyEventData):
        return [ev.event, name, "ready", ev.ctr]
    value = ev.attr_value.value
    value = value.tolist() if hasattr(value, "tolist") else value
    return [ev.event, name, str(ev.attr_value.quality), value]

def cb(ev):
    events.append(summary(ev))

def sub(attr, kind):
    return dev.subscribe_event(attr, getattr(tango.EventType, kind), cb)

def settle(seconds=0.4):
    time.sleep(seconds)

def report():
    settle()
    print(json.dumps(events))
"""


def run_client(body: str, trl: str, env: dict[str, str] | None = None) -> Any:
    code = CLIENT_PRELUDE + body
    out = subprocess.run(
        [sys.executable, "-c", code, trl],
        capture_output=True,
        text=True,
        timeout=60,
        env={**peer_env(), **(env or {})},
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def server() -> Iterator[DeviceServer]:
    """Our EvDev server in this process, ``-nodb``, on the loopback interface."""
    srv = DeviceServer("EvDev", "t", [(EvDev, DEVICE, None)], host=HOST, port=free_port())
    srv.poller.period_of = polled_period  # type: ignore[method-assign]
    thread, _ = server_in_thread(srv)
    try:
        yield srv
    finally:
        srv.request_stop()
        thread.join(10)


def trl(srv: DeviceServer, device: str = DEVICE) -> str:
    return f"tango://{HOST}:{srv.port}/{device}#dbase=no"


#: seconds a PyTango client stays subscribed with nothing but heartbeats (9 s apart); it
#: reports API_EventTimeout after 10-20 s without one
WATCH_SECONDS = 23


@pytest.fixture(scope="module")
def heartbeat_watch(server: DeviceServer) -> Iterator[subprocess.Popen[str]]:
    """A PyTango client subscribed for WATCH_SECONDS while the other tests run."""
    body = f"""
sub("text", "CHANGE_EVENT")
time.sleep({WATCH_SECONDS})
print(json.dumps(events))
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT_PRELUDE + body, trl(server)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=peer_env(),
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_pushed_events_of_every_kind(
    server: DeviceServer, heartbeat_watch: subprocess.Popen[str]
) -> None:
    body = r"""
for attr, kind in [("value", "CHANGE_EVENT"), ("value", "ARCHIVE_EVENT"),
                   ("value", "USER_EVENT"), ("ready", "DATA_READY_EVENT"),
                   ("value", "ATTR_CONF_EVENT"), ("text", "CHANGE_EVENT"),
                   ("declared", "CHANGE_EVENT")]:
    sub(attr, kind)
settle()
events.append("--")  # the synchronous reads at subscription came before
dev.Push(0.5)        # the first push after subscribing is sent
dev.Push(0.9)        # within abs_change=1: not an event
dev.Push(2.0)
dev.PushArchive(10.0)
dev.PushUser(3.0)
dev.PushReady(42)
dev.PushError()
dev.PushError()      # the same error again: not a change
dev.Push(2.0)        # recovered from the error: an event
dev.PushText("x")
conf = dev.get_attribute_config("value")
conf.label = "Changed"
dev.set_attribute_config(conf)
report()
"""
    events = run_client(body, trl(server))
    pushed = events[events.index("--") + 1 :]
    assert [e for e in pushed if e[1] == "value" and e[0] == "change"] == [
        ["change", "value", "ATTR_VALID", 0.5],
        ["change", "value", "ATTR_VALID", 2.0],
        ["change", "value", "error", ["PyDs_PythonError"]],
        ["change", "value", "ATTR_VALID", 2.0],
    ]
    assert ["archive", "value", "ATTR_VALID", 10.0] in pushed
    assert ["user_event", "value", "ATTR_VALID", 3.0] in pushed
    assert ["data_ready", "ready", "ready", 42] in pushed
    assert ["change", "text", "ATTR_VALID", "x"] in pushed
    assert ["attr_conf", "value", "conf", "Changed"] in pushed
    assert not any("API_MissedEvents" in str(e) for e in events)


def test_events_of_polled_reads(server: DeviceServer) -> None:
    """What the poller's reads fire: change by rel_change/abs_change and size, error and
    recovery, periodic every ``period``, archive; State changes."""
    body = r"""
import time
dev.SetSpectrum([1.0, 2.0])
dev.SetReading(0.0)
dev.SetFail(False)
sub("spectrum", "CHANGE_EVENT")
sub("reading", "CHANGE_EVENT")
settle()
dev.Poll("spectrum")             # the first reading after subscribing: an event
dev.SetSpectrum([1.05, 2.0]); dev.Poll("spectrum")   # 5 % < rel_change 10 %
dev.SetSpectrum([1.2, 2.0]); dev.Poll("spectrum")    # 14 %: an event
dev.SetSpectrum([1.2, 2.0, 3.0]); dev.Poll("spectrum")  # a new size: an event
dev.Poll("reading")
dev.SetReading(0.5); dev.Poll("reading")              # within abs_change 1
dev.SetFail(True); dev.Poll("reading"); dev.Poll("reading")  # one error event
dev.SetFail(False); dev.Poll("reading")               # recovery
settle()
events.append("periodic")
sub("reading", "PERIODIC_EVENT")
settle()
dev.Poll("reading")
dev.Poll("reading")              # too soon after the last one: no periodic event
for _ in range(2):
    time.sleep(0.12)
    dev.Poll("reading")
report()
"""
    events = run_client(body, trl(server))
    split = events.index("periodic")
    changes, periodic = events[:split], events[split + 1 :]
    spectrum = [e[3] for e in changes if e[1] == "spectrum"]
    assert spectrum == [[1.0, 2.0], [1.0, 2.0], [1.2, 2.0], [1.2, 2.0, 3.0]]
    reading = [e[2:] for e in changes if e[1] == "reading"]
    assert reading == [
        ["ATTR_VALID", 0.0],  # the synchronous read at subscription
        ["ATTR_VALID", 0.0],
        ["error", ["PyDs_PythonError"]],
        ["ATTR_VALID", 0.5],
    ]
    assert [e[0] for e in periodic] == ["periodic"] * 4  # the initial read, then 3


def test_refusals_as_a_pytango_server(server: DeviceServer, tmp_path: Path) -> None:
    """Subscriptions refused with cppTango's reasons and messages, as by PyTango."""
    body = r"""
for attr, kind in [("plain", "CHANGE_EVENT"), ("plain", "ARCHIVE_EVENT"),
                   ("plain", "PERIODIC_EVENT"), ("plain", "ALARM_EVENT"),
                   ("nocrit", "CHANGE_EVENT"), ("nocrit", "ARCHIVE_EVENT"),
                   ("plain", "DATA_READY_EVENT"), ("nosuch", "USER_EVENT"),
                   ("plain", "USER_EVENT")]:
    try:
        dev.unsubscribe_event(sub(attr, kind))
        events.append([attr, kind, "ok"])
    except tango.DevFailed as exc:
        events.append([attr, kind, [e.reason for e in exc.args], exc.args[0].desc])
report()
"""
    ours_out = run_client(body, trl(server))
    reference = HERE / "refdev.py"
    with PyTangoServer(reference, "ref", [DEVICE]) as pytango_server:
        theirs = run_client(body, pytango_server.trl(DEVICE))
    assert ours_out == theirs
    assert ours_out[0][2] == [
        "API_AttributePollingNotStarted",
        "API_CommandFailed",
        "API_DSFailedRegisteringEvent",
    ]


def test_confirmation_and_query(server: DeviceServer) -> None:
    body = r"""
sub("value", "CHANGE_EVENT")
admin = tango.DeviceProxy(dev.adm_name())
admin.command_inout("EventConfirmSubscription", ["ev/dev/1", "value", "idl5_change"])
try:
    admin.command_inout("EventConfirmSubscription", ["ev/dev/1", "plain", "idl5_change"])
except tango.DevFailed as exc:
    events.append(exc.args[0].reason)
info = admin.command_inout("ZmqEventSubscriptionChange", ["info"])
events.append([int(info[0][0]), [s.split(":")[0] for s in info[1]]])
events.append(json.loads(admin.command_inout("QueryEventSystem")))
report()
"""
    out = run_client(body, trl(server))
    assert out[1] == "API_AttributePollingNotStarted"
    assert out[2] == [1033, ["Heartbeat", "Event"]]
    counters = out[3]["server"]["event_counters"]
    assert any(k.endswith(f"/{DEVICE}/value#dbase=no.change") for k in counters)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our Database on a free port with an EvDev server registered; yields TANGO_HOST."""
    with ours(tmp_path_factory.mktemp("evdb") / "tango.db") as db:
        call_db(db.tango_host, [("DbAddServer", ["EvDev/db", "ev/db/1", "EvDev"])])
        yield db.tango_host


def test_pushed_events_through_a_database(database: str) -> None:
    env = {**peer_env(), "TANGO_HOST": database, "PYTHONPATH": str(HERE.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "events.evdev", "db"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=HERE.parent,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if READY_MARKER in line:
                break
        body = r"""
sub("value", "CHANGE_EVENT")
sub("value", "USER_EVENT")
settle()
dev.Push(5.0)
dev.PushUser(6.0)
report()
print(json.dumps([dev.get_attribute_config("value").name]))
"""
        out = run_pytango_client(
            CLIENT_PRELUDE.replace("sys.argv[1]", '"ev/db/1"') + body, env={"TANGO_HOST": database}
        ).splitlines()
        events = json.loads(out[-2])
        assert ["change", "value", "ATTR_VALID", 5.0] in events
        assert ["user_event", "value", "ATTR_VALID", 6.0] in events
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_interface_change_after_restart(server: DeviceServer) -> None:
    body = r"""
dev.subscribe_event(tango.EventType.INTERFACE_CHANGE_EVENT, lambda ev: events.append(
    [ev.event, ev.dev_started, sorted(a.name for a in ev.att_list)[:4], len(ev.cmd_list) > 5]))
settle()
events.append("--")
tango.DeviceProxy(dev.adm_name()).command_inout("DevRestart", "ev/dev/1")
report()
"""
    events = run_client(body, trl(server))
    after = events[events.index("--") + 1 :]
    # State and Status are in the list, as cppTango sends it (PyTango's test_event.py checks)
    assert after == [["intr_change", True, ["State", "Status", "declared", "nocrit"], True]]


def test_state_change_events_of_polled_reads(server: DeviceServer) -> None:
    body = r"""
dev.SetStateTo("ON")
sub("State", "CHANGE_EVENT")
settle()
events.append("--")
dev.Poll("State")               # the first after subscribing
dev.Poll("State")               # unchanged
dev.SetStateTo("FAULT")
dev.Poll("State")
report()
"""
    events = run_client(body, trl(server))
    after = events[events.index("--") + 1 :]
    assert after == [["change", "state", "ATTR_VALID", 0], ["change", "state", "ATTR_VALID", 8]]


def test_heartbeats_keep_a_pytango_subscription_alive(
    heartbeat_watch: subprocess.Popen[str],
) -> None:
    out, err = heartbeat_watch.communicate(timeout=WATCH_SECONDS + 30)
    assert heartbeat_watch.returncode == 0, err
    events = json.loads(out.strip().splitlines()[-1])
    assert events and not any(e[2] == "error" for e in events), events


def test_alarm_events_come_with_change_events(server: DeviceServer) -> None:
    """Tango 10: an attribute whose change events are pushed has alarm events too, on
    quality transitions into or out of ALARM/WARNING."""
    body = r"""
sub("text", "ALARM_EVENT")
settle()
events.append("--")
dev.PushText("first")            # the first after subscribing
dev.PushText("second")           # VALID again: no alarm event
report()
"""
    events = run_client(body, trl(server))
    after = events[events.index("--") + 1 :]
    assert after == [["alarm", "text", "ATTR_VALID", "first"]]
