"""The Tango Database server in pure Python (``sys/database/2`` on embedded SQLite):
:class:`DataBase` the device, :class:`SqliteStore` its storage, :class:`DatabaseServer`
its server (:class:`EmbeddedDatabase` in a thread of this process), :func:`main` the command
line (``python -m puretango.databaseds 2 --port 10000``)."""

from ._device import DataBase
from ._serve import DatabaseServer, EmbeddedDatabase
from ._sqlite import SqliteStore
from ._store import Store

__all__ = ["DataBase", "DatabaseServer", "EmbeddedDatabase", "SqliteStore", "Store", "main"]


def main() -> int:
    """The ``puretango-databaseds`` console script."""
    from .__main__ import main as _main

    return _main()
