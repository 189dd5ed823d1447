"""The command line of the Database server: ``python -m puretango.databaseds 2 --host H
--port P [--db-file PATH | --db-url mysql://user:pass@host:3306/tango]`` (also the
``puretango-databaseds`` console script). Without either option, the C++ DataBaseds'
``MYSQL_HOST``/``MYSQL_USER``/``MYSQL_PASSWORD``/``MYSQL_DATABASE`` variables choose a
MariaDB/MySQL database when one is set, else the default SQLite file. Prints the database
it uses, then "Ready to accept request"; SIGTERM or SIGINT stop it cleanly."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .._errors import DevFailed
from ._mysql_config import MysqlConfig
from ._serve import DatabaseServer
from ._sqlite import SqliteStore
from ._store import Store

__all__ = ["main", "default_db_file"]


def default_db_file() -> Path:
    """``$XDG_DATA_HOME/puretango/tango_database.db`` (``~/.local/share`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "puretango" / "tango_database.db"


def _default_port() -> int:
    tango_host = os.environ.get("TANGO_HOST", "")
    first = tango_host.split(",")[0]
    if ":" in first:
        try:
            return int(first.rsplit(":", 1)[1])
        except ValueError:
            pass
    return 10000


def _parse(argv: Sequence[str], prog: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="The Tango Database server (sys/database/INSTANCE) on SQLite or MariaDB/MySQL.",
    )
    parser.add_argument("instance", nargs="?", default="2", help="instance name (default 2)")
    parser.add_argument("--host", default="0.0.0.0", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=None, help="TCP port (default: TANGO_HOST's, else 10000)"
    )
    parser.add_argument(
        "--db-file", type=Path, default=None, help=f"SQLite file (default {default_db_file()})"
    )
    parser.add_argument(
        "--db-url",
        default=None,
        help="a MariaDB/MySQL Tango database, mysql://user:password@host:port/database"
        " (default: the MYSQL_* variables if set, else the SQLite file)",
    )
    parser.add_argument(
        "--pool-size", type=int, default=8, help="MySQL connections kept open (default 8)"
    )
    parser.add_argument(
        "--read-threads",
        action="store_true",
        help="MySQL reads on worker threads even when the server is on this machine",
    )
    parser.add_argument("--published-host", default=None, help="host name put in our IORs")
    return parser.parse_args(list(argv))


async def serve(server: DatabaseServer, out: TextIO | None = None) -> None:
    """Start ``server``, print the ready line, serve until SIGTERM/SIGINT or a stop."""
    await server.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.request_stop)
    print("Ready to accept request", file=out or sys.stdout, flush=True)
    await server.serve_until_stopped()


def open_store(args: argparse.Namespace) -> tuple[Store, str]:
    """The store the options (or the MYSQL_* variables) name, and how to describe it."""
    config: MysqlConfig | None = None
    if args.db_url:
        config = MysqlConfig.from_url(args.db_url)
    elif args.db_file is None:
        config = MysqlConfig.from_env()
    if config is not None:
        from ._mysql import MysqlStore

        print(f"Database: {config.url()}", flush=True)
        inline = False if args.read_threads else None
        store = MysqlStore(config, pool_size=args.pool_size, inline_reads=inline)
        return store, config.url()
    path: Path = args.db_file or default_db_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Database file: {path}", flush=True)
    return SqliteStore(path), str(path)


def main(argv: Sequence[str] | None = None, prog: str = "puretango-databaseds") -> int:
    args = _parse(sys.argv[1:] if argv is None else argv, prog)
    try:
        store, description = open_store(args)
    except (ValueError, DevFailed) as exc:
        reason = exc.args[0].desc if isinstance(exc, DevFailed) else str(exc)
        print(f"Exiting: cannot open the database: {reason}", file=sys.stderr)
        return 1
    port = args.port if args.port is not None else _default_port()
    server = DatabaseServer(
        store,
        args.instance,
        host=args.host,
        port=port,
        published_host=args.published_host,
        description=description,
    )
    try:
        asyncio.run(serve(server))
    except OSError as exc:
        print(f"Exiting: cannot serve on {args.host}:{port}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
