"""Smoke tests of the real-peer fixtures: TypeDev + launcher, capture proxy, golden files."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from . import typedev_values as tv
from .launch import PEERS_DIR, PyTangoServer, free_port, run_pytango_client, typedev_server

REPO = PEERS_DIR.parents[1]
GOLDEN = REPO / "tests" / "wire" / "golden"
SESSIONS = ["typedev_client", "typedev_client_giop12"]

pytest.importorskip("tango")

# Runs inside a real PyTango client; {trl} is filled in. Prints one JSON report line.
CHECK_CLIENT = """
import json, sys
sys.path.insert(0, {peers!r})
import tango
import typedev_values as tv

dev = tango.DeviceProxy({trl!r})
bad = []
report = {{"state": str(dev.state()), "status": dev.status()}}
for spec in tv.ATTRS.values():
    ro = dev.read_attribute(spec.ro_name)
    if not tv.same_value(ro.value, spec.read):
        bad.append(("read", spec.ro_name, repr(ro.value)))
    rw = dev.read_attribute(spec.rw_name)
    if not tv.same_value(rw.value, spec.read):
        bad.append(("read", spec.rw_name, repr(rw.value)))
    if not tv.same_value(rw.w_value, spec.setpoint):
        bad.append(("setpoint", spec.rw_name, repr(rw.w_value)))
for spec in tv.ATTRS.values():
    dev.write_attribute(spec.rw_name, spec.write)
    rw = dev.read_attribute(spec.rw_name)
    if not (tv.same_value(rw.value, spec.write) and tv.same_value(rw.w_value, spec.write)):
        bad.append(("write", spec.rw_name, repr(rw.value), repr(rw.w_value)))
dev.command_inout("Reset")
if not tv.same_value(dev.read_attribute("double_image_rw").value, tv.ATTRS["double_image"].read):
    bad.append(("reset", "double_image_rw"))
for cmd in tv.ECHO_COMMANDS.values():
    if cmd.tango_type == "DevVoid":
        out = dev.command_inout(cmd.name)
        ok = out is None
    else:
        out = dev.command_inout(cmd.name, cmd.arg)
        ok = tv.same_value(out, cmd.arg)
    if not ok:
        bad.append(("echo", cmd.name, repr(out)))
report["counter"] = [int(dev.read_attribute(tv.COUNTER_ATTR).value) for _ in range(3)]
report["configured"] = dev.read_attribute(tv.CONFIGURED_ATTR).value
cfg = dev.get_attribute_config(tv.CONFIGURED_ATTR)
report["config"] = [cfg.unit, cfg.label, cfg.format, cfg.description, cfg.min_value, cfg.max_value,
                    cfg.alarms.min_alarm, cfg.alarms.max_alarm]
errors = {{}}
for what, call in [("Fail", lambda: dev.command_inout("Fail")),
                   ("PyError", lambda: dev.command_inout("PyError")),
                   ("failing_attr", lambda: dev.read_attribute("failing_attr")),
                   ("devfailed_attr", lambda: dev.read_attribute("devfailed_attr"))]:
    try:
        call()
        errors[what] = None
    except tango.DevFailed as exc:
        errors[what] = [exc.args[0].reason, exc.args[0].desc]
