"""The test matrix of issue 8 for OUR device servers with a Database: puretango's TangoTest
(``python -m puretango.tangotest``) and a PyTango-style server (``peers/matrix_dev.py``),
started without ``-nodb`` (default wiring) against each of the three Databases (ours,
PyTango's ``tango.databaseds.database``, the C++ DataBaseds of ``cpp-tango``), registered
first by a real PyTango client, then read by name by that client: device properties,
attribute properties, memorized values across a restart on a new port (with a PyTango and a
puretango proxy held across it), unexport on SIGTERM. Then puretango all the way (our
client, Database and servers) in each green mode.

Servers are shared per Database (module-scoped fixtures); the tests of one Database run in
file order. The C++ Database's MariaDB is shared by the host, so its names are unique and
deleted at the end. The C++ case skips only where the cpp-tango script is absent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from peers.databases import DbProcess, ours, pytango_db
from peers.launch import (
    CPP_TANGO,
    HOST,
    PEERS_DIR,
    PeerError,
    PyTangoServer,
    cpp_database,
    free_port,
    peer_env,
)

import puretango

TAG = f"mx{os.getpid()}{uuid.uuid4().hex[:6]}"
MATRIX_SCRIPT = PEERS_DIR / "matrix_dev.py"

#: a PyTango client that lives as long as the test module: each stdin line is JSON code,
#: executed in one persistent scope; each reply line is JSON {"out": stdout[, "error": tb]}
SESSION = r"""
import contextlib, io, json, sys, traceback
import tango
scope = {"tango": tango}
for line in sys.stdin:
    out = io.StringIO()
    reply = {}
    try:
        with contextlib.redirect_stdout(out):
            exec(json.loads(line), scope)
    except BaseException:
        reply["error"] = traceback.format_exc()
    reply["out"] = out.getvalue()
    sys.__stdout__.write(json.dumps(reply) + "\n")
    sys.__stdout__.flush()
"""


class PyTangoSession:
    """A real PyTango client process holding its proxies between calls of :meth:`run`."""

    def __init__(self, tango_host: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", SESSION],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env={**peer_env(), "TANGO_HOST": tango_host},
        )  # fmt: skip

    def run(self, code: str) -> str:
        """Execute ``code`` in the session; its printed output (PeerError if it raised)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(code) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise PeerError(f"the PyTango session exited with {self.proc.wait()}")
        reply = json.loads(line)
        if "error" in reply:
            raise PeerError(f"PyTango client failed:\n{reply['out']}{reply['error']}")
        return str(reply["out"])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


class DbServer(PyTangoServer):
    """One of OUR device servers started with the Database (no -nodb), on loopback."""

    def __init__(self, argv: list[str], instance: str, tango_host: str) -> None:
        super().__init__(Path(argv[-1]), instance, [])
        self.argv, self.tango_host = argv, tango_host

    def command_line(self) -> list[str]:
        return [
            "env", f"TANGO_HOST={self.tango_host}", *self.argv, self.instance,
            "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}",
        ]  # fmt: skip

    def terminate(self) -> int:
        """SIGTERM, as a service manager stops a server; its exit code."""
        assert self._proc is not None
        self._proc.send_signal(signal.SIGTERM)
        code = self._proc.wait(15)
        self.stop()
        return code

    def start_on_another_port(self) -> None:
        self._port = free_port()
        self.start()


@dataclass
class Deployment:
    """A Database, our two servers registered in it and started, a PyTango client on it."""

    kind: str
    tango_host: str
    tangotest: str  # device names
    matrix: str
    tangotest_server: DbServer
    matrix_server: DbServer
    pytango: PyTangoSession


@contextlib.contextmanager
def _database(kind: str, workdir: Path) -> Iterator[str]:
    """Start the Database ``kind``; yield its TANGO_HOST; stop it."""
    if kind in ("ours", "pytango"):
        make = ours if kind == "ours" else pytango_db
        process: DbProcess = make(workdir / "tango.db").start()
        try:
            yield process.tango_host
        finally:
            process.stop()
        return
    with cpp_database() as tango_host:
        yield tango_host


