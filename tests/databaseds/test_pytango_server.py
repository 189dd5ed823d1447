"""The strongest proof: a real PyTango device server, registered with PyTango's
``Database().add_server``, starts against our Database (no ``-nodb``), takes its device
property and attribute configuration from it, exports itself, and a PyTango client reaches
it by name and by alias; at its exit it is unexported."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from peers.databases import DbProcess, ours
from peers.launch import HOST, free_port, peer_env, run_pytango_client

SCRIPT = Path(__file__).resolve().parent / "DbPeerDev.py"

REGISTER = r"""
import tango
db = tango.Database()
info = tango.DbDevInfo()
info.name, info._class, info.server = "test/peer/1", "DbPeerDev", "DbPeerDev/test"
db.add_server(info.server, info)
db.put_device_property("test/peer/1", {"Greeting": ["hello from our database"]})
db.put_device_attribute_property("test/peer/1", {"dbl": {"label": "Double", "unit": "mm"}})
db.put_device_alias("test/peer/1", "peer1")
print("ok")
"""

USE = r"""
import json, tango
dev = tango.DeviceProxy("test/peer/1")
alias = tango.DeviceProxy("peer1")
conf = dev.get_attribute_config("dbl")
info = tango.Database().get_device_info("test/peer/1")
print(json.dumps({
    "greeting": dev.greeting,
    "alias_state": str(alias.state()),
    "label": conf.label, "unit": conf.unit,
    "exported": info.exported, "class": info.class_name, "server": info.ds_full_name,
    "admin": dev.adm_name(),
    "classes": list(tango.Database().get_server_class_list("DbPeerDev/test")),
}))
"""

AFTER = r"""
import tango
print(tango.Database().import_device("test/peer/1").exported)
"""


def test_pytango_server_starts_against_our_database(tmp_path: Path) -> None:
    with ours(tmp_path / "tango.db") as db:
        env = {"TANGO_HOST": db.tango_host}
        assert run_pytango_client(REGISTER, env=env).strip() == "ok"
        port = free_port()
        argv = [sys.executable, str(SCRIPT), "test", "-ORBendPoint", f"giop:tcp:{HOST}:{port}"]
        server = DbProcess(argv, port, {**peer_env(), **env})
        with server:
            seen = json.loads(run_pytango_client(USE, env=env))
        assert seen == {
            "greeting": "hello from our database",
            "alias_state": "ON",
            "label": "Double",
            "unit": "mm",
            "exported": 1,
            "class": "DbPeerDev",
            "server": "DbPeerDev/test",
            "admin": "dserver/DbPeerDev/test",
            "classes": ["DbPeerDev"],
        }
        assert run_pytango_client(AFTER, env=env).strip() == "0"
