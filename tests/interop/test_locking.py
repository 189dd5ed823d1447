"""Device locking, both ways: our client locking a device of a PyTango server (a second,
PyTango, client is refused with cppTango's ``API_DeviceLocked``; the lock outlives its
validity through the re-lock thread), and the refusals for devices without a Database.

cppTango locks only Database devices, so the servers here are registered in a Database
of our own (``peers.databases.ours``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from peers.databases import ours
from peers.launch import run_pytango_client

import puretango as tango

from .test_database_client import RegisteredServer

pytest.importorskip("tango")

DEVICE = "test/dbtype/1"

PYTANGO_PROBE = """
import json, tango
p = tango.DeviceProxy({device!r})
seen = {{"locked": p.is_locked(), "by_me": p.is_locked_by_me()}}
for key, call in (("command", lambda: p.command_inout("EchoLong", 1)),
                  ("write", lambda: p.write_attribute("double_scalar_rw", 1.0)),
                  ("read", lambda: p.read_attribute("double_scalar_rw").value),
                  ("unlock", lambda: p.unlock())):
    try:
        call()
        seen[key] = "ok"
    except tango.DevFailed as exc:
        seen[key] = [[e.reason, e.desc] for e in exc.args]
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def tango_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ours(tmp_path_factory.mktemp("lockdb") / "tango.db") as database:
        host = database.tango_host
        run_pytango_client(
            f"""
import tango
info = tango.DbDevInfo()
info.name, info._class, info.server = {DEVICE!r}, "TypeDev", "TypeDev/db"
tango.Database().add_server(info.server, info, with_dserver=True)
""",
            env={"TANGO_HOST": host},
        )
        yield host


@pytest.fixture(scope="module")
def pytango_server(tango_host: str) -> Iterator[RegisteredServer]:
    server = RegisteredServer(tango_host)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pytango_view(tango_host: str) -> dict[str, Any]:
    out = run_pytango_client(PYTANGO_PROBE.format(device=DEVICE), env={"TANGO_HOST": tango_host})
    return json.loads(out)  # type: ignore[no-any-return]


def test_our_lock_refuses_a_pytango_client(
    tango_host: str, pytango_server: RegisteredServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANGO_HOST", tango_host)
    proxy = tango.DeviceProxy(DEVICE)
    assert not proxy.is_locked()
    assert proxy.locking_status() == f"Device {DEVICE} is not locked"
    proxy.lock(2)
    try:
        assert proxy.is_locked() and proxy.is_locked_by_me()
        assert proxy.locking_status().startswith(
            f"Device {DEVICE} is locked by CPP or Python client with PID"
        )
        time.sleep(2.5)  # past the validity: the re-lock thread keeps the lock
        theirs = _pytango_view(tango_host)
        locked = ["API_DeviceLocked", f"Device {DEVICE} is locked by another client"]
        assert theirs["locked"] and not theirs["by_me"]
        assert theirs["command"][0] == locked and theirs["command"][1][0] == "API_CommandFailed"
        assert theirs["write"][0] == locked and theirs["write"][1][0] == "API_AttributeFailed"
        assert theirs["read"] == "ok"
        assert theirs["unlock"][0][0] == "API_DeviceLocked"
        assert proxy.command_inout("EchoLong", 3) == 3  # the locker itself may
        with pytest.raises(tango.DevFailed) as info:
            proxy.lock(3)
        assert info.value.args[-1].reason == "API_MethodArgument"
    finally:
        proxy.unlock()
    assert not proxy.is_locked()
    theirs = _pytango_view(tango_host)
    assert theirs["command"] == "ok" and theirs["write"] == "ok"


def test_locking_needs_a_database_device(dev: Any) -> None:
    for method in ("lock", "unlock", "is_locked", "is_locked_by_me", "locking_status"):
        with pytest.raises(tango.NonDbDevice) as info:
            getattr(dev, method)()
        assert info.value.args[-1].reason == "API_NonDatabaseDevice"