report["errors"] = errors
report["pid"] = dev.command_inout("GetPid")
report["attributes"] = sorted(dev.get_attribute_list())
report["commands"] = sorted(c.cmd_name for c in dev.command_list_query())
report["bad"] = bad
print(json.dumps(report))
"""


def check_device(server: PyTangoServer, device: str) -> dict:
    """Run CHECK_CLIENT against ``device`` and return its report."""
    code = CHECK_CLIENT.format(peers=str(PEERS_DIR), trl=server.trl(device))
    return json.loads(run_pytango_client(code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def typedev() -> Iterator[PyTangoServer]:
    """TypeDev serving two devices."""
    with typedev_server(["test/type/1", "test/type/2"]) as server:
        yield server


@pytest.mark.timeout(120)
@pytest.mark.parametrize("device", ["test/type/1", "test/type/2"])
def test_typedev_serves_expected_values(typedev: PyTangoServer, device: str) -> None:
    report = check_device(typedev, device)
    assert report["bad"] == []
    assert report["state"] == "ON"
    assert report["status"] == tv.DEVICE_STATUS
    assert report["counter"] == [1, 2, 3]
    assert report["configured"] == tv.CONFIGURED_VALUE
    cfg = tv.CONFIGURED_CONFIG
    assert report["config"] == [
        cfg["unit"], cfg["label"], cfg["format"], cfg["description"],
        str(cfg["min_value"]), str(cfg["max_value"]), str(cfg["min_alarm"]), str(cfg["max_alarm"]),
    ]  # fmt: skip
    assert report["errors"]["Fail"] == [tv.FAIL_REASON, tv.FAIL_DESC]
    assert report["errors"]["PyError"][0] == "PyDs_PythonError"
    assert tv.PYERROR_MESSAGE in report["errors"]["PyError"][1]
    assert report["errors"]["devfailed_attr"] == [tv.DEVFAILED_ATTR_REASON, tv.DEVFAILED_ATTR_DESC]
    assert tv.FAILING_ATTR_MESSAGE in report["errors"]["failing_attr"][1]
    assert report["pid"] == typedev.pid
    assert report["attributes"] == sorted(["State", "Status", *tv.all_attr_names()])
    assert report["commands"] == sorted(["Init", "State", "Status", *tv.all_command_names()])


@pytest.mark.timeout(120)
def test_restart_keeps_port() -> None:
    server = typedev_server(["test/type/9"], instance="restart")
    code = "import tango; print(tango.DeviceProxy({!r}).command_inout('GetPid'))"
    with server:
        assert server.startup_seconds is not None and server.startup_seconds < 30
        port, pid = server.port, server.pid
        assert int(run_pytango_client(code.format(server.trl("test/type/9")))) == pid
        server.restart()
        assert server.port == port and server.pid != pid
        assert int(run_pytango_client(code.format(server.trl("test/type/9")))) == server.pid
    assert not server.is_running()


@pytest.mark.timeout(60)
def test_server_start_failure_reports_output() -> None:
    server = PyTangoServer(PEERS_DIR / "no_such_script.py", "x", ["a/b/c"])
    with pytest.raises(RuntimeError, match="no_such_script"):
        server.start(timeout=20)


@pytest.mark.timeout(60)
def test_values_module_does_not_import_tango() -> None:
    code = (
        f"import sys; sys.path.insert(0, {str(PEERS_DIR)!r}); import typedev_values; "
        "assert 'tango' not in sys.modules; print(len(typedev_values.typed_attr_names()))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == 2 * len(tv.ATTRS) == 80


@pytest.mark.timeout(60)
def test_capture_proxy_logs_both_directions(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "capture_proxy", REPO / "tools" / "capture_proxy.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    CaptureProxy = module.CaptureProxy

    listener = socket.create_server(("127.0.0.1", 0))
    target_port = listener.getsockname()[1]

    def echo_once() -> None:
        conn, _ = listener.accept()
        with conn:
            while data := conn.recv(100):
                conn.sendall(data.upper())

    thread = threading.Thread(target=echo_once, daemon=True)
    thread.start()
    out = tmp_path / "cap.jsonl"
    with CaptureProxy(free_port(), "127.0.0.1", target_port, out) as proxy:
        with socket.create_connection(("127.0.0.1", proxy.port)) as client:
            client.sendall(b"hello")
            assert client.recv(100) == b"HELLO"
            client.shutdown(socket.SHUT_WR)
            assert client.recv(100) == b""
    thread.join(5)
    listener.close()
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["c"], r["dir"], bytes.fromhex(r["hex"])) for r in records] == [
        (1, "C2S", b"hello"),
        (1, "S2C", b"HELLO"),
    ]
    assert all(isinstance(r["t"], float) for r in records)


@pytest.mark.parametrize("session", SESSIONS)
def test_golden_files_parse(session: str) -> None:
    traffic = [json.loads(line) for line in (GOLDEN / f"{session}.jsonl").read_text().splitlines()]
    assert traffic
    for rec in traffic:
        assert set(rec) == {"t", "c", "dir", "hex"}
        assert rec["dir"] in ("C2S", "S2C")
        bytes.fromhex(rec["hex"])
    first = bytes.fromhex(traffic[0]["hex"])
    assert first[:4] == b"GIOP"
    assert first[4:6] == (bytes([1, 2]) if session.endswith("giop12") else bytes([1, 0]))
    marks = [
        json.loads(line) for line in (GOLDEN / f"{session}_marks.jsonl").read_text().splitlines()
    ]
    assert all(set(m) == {"t", "mark"} for m in marks)
    times = [m["t"] for m in marks]
    assert times == sorted(times) and times[0] <= traffic[0]["t"]
    expected = json.loads((GOLDEN / f"{session}_expected.json").read_text(encoding="utf-8"))
    actions = {a["mark"]: a for a in expected["actions"]}
    assert [m["mark"] for m in marks] == [*actions, "disconnect"]
    for action in actions.values():
        assert ("result_type" in action) != ("error" in action)
