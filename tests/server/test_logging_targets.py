"""Device logging on puretango's server held against PyTango's: the same logging server
(``log_peer.py``) run on both, driven by a PyTango client through the proxy methods and the
admin device's commands (levels, targets, errors); ``device::`` targets across the two
(each side's records land in the other's ``Log`` command); console lines and file records
at the ``-v`` trace levels; and puretango's own client driving a PyTango server."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers.launch import PyTangoServer, run_pytango_client

from puretango import DevFailed, DeviceProxy

PEER = Path(__file__).resolve().parent / "log_peer.py"
DEVICE = "test/log/1"


class LogPeerServer(PyTangoServer):
    """``log_peer.py`` on PyTango or on puretango (``impl``)."""

    def __init__(self, impl: str, extra_args: list[str] | None = None) -> None:
        super().__init__(PEER, "test", [DEVICE], extra_args=extra_args)
        self.impl = impl

    def command_line(self) -> list[str]:
        line = super().command_line()
        return [line[0], line[1], self.impl, *line[2:]]


@pytest.fixture(params=["pytango", "puretango"])
def server_pair(request: pytest.FixtureRequest) -> Iterator[LogPeerServer]:
    with LogPeerServer(request.param) as server:
        yield server


#: a PyTango client's view of the logging of one device and of its admin device
CLIENT_VIEW = """
import json, tango
d = tango.DeviceProxy("tango://127.0.0.1:{port}/test/log/1#dbase=no")
a = tango.DeviceProxy(d.adm_name())
out = []
def step(name, call, *args):
    try:
        r = call(*args)
        if r is not None and not isinstance(r, int):
            r = list(r)
            if r and not isinstance(r[0], str):  # [levels, devices]
                r = [list(map(int, r[0])), [n.lower() for n in r[1]]]
            else:
                r = [x for x in r if x != "telemetry_logs_appender"]
        out.append([name, r])
    except tango.DevFailed as exc:
        out.append([name, "error", exc.args[0].reason, exc.args[0].desc])
