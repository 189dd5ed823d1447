"""PyTango's test contexts and server runners on puretango: contexts in a thread and in a
child process (properties, memorized values, short names, stop of a stuck server), the file
database they write (read back by PyTango's own ``Database(file)``), ``run()``'s command
line and callbacks (argv normalised as PyTango's ``tango.pyutil.parse_args``), the green
mode a server resolves, and ``python -m puretango.test_context``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from peers.launch import PyTangoServer, free_port, peer_env, run_pytango_client

import puretango as tango
from puretango.green import AsyncioExecutor, SynchronousExecutor, get_worker
from puretango.server import (
    AttrWriteType,
    Device,
    DevState,
    GreenMode,
    attribute,
    class_property,
    command,
    device_property,
    run,
    server_run,
)
from puretango.server._argv import parse_args
from puretango.server._filedb import FileDatabase, write_file_database
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

TESTS = Path(__file__).resolve().parents[1]


class Store(Device):
    """Properties, a memorized attribute and a command, for the contexts."""

    label = device_property(dtype=str, default_value="none")
    sizes = device_property(dtype=(int,), default_value=[])
    scale = class_property(dtype=float, default_value=1.0)

    def init_device(self) -> None:
        super().init_device()
        self._level = 0
        self.set_state(DevState.ON)

    @attribute(dtype=int, access=AttrWriteType.READ_WRITE, memorized=True, hw_memorized=True)
    def level(self) -> int:
        return self._level

    def write_level(self, value: int) -> None:
        self._level = value

    @command(dtype_out=str)
    def Describe(self) -> str:  # noqa: N802
        return f"{self.label}|{list(self.sizes)}|{self.scale}"


class Follower(Device):
    """Reads Store's level through a short name (the context's host, no TANGO_HOST)."""

    def init_device(self) -> None:
        super().init_device()
        self.store = tango.DeviceProxy("test/store/1")

    @attribute(dtype=int)
    def level(self) -> int:
        return int(self.store.level)


class Stuck(Device):
    def delete_device(self) -> None:
        while True:
            time.sleep(0.5)


STORE_INFO = {
    "class": Store,
    "class_properties": {"scale": 2.5},
    "devices": [
        {
            "name": "test/store/1",
            "properties": {"label": "first", "sizes": [3, 4]},
            "memorized": {"level": 7},
        }
    ],
}


@pytest.mark.parametrize("process", [False, True], ids=["thread", "process"])
def test_properties_memorized_and_short_names(process: bool) -> None:
    info = [STORE_INFO, {"class": Follower, "devices": [{"name": "test/follower/1"}]}]
    with MultiDeviceTestContext(info, process=process, timeout=15) as ctx:
        store = ctx.get_device("test/store/1")
        assert store is ctx.get_device("test/store/1")
        assert store.Describe() == "first|[3, 4]|2.5"
        assert store.level == 7
        short = tango.DeviceProxy("test/follower/1")
        assert short.name() == "test/follower/1"
        store.level = 11
        assert short.level == 11
        assert ctx.get_server_access() == (
            f"tango://127.0.0.1:{ctx.port}/dserver/Store/store#dbase=no"
        )
        admin = tango.DeviceProxy(ctx.get_server_access())
        assert sorted(admin.QueryClass()) == ["Follower", "Store"]
        assert ctx.thread.is_alive()
    assert not ctx.thread.is_alive()
    with pytest.raises(tango.DevFailed):  # short names no longer resolve to the context
        tango.DeviceProxy("test/follower/1").ping()


def test_device_context_in_a_process_seen_by_pytango() -> None:
    with DeviceTestContext(
        Store, properties={"label": ""}, memorized={"level": 3}, process=True, timeout=15
    ) as proxy:
        assert proxy.name() == "test/nodb/store"
        assert proxy.Describe() == " |[]|1.0"  # "" is stored as " ", as PyTango does
        code = (
            "import tango\n"
            f"p = tango.DeviceProxy('tango://127.0.0.1:{proxy.get_dev_port()}"
            "/test/nodb/store#dbase=no')\n"
            "print(p.level, p.info().dev_class, p.state())\n"
        )
        assert run_pytango_client(code).split() == ["3", "Store", "ON"]


def test_context_restarts_and_reports_startup_failures() -> None:
    ctx = DeviceTestContext(Store, properties={"label": "again"})
    for _ in range(2):  # a context may be entered again
        with ctx as proxy:
            assert proxy.Describe() == "again|[]|1.0"

    class NeedsProperty(Device):
        needed = device_property(dtype=str, mandatory=True)

    with pytest.raises(tango.DevFailed) as info:
        DeviceTestContext(NeedsProperty, process=True).start()
    assert info.value.args[0].reason == "PyDs_MissingDeviceProperty"
    with pytest.raises(RuntimeError, match="FileDatabase"):
        DeviceTestContext(Store, properties={"sizes": []})
    with pytest.raises(ValueError, match="same Tango class"):
        MultiDeviceTestContext([STORE_INFO, STORE_INFO])


def test_stuck_server_process_is_killed() -> None:
    ctx = DeviceTestContext(Stuck, process=True, timeout=15)
    ctx.start()
    assert not ctx.thread.daemon and ctx.thread.is_alive()
    ctx.timeout = 0.3
    with pytest.raises(RuntimeError, match=r"failed to exit cleanly.*kill subprocess"):
        ctx.stop()
    assert not ctx.thread.is_alive()


PYTANGO_STORE = """
import tango
from tango.server import Device, attribute, command, device_property, class_property, run


