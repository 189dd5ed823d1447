"""``puretango db export|import``: copy a whole Tango database between an SQLite file and a
MariaDB/MySQL database (or file to file, database to database), row for row.

Both back-ends hold Tango's schema with the C++ DataBaseds' table and column names, so the
copy is table by table: every table both sides have, over the columns both have. The target's
rows of those tables are replaced by the source's ("replace" mode), and nothing else of the
target is touched; what only one side has (MariaDB's ``access_*`` tables ...) is reported.

Rule 1: lossless or nothing. Values pass as they are: text as text, integers as integers,
NULL as NULL, and dates as the server's own ``YYYY-MM-DD HH:MM:SS`` text (PyMySQL's date
decoders are switched off; TIMESTAMP columns in the server's default time zone, as every
Database reads them). Every source row is checked against the target's columns (NOT
NULL, lengths, integer ranges, date format) before anything is written; one row that does not
fit stops the whole transfer with a message naming it.

Rule 2: a reader never sees half a copy. SQLite: one ``BEGIN IMMEDIATE`` transaction.
MariaDB (MyISAM, no transactions): ``LOCK TABLES ... WRITE`` over all the target's tables
while it is read, compared and rewritten, as the C++ DataBaseds locks for its writes; the
source is read under ``LOCK TABLES ... READ``, one consistent snapshot.

Rule 3: the comparison is a multiset difference of whole rows per table (``added``: rows the
source has more of, ``removed``: rows the target has more of); a dry run computes it and
changes nothing. Tables with no difference are not rewritten.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import _schema
from ._mysql_config import MysqlConfig

__all__ = ["TransferError", "TableDiff", "TransferReport", "transfer", "open_endpoint"]

Row = tuple[Any, ...]

#: a file or database without these tables is not a Tango database
TANGO_TABLES = ("device", "server", "property_device")
#: example rows shown per table and direction in a summary
EXAMPLES = 3
_DATE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
#: MariaDB's TIMESTAMP range (UTC, with the zero date allowed)
_TIMESTAMP_RANGE = ("1970-01-01 00:00:01", "2038-01-19 03:14:07")
_ZERO_DATE = "0000-00-00 00:00:00"


class TransferError(Exception):
    """A transfer that cannot be made; the message is one line for the user."""


@dataclass(frozen=True)
class Column:
    """One column of a table, as far as the checks of a transfer need it."""

    name: str
    #: "int", "text", "datetime" or "timestamp"
    kind: str
    nullable: bool = True
    max_chars: int | None = None
    max_bytes: int | None = None
    int_range: tuple[int, int] | None = None
    #: MariaDB text: the string's characters are bytes (one each, as Tango strings go to
    #: MariaDB, see MysqlConfig.connect) that must be UTF-8 for the utf8mb4 column
    utf8_bytes: bool = False

    def problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be stored in this column (None when it can)."""
        if value is None:
            return None if self.nullable else "NULL in a NOT NULL column"
        if self.kind == "int":
            if not isinstance(value, int):
                return f"{value!r} is not an integer"
            low, high = self.int_range or (-(2**63), 2**63 - 1)
            return None if low <= value <= high else f"{value} is out of range"
        text = value if isinstance(value, str) else str(value)
        if self.kind in ("datetime", "timestamp"):
            if not _DATE.fullmatch(text):
                return f"{text!r} is not a YYYY-MM-DD HH:MM:SS date"
            first, last = _TIMESTAMP_RANGE
            if self.kind == "timestamp" and text != _ZERO_DATE and not first <= text <= last:
                return f"{text!r} is outside MariaDB's TIMESTAMP range"
            return None
        size = len(text.encode())
        if self.utf8_bytes and not text.isascii():
            try:
                size, text = len(text), text.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return f"{text[:40]!r} is not UTF-8 bytes, which MariaDB's text columns hold"
        if self.max_chars is not None and len(text) > self.max_chars:
            return f"{len(text)} characters, more than {self.max_chars}"
        if self.max_bytes is not None and size > self.max_bytes:
            return f"{size} bytes, more than {self.max_bytes}"
        return None


Schema = dict[str, dict[str, Column]]


@dataclass
class TableDiff:
    """How one table of the target differs from the source's."""

    table: str
    source_rows: int
    target_rows: int
    added: int
    removed: int
    examples_added: list[Row] = field(default_factory=list)
    examples_removed: list[Row] = field(default_factory=list)


