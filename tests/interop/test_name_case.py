"""A DeviceProxy's name is the canonical lower-case one, whatever the caller's case, as a
real PyTango client answers: name(), dev_name(), str, repr, the AttributeProxy's device,
for a no-database TRL and for a name resolved through a Database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from peers import databases
from peers.launch import TangoTestServer, peer_env

SNIPPET = """
import importlib, sys
tango = importlib.import_module(sys.argv[1])
proxy = tango.DeviceProxy(sys.argv[2])
print(repr([proxy.name(), proxy.dev_name(), str(proxy), repr(proxy)]))
if len(sys.argv) > 3:
    attr = tango.AttributeProxy(sys.argv[3])
    print(repr([attr.name(), attr.get_device_proxy().name()]))
"""


def names(module: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", SNIPPET, module, *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=peer_env(),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_no_database_name_is_lower_case() -> None:
    with TangoTestServer(instance="namecase") as server:
        base = f"tango://{server.host}:{server.port}/SYS/TG_Test/1"
        args = (f"{base}#dbase=no", f"{base}/Double_Scalar#dbase=no")
        ours, theirs = names("puretango", *args), names("tango", *args)
    assert ours == theirs
    assert "'sys/tg_test/1', 'sys/tg_test/1'" in ours


def test_database_resolved_name_is_lower_case(tmp_path: Path) -> None:
    with databases.ours(tmp_path / "names.db") as db:
        trl = f"tango://{db.tango_host}/SYS/Database/2"
        ours, theirs = names("puretango", trl), names("tango", trl)
    assert ours == theirs
    assert "'sys/database/2'" in ours
