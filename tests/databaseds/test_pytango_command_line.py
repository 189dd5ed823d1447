"""PyTango's Database command line on puretango (``python -m tango.databaseds.database
--host H --port P 2`` of the drop-in, with ``PYTANGO_DATABASE_NAME=:memory:``), and the
``DeviceProxy`` property calls PyTango's ``test_databaseds.py`` makes on it (DbDatum with
bytes values, a DbData filled by ``get_property``), compared with PyTango's client."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers.launch import HOST, READY_MARKER, free_port, peer_env, run_pytango_client

import puretango

SCRIPT = Path(__file__).resolve().parents[2] / "compat" / "tango" / "databaseds" / "database.py"


@pytest.fixture(scope="module")
def database_trl() -> Iterator[str]:
    port = free_port()
    env = {**peer_env(), "PYTANGO_DATABASE_NAME": ":memory:"}
    cmd = [sys.executable, "-u", str(SCRIPT), f"--host={HOST}", f"--port={port}", "-l", "2", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if READY_MARKER in line:
                break
        else:
            pytest.fail("the Database server did not start")
        yield f"tango://{HOST}:{port}/sys/database/2"
    finally:
        proc.terminate()
        proc.wait(10)


def test_identity_as_pytango_sees_it(database_trl: str) -> None:
    code = (
        "import json, tango\n"
        f"d = tango.DeviceProxy({database_trl!r})\n"
        "i = d.info()\n"
        "print(json.dumps([i.dev_class, i.doc_url, i.server_id, str(d.state()), d.status()]))\n"
    )
    assert json.loads(run_pytango_client(code).strip().splitlines()[-1]) == [
        "DataBase",
        "Doc URL = http://www.tango-controls.org",
        "DataBaseds/2",
        "ON",
        "The device is in ON state.",
    ]


def test_property_overloads(database_trl: str) -> None:
    dev = puretango.DeviceProxy(database_trl)
    datum = puretango.DbDatum("p1")
    datum.value_string.append(b"one")  # bytes: latin-1 text, as PyTango takes them
    dev.put_property(datum)
    dev.put_property({"p2": ["two"]})
    filled = puretango.DbData()
    assert dev.get_property(["p1", "p2"], filled) == {"p1": ["one"], "p2": ["two"]}
    assert [(d.name, d.value_string) for d in filled] == [("p1", ["one"]), ("p2", ["two"])]
    code = (
        "import json, tango\n"
        f"d = tango.DeviceProxy({database_trl!r})\n"
        "data = tango.DbData()\n"
        "got = d.get_property(['p1', 'p2'], data)\n"
        "got = {k: list(v) for k, v in got.items()}\n"
        "print(json.dumps([got, [(x.name, list(x.value_string)) for x in data]]))\n"
    )
    theirs = json.loads(run_pytango_client(code).strip().splitlines()[-1])
    assert theirs == [{"p1": ["one"], "p2": ["two"]}, [["p1", ["one"]], ["p2", ["two"]]]]
    dev.delete_property(["p1", "p2"])
    assert dev.get_property_list("*") == []
