"""The SQLite back-end's connections and transactions: :class:`SqliteBase` opens the file
(creating Tango's schema, :mod:`._schema`) and implements :class:`~._sql_base.SqlBase` on it.
The rules of the SQLite back-end, besides :mod:`._sql_base`'s:

Rule 1: one connection per thread. The server reads on its event loop's thread and writes
on one worker thread; with WAL, readers on their own connections never wait for a writer,
and a writer of another thread or process waits for the current one (``busy_timeout``)
instead of failing. A single connection behind a lock would make every read wait for each
write's fsync.

Rule 2: one call, one transaction: ``BEGIN IMMEDIATE`` for writes (takes the write lock
first, so two writers never deadlock upgrading a read lock), ``BEGIN`` for reads of several
statements (one consistent snapshot for the answer); a read of one statement is one by
itself (:meth:`SqliteBase._select`).

Rule 3: durability: WAL with ``synchronous=FULL``; a commit is on disk before the command
answers, so a ``kill -9`` loses nothing a client was told is done.

Rule 4: every write transaction moves :meth:`SqliteBase.generation` on, at its start and
at its end, and so does a commit by anyone else (another process, ``puretango db import``),
seen in SQLite's ``PRAGMA data_version``: a reply computed while the generation stayed the
same, with no write in progress, is still right while it stays so.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence

from . import _schema
from ._sql_base import SqlBase

__all__ = ["SqliteBase"]


class SqliteBase(SqlBase):
    """One SQLite file: connections (one per thread) and transactions (one per call)."""

    #: reads of indexed rows take microseconds and, in WAL mode, never wait for a writer
    inline_reads = True
    #: SQLite takes one writer at a time: more threads would only wait on its lock
    writer_threads = 1

    def __init__(self, path: str | os.PathLike[str], busy_timeout: float = 30.0) -> None:
        self.path = os.fspath(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        #: (generation, writes in progress), replaced whole under ``_lock`` (read without it)
        self._writes: tuple[int, int] = (0, 0)
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        with self._write("create", ()):
            _schema.create(conn)

    # -- connections and transactions --------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,  # transactions are ours: BEGIN ... COMMIT
                check_same_thread=False,  # closed from the main thread at exit
            )
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    @contextlib.contextmanager
    def _tx(self, begin: str, origin: str) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute(begin)
        except sqlite3.Error as exc:
            raise self._sql_error(exc, origin) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._sql_error(exc, origin) from None
            raise

    @contextlib.contextmanager
    def _write(self, origin: str, tables: Sequence[str] = ()) -> Iterator[sqlite3.Connection]:
        self._moved(+1)
        try:
            with self._tx("BEGIN IMMEDIATE", origin) as conn:
                yield conn
        finally:
            self._moved(-1)

    def _moved(self, writing: int) -> None:
        with self._lock:
            generation, writes = self._writes
            self._writes = (generation + 1, writes + writing)

    def generation(self) -> int | None:
        """A number that changes with every write transaction (at its start and its end)
        and with every commit another connection made since the last call; None while a
        write of ours is in progress."""
        generation, writes = self._writes
        if writes:
            return None
        try:
            version = self._conn().execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return None
        if version != getattr(self._local, "data_version", None):
            self._local.data_version = version
            self._moved(0)
            generation, writes = self._writes
            return None if writes else generation
        return generation

    def _read(self, origin: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._tx("BEGIN", origin)

    #: SQLite's NOCASE folds ASCII letters only
    _ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

    @staticmethod
    def _fold_name(name: str) -> str:
        return name.translate(SqliteBase._ASCII_LOWER)

    def _select(self, sql: str, params: Sequence[object], origin: str) -> list[sqlite3.Row]:
        """The rows of one SELECT: one statement is one consistent read by itself (no
        BEGIN ... COMMIT around it)."""
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._sql_error(exc, origin) from None