REGISTER = """
db = tango.Database()
def add(server, klass, device):
    info = tango.DbDevInfo()
    info.name, info._class, info.server = device, klass, server
    db.add_server(server, info, with_dserver=True)
add("TangoTest/{inst}", "TangoTest", {tt!r})
add("matrix_dev/{inst}", "MatrixDev", {mx!r})
db.put_device_property({mx!r}, {{"gain": ["2.5"], "tags": ["a", "b c"]}})
db.put_device_attribute_property({mx!r}, {{"position": {{"label": ["Pos"], "unit": ["um"]}}}})
db.put_device_attribute_property({tt!r}, {{"double_scalar": {{"label": ["Dbl"], "unit": ["V"]}}}})
"""

CPP = pytest.param(
    "cpp", marks=pytest.mark.skipif(not CPP_TANGO.exists(), reason=f"{CPP_TANGO} is absent")
)


@pytest.fixture(scope="module", params=["ours", "pytango", CPP])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    kind: str = request.param
    # the C++ Database's MariaDB is shared by the host: names of our own there
    inst = TAG if kind == "cpp" else "mx"
    tt = f"sys/tg_test/{TAG}" if kind == "cpp" else "sys/tg_test/1"
    mx = f"mx/{TAG}/1" if kind == "cpp" else "mx/matrix/1"
    with contextlib.ExitStack() as stack:
        tango_host = stack.enter_context(_database(kind, tmp_path_factory.mktemp(kind)))
        session = PyTangoSession(tango_host)
        stack.callback(session.close)
        session.run(REGISTER.format(inst=inst, tt=tt, mx=mx))
        if kind == "cpp":
            stack.callback(
                session.run,
                f"db.delete_server('TangoTest/{inst}'); db.delete_server('matrix_dev/{inst}')",
            )
        servers = (
            DbServer([sys.executable, "-m", "puretango.tangotest"], inst, tango_host),
            DbServer([sys.executable, str(MATRIX_SCRIPT)], inst, tango_host),
        )
        for server in servers:
            stack.callback(server.stop)
            server.start()
        yield Deployment(kind, tango_host, tt, mx, *servers, session)


def test_pytango_client_reads_our_servers_by_name(deployment: Deployment) -> None:
    out = deployment.pytango.run(f"""
tt, mx = tango.DeviceProxy({deployment.tangotest!r}), tango.DeviceProxy({deployment.matrix!r})
conf = tt.get_attribute_config("double_scalar")
print(tt.state(), tt.info().dev_class, tt.adm_name(), conf.label, conf.unit)
print(tt.command_inout("DevDouble", 1.5), len(tt.read_attribute("wave").value))
conf = mx.get_attribute_config("position")
print(mx.state(), mx.position, mx.Describe(), conf.label, conf.unit)
""")
    inst = deployment.tangotest_server.instance
    assert out.splitlines() == [
        f"RUNNING TangoTest dserver/TangoTest/{inst} Dbl V",
        "1.5 256",
        "ON 25.0 2.5 a,b c Pos um",
    ]


def _exported(deployment: Deployment, *names: str) -> list[int]:
    """DbImportDevice's ``exported`` flag of each device, as a PyTango client sees it."""
    out = deployment.pytango.run(f"""
dbdev = tango.DeviceProxy("sys/database/2")
print([int(dbdev.command_inout("DbImportDevice", n)[0][0]) for n in {list(names)!r}])
""")
    return list(json.loads(out))


