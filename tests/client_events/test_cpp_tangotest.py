"""Our client receives events from the C++ TangoTest of cppTango 9.3 (IDL 5 event names),
registered in the C++ Database (DataBaseds on MariaDB): polling switched on through the
admin device's ``AddObjPolling``, ``abs_change`` and the event period set from our client,
then change and periodic events on ``double_scalar``, by a Database name (events with a
Database), and their re-confirmation. The MariaDB is shared: this run's server and device
names are unique, and deleted at the end."""

from __future__ import annotations

import signal
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from peers.databases import DbProcess
from peers.launch import CPP_TANGO, HOST, cpp_database, free_port, peer_env, run_pytango_client

import puretango
from puretango import EventReason, EventType

from .conftest import wait_for

if not CPP_TANGO.exists():  # pragma: no cover - the peer is part of CI
    pytest.skip("the cpp-tango peer script is absent", allow_module_level=True)

REGISTER = r"""
import tango
info = tango.DbDevInfo()
info.name, info._class, info.server = {device!r}, "TangoTest", {server!r}
tango.Database().add_server(info.server, info)
"""

UNREGISTER = r"""
import tango
tango.Database().delete_server({server!r})
"""


class CppPeer:
    """A running C++ TangoTest registered in a C++ Database."""

    def __init__(self, tango_host: str, instance: str, device: str) -> None:
        self.tango_host, self.instance, self.device = tango_host, instance, device
        self.server: DbProcess | None = None

    def start(self) -> None:
        """Start the TangoTest on a new free port (it exports its new IOR)."""
        port = free_port()
        argv = [str(CPP_TANGO), "tangotest", self.instance]
        argv += ["-ORBendPoint", f"giop:tcp:{HOST}:{port}"]
        env = {**peer_env(), "TANGO_HOST": self.tango_host}
        self.server = DbProcess(argv, port, env).start()

    def stop(self) -> None:
        if self.server is not None and self.server.proc is not None:
            self.server.kill(signal.SIGINT)
        self.server = None


@pytest.fixture(scope="module")
def cpp_tangotest() -> Iterator[CppPeer]:
    """A running C++ TangoTest, in a C++ Database of its own on the shared MariaDB."""
    with cpp_database() as tango_host:
        env = {"TANGO_HOST": tango_host}
        tok = uuid.uuid4().hex[:8]
        peer = CppPeer(tango_host, f"evcli{tok}", f"evcli/tg{tok}/1")
        server_name = f"TangoTest/{peer.instance}"
        try:
            run_pytango_client(REGISTER.format(device=peer.device, server=server_name), env=env)
            peer.start()
            yield peer
        finally:
            peer.stop()
            run_pytango_client(UNREGISTER.format(server=server_name), env=env)


