"""Database servers as test peers: ours (``python -m puretango.databaseds``) and PyTango's
own (``python -m tango.databaseds.database``), each a subprocess on a free loopback port and
a file of its own, plus ``call_db``: a PyTango client that runs a list of raw Database
commands and returns every result (or the error reason) as JSON."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from peers.launch import HOST, READY_MARKER, PeerError, free_port, peer_env, run_pytango_client

__all__ = ["DbProcess", "HOST", "ours", "pytango_db", "call_db", "CALL_SNIPPET"]


class DbProcess:
    """A Database server subprocess; ``tango_host`` is what clients set as TANGO_HOST."""

    def __init__(self, argv: list[str], port: int, env: dict[str, str]) -> None:
        self.argv, self.port, self.env = argv, port, env
        self.proc: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._ready = threading.Event()

    @property
    def tango_host(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self, timeout: float = 30) -> DbProcess:
        self.lines = []
        self._ready.clear()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise PeerError("Database did not start:\n" + "".join(self.lines))
        return self

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line)
            if READY_MARKER in line:
                self._ready.set()

    def kill(self, sig: int = signal.SIGKILL) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        code = self.proc.wait(10)
        self.proc = None
        return code

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def __enter__(self) -> DbProcess:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def ours(db_file: Path, port: int | None = None) -> DbProcess:
    port = port or free_port()
    argv = [sys.executable, "-m", "puretango.databaseds", "2", "--host", HOST]
    argv += ["--port", str(port), "--db-file", str(db_file)]
    return DbProcess(argv, port, peer_env())


def pytango_db(db_file: Path, port: int | None = None) -> DbProcess:
    port = port or free_port()
    env = {**peer_env(), "PYTANGO_DATABASE_NAME": str(db_file), "TANGO_HOST": f"{HOST}:{port}"}
    argv = [sys.executable, "-m", "tango.databaseds.database", "2"]
    argv += ["--host", HOST, "--port", str(port)]
    return DbProcess(argv, port, env)


#: runs the calls of $DB_CALLS (JSON [[command, argin], ...]) on sys/database/2 through a
#: PyTango DeviceProxy; prints one JSON list: a result, or {"error": reason}, per call
CALL_SNIPPET = r"""
import json, os, sys
import tango
dev = tango.DeviceProxy("sys/database/2")
out = []
for name, arg in json.loads(os.environ["DB_CALLS"]):
    try:
        r = dev.command_inout(name, arg) if arg is not None else dev.command_inout(name)
    except tango.DevFailed as exc:
        out.append({"error": exc.args[0].reason})
        continue
    if isinstance(r, (list, tuple)) and len(r) == 2 and not isinstance(r[0], str):
        r = [[int(x) for x in r[0]], list(r[1])]
    elif isinstance(r, (list, tuple)):
        r = list(r)
    out.append(r)
print(json.dumps(out))
"""


def call_db(tango_host: str, calls: list[tuple[str, Any]], timeout: float = 60) -> list[Any]:
    env = {"TANGO_HOST": tango_host, "DB_CALLS": json.dumps(calls)}
    return json.loads(run_pytango_client(CALL_SNIPPET, timeout=timeout, env=env))


def env_with(tango_host: str) -> dict[str, str]:
    return {**os.environ, "TANGO_HOST": tango_host}
