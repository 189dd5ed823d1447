"""A private MariaDB server for tests that stop and restart it: ``mariadbd`` on a datadir
made by ``mariadb-install-db`` under a temporary folder, its own TCP port on 127.0.0.1 and
its own Unix socket, run as root (CI runs as root), never the shared server of the
cpp-tango peer. Its Tango databases are made as :mod:`peers.mariadb` makes them (Debian's
install script, user tango/tango), the script's ``CALL tango.init_tac_tables()`` renamed
too (there is no ``tango`` database here).

``with PrivateMariadb(folder) as server:`` installs and starts it; ``server.stop()`` and
``server.start()`` stop and restart it on the same datadir and port (what it stored stays);
``server.tango_database()`` is a new Tango database on it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

from peers.launch import HOST, free_port
from peers.mariadb import create_tango_database, mysql_root
from puretango.databaseds._mysql_config import MysqlConfig

__all__ = ["PrivateMariadb", "private_mariadb_available"]


def private_mariadb_available() -> str | None:
    """None when a private MariaDB can be made here, else why not."""
    for tool in ("mariadb-install-db", "mariadbd", "mysql", "mysqladmin"):
        if shutil.which(tool) is None:
            return f"{tool} is absent (cpp-tango install)"
    return None


class PrivateMariadb:
    """One ``mariadbd`` of our own under ``folder``, on a free port."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.datadir = self.folder / "data"
        self.socket = self.folder / "mysqld.sock"
        self.log = self.folder / "mysqld.log"
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def install(self) -> None:
        """A new datadir (root logs in through the Unix socket)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}",
                "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db",
            ],
            capture_output=True, check=True, timeout=120,
        )  # fmt: skip

    def start(self, timeout: float = 60) -> None:
        """Start ``mariadbd`` on the datadir; returns once it answers a ping."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    "mariadbd", "--no-defaults", f"--datadir={self.datadir}",
                    f"--socket={self.socket}", f"--port={self.port}", f"--bind-address={HOST}",
                    "--user=root", f"--pid-file={self.folder / 'mysqld.pid'}",
                    "--skip-log-bin", "--innodb-buffer-pool-size=16M", "--skip-name-resolve",
                ],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self._ping():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"mariadbd did not start: {self.log.read_text(errors='replace')}")

    def _ping(self) -> bool:
        done = subprocess.run(
            ["mysqladmin", f"--socket={self.socket}", "--silent", "ping"],
            capture_output=True, check=False, timeout=30,
        )  # fmt: skip
        return done.returncode == 0

    def stop(self, timeout: float = 60) -> None:
        """Stop it (SIGTERM: a clean shutdown; SIGKILL if that takes too long)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def mysql_root(self, sql: str, database: str | None = None) -> str:
        """Run SQL as root through this server's socket; its output."""
        return mysql_root(sql, database, socket=str(self.socket))

    def tango_database(self, prefix: str = "pp") -> MysqlConfig:
        """A new Tango database on this server, as Debian's tango-db makes one (TCP access
        for tango/tango from 127.0.0.1)."""
        return create_tango_database(prefix, socket=str(self.socket), port=self.port)

    def __enter__(self) -> PrivateMariadb:
        self.install()
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
