"""Where a MariaDB/MySQL Tango database is: :class:`MysqlConfig`, from a URL
(``mysql://user:pass@host:3306/tango``) or from the environment variables the C++ DataBaseds
reads (``MYSQL_HOST``, ``MYSQL_USER``, ``MYSQL_PASSWORD``, ``MYSQL_DATABASE``), and
:meth:`MysqlConfig.connect`, one PyMySQL connection set up as the back-end needs it.

PyMySQL is imported only when a connection is made: ``puretango[mysql]`` is an optional
extra, and a Database on SQLite never loads it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["MysqlConfig", "DEFAULT_PORT", "MYSQL_SCHEMES"]

DEFAULT_PORT = 3306
#: URL schemes taken for MariaDB/MySQL
MYSQL_SCHEMES = ("mysql", "mariadb", "mysql+pymysql")


@dataclass(frozen=True)
class MysqlConfig:
    """Connection parameters of one Tango database on a MariaDB/MySQL server."""

    host: str = "localhost"
    port: int = DEFAULT_PORT
    user: str = "tango"
    password: str = ""
    database: str = "tango"
    #: a Unix socket path instead of TCP (``?unix_socket=/run/mysqld/mysqld.sock``)
    unix_socket: str | None = None
    connect_timeout: float = 5.0
    #: seconds a statement may wait for a reply (a dead server is noticed after this)
    read_timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> MysqlConfig:
        """``mysql://user:password@host:port/database?unix_socket=PATH``; user, password,
        port and database default to tango, empty, 3306 and tango."""
        parts = urlsplit(url)
        if parts.scheme not in MYSQL_SCHEMES:
            raise ValueError(f"not a MySQL URL (mysql://user:pass@host:port/db): {url!r}")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        database = unquote(parts.path.lstrip("/")) or "tango"
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise ValueError(f"bad port in {url!r}") from None
        return cls(
            host=parts.hostname or "localhost",
            port=port,
            user=unquote(parts.username) if parts.username else "tango",
            password=unquote(parts.password) if parts.password else "",
            database=database,
            unix_socket=query.get("unix_socket"),
            connect_timeout=float(query.get("connect_timeout", cls.connect_timeout)),
            read_timeout=float(query.get("read_timeout", cls.read_timeout)),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MysqlConfig | None:
        """The C++ DataBaseds' variables: ``MYSQL_HOST`` (``host`` or ``host:port``),
        ``MYSQL_USER``, ``MYSQL_PASSWORD``, ``MYSQL_DATABASE``; None when none is set."""
        env = os.environ if environ is None else environ
        names = ("MYSQL_HOST", "MYSQL_USER", "MYSQL_PASSWORD", "MYSQL_DATABASE")
        if not any(env.get(name) for name in names):
            return None
        host, port = env.get("MYSQL_HOST") or "localhost", DEFAULT_PORT
        if ":" in host:
            host, _, port_text = host.rpartition(":")
            port = int(port_text)
        return cls(
            host=host,
            port=port,
            user=env.get("MYSQL_USER") or "tango",
            password=env.get("MYSQL_PASSWORD") or "",
            database=env.get("MYSQL_DATABASE") or "tango",
        )

    def is_local(self) -> bool:
        """Whether the server is on this machine (a Unix socket or a loopback address)."""
        if self.unix_socket:
            return True
        return self.host == "localhost" or self.host == "::1" or self.host.startswith("127.")

    def url(self, *, with_password: bool = False) -> str:
        """This configuration as a URL (the password shown as ``***`` unless asked)."""
        password = self.password if with_password else ("***" if self.password else "")
        credentials = f"{self.user}:{password}@" if password else f"{self.user}@"
        socket = f"?unix_socket={self.unix_socket}" if self.unix_socket else ""
        return f"mysql://{credentials}{self.host}:{self.port}/{self.database}{socket}"

    def connect(self, **overrides: Any) -> Any:
        """A new PyMySQL connection: utf8mb4 on the server, strings passed as bytes (one
        character per byte, below), autocommit, ``rowcount`` counting matched rows (as
        SQLite does), strict on every table (a value too long fails instead of being cut
        short), the given timeouts."""
        import pymysql
        from pymysql.constants import CLIENT

        params: dict[str, Any] = dict(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            database=self.database,
            charset="utf8mb4",
            autocommit=True,
            client_flag=CLIENT.FOUND_ROWS,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            write_timeout=self.read_timeout,
            init_command="SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')",
        )
        if self.unix_socket:
            params["unix_socket"] = self.unix_socket
        params.update(overrides)
        connection = pymysql.connect(**params)
        # Tango strings are bytes (a Python str holds them one character per byte, as the
        # wire's latin-1): they go to MariaDB and come back unchanged, as the C++ DataBaseds
        # passes them, so that UTF-8 text a client sends is stored as that text, and what
        # the C++ DataBaseds wrote is read byte for byte
        connection.encoding = "latin-1"
        return connection
