"""The MariaDB/MySQL back-end's connections and transactions: :class:`MysqlBase`
implements :class:`~._sql_base.SqlBase` with PyMySQL on an existing Tango database (the
schema Debian's ``tango-db`` creates, shared with the C++ DataBaseds and other Databases).
The rules of this back-end, besides :mod:`._sql_base`'s:

Rule 1: a pool of connections: a call takes an idle connection (or opens one), returns it
when done; at most ``pool_size`` are kept idle. Writes run on the Database server's worker
threads (up to ``pool_size`` at once). Reads of a MariaDB on this machine (loopback or Unix
socket) run on the server's event loop: a read there takes about 100 µs, less than the
hand-over to a worker thread and back, which costs more CPU than the query itself; reads of
a remote server go to the worker threads, so that their round trips overlap
(:attr:`MysqlBase.inline_reads`).

Rule 2: writes lock as the C++ DataBaseds does: ``LOCK TABLES t WRITE, ...`` over every
table the call touches, its statements, ``UNLOCK TABLES``. Tango's tables are MyISAM (no
transactions): the table locks are what keeps two writers (ours or the C++ one) from
interleaving. On transactional tables (InnoDB) the call is also one transaction, committed
before the unlock or rolled back on failure.

Rule 3: other writers exist (other Databases on the same server), so no reply may be served
from a cache: :meth:`MysqlBase.generation` is always None.

Rule 4: MariaDB may restart under us. A connection that fails is closed and never reused,
and so is every idle one opened before the failure. A call whose first statement meets a
dead connection (nothing done yet) is retried once on a new one; any other failure answers
``DevFailed(DB_SQLError)``, and the next call connects again.

Rule 5: text is bytes, as the C++ DataBaseds passes it (:meth:`MysqlConfig.connect`): a
Python string holds a Tango string one character per byte; a character above 255 cannot be
one, and is refused with DB_SQLError. Dates in DbGetDeviceInfo read as the C++ DataBaseds on
MySQL writes them (``1st December 2026 at 07:12:54``).

Rule 6: SQL is written with ``?`` placeholders and SQLite's ``ESCAPE '\\'``; it is rewritten
once per statement text into PyMySQL's ``%s`` and MySQL's escaped backslash.
"""

from __future__ import annotations

import contextlib
import datetime
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ._mysql_config import MysqlConfig
from ._sql_base import SqlBase
from ._store import SQL_ERROR, db_error

__all__ = ["MysqlBase", "mysql_statement"]

#: the client error codes of a connection that is gone (CR_CONN_HOST_ERROR,
#: CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_LOST_EXTENDED) and the server's
#: ER_CONNECTION_KILLED / ER_SERVER_SHUTDOWN
_CONNECTION_LOST = {2003, 2006, 2013, 2055, 1927, 1053}

#: the longest value a ``text`` column holds (bytes) and the longest ``varchar(255)`` name
VALUE_BYTES = 65_535
NAME_CHARACTERS = 255

_MONTHS = (
    "January February March April May June July August September October November December"
).split()

_statements: dict[str, str] = {}


def mysql_statement(sql: str) -> str:
    """``sql`` (``?`` placeholders, ``ESCAPE '\\'``) as PyMySQL and MySQL take it."""
    converted = _statements.get(sql)
    if converted is None:
        converted = sql.replace("%", "%%").replace("?", "%s")
        converted = converted.replace("ESCAPE '\\'", "ESCAPE '\\\\'")
        if len(_statements) > 4096:  # statement texts come from code: bounded anyway
            _statements.clear()
        _statements[sql] = converted
    return converted


def _lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the connection itself is gone."""
    import pymysql

    if isinstance(exc, pymysql.err.InterfaceError):
        return True
    if isinstance(exc, pymysql.err.OperationalError) and exc.args:
        return exc.args[0] in _CONNECTION_LOST
    return False


class _Connection:
    """One pooled PyMySQL connection with ``sqlite3.Connection``'s ``execute`` shape."""

    __slots__ = ("raw", "epoch", "cursor")

    def __init__(self, raw: Any, epoch: int) -> None:
        self.raw = raw
        self.epoch = epoch
        self.cursor = raw.cursor()

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        cursor = self.cursor
        cursor.execute(mysql_statement(sql), tuple(parameters))
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        rows = [tuple(row) for row in parameters]
        cursor = self.cursor
        if rows:
            cursor.executemany(mysql_statement(sql), rows)
        return cursor

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.close()


