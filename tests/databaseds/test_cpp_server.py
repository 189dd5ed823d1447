"""The real C++ stack with our Database: the C++ TangoTest (cppTango 9.3) registers, starts
against ours (it reads its properties, attribute and pipe properties, falls back from
DbGetDataForServerCache, exports), a PyTango client reads it by name, and it unexports at
exit. Skipped only where the cpp-tango peer script is absent."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from peers.databases import DbProcess, ours
from peers.launch import CPP_TANGO, HOST, free_port, peer_env, run_pytango_client

if not CPP_TANGO.exists():  # pragma: no cover - the peer is part of CI
    pytest.skip("the cpp-tango peer script is absent", allow_module_level=True)

REGISTER = r"""
import tango
info = tango.DbDevInfo()
info.name, info._class, info.server = "sys/tg_test/1", "TangoTest", "TangoTest/test"
tango.Database().add_server(info.server, info)
tango.Database().put_device_alias("sys/tg_test/1", "tangotest")
"""

USE = r"""
import json, tango
dev = tango.DeviceProxy("sys/tg_test/1")
dev.write_attribute("double_scalar_w", 2.5)
print(json.dumps({
    "state": str(dev.state()),
    "w": dev.read_attribute("double_scalar_w").w_value,
    "alias": tango.DeviceProxy("tangotest").name(),
    "server": dev.info().server_id,
    "exported": sorted(tango.Database().get_device_exported("*")),
}))
"""

AFTER = r"""
import tango
print(tango.Database().import_device("sys/tg_test/1").exported)
"""


def test_cpp_tangotest_runs_on_our_database(tmp_path: Path) -> None:
    with ours(tmp_path / "tango.db") as db:
        env = {"TANGO_HOST": db.tango_host}
        run_pytango_client(REGISTER, env=env)
        port = free_port()
        argv = [str(CPP_TANGO), "tangotest", "test", "-ORBendPoint", f"giop:tcp:{HOST}:{port}"]
        server = DbProcess(argv, port, {**peer_env(), **env}).start()
        try:
            seen = json.loads(run_pytango_client(USE, env=env))
        finally:
            server.kill(signal.SIGINT)
        assert seen == {
            "state": "RUNNING",
            "w": 2.5,
            "alias": "sys/tg_test/1",
            "server": "TangoTest/test",
            "exported": [
                "dserver/DataBaseds/2",
                "dserver/TangoTest/test",
                "sys/database/2",
                "sys/tg_test/1",
            ],
        }
        assert run_pytango_client(AFTER, env=env).strip() == "0"
