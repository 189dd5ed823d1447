"""The Database on a thread of the test process (what a demo embeds), reached by a real
PyTango client; and the command line's default file and clean exit on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from peers.databases import HOST
from peers.launch import free_port, peer_env, run_pytango_client

from puretango.databaseds import EmbeddedDatabase


def test_embedded_database_serves_a_pytango_client(tmp_path: Path) -> None:
    with EmbeddedDatabase(tmp_path / "tango.db") as db:
        out = run_pytango_client(
            "import tango; d = tango.Database(); print(d.get_device_exported('*').value_string)"
            "; print(d.get_info())",
            env={"TANGO_HOST": db.tango_host},
        )
    lines = out.splitlines()
    assert lines[0] == "['dserver/DataBaseds/2', 'sys/database/2']"
    assert lines[1] == f"TANGO Database {tmp_path / 'tango.db'}"
    assert lines[3].startswith("Running since ") and " at " in lines[3]
    assert lines[5:9] == [
        "Devices defined = 2",
        "Devices exported = 2",
        "Device servers defined = 1",
        "Device servers exported = 1",
    ]


def test_command_line_default_file_and_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {**peer_env(), "XDG_DATA_HOME": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "puretango.databaseds", "2", "--host", HOST, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.strip() == f"Database file: {tmp_path / 'puretango' / 'tango_database.db'}"
    assert proc.stdout.readline().strip() == "Ready to accept request"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    assert (tmp_path / "puretango" / "tango_database.db").exists()


#: the Database server with numpy made unimportable: any use of it fails the call
_NO_NUMPY_SERVER = """
import sys

class NoNumpy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" or name.startswith("numpy."):
            raise ImportError("the Database server imported numpy")
        return None

sys.meta_path.insert(0, NoNumpy())
from puretango.databaseds.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_database_server_never_imports_numpy(tmp_path: Path) -> None:
    port = free_port()
    argv = ["2", "--host", HOST, "--port", str(port), "--db-file", str(tmp_path / "t.db")]
    proc = subprocess.Popen(
        [sys.executable, "-c", _NO_NUMPY_SERVER, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=peer_env(),
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        assert proc.stdout.readline().strip() == "Ready to accept request"
        out = run_pytango_client(
            f"""
import tango
db = tango.Database("{HOST}", {port})
dev = tango.DeviceProxy("tango://{HOST}:{port}/sys/database/2")
info = tango.DbDevInfo()
info.name, info._class, info.server = "np/dev/1", "NpDev", "NpDev/1"
db.add_server("NpDev/1", [info])
db.put_device_property("np/dev/1", {{"p": ["1", "2"]}})
dev.command_inout("DbExportDevice", ["np/dev/1", "IOR:00", "{HOST}", "12", "6"])
print(dev.command_inout("DbImportDevice", "np/dev/1")[0])
print(db.get_device_property("np/dev/1", ["p"])["p"])
print(list(dev.command_inout("DbGetDeviceList", ["NpDev/1", "NpDev"])))
print(dev.command_inout("DbGetDeviceInfo", "np/dev/1")[0])
db.put_device_attribute_property("np/dev/1", {{"a": {{"min_value": "0"}}}})
print(db.get_device_attribute_property("np/dev/1", ["a"])["a"]["min_value"])
print(dev.info().dev_class, dev.state(), dev.read_attribute("StoredProcedureRelease").value)
print(db.get_info().splitlines()[5])
""",
        )
    finally:
        proc.terminate()
        proc.wait(10)
    assert out.splitlines() == [
        "[ 1 12]",
        "['1', '2']",
        "['np/dev/1']",
        "[ 1 12]",
        "['0']",
        "DataBase ON release 1.8",
        "Devices exported = 3",
    ]
