"""``Group.add`` with ``*`` patterns, resolved through a Database as cppTango 10 does
(every device defined, running or not): our Database server holds a PyTango ``TypeDev``
server of two devices (started with the Database) and a third device registered but never
started; our ``Group`` and PyTango's get the same members and the same replies."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers.databases import ours
from peers.launch import HOST, PyTangoServer, free_port, run_pytango_client

from puretango import DevFailed, Group

pytest.importorskip("tango")

SERVER = "TypeDev/grp"
DEVICES = ["test/grpdb/1", "test/grpdb/2"]
UNEXPORTED = "test/grpdb/never"


class _RegisteredServer(PyTangoServer):
    """``typedev.py`` started with the Database: its devices come from there."""

    def __init__(self, tango_host: str) -> None:
        super().__init__(Path(__file__).parents[1] / "peers/typedev.py", "grp", DEVICES)
        self.tango_host = tango_host

    def command_line(self) -> list[str]:
        return [
            "env", f"TANGO_HOST={self.tango_host}", sys.executable, str(self.script),
            self.instance, "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}",
        ]  # fmt: skip


@pytest.fixture(scope="module")
def tango_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our Database with the devices registered and the TypeDev server running."""
    with ours(tmp_path_factory.mktemp("groupdb") / "tango.db") as database:
        host = database.tango_host
        run_pytango_client(
            f"""
import tango
db = tango.Database()
for name, server in [(d, {SERVER!r}) for d in {DEVICES!r}] + [({UNEXPORTED!r}, "TypeDev/x")]:
    info = tango.DbDevInfo()
    info.name, info._class, info.server = name, "TypeDev", server
    db.add_server(info.server, info, with_dserver=True)
""",
            env={"TANGO_HOST": host},
        )
        server = _RegisteredServer(host)
        server.start()
        try:
            yield host
        finally:
            server.stop()


SCENARIO = """
import json, tango

def seen(r):
    return "failed" if r.has_failed() else r.get_data()

out = []
for pattern in PATTERNS:
    g = tango.Group("g")
    try:
        g.add(pattern)
    except tango.DevFailed as exc:
        out.append(["DevFailed", exc.args[-1].reason])
        continue
    try:
        replies = [[r.dev_name(), seen(r)] for r in g.command_inout("EchoLong", 3)]
    except tango.DevFailed as exc:
        replies = [e.reason for e in exc.args]
    out.append([g.get_device_list(), replies])
print(json.dumps(out, default=list))
"""


def _seen(r: Any) -> Any:
    return "failed" if r.has_failed() else r.get_data()


def _run_ours(patterns: list[str]) -> list[Any]:
    out: list[Any] = []
    for pattern in patterns:
        g = Group("g")
        try:
            g.add(pattern)
        except DevFailed as exc:
            out.append(["DevFailed", exc.args[-1].reason])
            continue
        try:
            replies: Any = [[r.dev_name(), _seen(r)] for r in g.command_inout("EchoLong", 3)]
        except DevFailed as exc:
            replies = [e.reason for e in exc.args]
        out.append([g.get_device_list(), replies])
    return out


def test_patterns_through_tango_host(monkeypatch: pytest.MonkeyPatch, tango_host: str) -> None:
    patterns = ["test/grpdb/*", "TEST/*/2", "*grpdb/n*", "test/grpdb/1", "*grpdb*", "dserver/*"]
    theirs = json.loads(
        run_pytango_client(
            f"PATTERNS = {patterns!r}\n" + SCENARIO, env={"TANGO_HOST": tango_host}
        ).splitlines()[-1]
    )
    monkeypatch.setenv("TANGO_HOST", tango_host)
    ours_seen = _run_ours(patterns)
    assert ours_seen == theirs
    assert theirs[0][0] == [*DEVICES, UNEXPORTED]  # defined devices, running or not


def test_pattern_naming_its_database(monkeypatch: pytest.MonkeyPatch, tango_host: str) -> None:
    monkeypatch.delenv("TANGO_HOST", raising=False)
    g = Group("g")
    g.add(f"tango://{tango_host}/test/grpdb/*")
    assert g.get_device_list() == [f"tango://{tango_host}/{d}" for d in [*DEVICES, UNEXPORTED]]
    assert [_seen(r) for r in g.command_inout("EchoLong", 4)] == [4, 4, "failed"]
    g.add(f"tango://{tango_host}/test/grpdb/*#dbase=no")  # matches nothing, as in PyTango
    assert g.get_size() == 3
    g.add(f"{tango_host}/test/grpdb/1")  # the same device, named otherwise: a new member
    assert g.get_size() == 4
    with pytest.raises(DevFailed):  # no Database there
        g.add(f"tango://127.0.0.1:{free_port()}/test/grpdb/*")