def test_memorized_restored_after_restart_on_a_new_port_under_held_proxies(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    mx, server = deployment.matrix, deployment.matrix_server
    monkeypatch.setenv("TANGO_HOST", deployment.tango_host)
    ours_proxy = puretango.DeviceProxy(mx)
    assert ours_proxy.read_attribute("setpoint").value == 0.0
    deployment.pytango.run(f"held = tango.DeviceProxy({mx!r}); held.setpoint = 7.5; held.mode = 3")
    old_port = server.port
    assert server.terminate() == 0
    assert _exported(deployment, mx, f"dserver/matrix_dev/{server.instance}") == [0, 0]
    server.start_on_another_port()
    assert server.port != old_port
    out = deployment.pytango.run('print(held.setpoint, held.read_attribute("mode").w_value)')
    assert out.split() == ["7.5", "3"]
    assert ours_proxy.read_attribute("setpoint").value == 7.5
    assert ours_proxy.read_attribute("mode").w_value == 3
    assert ours_proxy.command_inout("Describe") == "2.5 a,b c"


# --------------------------------------------------------------- puretango all the way


def _futures() -> list[object]:
    from puretango.futures import Database, DeviceProxy

    gain = Database().get_device_property("mx/matrix/1", ["gain"])
    tt, mx = DeviceProxy("sys/tg_test/1"), DeviceProxy("mx/matrix/1")
    future = tt.read_attribute("double_scalar", wait=False)
    mx.write_attribute("setpoint", 1.25, wait=False).result()
    conf = tt.get_attribute_config("double_scalar")
    return [gain, str(tt.state()), future.result().name, conf.unit, mx.Describe(), mx.setpoint]


def _gevent() -> list[object]:
    import gevent

    from puretango.gevent import Database, DeviceProxy

    def session() -> list[object]:
        gain = Database().get_device_property("mx/matrix/1", ["gain"])
        tt, mx = DeviceProxy("sys/tg_test/1"), DeviceProxy("mx/matrix/1")
        result = tt.read_attribute("double_scalar", wait=False)
        mx.write_attribute("setpoint", 1.25, wait=False).get()
        conf = tt.get_attribute_config("double_scalar")
        return [gain, str(tt.state()), result.get().name, conf.unit, mx.Describe(), mx.setpoint]

    greenlet = gevent.spawn(session)
    greenlet.join(30)
    return list(greenlet.get(block=False))


def _asyncio() -> list[object]:
    from puretango.asyncio import Database, DeviceProxy

    async def session() -> list[object]:
        db = await Database()
        gain = await db.get_device_property("mx/matrix/1", ["gain"])
        tt, mx = await DeviceProxy("sys/tg_test/1"), await DeviceProxy("mx/matrix/1")
        await mx.write_attribute("setpoint", 1.25)
        reading, conf = await asyncio.gather(
            tt.read_attribute("double_scalar"), tt.get_attribute_config("double_scalar")
        )
        state, text = str(await tt.state()), await mx.Describe()
        setpoint = (await mx.read_attribute("setpoint")).value
        return [gain, state, reading.name, conf.unit, text, setpoint]

    return asyncio.run(session())


@pytest.mark.parametrize("deployment", ["ours"], indirect=True)
@pytest.mark.parametrize("session", [_futures, _gevent, _asyncio], ids=lambda f: f.__name__[1:])
def test_puretango_all_the_way_in_each_green_mode(
    deployment: Deployment, session: Callable[[], list[object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANGO_HOST", deployment.tango_host)
    assert session() == [{"gain": ["2.5"]}, "RUNNING", "double_scalar", "V", "2.5 a,b c", 1.25]
    # the memorized write went to our Database
    stored = puretango.Database().get_device_attribute_property("mx/matrix/1", "setpoint")
    assert stored == {"setpoint": {"__value": ["1.25"]}}


def test_sigterm_unexports(deployment: Deployment) -> None:
    inst = deployment.tangotest_server.instance
    names = [
        deployment.tangotest, f"dserver/TangoTest/{inst}",
        deployment.matrix, f"dserver/matrix_dev/{inst}",
    ]  # fmt: skip
    assert _exported(deployment, *names) == [1, 1, 1, 1]
    assert deployment.tangotest_server.terminate() == 0
    assert deployment.matrix_server.terminate() == 0
    assert _exported(deployment, *names) == [0, 0, 0, 0]
