"""MariaDB restarted under load: our Database on a PRIVATE ``mariadbd`` (its own datadir,
port and socket, see :mod:`peers.private_mariadb`), a PyTango client process and our client
(a thread here) calling it in a loop (a property written, then read). MariaDB stopped
(cleanly, or killed): every call answers ``DevFailed`` with reason ``DB_SQLError`` (never a
time-out, and the Database server lives on); MariaDB started again: every call succeeds
again, with no restart of the Database server.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from peers.databases import DbProcess
from peers.launch import HOST, peer_env
from peers.mariadb import ours_on_mysql
from peers.private_mariadb import PrivateMariadb, private_mariadb_available

import puretango

REASON = private_mariadb_available()
if REASON is not None:  # pragma: no cover - the peer is part of CI
    pytest.skip(REASON, allow_module_level=True)

#: (start, seconds taken, "ok" or the DevFailed reason) of one call
Record = tuple[float, float, str]

#: the PyTango client's loop: one JSON record per call on stdout, until stdin closes
PYTANGO_LOOP = r"""
import json, os, sys, threading, time
import tango
db = tango.Database(os.environ["DB_HOST"], int(os.environ["DB_PORT"]))
stopped = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stopped.set()), daemon=True).start()
i = 0
while not stopped.is_set():
    i += 1
    t0 = time.monotonic()
    try:
        if i % 2:
            db.command_inout("DbPutProperty", ["LoadObj", "1", "pytango", "1", str(i)])
        else:
            db.command_inout("DbGetProperty", ["LoadObj", "pytango"])
        outcome = "ok"
    except tango.DevFailed as exc:
        outcome = exc.args[0].reason
    print(json.dumps([t0, time.monotonic() - t0, outcome]), flush=True)
    time.sleep(0.02)
"""


class PyTangoLoop:
    """The PyTango client loop as a subprocess; ``records`` grows as it calls."""

    def __init__(self, db: DbProcess) -> None:
        env = {**peer_env(), "DB_HOST": HOST, "DB_PORT": str(db.port)}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PYTANGO_LOOP],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env,
        )  # fmt: skip
        self.records: list[Record] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            start, seconds, outcome = json.loads(line)
            self.records.append((start, seconds, outcome))

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._reader.join(10)


class OurLoop:
    """Our client's loop on a thread of this process."""

    def __init__(self, db: DbProcess) -> None:
        self.database = puretango.Database(db.tango_host)
        self.records: list[Record] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        i = 0
        while not self._stopped.is_set():
            i += 1
            t0 = time.monotonic()
            try:
                if i % 2:
                    self.database.put_property("LoadObj", {"ours": [str(i)]})
                else:
                    self.database.get_property("LoadObj", ["ours"])
                outcome = "ok"
            except puretango.DevFailed as exc:
                outcome = exc.args[0].reason
            self.records.append((t0, time.monotonic() - t0, outcome))
            time.sleep(0.02)

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(30)


Loops = tuple[PyTangoLoop, OurLoop]


@pytest.fixture(scope="module")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateMariadb]:
    with PrivateMariadb(tmp_path_factory.mktemp("mariadb")) as server:
        yield server


@pytest.fixture
def loaded(mariadb: PrivateMariadb) -> Iterator[tuple[DbProcess, Loops]]:
    """Our Database on a new database of the private MariaDB, both loops calling it."""
    with ours_on_mysql(mariadb.tango_database()) as db:
        loops = (PyTangoLoop(db), OurLoop(db))
        try:
            yield db, loops
        finally:
            for loop in loops:
                loop.stop()
            if mariadb.proc is None:
                mariadb.start()


def _since(records: list[Record], start: float) -> list[str]:
    return [outcome for t0, _, outcome in list(records) if t0 >= start]


def _wait(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _wait_for_calls(loops: Loops, start: float, n: int = 10, outcome: str | None = None) -> None:
    """Until each loop made ``n`` calls (with that ``outcome``) started at ``start`` or
    later."""

    def enough(loop: PyTangoLoop | OurLoop) -> bool:
        outcomes = _since(loop.records, start)
        return len([x for x in outcomes if outcome in (None, x)]) >= n

    _wait(lambda: all(enough(loop) for loop in loops))


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_calls_fail_with_db_sqlerror_then_succeed_again(
    mariadb: PrivateMariadb, loaded: tuple[DbProcess, Loops], how: str
) -> None:
    db, loops = loaded
    assert db.proc is not None
    pid = db.proc.pid
    _wait_for_calls(loops, 0)
    assert all(_since(loop.records, 0) == ["ok"] * len(_since(loop.records, 0)) for loop in loops)
    if how == "stop":
        mariadb.stop()
    else:
        assert mariadb.proc is not None
        mariadb.proc.send_signal(signal.SIGKILL)
        mariadb.proc.wait(30)
        mariadb.proc = None
    down = time.monotonic()
    _wait_for_calls(loops, down)
    for loop in loops:
        outcomes = _since(loop.records, down)
        assert set(outcomes) == {"DB_SQLError"}, outcomes
    assert db.proc is not None and db.proc.poll() is None
    mariadb.start()
    up = time.monotonic()
    _wait_for_calls(loops, up, outcome="ok")
    for loop in loops:  # (a MyISAM table MariaDB repairs as it opens it may fail a call)
        outcomes = _since(loop.records, up)
        assert set(outcomes) <= {"ok", "DB_SQLError"}, outcomes
        assert "ok" in outcomes and set(outcomes[outcomes.index("ok") :]) == {"ok"}, outcomes
    assert db.proc is not None and db.proc.pid == pid and db.proc.poll() is None
