"""Polling in a puretango server registered in our Database: ``poll_attribute`` stores the
period in the device property ``polled_attr`` (as cppTango writes it), a restarted server
polls it again, ``stop_poll_attribute`` removes it; and the poller's contract with the event
publisher (``events.attribute_polled`` after every polled read)."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.databases import HOST, ours

import puretango
from puretango.server import CommandDatabase
from puretango.server._server import DeviceServer, server_in_thread
from puretango.server._startup import database_server

POLLDEV = Path(__file__).with_name("polldev.py")
DEVICE = "test/poll/7"


def _pure_polldev() -> type:
    """``PollDev`` of polldev.py declared with puretango (its ``--pure`` mode)."""
    spec = importlib.util.spec_from_file_location("polldev_pure", POLLDEV)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = sys.argv
    sys.argv = [*saved, "--pure"]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = saved
    return module.PollDev  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with ours(tmp_path_factory.mktemp("polldb") / "tango.db") as db:
        client = puretango.Database(HOST, db.port)
        info = puretango.DbDevInfo()
        info.name, info._class, info.server = DEVICE, "PollDev", "PollDev/t1"
        client.add_server("PollDev/t1", [info], with_dserver=True)
        yield client


def _start(database: Any, calls: list[tuple[str, str, Any]]) -> tuple[DeviceServer, Any]:
    access = CommandDatabase(database.command_inout)
    server = database_server([_pure_polldev()], "PollDev", "t1", access, HOST, 0)
    server.events.attribute_polled = lambda *args: calls.append(args)  # type: ignore[method-assign]
    thread, _ = server_in_thread(server)
    return server, thread


def test_polling_stored_and_restored(database: Any) -> None:
    calls: list[tuple[str, str, Any]] = []
    server, thread = _start(database, calls)
    trl = f"tango://{HOST}:{database.get_db_port_num()}/{DEVICE}"
    try:
        dev = puretango.DeviceProxy(trl)
        dev.poll_attribute("counter", 150)
        dev.poll_command("Tick", 200)
        stored = database.get_device_property(DEVICE, ["polled_attr", "polled_cmd"])
        assert list(stored["polled_attr"]) == ["counter", "150"]
        assert list(stored["polled_cmd"]) == ["tick", "200"]
        dev.poll_attribute("counter", 250)
        stored = database.get_device_property(DEVICE, ["polled_attr"])
        assert list(stored["polled_attr"]) == ["counter", "250"]
        time.sleep(0.5)
        names = {(device, attr) for device, attr, _ in calls}
        assert (DEVICE, "autopolled") in names and (DEVICE, "counter") in names
        value = next(v for _, attr, v in calls if attr == "counter")
        assert value.name == "counter" and not value.err_list
    finally:
        server.request_stop()
        thread.join(10)
    server, thread = _start(database, [])
    try:
        assert server.poller.period_of(DEVICE, "attribute", "COUNTER") == 250
        assert server.poller.period_of(DEVICE, "command", "tick") == 200
        assert server.poller.period_of(DEVICE, "attribute", "autopolled") == 200
        assert server.poller.period_of(DEVICE, "attribute", "spec") is None
        dev = puretango.DeviceProxy(trl)
        time.sleep(0.4)
        assert dev.get_attribute_poll_period("counter") == 250
        assert len(dev.attribute_history("counter", 5)) >= 1
        dev.stop_poll_attribute("counter")
        dev.stop_poll_attribute("autopolled")  # declared in the code: remembered as not polled
        stored = database.get_device_property(
            DEVICE, ["polled_attr", "polled_cmd", "non_auto_polled_attr"]
        )
        assert list(stored["polled_attr"]) == []
        assert list(stored["polled_cmd"]) == ["tick", "200"]
        assert list(stored["non_auto_polled_attr"]) == ["autopolled"]
    finally:
        server.request_stop()
        thread.join(10)
    server, thread = _start(database, [])
    try:
        assert server.poller.period_of(DEVICE, "attribute", "autopolled") is None
        assert server.poller.period_of(DEVICE, "attribute", "counter") is None
    finally:
        server.request_stop()
        thread.join(10)
