"""Start and stop real PyTango peers (device servers, client snippets) for tests.

``PyTangoServer`` runs a PyTango device server script without database, bound to the
loopback interface only (``-ORBendPoint giop:tcp:127.0.0.1:<port>``), and waits for
"Ready to accept request". ``run_pytango_client`` runs a Python snippet (typically using
``tango.DeviceProxy``) in a fresh interpreter and returns its stdout.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"
READY_MARKER = "Ready to accept request"
PEERS_DIR = Path(__file__).resolve().parent
#: The C++ Tango stack of Debian (``cpp-tango install|start-db|tangotest``), from the
#: ``shared/`` folder beside the repository (CI lays a copy there).
CPP_TANGO = PEERS_DIR.parents[2] / "shared" / "peers" / "cpp-tango"
TYPEDEV_SCRIPT = PEERS_DIR / "typedev.py"
PURE_TYPEDEV_SCRIPT = PEERS_DIR / "typedev_pure.py"


def free_port(host: str = HOST) -> int:
    """Return a TCP port that is currently free on ``host`` (racy, but good enough)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def peer_env() -> dict[str, str]:
    """Environment for peer subprocesses: unbuffered Python, no Database lookup."""
    env = dict(os.environ)
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("TANGO_HOST", None)
    return env


class PeerError(RuntimeError):
    """A peer process failed to start or a client snippet failed."""


