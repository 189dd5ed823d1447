"""Real servers for the tests of ``puretango web``: a Database (``puretango db`` on a fresh
SQLite file), our TangoTest registered in it as ``sys/tg_test/1`` and serving, a TangoTest
without Database, and ``puretango web --port 0`` on that TANGO_HOST. All session-scoped:
started once for every test under ``tests/web``.

Fixtures: ``tango_host`` ("127.0.0.1:PORT"), ``tangotest`` ("sys/tg_test/1", serving,
exported to ``tango_host``), ``nodb_tangotest`` (a full ``tango://127.0.0.1:P/sys/tg_test/1
#dbase=no`` name), ``web_server`` (the base URL "http://127.0.0.1:PORT/" of a running
``puretango web`` on ``tango_host``). ``WebServer(tango_host, poll_period=...)`` starts
another one (``with WebServer(...) as web: web.url``), e.g. on another Database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from types import TracebackType

import pytest
from peers.launch import HOST, READY_MARKER, TANGOTEST_DEVICE, TangoTestServer, free_port

__all__ = ["URL_MARKER", "WebServer"]

#: What ``puretango web`` prints on stdout once it listens, followed by its URL.
URL_MARKER = "puretango web: "


class _Process:
    """A subprocess whose merged output is collected by a thread; ``wait_for(marker)``
    returns the first line holding ``marker``."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**env, "PYTHONUNBUFFERED": "1"},
        )
        self.lines: list[str] = []
        self._new_line = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._new_line:
                self.lines.append(line)
                self._new_line.notify_all()
        with self._new_line:
            self._new_line.notify_all()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, marker: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        with self._new_line:
            while True:
                for line in self.lines:
                    if marker in line:
                        return line
                left = deadline - time.monotonic()
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise RuntimeError(f"{self.proc.args} exited:\n{self.output}")
                if left <= 0:
                    self.stop()
                    raise RuntimeError(f"no {marker!r} after {timeout} s:\n{self.output}")
                self._new_line.wait(min(left, 0.2))

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        self._reader.join(timeout)
        return int(self.proc.returncode)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "puretango.cli", *args]


class WebServer:
    """``puretango web --port 0`` in a subprocess on ``tango_host``; ``url`` is the base
    URL it printed ("http://127.0.0.1:PORT/"). Stopped (SIGINT, then kill) at the end."""

    def __init__(
        self, tango_host: str | None, poll_period: float = 1.0, extra_args: tuple[str, ...] = ()
    ) -> None:
        env = {k: v for k, v in os.environ.items() if k != "TANGO_HOST"}
        if tango_host is not None:
            env["TANGO_HOST"] = tango_host
        argv = _cli("web", "--port", "0", "--poll-period", str(poll_period), *extra_args)
        self._process = _Process(argv, env)
        try:
            line = self._process.wait_for(URL_MARKER)
        except BaseException:
            self._process.stop()
            raise
        self.url = line.split(URL_MARKER, 1)[1].strip()
        if not self.url.endswith("/"):
            self.url += "/"

    @property
    def output(self) -> str:
        """Everything the server printed so far."""
        return self._process.output

    def stop(self) -> int:
        return self._process.stop()

    def __enter__(self) -> WebServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture(scope="session")
def tango_host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``puretango db`` in a subprocess on a fresh SQLite file: its TANGO_HOST."""
    port = free_port()
    db_file = tmp_path_factory.mktemp("webdb") / "tango.db"
    env = {k: v for k, v in os.environ.items() if k != "TANGO_HOST"}
    argv = _cli("db", "--host", HOST, "--port", str(port), "--db-file", str(db_file))
    process = _Process(argv, env)
    try:
        process.wait_for(READY_MARKER)
        yield f"{HOST}:{port}"
    finally:
        process.stop()


@pytest.fixture(scope="session")
def tangotest(tango_host: str) -> Iterator[str]:
    """Our TangoTest as server ``TangoTest/web``, device ``sys/tg_test/1``, registered in
    and exported to ``tango_host``: yields the device name."""
    env = {**os.environ, "TANGO_HOST": tango_host}
    added = subprocess.run(
        _cli("server", "add", "TangoTest/web", "TangoTest", TANGOTEST_DEVICE),
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert added.returncode == 0, added.stdout + added.stderr
    process = _Process([sys.executable, "-m", "puretango.tangotest", "web"], env)
    try:
        process.wait_for(READY_MARKER)
        yield TANGOTEST_DEVICE
    finally:
        process.stop()


@pytest.fixture(scope="session")
def nodb_tangotest() -> Iterator[str]:
    """Our TangoTest without Database: yields ``tango://127.0.0.1:P/sys/tg_test/1#dbase=no``."""
    with TangoTestServer(instance="webnodb") as server:
        yield server.trl(TANGOTEST_DEVICE)


@pytest.fixture(scope="session")
def web_server(tango_host: str, tangotest: str) -> Iterator[str]:
    """``puretango web --port 0 --poll-period 1`` on ``tango_host`` (TangoTest serving):
    yields its base URL, "http://127.0.0.1:PORT/"."""
    with WebServer(tango_host) as web:
        yield web.url
