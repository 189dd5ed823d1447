"""Fresh Tango databases on the MariaDB of the cpp-tango peer, made as Debian's ``tango-db``
makes its own: the package's ``create_db_tables.sql``, its stored procedures (renamed into
the new database: the C++ DataBaseds calls ``<database>.ds_start``) and its initial rows,
loaded with the ``mysql`` client as root (CI runs as root; MariaDB's root logs in through
its Unix socket). Each test gets its own database, so nothing it writes meets another's.

``tango_database()`` is a context manager yielding the :class:`MysqlConfig` of a new
database (user tango/tango) and dropping it afterwards; :func:`cpp_databaseds` starts the
C++ DataBaseds on a given database and port, :func:`ours_on_mysql` makes ours.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peers.databases import DbProcess
from peers.launch import CPP_TANGO, HOST, free_port, peer_env
from puretango.databaseds._mysql_config import MysqlConfig

#: Debian's tango-db files (the schema, the stored procedures, the install script)
TANGO_DB_DIR = Path("/usr/share/tango-db")
INSTALL_SCRIPT = Path("/usr/share/dbconfig-common/data/tango-db/install/mysql")
DATABASEDS = Path("/usr/lib/tango/DataBaseds")
USER, PASSWORD = "tango", "tango"


def mariadb_available() -> str | None:
    """None when a Tango MariaDB can be made here, else why not."""
    if not CPP_TANGO.exists():
        return "the cpp-tango peer script is absent"
    if not INSTALL_SCRIPT.exists() or shutil.which("mysql") is None:
        return "the cpp-tango peer is not installed (cpp-tango install)"
    return ensure_mariadb_running()


def ensure_mariadb_running() -> str | None:
    """Start MariaDB as ``cpp-tango`` does, if it is down; None on success."""
    if _mysql_ok():
        return None
    mysqld = shutil.which("mysqld_safe")
    if mysqld is None:
        return "mysqld_safe is absent"
    os.makedirs("/run/mysqld", exist_ok=True)
    shutil.chown("/run/mysqld", "mysql", "mysql")
    subprocess.Popen(
        [mysqld], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    for _ in range(120):
        if _mysql_ok():
            return None
        time.sleep(0.5)
    return "MariaDB did not start"


def _mysql_ok() -> bool:
    done = subprocess.run(
        ["mysqladmin", "--silent", "ping"], capture_output=True, check=False, timeout=30
    )
    return done.returncode == 0


def mysql_root(
    sql: str, database: str | None = None, timeout: float = 120, socket: str | None = None
) -> str:
    """Run SQL as MariaDB's root with the ``mysql`` client (through ``socket``, else the
    shared server's); its output (tab-separated, no header)."""
    command = ["mysql", "--batch", "--skip-column-names"]
    if socket:
        command.append(f"--socket={socket}")
    if database:
        command.append(database)
    done = subprocess.run(
        command, input=sql, capture_output=True, text=True, check=False, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"mysql failed: {done.stderr.strip()}")
    return done.stdout


def install_script(database: str) -> str:
    """Debian's install script for ``database``: its ``source`` lines inlined, the stored
    procedures' ``tango.`` prefix renamed to the new database."""
    lines: list[str] = []
    for line in INSTALL_SCRIPT.read_text().splitlines():
        match = re.match(r"\s*source\s+(\S+)", line)
        if match is None:
            lines.append(line)
            continue
        text = Path(match.group(1)).read_text()
        if Path(match.group(1)).name == "stored_proc.sql":
            text = re.sub(r"\btango\.", f"{database}.", text)
        lines.append(text)
    return "\n".join(lines)


def create_tango_database(
    prefix: str = "pt", *, socket: str | None = None, port: int = 3306
) -> MysqlConfig:
    """A new, empty Tango database as Debian's tango-db creates one (with its initial rows:
    ``sys/database/2``, ``sys/tg_test/1`` ...); user tango/tango may use it. ``socket`` and
    ``port``: another server than the shared one (one without a ``tango`` database, so the
    script's own ``CALL tango.init_tac_tables()`` is renamed too)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    grant = f"GRANT ALL PRIVILEGES ON {name}.* TO '{USER}'"
    mysql_root(
        f"CREATE DATABASE {name}; {grant}@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';"
        + ("" if socket else f" {grant}@'localhost';"),
        socket=socket,
    )
    script = install_script(name)
    if socket:
        script = re.sub(r"\bCALL tango\.", f"CALL {name}.", script)
    mysql_root(script, database=name, socket=socket)
    return MysqlConfig(host=HOST, port=port, user=USER, password=PASSWORD, database=name)


def drop_database(name: str) -> None:
    mysql_root(f"DROP DATABASE IF EXISTS {name}")


@contextmanager
def tango_database(prefix: str = "pt") -> Iterator[MysqlConfig]:
    """A new Tango database for the ``with`` block, dropped after it."""
    config = create_tango_database(prefix)
    try:
        yield config
    finally:
        drop_database(config.database)


def cpp_databaseds_env(config: MysqlConfig, tango_host: str) -> dict[str, str]:
    """The environment of a C++ DataBaseds on ``config``'s database."""
    env = peer_env()
    env.update(
        TANGO_HOST=tango_host,
        MYSQL_HOST="localhost",  # the Unix socket: the C++ client's own default
        MYSQL_USER=config.user,
        MYSQL_PASSWORD=config.password,
        MYSQL_DATABASE=config.database,
    )
    return env


def cpp_databaseds(config: MysqlConfig, port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start the C++ DataBaseds on ``config``'s database, serving 127.0.0.1:``port``;
    returns once it says "Ready to accept request" (its output goes to ``log``)."""
    env = cpp_databaseds_env(config, f"{HOST}:{port}")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(DATABASEDS), "2", "-ORBendPoint", f"giop:tcp:{HOST}:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if b"Ready to accept request" in log.read_bytes():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"the C++ DataBaseds did not start: {log.read_text(errors='replace')}")


def ours_on_mysql(config: MysqlConfig, port: int | None = None) -> DbProcess:
    """Our Database server (not started) on ``config``'s database, on 127.0.0.1:``port``."""
    port = port or free_port()
    argv = [sys.executable, "-m", "puretango.databaseds", "2", "--host", HOST]
    argv += ["--port", str(port), "--db-url", config.url(with_password=True)]
    return DbProcess(argv, port, peer_env())
