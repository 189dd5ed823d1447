"""The ground floor shared by the SQL back-ends of the Database server (SQLite in
:mod:`._sqlite_base`, MariaDB/MySQL in :mod:`._mysql_base`): the connection shape the store
code writes against, the transaction contract, and Tango wildcards as LIKE patterns.

The store code (:mod:`._sql_store`, :mod:`._sql_props`) is written once, in the SQL both
engines take: ``?`` placeholders (the MySQL back-end rewrites them), ``LIKE ? ESCAPE '\\'``
for wildcards, no engine-specific functions. Rules every back-end keeps:

Rule 1: one store call, one transaction: :meth:`SqlBase._write` names the tables the call
writes (``LOCK TABLES ... WRITE`` on MySQL, as the C++ DataBaseds does, which must list every
table the transaction touches; SQLite takes its whole-file write lock and ignores the list).

Rule 2: values only ever reach SQL as parameters; table and column names come from the
back-ends' constants.

Rule 3: every SQL failure becomes ``DevFailed(DB_SQLError)`` with the engine's message, as
the C++ DataBaseds reports it.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from ._store import SQL_ERROR, db_error

__all__ = ["SqlBase", "SqlConnection", "SqlCursor", "like_pattern", "now", "LIKE"]

#: a Tango wildcard filter goes to SQL as ``column LIKE ? ESCAPE '\'``
LIKE = "LIKE ? ESCAPE '\\'"


def like_pattern(pattern: str) -> str:
    """A Tango wildcard filter as a LIKE pattern: ``*`` matches any run, everything else
    (``%``, ``_`` and ``\\`` included) matches itself."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def now() -> str:
    """The time stamp stored in ``started``, ``updated`` and ``date`` columns."""
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class SqlCursor(Protocol):
    """What the store reads from an executed statement (a DB-API cursor)."""

    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> Sequence[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class SqlConnection(Protocol):
    """One connection as the store uses it (``sqlite3.Connection``'s shape)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> SqlCursor: ...
    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> SqlCursor: ...


class SqlBase:
    """Connections and transactions of one SQL back-end (see the module's rules)."""

    #: True when read-only calls may run on the event loop (see :class:`~._store.Store`)
    inline_reads: bool = False
    #: how many calls that write may usefully run at once (worker threads)
    writer_threads: int = 8

    def close(self) -> None:
        raise NotImplementedError

    def generation(self) -> int | None:
        return None

    def _write(
        self, origin: str, tables: Sequence[str]
    ) -> contextlib.AbstractContextManager[SqlConnection]:
        """One write transaction over ``tables`` (every table it touches)."""
        raise NotImplementedError

    def _read(self, origin: str) -> contextlib.AbstractContextManager[SqlConnection]:
        """Several statements read together (one snapshot where the engine gives one)."""
        raise NotImplementedError

    def _select(self, sql: str, params: Sequence[object], origin: str) -> list[Any]:
        """The rows of one SELECT."""
        raise NotImplementedError

    def _check_property(self, name: str, values: Sequence[str], origin: str) -> None:
        """Refuse, before anything is written, a property the engine's columns cannot
        hold whole (nothing to refuse by default)."""

    @staticmethod
    def _info_date(when: datetime.datetime) -> str:
        """A date as DbGetDeviceInfo shows it: ``25-11-2026 at 11:52:49`` (PyTango's)."""
        return when.strftime("%d-%m-%Y at %H:%M:%S")

    @staticmethod
    def _fold_name(name: str) -> str:
        """A name as the engine's case-insensitive comparison sees it."""
        return name.lower()

    def _column(self, sql: str, params: Sequence[object], origin: str) -> list[str]:
        return [str(row[0]) for row in self._select(sql, params, origin)]

    @staticmethod
    def _sql_error(exc: BaseException, origin: str) -> Exception:
        return db_error(SQL_ERROR, f"Failed to query TANGO database (error={exc})", origin)
