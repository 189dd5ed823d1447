"""The Tango Database server in pure Python (``sys/database/2`` on embedded SQLite):
:class:`DataBase` the device, :class:`SqliteStore` its storage, :func:`main` the command
line (``python -m puretango.databaseds 2 --port 10000``)."""

from ._sqlite import SqliteStore
from ._store import Store

__all__ = ["SqliteStore", "Store"]
