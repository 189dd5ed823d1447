"""Device locking, both ways: our client locking a device of a PyTango server (a second,
PyTango, client is refused with cppTango's ``API_DeviceLocked``; the lock outlives its
validity through the re-lock thread), and the refusals for devices without a Database.

cppTango locks only Database devices, so the servers here are registered in a Database
of our own (``peers.databases.ours``)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.databases import ours
from peers.launch import peer_env, run_pytango_client

import puretango as tango

from .test_database_client import RegisteredServer

pytest.importorskip("tango")

DEVICE = "test/dbtype/1"  # served by PyTango
PURE_DEVICE = "test/dbtype/2"  # served by puretango
PURE_SCRIPT = Path(__file__).parents[1] / "peers/typedev_pure.py"

LOCKER = """
import sys, tango
p = tango.DeviceProxy(sys.argv[1])
p.lock(2)
print("locked", flush=True)
sys.stdin.readline()
p.unlock()
"""

PYTANGO_PROBE = """
import json, tango
p = tango.DeviceProxy({device!r})
seen = {{"locked": p.is_locked(), "by_me": p.is_locked_by_me()}}
for key, call in (("command", lambda: p.command_inout("EchoLong", 1)),
                  ("state", lambda: p.command_inout("State")),
                  ("write", lambda: p.write_attribute("double_scalar_rw", 1.0)),
                  ("config", lambda: p.set_attribute_config(
                      p.get_attribute_config("double_scalar_rw"))),
                  ("read", lambda: p.read_attribute("double_scalar_rw").value),
                  ("unlock", lambda: p.unlock())):
    try:
        call()
        seen[key] = "ok"
    except tango.DevFailed as exc:
        seen[key] = [[e.reason, e.desc, e.origin] for e in exc.args]
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def tango_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ours(tmp_path_factory.mktemp("lockdb") / "tango.db") as database:
        host = database.tango_host
        run_pytango_client(
            f"""
import tango
for name, server in (({DEVICE!r}, "TypeDev/db"), ({PURE_DEVICE!r}, "typedev_pure/db")):
    info = tango.DbDevInfo()
    info.name, info._class, info.server = name, "TypeDev", server
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


@pytest.fixture(scope="module")
def pure_server(tango_host: str) -> Iterator[RegisteredServer]:
    server = RegisteredServer(tango_host)
    server.script = PURE_SCRIPT
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pytango_view(tango_host: str, device: str = DEVICE) -> dict[str, Any]:
    out = run_pytango_client(PYTANGO_PROBE.format(device=device), env={"TANGO_HOST": tango_host})
    return json.loads(out)  # type: ignore[no-any-return]


def _client_part(errors: Any) -> Any:
    """An error stack without the origins the client library wrote (cppTango's source
    paths): the server's entries are compared whole."""
    if not isinstance(errors, list):
        return errors
    return [e if e[2].startswith("Device_Impl::") else e[:2] for e in errors]


@contextlib.contextmanager
def _locked_by_pytango(tango_host: str, device: str) -> Iterator[None]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, device],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**peer_env(), "TANGO_HOST": tango_host},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.write("done\n")
        proc.stdin.close()
        proc.wait(30)


def test_pytango_lock_on_our_server_refuses_as_pytango_server_does(
    tango_host: str,
    pytango_server: RegisteredServer,
    pure_server: RegisteredServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TANGO_HOST", tango_host)
    views = {}
    for device in (DEVICE, PURE_DEVICE):
        with _locked_by_pytango(tango_host, device):
            time.sleep(2.5)  # past the validity: PyTango's re-lock thread keeps the lock
            views[device] = _pytango_view(tango_host, device)
            ours = tango.DeviceProxy(device)
            assert ours.is_locked() and not ours.is_locked_by_me()
            with pytest.raises(tango.DevFailed) as info:
                ours.command_inout("EchoLong", 1)
            assert info.value.args[0].reason == "API_DeviceLocked"
        assert not tango.DeviceProxy(device).is_locked()
    theirs = views[DEVICE]
    mine_text = json.dumps(views[PURE_DEVICE]).replace(PURE_DEVICE, DEVICE)
    mine = json.loads(mine_text.replace("typedev_pure/", "typedev/"))  # the server names
    for key in theirs:
        assert _client_part(mine[key]) == _client_part(theirs[key]), key
    assert theirs["command"][0][0] == "API_DeviceLocked" and theirs["state"] == "ok"


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
        locked = [
            "API_DeviceLocked",
            f"Device {DEVICE} is locked by another client",
            "Device_Impl::command_inout4",
        ]
        assert theirs["locked"] and not theirs["by_me"]
        assert theirs["command"][0] == locked and theirs["command"][1][0] == "API_CommandFailed"
        assert theirs["write"][0][:2] == locked[:2]
        assert theirs["write"][1][0] == "API_AttributeFailed"
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


def test_our_server_locks_counts_and_expires(
    tango_host: str, pure_server: RegisteredServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANGO_HOST", tango_host)
    proxy = tango.DeviceProxy(PURE_DEVICE)
    proxy.lock(3)
    proxy.lock(3)
    try:
        theirs = _pytango_view(tango_host, PURE_DEVICE)
        assert theirs["command"][0][0] == "API_DeviceLocked" and theirs["read"] == "ok"
        proxy.unlock()
        assert proxy.is_locked_by_me()  # locked twice, unlocked once
    finally:
        proxy.unlock()
    assert not proxy.is_locked()
    # a lock nobody renews (no re-lock thread: the admin command itself) expires
    admin = tango.DeviceProxy(proxy.adm_name())
    admin.command_inout("LockDevice", [[2], [PURE_DEVICE]])
    assert proxy.is_locked()
    time.sleep(2.5)
    assert not proxy.is_locked()
    assert _pytango_view(tango_host, PURE_DEVICE)["command"] == "ok"