def test_change_and_periodic_events_from_the_cpp_tangotest(
    cpp_tangotest: CppPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from puretango.client import _events

    monkeypatch.setenv("PURETANGO_EVENT_CONFIRM_PERIOD", "0.5")
    confirmed: list[Any] = []
    real = _events.g_confirm

    def recording(admin: Any, argin: list[str]) -> Any:
        confirmed.append((yield from admin._g_command_inout("EventConfirmSubscription", argin)))
        return (yield from real(admin, argin))

    monkeypatch.setattr(_events, "g_confirm", recording)
    tango_host, device = cpp_tangotest.tango_host, cpp_tangotest.device
    dev = puretango.DeviceProxy(f"tango://{tango_host}/{device}")
    admin = puretango.DeviceProxy(dev.adm_name())
    admin.command_inout("AddObjPolling", [[100], [device, "attribute", "double_scalar"]])
    config = dev.get_attribute_config("double_scalar")
    config.events.ch_event.abs_change = "0.0001"
    config.events.per_event.period = "200"
    dev.set_attribute_config(config)
    changes: list[Any] = []
    periodic: list[Any] = []
    dev.subscribe_event("double_scalar", EventType.CHANGE_EVENT, changes.append)
    dev.subscribe_event("double_scalar", EventType.PERIODIC_EVENT, periodic.append)
    wait_for(lambda: len(changes) >= 3 and len(periodic) >= 3 and confirmed, timeout=15)
    assert confirmed[0] is None  # cppTango 9.3 has EventConfirmSubscription
    for events, kind in ((changes, "change"), (periodic, "periodic")):
        assert events[0].event_reason == EventReason.SubSuccess
        updates = [e for e in events if e.event_reason == EventReason.Update]
        assert updates and not any(e.err for e in events)
        for event in events:
            assert event.event == kind
            assert event.attr_name == f"tango://{tango_host}/{device}/double_scalar"
            assert event.attr_value.name == "double_scalar"
            assert isinstance(event.attr_value.value, float)
            assert event.device is dev
    values = [e.attr_value.value for e in changes[1:]]  # after the subscription's read
    assert all(a != b for a, b in zip(values[1:], values[2:]))  # each one a change


def test_archive_and_attribute_configuration_events_from_the_cpp_tangotest(
    cpp_tangotest: CppPeer,
) -> None:
    """Archive events by ``archive_period`` on a polled attribute, and an attribute
    configuration event when our client changes the label (the kinds the C++ TangoTest can
    send: it has no command that pushes user or data-ready events)."""
    tango_host, device = cpp_tangotest.tango_host, cpp_tangotest.device
    dev = puretango.DeviceProxy(f"tango://{tango_host}/{device}")
    if not dev.is_attribute_polled("long_scalar"):
        dev.poll_attribute("long_scalar", 100)
    config = dev.get_attribute_config("long_scalar")
    config.events.arch_event.archive_period = "300"
    dev.set_attribute_config(config)
    archive: list[Any] = []
    conf: list[Any] = []
    dev.subscribe_event("long_scalar", EventType.ARCHIVE_EVENT, archive.append)
    dev.subscribe_event("long_scalar", EventType.ATTR_CONF_EVENT, conf.append)
    wait_for(lambda: len(archive) >= 3 and len(conf) == 1, timeout=15)
    config.label = "Relabelled"
    dev.set_attribute_config(config)
    wait_for(lambda: any(e.attr_conf.label == "Relabelled" for e in conf), timeout=10)
    assert not any(e.err for e in archive + conf)
    assert {e.event for e in archive} == {"archive"}
    assert all(isinstance(e.attr_value.value, int) for e in archive)
    assert archive[0].event_reason == EventReason.SubSuccess
    assert {e.event for e in conf} == {"attr_conf"}
    assert conf[-1].attr_conf.name == "long_scalar"
    assert conf[0].attr_name == f"tango://{tango_host}/{device}/long_scalar"


def test_resubscription_after_the_cpp_tangotest_moved(
    cpp_tangotest: CppPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server restarts on another port: the client finds it again through the Database
    (re-import of the device and of its admin device) and the events resume."""
    monkeypatch.setenv("PURETANGO_EVENT_HEARTBEAT_TIMEOUT", "3")
    monkeypatch.setenv("PURETANGO_EVENT_RETRY_PERIOD", "0.5")
    tango_host, device = cpp_tangotest.tango_host, cpp_tangotest.device
    dev = puretango.DeviceProxy(f"tango://{tango_host}/{device}")
    seen: list[Any] = []
    dev.subscribe_event("long_scalar_w", EventType.USER_EVENT, seen.append)
    wait_for(lambda: len(seen) == 1)
    cpp_tangotest.stop()
    wait_for(lambda: any(e.err and e.errors[0].reason == "API_EventTimeout" for e in seen))
    cpp_tangotest.start()
    wait_for(lambda: seen[-1].event_reason == EventReason.SubSuccess and not seen[-1].err, 20)
    assert seen[-1].attr_value.name == "long_scalar_w"