@dataclass
class TransferReport:
    """What a transfer found (and, unless a dry run, did)."""

    source: str
    target: str
    dry_run: bool
    tables: list[TableDiff]
    #: tables only the source has, with their row counts: not copied
    source_only: dict[str, int]
    #: tables only the target has: left as they are
    target_only: list[str]
    #: "table.column" only on one side
    source_only_columns: list[str]
    target_only_columns: list[str]
    seconds: float = 0.0

    @property
    def added(self) -> int:
        return sum(t.added for t in self.tables)

    @property
    def removed(self) -> int:
        return sum(t.removed for t in self.tables)

    def summary(self) -> str:
        """A readable account: counts per table, a few example rows, what was left out."""
        lines = [f"{self.source} -> {self.target}" + (" (dry run)" if self.dry_run else "")]
        changed = [t for t in self.tables if t.added or t.removed]
        if changed:
            lines.append(f"  {'table':<32}{'source':>8}{'target':>8}{'added':>8}{'removed':>8}")
        for t in changed:
            lines.append(
                f"  {t.table:<32}{t.source_rows:>8}{t.target_rows:>8}{t.added:>8}{t.removed:>8}"
            )
        for t in changed:
            for sign, count, examples in (
                ("+", t.added, t.examples_added),
                ("-", t.removed, t.examples_removed),
            ):
                for row in examples:
                    lines.append(f"  {sign} {t.table} {_short(row)}")
                if count > len(examples):
                    lines.append(f"  {sign} {t.table} ... {count - len(examples)} more")
        for table, rows in sorted(self.source_only.items()):
            lines.append(f"  not copied: table {table} ({rows} rows) is not in the target")
        for table in self.target_only:
            lines.append(f"  left as is: table {table} is not in the source")
        for column in self.source_only_columns:
            lines.append(f"  not copied: column {column} is not in the target")
        for column in self.target_only_columns:
            lines.append(f"  left to its default: column {column} is not in the source")
        verb = "would change" if self.dry_run else "changed"
        total = f"{self.added} rows added, {self.removed} removed"
        lines.append(f"{verb} {len(changed)} of {len(self.tables)} tables: {total}")
        if not self.dry_run:
            lines[-1] += f" in {self.seconds:.2f} s"
        return "\n".join(lines)


def _short(row: Row, width: int = 110) -> str:
    text = repr(row)
    return text if len(text) <= width else text[: width - 3] + "..."


# -- endpoints ----------------------------------------------------------------------------------