class MysqlBase(SqlBase):
    """One Tango database on a MariaDB/MySQL server (see the module's rules)."""

    def __init__(
        self, config: MysqlConfig, pool_size: int = 8, inline_reads: bool | None = None
    ) -> None:
        """``inline_reads``: None chooses by where the server is (see Rule 1)."""
        self.config = config
        self.pool_size = pool_size
        self.writer_threads = pool_size
        self.inline_reads = config.is_local() if inline_reads is None else inline_reads
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        #: moves on at every lost connection: idle connections of older epochs are dropped
        self._epoch = 0
        self._closed = False
        conn = self._checkout("DataBase::init()")
        try:
            self.transactional = self._check_schema(conn)
        finally:
            self._checkin(conn)

    # -- the pool -------------------------------------------------------------------------------
    def _open(self, origin: str) -> _Connection:
        import pymysql

        try:
            return _Connection(self.config.connect(), self._epoch)
        except pymysql.err.Error as exc:
            raise self._sql_error(exc, origin) from None

    def _checkout(self, origin: str) -> _Connection:
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if conn.epoch == self._epoch:
                    return conn
                conn.close()
        return self._open(origin)

    def _checkin(self, conn: _Connection) -> None:
        with self._lock:
            if not self._closed and conn.epoch == self._epoch and len(self._idle) < self.pool_size:
                self._idle.append(conn)
                return
        conn.close()

    def _discard(self, conn: _Connection) -> None:
        """Close a connection that failed, and every idle one as old as it."""
        conn.close()
        with self._lock:
            if conn.epoch == self._epoch:
                self._epoch += 1
            stale, self._idle = self._idle, []
        for other in stale:
            other.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _check_schema(self, conn: _Connection) -> bool:
        """Whether the Tango tables are transactional; DB_SQLError if they are missing."""
        try:
            rows = conn.execute(
                "SELECT table_name, engine FROM information_schema.tables"
                " WHERE table_schema = DATABASE()"
            ).fetchall()
        except Exception as exc:
            raise self._sql_error(exc, "DataBase::init()") from None
        engines = {str(name).lower(): str(engine or "") for name, engine in rows}
        missing = [t for t in ("device", "server", "property_device") if t not in engines]
        if missing:
            raise db_error(
                SQL_ERROR,
                f"database {self.config.database} has no Tango schema (no table"
                f" {', '.join(missing)}): create it as Debian's tango-db does",
                "DataBase::init()",
            )
        return engines["device"].lower() == "innodb"

    def _check_property(self, name: str, values: Sequence[str], origin: str) -> None:
        """A value over a ``text`` column's 65,535 bytes, a name over 255 characters, or
        bytes that are no UTF-8 (the columns' utf8mb4) would be cut short by MyISAM or fail
        half-written (no transaction): refused whole instead, before anything is written."""
        if len(name) > NAME_CHARACTERS:
            raise db_error(
                SQL_ERROR,
                f"property name {name[:40]}... is {len(name)} characters long: MySQL"
                f" stores at most {NAME_CHARACTERS}",
                origin,
            )
        for text in (name, *values):
            if not text.isascii():
                _check_text(text, name, origin)
        for value in values:  # one character per byte (see MysqlConfig.connect)
            if len(value) > VALUE_BYTES:
                raise db_error(
                    SQL_ERROR,
                    f"a value of property {name} is {len(value)} bytes long: MySQL"
                    f" stores at most {VALUE_BYTES} bytes in a value (a text column)",
                    origin,
                )

    @staticmethod
    def _info_date(when: datetime.datetime) -> str:
        """As MySQL's ``DATE_FORMAT(d, '%D %M %Y at %H:%i:%s')``, the C++ DataBaseds'."""
        day = when.day
        suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        month = _MONTHS[when.month - 1]
        return f"{day}{suffix} {month} {when.year} at {when:%H:%M:%S}"

    # -- transactions ---------------------------------------------------------------------------
    def _first(self, conn: _Connection, sql: str, params: Sequence[object], origin: str) -> Any:
        """The first statement of a call: on a dead pooled connection, once more on a new
        one (nothing has been done yet). Returns the cursor and the connection used."""
        try:
            return conn, conn.execute(sql, params)
        except Exception as exc:
            if not _lost(exc):
                raise
            self._discard(conn)
        conn = self._open(origin)
        try:
            return conn, conn.execute(sql, params)
        except BaseException:
            self._discard(conn)
            raise

    @contextlib.contextmanager
    def _write(self, origin: str, tables: Sequence[str]) -> Iterator[_Connection]:
        lock = "LOCK TABLES " + ", ".join(f"{table} WRITE" for table in tables)
        conn = self._checkout(origin)
        try:
            if self.transactional:
                conn, _ = self._first(conn, "SET autocommit = 0", (), origin)
                conn.execute(lock)
            else:
                conn, _ = self._first(conn, lock, (), origin)
        except Exception as exc:
            self._release(conn, exc)
            raise self._sql_error(exc, origin) from None
        failure: BaseException | None = None
        try:
            yield conn
            if self.transactional:
                conn.execute("COMMIT")
        except BaseException as exc:
            failure = exc
            if self.transactional:
                with contextlib.suppress(Exception):
                    conn.execute("ROLLBACK")
            if _is_driver_error(exc):
                raise self._sql_error(exc, origin) from None
            raise
        finally:
            try:
                conn.execute("UNLOCK TABLES")
                if self.transactional:
                    conn.execute("SET autocommit = 1")
            except Exception:
                self._discard(conn)  # it may still hold its locks: never used again
            else:
                self._release(conn, failure)

    def _release(self, conn: _Connection, failure: BaseException | None) -> None:
        """Back to the pool, unless ``failure`` says the connection is gone or was cut in
        the middle of a statement (an interrupt). A DevFailed the store raised, or a
        statement MySQL refused, leaves it as good as before."""
        if failure is not None and (_lost(failure) or not isinstance(failure, Exception)):
            self._discard(conn)
        else:
            self._checkin(conn)

    @contextlib.contextmanager
    def _read(self, origin: str) -> Iterator[_FirstRetry]:
        reader = _FirstRetry(self, self._checkout(origin), origin)
        failure: BaseException | None = None
        try:
            yield reader
        except BaseException as exc:
            failure = exc
            if _is_driver_error(exc):
                raise self._sql_error(exc, origin) from None
            raise
        finally:
            self._release(reader.conn, failure)

    def _select(self, sql: str, params: Sequence[object], origin: str) -> list[Any]:
        conn = self._checkout(origin)
        try:
            conn, cursor = self._first(conn, sql, params, origin)
            rows = list(cursor.fetchall())
        except Exception as exc:
            self._release(conn, exc)
            if _is_driver_error(exc):
                raise self._sql_error(exc, origin) from None
            raise
        self._checkin(conn)
        return rows


class _FirstRetry:
    """A read's connection whose first statement is retried on a new connection if the
    pooled one turns out dead (:meth:`MysqlBase._first`)."""

    __slots__ = ("base", "conn", "origin", "started")

    def __init__(self, base: MysqlBase, conn: _Connection, origin: str) -> None:
        self.base, self.conn, self.origin, self.started = base, conn, origin, False

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        if self.started:
            return self.conn.execute(sql, parameters)
        self.started = True
        self.conn, cursor = self.base._first(self.conn, sql, parameters, self.origin)
        return cursor

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Any:
        return self.conn.executemany(sql, parameters)


def _check_text(text: str, name: str, origin: str) -> None:
    """DB_SQLError unless ``text`` holds bytes (one per character) that are UTF-8."""
    try:
        text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise db_error(
            SQL_ERROR,
            f"Incorrect string value in property {name!r}: MySQL's utf8mb4 columns take"
            " UTF-8 bytes only",
            origin,
        ) from None


def _is_driver_error(exc: BaseException) -> bool:
    """A failure of the statement (the connection is still usable): the driver's, or text
    that is no Tango string (a character above 255 cannot be one byte)."""
    import pymysql

    return isinstance(exc, (pymysql.err.Error, UnicodeEncodeError))
