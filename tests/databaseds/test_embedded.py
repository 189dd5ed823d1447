"""The Database on a thread of the test process (what a demo embeds), reached by a real
PyTango client; and the command line's default file and clean exit on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from peers.launch import free_port, peer_env, run_pytango_client

from puretango.databaseds import EmbeddedDatabase

from .dbpeers import HOST


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