class Endpoint:
    """One side of a transfer: a Tango database that can be read and rewritten."""

    label: str
    #: the driver's exceptions (a failure in the middle of a transfer is reported as one line)
    errors: tuple[type[Exception], ...] = ()

    def schema(self) -> Schema:
        raise NotImplementedError

    def read(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        """All rows of ``tables`` (table -> columns), as one consistent snapshot."""
        raise NotImplementedError

    def count(self, table: str) -> int:
        raise NotImplementedError

    @contextlib.contextmanager
    def rewriting(self, tables: Sequence[str], *, exclusive: bool) -> Iterator[Rewrite]:
        """The target held for one read-compare-write (Rule 2); ``exclusive`` False (a dry
        run): a consistent read only."""
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        raise NotImplementedError


class Rewrite:
    """The target held exclusively: read tables, replace their rows."""

    def read(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        raise NotImplementedError

    def replace(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        raise NotImplementedError


def _kind(declared: str) -> str:
    declared = declared.lower()
    if "int" in declared:
        return "int"
    if "timestamp" in declared:
        return "timestamp"
    if "date" in declared or "time" in declared:
        return "datetime"
    return "text"


class SqliteEndpoint(Endpoint):
    """A Tango SQLite file (as :mod:`._schema` makes it), a source opened read-only. A target
    that does not exist is created with the schema; in a dry run it stays uncreated (an empty
    schema in memory)."""

    errors = (sqlite3.Error,)

    def __init__(self, path: str, *, target: bool, dry_run: bool) -> None:
        self.label = path
        exists = os.path.exists(path)
        #: this transfer made the file (removed again if the transfer fails)
        self.created = not exists and not dry_run
        if not exists and not target:
            raise TransferError(f"{path}: no such file")
        if os.path.isdir(path):
            raise TransferError(f"{path}: is a directory")
        mode = "rw" if target else "ro"
        location, uri = (f"file:{path}?mode={mode}", True) if exists else (path, False)
        if not exists and dry_run:
            location, uri = ":memory:", False
        try:
            self.conn = sqlite3.connect(location, uri=uri, isolation_level=None, timeout=30)
            if not exists:
                self.conn.execute("BEGIN IMMEDIATE")
                _schema.create(self.conn)
                self.conn.execute("COMMIT")
            self._schema = self._read_schema()
        except sqlite3.Error as exc:
            raise TransferError(f"{path}: {exc}") from None
        missing = [t for t in TANGO_TABLES if t not in self._schema]
        if missing:
            self.conn.close()
            raise TransferError(f"{path}: not a Tango database (no table {missing[0]})")

    def _read_schema(self) -> Schema:
        schema: Schema = {}
        tables = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        for (table,) in tables:
            info = self.conn.execute(f"PRAGMA table_info({_dq(table)})").fetchall()
            schema[table] = {
                name: Column(name, _kind(declared or ""), nullable=not notnull)
                for _, name, declared, notnull, _, _ in info
            }
        return schema

    def schema(self) -> Schema:
        return self._schema

    def _select(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        return {
            table: self.conn.execute(f"SELECT {_dcols(columns)} FROM {_dq(table)}").fetchall()
            for table, columns in tables.items()
        }

    def read(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        self.conn.execute("BEGIN")
        try:
            return self._select(tables)
        finally:
            self.conn.execute("COMMIT")

    def count(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {_dq(table)}").fetchone()[0])

    @contextlib.contextmanager
    def rewriting(self, tables: Sequence[str], *, exclusive: bool) -> Iterator[Rewrite]:
        self.conn.execute("BEGIN IMMEDIATE" if exclusive else "BEGIN")
        try:
            yield _SqliteRewrite(self)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class _SqliteRewrite(Rewrite):
    def __init__(self, endpoint: SqliteEndpoint) -> None:
        self.endpoint = endpoint

    def read(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        return self.endpoint._select(tables)

    def replace(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        conn = self.endpoint.conn
        conn.execute(f"DELETE FROM {_dq(table)}")
        marks = ", ".join("?" for _ in columns)
        conn.executemany(
            f"INSERT INTO {_dq(table)} ({_dcols(columns)}) VALUES ({marks})",
            rows,
        )


_INT_RANGES = {
    "tinyint": 8,
    "smallint": 16,
    "mediumint": 24,
    "int": 32,
    "bigint": 64,
}


def _mysql_column(
    name: str, nullable: str, data_type: str, column_type: str, chars: Any, octets: Any
) -> Column:
    """A column from its ``information_schema.columns`` fields."""
    data_type = data_type.lower()
    if data_type in _INT_RANGES:
        bits = _INT_RANGES[data_type]
        unsigned = "unsigned" in column_type.lower()
        span = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
        return Column(name, "int", nullable == "YES", int_range=span)
    kind = _kind(data_type)
    if kind != "text":
        return Column(name, kind, nullable == "YES")
    if data_type in ("varchar", "char"):
        return Column(name, kind, nullable == "YES", max_chars=int(chars), utf8_bytes=True)
    max_bytes = int(octets) if octets else None
    return Column(name, kind, nullable == "YES", max_bytes=max_bytes, utf8_bytes=True)


class MysqlEndpoint(Endpoint):
    """A Tango database on MariaDB/MySQL (Debian's ``tango-db`` schema)."""

    def __init__(self, config: MysqlConfig) -> None:
        self.label = config.url()
        try:
            import pymysql
            from pymysql.constants import FIELD_TYPE
            from pymysql.converters import conversions
        except ImportError:
            raise TransferError("MariaDB needs PyMySQL: pip install 'puretango[mysql]'") from None
        self.errors = (pymysql.MySQLError,)
        # dates as the server's text: nothing parsed, nothing reformatted (Rule 1)
        conv = dict(conversions)
        for date_type in (FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP, FIELD_TYPE.DATE):
            conv.pop(date_type, None)
        try:
            self.conn = config.connect(conv=conv)
            self._schema = self._read_schema()
        except pymysql.MySQLError as exc:
            raise TransferError(f"{self.label}: {_mysql_message(exc)}") from None
        missing = [t for t in TANGO_TABLES if t not in self._schema]
        if missing:
            self.conn.close()
            raise TransferError(f"{self.label}: not a Tango database (no table {missing[0]})")

    def _read_schema(self) -> Schema:
        schema: Schema = {}
        with self.conn.cursor() as cur:
            cur.execute(
                "SELECT c.table_name, c.column_name, c.is_nullable, c.data_type,"
                " c.column_type, c.character_maximum_length, c.character_octet_length"
                " FROM information_schema.columns c JOIN information_schema.tables t"
                " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
                " WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'"
                " ORDER BY c.table_name, c.ordinal_position"
            )
            for table, name, *details in cur.fetchall():
                schema.setdefault(table, {})[name] = _mysql_column(name, *details)
        return schema

    def schema(self) -> Schema:
        return self._schema

    @contextlib.contextmanager
    def _locked(self, tables: Sequence[str], mode: str) -> Iterator[Any]:
        with self.conn.cursor() as cur:
            try:
                cur.execute("LOCK TABLES " + ", ".join(f"{_quote(t, '`')} {mode}" for t in tables))
                yield cur
            finally:
                with contextlib.suppress(*self.errors):
                    cur.execute("UNLOCK TABLES")

    def _select(self, cur: Any, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        rows: dict[str, list[Row]] = {}
        for table, columns in tables.items():
            cur.execute(f"SELECT {_columns(columns, '`')} FROM {_quote(table, '`')}")
            rows[table] = list(cur.fetchall())
        return rows

    def read(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        with self._locked(list(tables), "READ") as cur:
            return self._select(cur, tables)

    def count(self, table: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM {_quote(table, '`')}")
            return int(cur.fetchone()[0])

    @contextlib.contextmanager
    def rewriting(self, tables: Sequence[str], *, exclusive: bool) -> Iterator[Rewrite]:
        # every table of the target: a Database reading any of them waits for the whole copy
        mode = "WRITE" if exclusive else "READ"
        with self._locked(sorted(self._schema) if exclusive else tables, mode) as cur:
            yield _MysqlRewrite(self, cur)

    def close(self) -> None:
        with contextlib.suppress(*self.errors):
            self.conn.close()


class _MysqlRewrite(Rewrite):
    def __init__(self, endpoint: MysqlEndpoint, cur: Any) -> None:
        self.endpoint, self.cur = endpoint, cur

    def read(self, tables: Mapping[str, Sequence[str]]) -> dict[str, list[Row]]:
        return self.endpoint._select(self.cur, tables)

    def replace(self, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        self.cur.execute(f"DELETE FROM {_quote(table, '`')}")
        marks = ", ".join("%s" for _ in columns)
        if rows:
            self.cur.executemany(
                f"INSERT INTO {_quote(table, '`')} ({_columns(columns, '`')}) VALUES ({marks})",
                rows,
            )


def _mysql_message(exc: BaseException) -> str:
    """A driver's error as one line (PyMySQL's: its text without the error code)."""
    args: tuple[Any, ...] = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[1], str):
        return " ".join(args[1].split())
    return " ".join(str(exc).split()) or type(exc).__name__


def _quote(name: str, mark: str) -> str:
    if mark in name:
        raise TransferError(f"unsupported table or column name {name!r}")
    return f"{mark}{name}{mark}"


def _columns(columns: Sequence[str], mark: str) -> str:
    return ", ".join(_quote(c, mark) for c in columns)


def _dq(name: str) -> str:
    return _quote(name, '"')


def _dcols(columns: Sequence[str]) -> str:
    return _columns(columns, '"')


def is_url(location: str) -> bool:
    """True for a URL (only ``mysql://`` ones are taken), False for an SQLite path."""
    return "://" in location


def open_endpoint(location: str, *, target: bool = False, dry_run: bool = False) -> Endpoint:
    """The endpoint at ``location``: a ``mysql://`` URL or an SQLite file's path."""
    if is_url(location):
        try:
            config = MysqlConfig.from_url(location)
        except ValueError as exc:
            raise TransferError(str(exc)) from None
        return MysqlEndpoint(config)
    return SqliteEndpoint(location, target=target, dry_run=dry_run)


# -- the transfer -------------------------------------------------------------------------------


def _check(rows: Mapping[str, Sequence[Row]], columns: Mapping[str, Sequence[Column]]) -> None:
    """Rule 1: every value fits its target column, or TransferError names the first that
    does not (with how many rows of that column fail)."""
    for table, table_rows in rows.items():
        for index, column in enumerate(columns[table]):
            failures = [p for row in table_rows if (p := column.problem(row[index])) is not None]
            if failures:
                raise TransferError(
                    f"{table}.{column.name}: {len(failures)} row(s) cannot be stored in the"
                    f" target ({failures[0]}); nothing was changed"
                )


def _diff(table: str, source: Sequence[Row], target: Sequence[Row]) -> TableDiff:
    have, want = Counter(target), Counter(source)
    added, removed = want - have, have - want
    return TableDiff(
        table=table,
        source_rows=len(source),
        target_rows=len(target),
        added=sum(added.values()),
        removed=sum(removed.values()),
        examples_added=sorted(added, key=repr)[:EXAMPLES],
        examples_removed=sorted(removed, key=repr)[:EXAMPLES],
    )


def _remove_on_error(endpoint: SqliteEndpoint) -> Any:
    def remove(kind: type[BaseException] | None, *_: Any) -> None:
        if kind is not None:
            endpoint.close()
            with contextlib.suppress(OSError):
                os.remove(endpoint.label)

    return remove


def _driver_errors() -> tuple[type[Exception], ...]:
    """The database drivers' exceptions (PyMySQL's only once something imported it)."""
    pymysql = sys.modules.get("pymysql")
    return (sqlite3.Error,) + ((pymysql.MySQLError,) if pymysql is not None else ())


def transfer(source: str, target: str, *, dry_run: bool = False) -> TransferReport:
    """Replace the target's rows of every table both sides have by the source's; with
    ``dry_run``, only compare. Raises TransferError when it cannot (nothing changed, unless
    a MariaDB target failed in the middle of its rewrite: then the message says so)."""
    started = time.monotonic()
    writing: list[Endpoint] = []
    try:
        with contextlib.ExitStack() as stack:
            report = _transfer(stack, source, target, dry_run, writing)
    except _driver_errors() as exc:
        partly = writing and isinstance(writing[0], MysqlEndpoint)
        outcome = (
            "the target may hold part of the copy: run it again"
            if partly
            else "nothing was changed"
        )
        raise TransferError(f"{_mysql_message(exc)}; {outcome}") from None
    report.seconds = time.monotonic() - started
    return report


def _transfer(
    stack: contextlib.ExitStack, source: str, target: str, dry_run: bool, writing: list[Endpoint]
) -> TransferReport:
    src = open_endpoint(source)
    stack.callback(src.close)
    dst = open_endpoint(target, target=True, dry_run=dry_run)
    stack.callback(dst.close)
    if isinstance(dst, SqliteEndpoint) and dst.created:
        stack.push(_remove_on_error(dst))
    src_schema, dst_schema = src.schema(), dst.schema()
    shared = sorted(set(src_schema) & set(dst_schema))
    columns = {t: [c for c in src_schema[t] if c in dst_schema[t]] for t in shared}
    report = TransferReport(
        source=src.label,
        target=dst.label,
        dry_run=dry_run,
        tables=[],
        source_only={t: src.count(t) for t in sorted(set(src_schema) - set(dst_schema))},
        target_only=sorted(set(dst_schema) - set(src_schema)),
        source_only_columns=[
            f"{t}.{c}" for t in shared for c in src_schema[t] if c not in dst_schema[t]
        ],
        target_only_columns=[
            f"{t}.{c}" for t in shared for c in dst_schema[t] if c not in src_schema[t]
        ],
    )
    rows = src.read(columns)
    _check(rows, {t: [dst_schema[t][c] for c in columns[t]] for t in shared})
    with dst.rewriting(shared, exclusive=not dry_run) as rewrite:
        present = rewrite.read(columns)
        report.tables = [_diff(t, rows[t], present[t]) for t in shared]
        if not dry_run:
            writing.append(dst)
            for diff in report.tables:
                if diff.added or diff.removed:
                    rewrite.replace(diff.table, columns[diff.table], rows[diff.table])
    return report
