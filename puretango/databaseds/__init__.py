"""The Tango Database server in pure Python (``sys/database/2`` on embedded SQLite or on
MariaDB/MySQL): :class:`DataBase` the device, :class:`SqliteStore` and :class:`MysqlStore`
its storage, :class:`DatabaseServer`
its server (:class:`EmbeddedDatabase` in a thread of this process), :func:`main` the command
line (``python -m puretango.databaseds 2 --port 10000``)."""

from ._device import DataBase
from ._mysql import MysqlConfig, MysqlStore
from ._serve import DatabaseServer, EmbeddedDatabase
from ._sqlite import SqliteStore
from ._store import Store

__all__ = [
    "DataBase",
    "DatabaseServer",
    "EmbeddedDatabase",
    "MysqlConfig",
    "MysqlStore",
    "SqliteStore",
    "Store",
    "main",
]


def main() -> int:
    """The ``puretango-databaseds`` console script."""
    from .__main__ import main as _main

    return _main()