class PyTangoServer:
    """A PyTango device server subprocess in ``-nodb`` mode on 127.0.0.1.

    ``PyTangoServer(script, "test", ["test/type/1"])`` serves the devices of ``script`` on
    ``port`` (a free one if None). Use ``start()``/``stop()`` or ``with``.
    """

    def __init__(
        self,
        script: Path,
        instance: str,
        devices: list[str],
        port: int | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self.script = Path(script)
        self.instance = instance
        self.devices = list(devices)
        self._port = port if port is not None else free_port()
        self.extra_args = list(extra_args or [])
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.startup_seconds: float | None = None

    # ------------------------------------------------------------------ properties

    @property
    def host(self) -> str:
        """Address the server listens on."""
        return HOST

    @property
    def port(self) -> int:
        """TCP port of the server (stays the same across ``restart()``)."""
        return self._port

    @property
    def pid(self) -> int | None:
        """Process id of the running server, or None."""
        return self._proc.pid if self._proc is not None else None

    @property
    def output(self) -> str:
        """Everything the current server process printed so far (stdout and stderr)."""
        with self._lock:
            return "".join(self._lines)

    def trl(self, device: str) -> str:
        """Full Tango resource locator of ``device``, e.g. for ``DeviceProxy``."""
        return f"tango://{HOST}:{self._port}/{device}#dbase=no"

    def command_line(self) -> list[str]:
        """The argv used to start the server."""
        return [
            sys.executable,
            str(self.script),
            self.instance,
            "-nodb",
            "-ORBendPoint",
            f"giop:tcp:{HOST}:{self._port}",
            "-dlist",
            ",".join(self.devices),
            *self.extra_args,
        ]

    # ------------------------------------------------------------------ lifecycle

    def is_running(self) -> bool:
        """True while the server process is alive."""
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 30) -> PyTangoServer:
        """Spawn the server and wait for its ready message; raise PeerError on failure."""
        if self.is_running():
            raise PeerError("server already running")
        with self._lock:
            self._lines = []
        self._ready.clear()
        t0 = time.monotonic()
        self._proc = subprocess.Popen(
            self.command_line(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=peer_env(),
        )
        self._reader = threading.Thread(
            target=self._read_output, args=(self._proc,), name="pytango-server-output", daemon=True
        )
        self._reader.start()
        deadline = t0 + timeout
        while not self._ready.wait(0.05):
            if self._proc.poll() is not None:
                self._reader.join(2)
                raise PeerError(
                    f"server exited with code {self._proc.returncode} before being ready:\n"
                    + self.output
                )
            if time.monotonic() > deadline:
                self.stop()
                raise PeerError(f"server not ready after {timeout} s:\n{self.output}")
        self.startup_seconds = time.monotonic() - t0
        return self

    def _read_output(self, proc: subprocess.Popen[str]) -> None:
        """Collect the server output (runs in a thread until EOF)."""
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._lock:
                self._lines.append(line)
            if READY_MARKER in line:
                self._ready.set()

    def stop(self, timeout: float = 10) -> None:
        """Stop the server: SIGINT (clean Tango shutdown), then SIGKILL if needed."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout)
        if proc.stdout is not None:
            proc.stdout.close()
        self._proc = None

    def restart(self, timeout: float = 30) -> PyTangoServer:
        """Stop and start again on the same port."""
        self.stop()
        return self.start(timeout)

    def __enter__(self) -> PyTangoServer:
        if not self.is_running():
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def typedev_server(devices: list[str] | None = None, instance: str = "test") -> PyTangoServer:
    """A (not yet started) PyTangoServer for ``typedev.py``."""
    return PyTangoServer(TYPEDEV_SCRIPT, instance, devices or ["test/type/1"])


def pure_typedev_server(
    devices: list[str] | None = None, instance: str = "test", port: int | None = None
) -> PyTangoServer:
    """A (not yet started) server process for ``typedev_pure.py`` (the launcher is generic)."""
    return PyTangoServer(PURE_TYPEDEV_SCRIPT, instance, devices or ["test/type/1"], port=port)


def run_pytango_client(code: str, timeout: float = 60, env: dict[str, str] | None = None) -> str:
    """Run ``code`` with this interpreter in a subprocess and return its stdout.

    The environment is :func:`peer_env` (no ``TANGO_HOST``) updated with ``env``.
    Raises PeerError (with stdout and stderr) if the snippet fails or times out.
    """
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            env={**peer_env(), **(env or {})},
        )
    except subprocess.TimeoutExpired as exc:
        raise PeerError(
            f"client snippet timed out after {timeout} s\n"
            f"stdout:\n{exc.stdout}\nstderr:\n{exc.stderr}"
        ) from exc
    if proc.returncode != 0:
        raise PeerError(
            f"client snippet failed with code {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc.stdout


TANGOTEST_DEVICE = "sys/tg_test/1"


class TangoTestServer(PyTangoServer):
    """``python -m puretango.tangotest INSTANCE -nodb -ORBendPoint ... -dlist ...``."""

    def __init__(self, instance: str = "test", devices: list[str] | None = None) -> None:
        super().__init__(Path("-m"), instance, devices or [TANGOTEST_DEVICE])

    def command_line(self) -> list[str]:
        return [
            sys.executable, "-m", "puretango.tangotest", self.instance, "-nodb",
            "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}", "-dlist", ",".join(self.devices),
        ]  # fmt: skip


class CppTangoTest(PyTangoServer):
    """The C++ TangoTest of ``cpp-tango`` as server ``TangoTest/<instance>``, started with
    the Database at ``tango_host`` (its devices come from there: register them first)."""

    def __init__(self, tango_host: str, instance: str, device: str) -> None:
        super().__init__(CPP_TANGO, instance, [device])
        self.tango_host = tango_host

    def command_line(self) -> list[str]:
        return [
            "env", f"TANGO_HOST={self.tango_host}", str(CPP_TANGO), "tangotest", self.instance,
            "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}",
        ]  # fmt: skip

    def restart_on_another_port(self) -> None:
        """Stop, then start on a new free port (it exports its new IOR)."""
        self.stop()
        self._port = free_port()
        self.start()


class CppTangoTestNoDb(PyTangoServer):
    """The C++ TangoTest of ``cpp-tango`` without Database (``-nodb -dlist DEVICE``)."""

    def __init__(self, device: str = TANGOTEST_DEVICE, instance: str = "test") -> None:
        super().__init__(CPP_TANGO, instance, [device])

    def command_line(self) -> list[str]:
        return [
            str(CPP_TANGO), "tangotest", self.instance, "-nodb", "-dlist", ",".join(self.devices),
            "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}",
        ]  # fmt: skip


@contextmanager
def cpp_database() -> Iterator[str]:
    """A C++ DataBaseds of our own (``cpp-tango start-db``) on a free port, on the shared
    MariaDB (use unique names); yields its TANGO_HOST and stops it at the end."""
    port = free_port()
    out = subprocess.run(
        [str(CPP_TANGO), "start-db", str(port)], capture_output=True, text=True, timeout=90
    )
    if out.returncode != 0:
        raise PeerError(f"cpp-tango start-db failed: {out.stdout}{out.stderr}")
    words = out.stdout.split()
    pid = int(words[1]) if len(words) > 1 and words[1].isdigit() else None
    try:
        yield f"{HOST}:{port}"
    finally:
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