step("level", d.get_logging_level)
step("targets", d.get_logging_target)
step("admin levels", a.command_inout, "GetLoggingLevel", ["*"])
step("admin targets", a.command_inout, "GetLoggingTarget", a.name())
step("add console", d.add_logging_target, "Console")
step("add again", d.add_logging_target, "console::cout")
step("add file", d.add_logging_target, "File::{log_file}")
step("targets", d.get_logging_target)
step("bad type", d.add_logging_target, "bogus::x")
step("no device", d.add_logging_target, "device")
step("no consumer", d.add_logging_target, "device::tango://127.0.0.1:1/a/b/c#dbase=no")
step("set 4", d.set_logging_level, 4)
step("level", d.get_logging_level)
step("set 9", d.set_logging_level, 9)
step("mismatch", a.command_inout, "SetLoggingLevel", [[1, 2], ["test/log/1"]])
step("set *", a.command_inout, "SetLoggingLevel", [[2], ["*"]])
step("levels", a.command_inout, "GetLoggingLevel", ["test/*", "nope/x/1"])
step("odd args", a.command_inout, "AddLoggingTarget", ["test/log/1"])
step("unknown device", a.command_inout, "AddLoggingTarget", ["nope/x/1", "console"])
step("unknown target", a.command_inout, "GetLoggingTarget", "nope/x/1")
step("remove bad type", d.remove_logging_target, "bogus::x")
step("remove files", d.remove_logging_target, "file::*")
step("remove absent", d.remove_logging_target, "file::/nowhere")
step("targets", d.get_logging_target)
step("stop", a.command_inout, "StopLogging")
step("stopped", a.command_inout, "GetLoggingLevel", ["*"])
step("start", a.command_inout, "StartLogging")
step("started", a.command_inout, "GetLoggingLevel", ["*"])
print(json.dumps(out))
"""


def test_logging_commands_answer_as_pytangos(tmp_path: Path) -> None:
    views = {}
    for impl in ("pytango", "puretango"):
        log_file = tmp_path / f"{impl}.log"
        with LogPeerServer(impl) as server:
            code = CLIENT_VIEW.format(port=server.port, log_file=log_file)
            views[impl] = json.loads(run_pytango_client(code))
        for step in views[impl]:  # the file name and the origins differ, not the rest
            if step[0] == "targets":
                step[1] = [t.replace(str(log_file).lower(), "LOG") for t in step[1]]
    assert views["puretango"] == views["pytango"]


def _records(server: LogPeerServer) -> list[list[str]]:
    records: list[list[str]] = json.loads(DeviceProxy(server.trl(DEVICE)).Records())
    return records


@pytest.mark.parametrize(
    ("source", "consumer"), [("puretango", "pytango"), ("pytango", "puretango")]
)
def test_device_target_sends_log_records_across_implementations(source: str, consumer: str) -> None:
    with LogPeerServer(consumer) as sink, LogPeerServer(source) as emitter:
        proxy = DeviceProxy(emitter.trl(DEVICE))
        proxy.add_logging_target(f"device::{sink.trl(DEVICE)}")
        assert f"device::{sink.trl(DEVICE)}" in proxy.get_logging_target()
        proxy.set_logging_level(5)
        before = time.time()
        proxy.Emit(["info", "hello"])
        proxy.Emit(["debug", "details"])
        assert proxy.Decorated() == 7
        deadline = time.monotonic() + 10
        while len(_records(sink)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        records = _records(sink)
    # cppTango sends its records as asynchronous calls: their order is not guaranteed
    assert sorted(r[1:5] for r in records) == sorted(
        [
            ["INFO", DEVICE, "hello", ""],
            ["DEBUG", DEVICE, "details", ""],
            ["INFO", DEVICE, "-> LogPeer.Decorated()", ""],
            ["INFO", DEVICE, "7 <- LogPeer.Decorated()", ""],
        ]
    )
    for record in records:
        assert before - 0.002 <= int(record[0]) / 1000 <= time.time()
        assert re.fullmatch(r"@[0-9a-f]+ \[\d+\]", record[5]), record[5]


def _console_lines(impl: str, verbose: str) -> list[str]:
    with LogPeerServer(impl, [verbose] if verbose else []) as server:
        proxy = DeviceProxy(server.trl(DEVICE))
        for level in ("debug", "info", "warn", "error", "fatal", "print"):
            proxy.Emit([level, f"{level} message"])
        proxy.Decorated()
        time.sleep(0.3)
        output = server.output
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{6}[+-]\d{4} "
    return [re.sub(stamp, "", line) for line in output.splitlines() if re.match(stamp, line)]


@pytest.mark.parametrize("verbose", ["", "-v1", "-v3"])
def test_console_lines_at_trace_levels_are_pytangos(verbose: str) -> None:
    ours = _console_lines("puretango", verbose)
    assert ours == _console_lines("pytango", verbose)
    if verbose == "-v3":
        assert "INFO (log_peer.py:32) test/log/1 info message" in ours
        assert "INFO (log_peer.py:30) test/log/1 print message" in ours
        assert "INFO (log_peer.py:34) test/log/1 -> LogPeer.Decorated()" in ours


def test_file_target_writes_pytangos_log4j_records(tmp_path: Path) -> None:
    def events(impl: str) -> str:
        log_file = tmp_path / f"{impl}.log"
        with LogPeerServer(impl) as server:
            proxy = DeviceProxy(server.trl(DEVICE))
            proxy.add_logging_target(f"file::{log_file}")
            proxy.Emit(["warn", "careful"])
            proxy.Emit(["info", "not logged at WARN"])
            time.sleep(0.3)
        text = log_file.read_text()
        return re.sub(r'(timestamp|thread)="\d+"', r'\1=""', text)

    ours = events("puretango")
    assert ours == events("pytango")
    assert 'level="WARN"' in ours and "<![CDATA[careful]]>" in ours


def test_our_client_drives_a_pytango_servers_logging(server_pair: LogPeerServer) -> None:
    proxy = DeviceProxy(server_pair.trl(DEVICE))
    assert proxy.get_logging_level() == 3
    assert json.loads(proxy.LoggerView()) == [DEVICE, 400, False, 300, False, True]
    assert proxy.get_logging_level() == 5  # the Logger's 600 is DEBUG
    proxy.set_logging_level(5)
    assert proxy.get_logging_level() == 5
    proxy.add_logging_target("CONSOLE::cout")
    assert "console::cout" in proxy.get_logging_target()
    proxy.remove_logging_target("console")
    assert "console::cout" not in proxy.get_logging_target()
    with pytest.raises(DevFailed) as info:
        proxy.add_logging_target("nonsense::x")
    assert info.value.args[0].reason == "API_MethodArgument"


def test_streams_without_a_server_only_check_levels() -> None:
    from puretango.server import Device

    device = Device("test/alone/1")
    logger = device.get_logger()
    assert logger.get_level() == 400 and logger.is_warn_enabled()
    assert not logger.is_info_enabled()
    device.info_stream("dropped %s", "quietly")  # no target: nothing happens
    logger.set_level(100)
    assert not logger.is_fatal_enabled() and logger.get_tango_level() == 0
    here = test_streams_without_a_server_only_check_levels
    location = sys.modules["puretango.server._logging"].source_location(here)
    assert location == ("test_logging_targets.py", here.__code__.co_firstlineno)