class Store(Device):
    label = device_property(dtype=(str,), default_value=["none"])
    sizes = device_property(dtype=(int,), default_value=[])
    scale = class_property(dtype=float, default_value=1.0)

    def init_device(self):
        super().init_device()
        self._level = 0

    @attribute(dtype=int, access=tango.AttrWriteType.READ_WRITE, memorized=True,
               hw_memorized=True)
    def level(self):
        return self._level

    def write_level(self, value):
        self._level = value

    @command(dtype_out=str)
    def Describe(self):
        return f"{list(self.label)}|{list(self.sizes)}|{self.scale}"


run([Store])
"""


class _FileDbServer(PyTangoServer):
    """A PyTango server reading its devices and properties from a file database."""

    def __init__(self, script: Path, path: Path) -> None:
        super().__init__(script, "inst", [])
        self.path = path

    def command_line(self) -> list[str]:
        return [sys.executable, str(self.script), "inst", f"-file={self.path}"] + [
            "-ORBendPoint",
            f"giop:tcp:127.0.0.1:{self.port}",
        ]


def test_file_database_read_by_a_pytango_server(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    properties = {
        "test/store/1": {"label": ["a, b", 'say "hi"', " "], "sizes": ["1", "2", "3"]},
        "CLASS/Store": {"scale": ["2.5"]},
        "test/store/1/level": {"__value": ["12"]},
    }
    servers = {"Store/inst": {"Store": ["test/store/1", "test/store/2"]}}
    write_file_database(path, servers, properties)
    db = FileDatabase(path)
    assert db.get_device_list("Store/inst", "Store") == ["test/store/1", "test/store/2"]
    assert db.get_device_properties("test/store/1", ["label", "sizes", "missing"]) == {
        "label": ["a, b", 'say "hi"', " "],
        "sizes": ["1", "2", "3"],
    }
    assert db.get_class_properties("Store", ["scale"]) == {"scale": ["2.5"]}
    assert db.get_device_attribute_properties("test/store/1", ["level"]) == {
        "level": {"__value": ["12"]}
    }
    script = tmp_path / "Store.py"
    script.write_text(PYTANGO_STORE)
    with _FileDbServer(script, path) as server:
        one = tango.DeviceProxy(server.trl("test/store/1"))
        assert one.Describe() == "['a, b', 'say \"hi\"', ' ']|[1, 2, 3]|2.5"
        assert one.level == 12
        two = tango.DeviceProxy(server.trl("test/store/2"))
        assert two.Describe() == "['none']|[]|2.5"


def test_file_database_written_by_pytango_read_back(tmp_path: Path) -> None:
    path = tmp_path / "pytango.db"
    path.write_text("Store/inst/DEVICE/Store: test/store/1\n")
    code = (
        "import tango\n"
        f"db = tango.Database({str(path)!r})\n"
        "db.put_device_property('test/store/1', {'label': ['a, b', 'say \"hi\"'], 'n': 3})\n"
        "db.put_class_property('Store', {'scale': '2.5'})\n"
        "db.put_device_attribute_property('test/store/1', {'level': {'__value': '12'}})\n"
    )
    run_pytango_client(code)
    db = FileDatabase(path)
    assert db.get_device_list("Store/inst", "Store") == ["test/store/1"]
    assert db.get_device_properties("test/store/1", ["label", "n"]) == {
        "label": ["a, b", 'say "hi"'],
        "n": ["3"],
    }
    assert db.get_class_properties("Store", ["scale"]) == {"scale": ["2.5"]}
    assert db.get_device_attribute_properties("test/store/1", ["level"]) == {
        "level": {"__value": ["12"]}
    }


ARGV_CASES = [
    "MyDs instance --nodb --port 1234",
    "MyDs -port 1234 -host myhost instance",
    "MyDs instance -file a/b/c",
    "MyDs instance -nodb",
    "MyDs instance -dlist a/b/c",
    "MyDs instance -vvvv",
    "MyDs instance --verbose --verbose",
    "MyDs instance -v 4",
    "MyDs.py a b -v=2",
    "MyDs instance -ORBtest1 test1 --ORBtest2 test2",
    "MyDs instance -nodb -ORBendPoint giop:tcp:h:1 -ORBendPointPublish giop:tcp:p:2",
    "MyDs instance --orbinvalid value",
]


def test_argv_normalised_as_pytango() -> None:
    code = (
        "import io, json, contextlib\n"
        "from tango.pyutil import parse_args\n"
        "out = []\n"
        f"for line in {ARGV_CASES!r}:\n"
        "    try:\n"
        "        with contextlib.redirect_stderr(io.StringIO()):\n"
        "            out.append(sorted(parse_args(line.split())))\n"
        "    except SystemExit:\n"
        "        out.append('exit')\n"
        "print(json.dumps(out))\n"
    )
    expected = json.loads(run_pytango_client(code))
    ours: list[Any] = []
    for line in ARGV_CASES:
        try:
            ours.append(sorted(parse_args(line.split())))
        except SystemExit:
            ours.append("exit")
    assert ours == expected


class Plain(Device):
    @attribute(dtype=int)
    def value(self) -> int:
        return 5


class AsyncPlain(Device):
    green_mode = GreenMode.Asyncio

    @attribute(dtype=int)
    async def value(self) -> int:
        return 6


def _serve_in_thread(target: Any) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_run_argv_callbacks_and_event_loop() -> None:
    port = free_port()
    seen: list[Any] = []
    ticks: list[int] = []

    def post(tag: str, more: str = "") -> None:
        seen.append((tag, more))

    argv = ["Plain", "one", "--nodb", "--port", str(port), "--host", "127.0.0.1", "-v4"]
    argv += ["-dlist", "test/plain/1,test/plain/2"]
    thread = _serve_in_thread(
        lambda: run(
            [Plain],
            argv,
            msg_stream=None,
            pre_init_callback=lambda: seen.append("pre"),
            post_init_callback=(post, ("post",), {"more": "kw"}),
            event_loop=lambda: ticks.append(1),
        )
    )
    proxy = _wait_for(f"tango://127.0.0.1:{port}/test/plain/2#dbase=no")
    assert proxy.value == 5
    assert seen == ["pre", ("post", "kw")]
    assert ticks  # the event loop callable is called while serving
    assert type(get_worker()) is SynchronousExecutor
    tango.DeviceProxy(f"tango://127.0.0.1:{port}/dserver/Plain/one#dbase=no").Kill()
    thread.join(10)
    assert not thread.is_alive()


def test_server_run_resolves_the_green_mode() -> None:
    with pytest.raises(ValueError, match="mixed green modes"):
        run([Plain, AsyncPlain], ["Mixed", "x", "-nodb", "-port", "0"], msg_stream=None)
    with pytest.raises(TypeError, match="post_init_callback"):
        run([Plain], ["Plain", "x"], post_init_callback=42)
    port = free_port()
    argv = ["AsyncPlain", "two", "-ORBendPoint", f"giop:tcp:127.0.0.1:{port}", "-nodb"]
    thread = _serve_in_thread(lambda: server_run([AsyncPlain], argv, msg_stream=None))
    proxy = _wait_for(f"tango://127.0.0.1:{port}/asyncplain/two/1#dbase=no")
    assert proxy.value == 6
    assert type(get_worker()) is AsyncioExecutor
    tango.DeviceProxy(f"tango://127.0.0.1:{port}/dserver/AsyncPlain/two#dbase=no").Kill()
    thread.join(10)


def _wait_for(trl: str, timeout: float = 15) -> tango.DeviceProxy:
    deadline = time.monotonic() + timeout
    while True:
        try:
            proxy = tango.DeviceProxy(trl)
            proxy.ping()
            return proxy
        except tango.DevFailed:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_command_line_context() -> None:
    port = free_port()
    env = {**peer_env(), "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    cmd = [sys.executable, "-m", "puretango.test_context", "framework.test_test_contexts.Store"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--prop", "{'label': 'cli'}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        proxy = _wait_for(f"tango://127.0.0.1:{port}/test/nodb/store#dbase=no", timeout=30)
        assert proxy.Describe() == "cli|[]|1.0"
        tango.DeviceProxy(f"tango://127.0.0.1:{port}/dserver/Store/store#dbase=no").Kill()
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Store started on port {port} with properties {{'label': 'cli'}}"
    assert lines[1] == f"Device access: tango://127.0.0.1:{port}/test/nodb/store#dbase=no"
    assert lines[-1] == "Done"
