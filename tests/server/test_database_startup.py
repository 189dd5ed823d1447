"""A puretango device server started with a real Database (PyTango's own DataBaseds),
reached through PyTango's ``DeviceProxy("sys/database/2").command_inout`` (a real peer),
and driven by real PyTango clients: the start-up sequence of protocol.md §7.5, properties,
attribute properties, memorized attributes across restarts, export and unexport."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.databases import pytango_db as pytango_database
from peers.launch import peer_env, run_pytango_client

from puretango import DevFailed, _registry
from puretango.server import CommandDatabase, run
from puretango.server._server import server_in_thread
from puretango.server._startup import database_server
from server.db_heater import Heater, pytango_command_inout

tango: Any = pytest.importorskip("tango")

SCRIPT = Path(__file__).with_name("db_heater.py")


@pytest.fixture(scope="module")
def tango_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PyTango's own Database device server (sqlite) on a free port; yields TANGO_HOST."""
    workdir: Path = tmp_path_factory.mktemp("db")
    with pytango_database(workdir / "tango.db") as database:
        yield database.tango_host


@pytest.fixture(scope="module")
def pytango_db(tango_host: str) -> Any:
    host, port = tango_host.split(":")
    return tango.Database(host, int(port))


@pytest.fixture(scope="module")
def access(tango_host: str) -> CommandDatabase:
    """Our DatabaseAccess on PyTango's proxy to the Database device."""
    return CommandDatabase(pytango_command_inout(f"tango://{tango_host}/sys/database/2"))


def _register(db: Any, server: str, devices: list[str]) -> None:
    infos = []
    for name in devices:
        info = tango.DbDevInfo()
        info.name, info._class, info.server = name, "Heater", server
        infos.append(info)
    db.add_server(server, infos, with_dserver=True)


def _imported(access: CommandDatabase, name: str) -> tuple[bool, int, str]:
    info = access.import_device(name)
    return info.exported, info.pid, info.version


def test_start_configure_memorize_restart_unexport(
    tango_host: str, pytango_db: Any, access: CommandDatabase
) -> None:
    _register(pytango_db, "Heater/t1", ["heat/er/1", "heat/er/2"])
    pytango_db.put_device_property("heat/er/1", {"gain": ["2.5"], "names": ["a", "b"]})
    pytango_db.put_class_property("Heater", {"model": ["HX-100"]})
    pytango_db.put_class_attribute_property("Heater", {"temperature": {"unit": ["K"]}})
    pytango_db.put_device_attribute_property(
        "heat/er/1",
        {"temperature": {"label": ["Temp"], "format": ["%5.1f"], "max_alarm": ["40"]}},
    )
    server = database_server([Heater], "Heater", "t1", access, "127.0.0.1", 0)
    thread, _ = server_in_thread(server)
    try:
        for name in ("heat/er/1", "heat/er/2", "dserver/Heater/t1"):
            assert _imported(access, name) == (True, os.getpid(), "6")
        code = """
import tango
dev = tango.DeviceProxy("heat/er/1")
conf = dev.get_attribute_config("temperature")
print(dev.temperature, conf.label, conf.unit, conf.format, conf.alarms.max_alarm)
print(dev.state(), dev.Info())
print(tango.DeviceProxy("heat/er/2").Info())
dev.setpoint = 7.5
dev.mode = 3
print(dev.adm_name())
"""
        lines = run_pytango_client(code, env={"TANGO_HOST": tango_host}).splitlines()
        assert lines[0] == "50.0 Temp K %5.1f 40"
        assert lines[1] == f"ALARM 2.5 a,b 7 HX-100 [] {os.getpid()}"
        assert lines[2] == f"1.0 none 7 HX-100 [] {os.getpid()}"
        assert lines[3].lower() == "dserver/heater/t1"
    finally:
        server.request_stop()
        thread.join(10)
    # unexported at exit; the set points stored as the attributes' __value
    assert _imported(access, "heat/er/1")[0] is False
    assert _imported(access, "dserver/Heater/t1")[0] is False
    stored = access.get_device_attribute_properties("heat/er/1", ["setpoint", "mode"])
    assert stored == {"setpoint": {"__value": ["7.5"]}, "mode": {"__value": ["3"]}}
    # a restart writes them back: hw_memorized through the write method, memorized as set point
    server = database_server([Heater], "Heater", "t1", access, "127.0.0.1", 0)
    thread, _ = server_in_thread(server)
    try:
        code = """
import tango
dev = tango.DeviceProxy("heat/er/1")
print(dev.setpoint, dev.read_attribute("mode").w_value, dev.mode, dev.Info())
"""
        out = run_pytango_client(code, env={"TANGO_HOST": tango_host}).strip()
        assert out == f"7.5 3 0 2.5 a,b 7 HX-100 [7.5] {os.getpid()}"
        # Init reads the device properties again
        pytango_db.put_device_property("heat/er/1", {"gain": ["3.0"]})
        code = 'import tango; d = tango.DeviceProxy("heat/er/1"); d.Init(); print(d.temperature)'
        assert run_pytango_client(code, env={"TANGO_HOST": tango_host}).strip() == "60.0"
    finally:
        server.request_stop()
        thread.join(10)


