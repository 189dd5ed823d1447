"""``python -m tango.databaseds.database [--host H] [--port P] [-l N] INSTANCE``: PyTango's
command line of the Database server, running puretango's (SQLite) one.

As PyTango's: host and port default to ``TANGO_HOST``'s (else 0.0.0.0 and 10000), the
SQLite file is ``$PYTANGO_DATABASE_NAME`` (default ``tango_database.db``), and
``:memory:`` keeps nothing (a temporary file, removed when the server stops).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence

from puretango.databaseds.__main__ import main as _serve

__all__ = ["main"]


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tango.databaseds.database")
    parser.add_argument("--db_access", default="sqlite3", help="database type (sqlite3 only)")
    parser.add_argument("-e", "--embedded", action="store_true", help="(ignored)")
    parser.add_argument("--logging_level", "-l", type=int, default=0, help="(ignored)")
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--host", default=None)
    parser.add_argument("--print-host-port", action="store_true", help="(ignored)")
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="INSTANCE")
    return parser.parse_args(list(argv))


def _tango_host() -> tuple[str, int]:
    try:
        host, port = os.environ["TANGO_HOST"].split(",")[0].split(":")
        return host, int(port)
    except (KeyError, ValueError):
        return "0.0.0.0", 10000


def main(argv: Sequence[str] | None = None) -> int:
    options = _parse(sys.argv[1:] if argv is None else argv)
    if options.db_access != "sqlite3":
        raise SystemExit(f"database type {options.db_access!r}: only sqlite3 is supported")
    default_host, default_port = _tango_host()
    host = default_host if options.host is None else options.host
    port = default_port if options.port is None else options.port
    instance = options.argv[0] if options.argv else "2"
    args = [instance, "--host", host, "--port", str(port)]
    name = os.environ.get("PYTANGO_DATABASE_NAME", "tango_database.db")
    if name != ":memory:":
        return _serve([*args, "--db-file", name])
    with tempfile.TemporaryDirectory(prefix="tango-databaseds-") as scratch:
        return _serve([*args, "--db-file", os.path.join(scratch, "tango_database.db")])


if __name__ == "__main__":
    raise SystemExit(main())
