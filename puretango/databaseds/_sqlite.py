"""The SQLite back-end of the Database server: :class:`SqliteStore`, the SQL store
(:mod:`._sql_store`) on one SQLite file (:mod:`._sqlite_base`)."""

from __future__ import annotations

from ._sql_base import like_pattern
from ._sql_store import SqlStore
from ._sqlite_base import SqliteBase

__all__ = ["SqliteStore", "like_pattern"]


class SqliteStore(SqlStore, SqliteBase):
    """Tango's Database tables in one SQLite file (see :mod:`._sqlite_base`'s rules)."""