def test_not_registered(access: CommandDatabase) -> None:
    with pytest.raises(DevFailed) as info:
        database_server([Heater], "Heater", "nowhere", access)
    assert info.value.args[0].desc == (
        "The device server Heater/nowhere is not defined in database. Exiting!"
    )


def _start_script(instance: str, tango_host: str) -> subprocess.Popen[str]:
    env = {**peer_env(), "TANGO_HOST": tango_host}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), instance],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        if "Ready to accept request" in line:
            return
    pytest.fail(f"the server exited with {proc.wait()} before being ready")


def test_command_line_server_already_running_and_sigterm(
    tango_host: str, pytango_db: Any, access: CommandDatabase
) -> None:
    _register(pytango_db, "db_heater/t2", ["heat/er/3"])
    proc = _start_script("t2", tango_host)
    try:
        _wait_ready(proc)
        assert _imported(access, "heat/er/3") == (True, proc.pid, "6")
        out = run_pytango_client(
            'import tango; print(tango.DeviceProxy("heat/er/3").temperature)',
            env={"TANGO_HOST": tango_host},
        )
        assert out.strip() == "20.0"
        second = _start_script("t2", tango_host)
        output, _ = second.communicate(timeout=60)
        assert second.returncode == 255
        assert "This server is already running, exiting!" in output
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
        assert _imported(access, "heat/er/3")[0] is False
        assert _imported(access, "dserver/db_heater/t2")[0] is False
        proc = _start_script("t2", tango_host)  # and on Ctrl-C
        _wait_ready(proc)
        assert _imported(access, "heat/er/3") == (True, proc.pid, "6")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert _imported(access, "heat/er/3")[0] is False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    unknown = _start_script("t9", tango_host)
    output, _ = unknown.communicate(timeout=60)
    assert unknown.returncode == 255
    assert "The device server db_heater/t9 is not defined in database. Exiting!" in output


def test_run_with_a_database_parameter_until_kill(
    tango_host: str, pytango_db: Any, access: CommandDatabase
) -> None:
    _register(pytango_db, "Heater/t3", ["heat/er/4"])
    output = io.StringIO()
    thread = threading.Thread(
        target=run,
        args=((Heater,),),
        kwargs={"args": ["Heater", "t3"], "database": access, "msg_stream": output},
        daemon=True,
    )
    thread.start()
    deadline = time.monotonic() + 30
    while "Ready to accept request" not in output.getvalue():
        assert time.monotonic() < deadline and thread.is_alive(), output.getvalue()
        time.sleep(0.05)
    code = """
import tango
print(tango.DeviceProxy("heat/er/4").temperature)
tango.DeviceProxy("dserver/Heater/t3").Kill()
"""
    assert run_pytango_client(code, env={"TANGO_HOST": tango_host}).strip() == "20.0"
    thread.join(30)
    assert not thread.is_alive()
    assert _imported(access, "heat/er/4")[0] is False


def test_without_database_nor_nodb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_registry, "database_factory", None)
    with pytest.raises(DevFailed) as info:
        run((Heater,), args=["Heater", "t4"], raises=True)
    assert info.value.args[0].reason == "API_DatabaseAccess"
    assert "-nodb" in info.value.args[0].desc
