"""The MariaDB/MySQL back-end of the Database server: :class:`MysqlStore`, the SQL store
(:mod:`._sql_store`) on an existing Tango database of a MariaDB/MySQL server
(:mod:`._mysql_base`), beside the C++ DataBaseds and other Databases on the same tables."""

from __future__ import annotations

from ._mysql_base import MysqlBase
from ._mysql_config import MysqlConfig
from ._sql_store import SqlStore

__all__ = ["MysqlStore", "MysqlConfig"]


class MysqlStore(SqlStore, MysqlBase):
    """Tango's Database tables on MariaDB/MySQL (see :mod:`._mysql_base`'s rules)."""
