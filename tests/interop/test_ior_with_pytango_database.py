"""Our IORs as cppTango sees them: a puretango device registered in a real (PyTango)
Database is imported by a real PyTango client, which then talks GIOP 1.2 to it (the IOR
path, with CodeSets contexts) and receives a large value as GIOP 1.2 Fragments."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from peers.launch import free_port, peer_env, run_pytango_client

from puretango.server import Device, DevState, attribute, command
from puretango.server._server import DeviceServer, server_in_thread

pytest.importorskip("tango")

BIG = 700_000  # float64: 5.6 MB, above the server's 4 MiB fragment size


class Exported(Device):
    def init_device(self) -> None:
        super().init_device()
        self._value = 1.5
        self.set_state(DevState.ON)

    @attribute(dtype=float)
    def value(self) -> float:
        return self._value

    @attribute(dtype=(np.float64,), max_dim_x=BIG)
    def big(self) -> np.ndarray:
        return np.arange(BIG, dtype=np.float64)

    @command(dtype_in=float, dtype_out=float)
    def Double(self, x: float) -> float:  # noqa: N802 - Tango command
        return 2 * x


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """PyTango's own Database device server (sqlite) on a free port; yields TANGO_HOST."""
    workdir: Path = tmp_path_factory.mktemp("db")
    port = free_port()
    tango_host = f"127.0.0.1:{port}"
    env = {**peer_env(), "TANGO_HOST": tango_host}
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "tango.databaseds.database", "2",
            "-ORBendPoint", f"giop:tcp:127.0.0.1:{port}",
        ],
        cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ready to accept request" in line:
                break
            if time.monotonic() > deadline:
                pytest.fail("the PyTango Database did not start")
        yield tango_host
    finally:
        proc.terminate()
        proc.wait(10)


def test_pytango_client_imports_our_ior(database: str) -> None:
    server = DeviceServer("exported", "ior", [(Exported, "ior/test/1", None)], "127.0.0.1", 0)
    thread, _ = server_in_thread(server)
    try:
        ior = server.ior("ior/test/1")
        code = f"""
import numpy as np, tango
db = tango.Database()
info = tango.DbDevInfo()
info.name = "ior/test/1"
info._class = "Exported"
info.server = "exported/ior"
db.add_device(info)
export = tango.DbDevExportInfo()
export.name, export.ior, export.host, export.pid, export.version = (
    "ior/test/1", {ior!r}, "127.0.0.1", {os.getpid()}, "6"
)
db.export_device(export)
dev = tango.DeviceProxy("ior/test/1")
big = dev.read_attribute("big").value
print(
    dev.state(), dev.value, dev.Double(21.0), dev.get_idl_version(), big.size,
    bool(np.array_equal(big, np.arange({BIG}, dtype=np.float64))),
)
"""
        out = run_pytango_client(code, env={"TANGO_HOST": database}).split()
        assert out == ["ON", "1.5", "42.0", "6", str(BIG), "True"]
    finally:
        server.request_stop()
        thread.join(10)
