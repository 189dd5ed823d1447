"""The SQLite back-end of the Database server: :class:`SqliteStore` implements
:class:`~._store.Store` on Tango's own schema (:mod:`._schema`).

Rule 1: one connection per thread. The server runs commands on a pool of worker threads;
with WAL, readers on their own connections never wait for a writer, and a writer waits for
another (``busy_timeout``) instead of failing. A single connection behind a lock would make
every read wait for each write's fsync.

Rule 2: one call, one transaction: ``BEGIN IMMEDIATE`` for writes (takes the write lock
first, so two writers never deadlock upgrading a read lock), ``BEGIN`` for reads (one
consistent snapshot for a multi-statement answer).

Rule 3: durability: WAL with ``synchronous=FULL``; a commit is on disk before the command
answers, so a ``kill -9`` loses nothing a client was told is done.

Rule 4: values only ever reach SQL as parameters; table and column names come from this
module's constants. Tango wildcards become ``LIKE ... ESCAPE '\\'`` patterns by
:func:`like_pattern`.
"""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal

from .._dbformat import DeviceExport, DeviceImport
from . import _schema
from ._store import (
    ALIAS_NOT_DEFINED,
    DEVICE_NOT_DEFINED,
    INCORRECT_ARGUMENTS,
    INCORRECT_DEVICE_NAME,
    INCORRECT_SERVER_NAME,
    SQL_ERROR,
    AttributeKind,
    DeviceInfo,
    HistoryEntry,
    PropertyKind,
    ServerInfo,
    db_error,
)

__all__ = ["SqliteStore", "like_pattern"]

#: property changes kept per property in the *_hist tables (the C++ default historyDepth)
HISTORY_DEPTH = 10

# (value table, owner column, history counter, history table)
_PROPERTY_TABLES: dict[str, tuple[str, str, str, str]] = {
    "device": ("property_device", "device", "device_history_id", "property_device_hist"),
    "class": ("property_class", "class", "class_history_id", "property_class_hist"),
    "object": ("property", "object", "object_history_id", "property_hist"),
}
_ATTRIBUTE_TABLES: dict[str, tuple[str, str, str, str]] = {
    "device": (
        "property_attribute_device",
        "device",
        "device_attribute_history_id",
        "property_attribute_device_hist",
    ),
    "class": (
        "property_attribute_class",
        "class",
        "class_attribute_history_id",
        "property_attribute_class_hist",
    ),
}

_LIKE = "LIKE ? ESCAPE '\\'"


def like_pattern(pattern: str) -> str:
    """A Tango wildcard filter as a LIKE pattern: ``*`` matches any run, everything else
    (``%``, ``_`` and ``\\`` included) matches itself."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%")


def _now() -> str:
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")


def _info_date(stamp: object) -> str:
    """A stored date as DbGetDeviceInfo shows it: ``25-11-2026 at 11:52:49`` (or ``?``)."""
    if not stamp:
        return "?"
    try:
        when = datetime.datetime.strptime(str(stamp)[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return "?"
    return when.strftime("%d-%m-%Y at %H:%M:%S")


def _split_device(name: str, origin: str) -> tuple[str, str, str]:
    parts = name.split("/")
    if len(parts) != 3 or not all(parts):
        raise db_error(
            INCORRECT_DEVICE_NAME,
            f"device name ({name}) syntax error (should be domain/family/member)",
            origin,
        )
    return parts[0], parts[1], parts[2]


def _check_server(name: str, origin: str) -> None:
    parts = name.split("/")
    if len(parts) != 2 or not all(parts):
        raise db_error(
            INCORRECT_SERVER_NAME,
            f"server name ({name}) syntax error (should be executable/instance)",
            origin,
        )


class SqliteStore:
    """Tango's Database tables in one SQLite file (see the module's rules)."""

    def __init__(self, path: str | Path, busy_timeout: float = 30.0) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL")
        with self._write("create"):
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

    def _write(self, origin: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._tx("BEGIN IMMEDIATE", origin)

    def _read(self, origin: str) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        return self._tx("BEGIN", origin)

    @staticmethod
    def _sql_error(exc: sqlite3.Error, origin: str) -> Exception:
        return db_error(SQL_ERROR, f"Failed to query TANGO database (error={exc})", origin)

    def _column(self, sql: str, params: Sequence[object], origin: str) -> list[str]:
        with self._read(origin) as conn:
            return [str(row[0]) for row in conn.execute(sql, params)]

    # -- servers and devices -------------------------------------------------------------------
    def _insert_device(
        self, conn: sqlite3.Connection, server: str, device: str, class_name: str
    ) -> None:
        domain, family, member = _split_device(device, "DataBase::AddDevice()")
        alias = conn.execute("SELECT alias FROM device WHERE name = ?", (device,)).fetchone()
        conn.execute("DELETE FROM device WHERE name = ?", (device,))
        conn.execute(
            "INSERT INTO device (name, alias, domain, family, member, exported, ior, host,"
            " server, pid, class, version) VALUES (?, ?, ?, ?, ?, 0, 'nada', 'nada', ?, 0,"
            " ?, '0')",
            (device, alias[0] if alias else None, domain, family, member, server, class_name),
        )

    def _ensure_admin(self, conn: sqlite3.Connection, server: str) -> None:
        admin = f"dserver/{server}"
        found = conn.execute(
            "SELECT 1 FROM device WHERE server = ? AND class = 'DServer'", (server,)
        ).fetchone()
        if found is None:
            self._insert_device(conn, server, admin, "DServer")

    def add_server(self, server: str, devices: Sequence[tuple[str, str]]) -> None:
        origin = "DataBase::DbAddServer()"
        _check_server(server, origin)
        for device, _ in devices:
            _split_device(device, origin)
        with self._write(origin) as conn:
            for device, class_name in devices:
                self._insert_device(conn, server, device, class_name)
            self._ensure_admin(conn, server)

    def add_device(self, server: str, device: str, class_name: str) -> None:
        origin = "DataBase::DbAddDevice()"
        _check_server(server, origin)
        with self._write(origin) as conn:
            self._insert_device(conn, server, device, class_name)
            self._ensure_admin(conn, server)

    def delete_server(self, server: str) -> None:
        with self._write("DataBase::DbDeleteServer()") as conn:
            conn.execute("DELETE FROM device WHERE server = ?", (server,))

    def delete_device(self, device: str) -> None:
        with self._write("DataBase::DbDeleteDevice()") as conn:
            conn.execute("DELETE FROM device WHERE name = ?", (device,))
            conn.execute("DELETE FROM property_device WHERE device = ?", (device,))
            conn.execute("DELETE FROM property_attribute_device WHERE device = ?", (device,))

    def rename_server(self, old: str, new: str) -> None:
        origin = "DataBase::DbRenameServer()"
        _check_server(new, origin)
        with self._write(origin) as conn:
            if conn.execute("SELECT 1 FROM device WHERE server = ?", (old,)).fetchone() is None:
                raise db_error(
                    INCORRECT_SERVER_NAME, f"Device server {old} not defined in database", origin
                )
            if conn.execute("SELECT 1 FROM device WHERE server = ?", (new,)).fetchone():
                raise db_error(
                    INCORRECT_SERVER_NAME,
                    f"Device server {new} already defined in database",
                    origin,
                )
            old_admin, new_admin = f"dserver/{old}", f"dserver/{new}"
            d, f, m = new_admin.split("/")
            conn.execute(
                "UPDATE device SET name = ?, domain = ?, family = ?, member = ? WHERE name = ?",
                (new_admin, d, f, m, old_admin),
            )
            for table in ("property_device", "property_attribute_device"):
                conn.execute(
                    f"UPDATE {table} SET device = ? WHERE device = ?", (new_admin, old_admin)
                )
            conn.execute("UPDATE device SET server = ? WHERE server = ?", (new, old))
            conn.execute("UPDATE server SET name = ? WHERE name = ?", (new.lower(), old))

    def export_device(self, export: DeviceExport) -> None:
        origin = "DataBase::DbExportDevice()"
        try:
            pid = int(export.pid)
        except ValueError:
            pid = 0
        with self._write(origin) as conn:
            row = conn.execute(
                "SELECT server FROM device WHERE name = ?", (export.name,)
            ).fetchone()
            if row is None:
                raise db_error(
                    DEVICE_NOT_DEFINED,
                    f"device {export.name} not defined in the database !",
                    origin,
                )
            conn.execute(
                "UPDATE device SET exported = 1, ior = ?, host = ?, pid = ?, version = ?,"
                " started = ? WHERE name = ?",
                (export.ior, export.host, pid, export.version, _now(), export.name),
            )
            conn.execute("UPDATE server SET host = ? WHERE name = ?", (export.host, row[0]))

    def unexport_device(self, device: str) -> None:
        with self._write("DataBase::DbUnExportDevice()") as conn:
            conn.execute(
                "UPDATE device SET exported = 0, stopped = ? WHERE name = ?", (_now(), device)
            )

    def unexport_server(self, server: str) -> None:
        with self._write("DataBase::DbUnExportServer()") as conn:
            conn.execute(
                "UPDATE device SET exported = 0, stopped = ? WHERE server = ?", (_now(), server)
            )

    def _device_row(self, conn: sqlite3.Connection, name: str, origin: str) -> tuple[object, ...]:
        columns = "name, exported, ior, version, pid, server, host, class, started, stopped"
        row = conn.execute(f"SELECT {columns} FROM device WHERE name = ?", (name,)).fetchone()
        if row is None:
            row = conn.execute(f"SELECT {columns} FROM device WHERE alias = ?", (name,)).fetchone()
        if row is None:
            raise db_error(
                DEVICE_NOT_DEFINED, f"device {name} not defined in the database !", origin
            )
        return tuple(row)

    @staticmethod
    def _record(name: str, row: tuple[object, ...]) -> DeviceImport:
        _, exported, ior, version, pid, server, host, class_name = row[:8]

        def text(value: object) -> str:
            return "" if value is None else str(value)

        return DeviceImport(
            name=name.lower(),
            ior=text(ior),
            version="0" if version in (None, "nada") else str(version),
            server=text(server),
            host=text(host),
            class_name=text(class_name),
            exported=bool(exported),
            pid=int(pid) if isinstance(pid, int) else 0,
        )

    def import_device(self, name: str) -> DeviceImport:
        origin = "DataBase::ImportDevice()"
        with self._read(origin) as conn:
            row = self._device_row(conn, name, origin)
        return self._record(name, row)

    def device_info(self, name: str) -> DeviceInfo:
        origin = "DataBase::GetDeviceInfo()"
        with self._read(origin) as conn:
            row = self._device_row(conn, name, origin)
        return DeviceInfo(self._record(name, row), _info_date(row[8]), _info_date(row[9]))

    def device_class(self, device: str) -> str:
        origin = "DataBase::DbGetClassForDevice()"
        with self._read(origin) as conn:
            row = conn.execute("SELECT class FROM device WHERE name = ?", (device,)).fetchone()
        if row is None:
            raise db_error(
                DEVICE_NOT_DEFINED, f"device {device} not defined in the database !", origin
            )
        return str(row[0])

    # -- lists -----------------------------------------------------------------------------------
    def devices(self, pattern: str, *, exported_only: bool = False) -> list[str]:
        extra = " AND exported = 1" if exported_only else ""
        return self._column(
            f"SELECT DISTINCT name FROM device WHERE name {_LIKE}{extra} ORDER BY name",
            (like_pattern(pattern),),
            "DataBase::DbGetDeviceWideList()",
        )

    def devices_of(self, server_pattern: str, class_pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT name FROM device WHERE server {_LIKE} AND class {_LIKE}"
            " ORDER BY name",
            (like_pattern(server_pattern), like_pattern(class_pattern)),
            "DataBase::DbGetDeviceList()",
        )

    def exported_devices_of_class(self, class_name: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT name FROM device WHERE class {_LIKE} AND exported = 1 ORDER BY name",
            (like_pattern(class_name),),
            "DataBase::DbGetExportdDeviceListForClass()",
        )

    def device_classes_of(self, server: str) -> list[tuple[str, str]]:
        with self._read("DataBase::DbGetDeviceClassList()") as conn:
            rows = conn.execute(
                "SELECT name, class FROM device WHERE server = ? ORDER BY name", (server,)
            ).fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def name_parts(self, part: Literal["domain", "family", "member"], pattern: str) -> list[str]:
        column = {"domain": "domain", "family": "family", "member": "member"}[part]
        return self._column(
            f"SELECT DISTINCT {column} FROM device WHERE name {_LIKE} ORDER BY {column}",
            (like_pattern(pattern),),
            f"DataBase::DbGetDevice{part.capitalize()}List()",
        )

    def servers(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT server FROM device WHERE server {_LIKE} ORDER BY server",
            (like_pattern(pattern),),
            "DataBase::DbGetServerList()",
        )

    def classes(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT class FROM device WHERE class {_LIKE} ORDER BY class",
            (like_pattern(pattern),),
            "DataBase::DbGetClassList()",
        )

    def hosts(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT host FROM device WHERE host {_LIKE} ORDER BY host",
            (like_pattern(pattern),),
            "DataBase::DbGetHostList()",
        )

    def host_servers(self, host_pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT server FROM device WHERE host {_LIKE} ORDER BY server",
            (like_pattern(host_pattern),),
            "DataBase::DbGetHostServerList()",
        )

    def objects(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT object FROM property WHERE object {_LIKE} ORDER BY object",
            (like_pattern(pattern),),
            "DataBase::DbGetObjectList()",
        )

    # -- properties -------------------------------------------------------------------------------
    def get_properties(
        self, kind: PropertyKind, obj: str, names: Sequence[str]
    ) -> list[tuple[str, list[str]]]:
        table, owner, _, _ = _PROPERTY_TABLES[kind]
        result: list[tuple[str, list[str]]] = []
        with self._read(f"DataBase::DbGet{kind.capitalize()}Property()") as conn:
            for name in names:
                if "*" in name:
                    where, key = f"name {_LIKE}", like_pattern(name)
                else:
                    where, key = "name = ?", name
                rows = conn.execute(
                    f"SELECT value FROM {table} WHERE {owner} = ? AND {where} ORDER BY name, count",
                    (obj, key),
                ).fetchall()
                result.append((name, ["" if r[0] is None else str(r[0]) for r in rows]))
        return result

    @staticmethod
    def _next_id(conn: sqlite3.Connection, counter: str) -> int:
        conn.execute(f"UPDATE {counter} SET id = id + 1")
        return int(conn.execute(f"SELECT id FROM {counter}").fetchone()[0])

    @staticmethod
    def _purge(conn: sqlite3.Connection, hist: str, where: str, params: tuple[object, ...]) -> None:
        ids = [
            r[0]
            for r in conn.execute(
                f"SELECT DISTINCT id FROM {hist} WHERE {where} ORDER BY id DESC", params
            )
        ]
        for old in ids[HISTORY_DEPTH:]:
            conn.execute(f"DELETE FROM {hist} WHERE id = ? AND {where}", (old, *params))

    def put_properties(
        self, kind: PropertyKind, obj: str, props: Mapping[str, Sequence[str]]
    ) -> None:
        table, owner, counter, hist = _PROPERTY_TABLES[kind]
        now = _now()
        extra_cols = ""
        extra_vals: tuple[str, ...] = ()
        if kind == "device":
            parts = obj.split("/")
            extra_vals = tuple(parts) if len(parts) == 3 else ("", "", "")
            extra_cols = ", domain, family, member"
        marks = ", ?" * len(extra_vals)
        with self._write(f"DataBase::DbPut{kind.capitalize()}Property()") as conn:
            for name, values in props.items():
                hist_id = self._next_id(conn, counter)
                conn.execute(f"DELETE FROM {table} WHERE {owner} = ? AND name = ?", (obj, name))
                conn.executemany(
                    f"INSERT INTO {table} ({owner}, name, count, value, updated, accessed"
                    f"{extra_cols}) VALUES (?, ?, ?, ?, ?, ?{marks})",
                    [(obj, name, i, v, now, now, *extra_vals) for i, v in enumerate(values, 1)],
                )
                conn.executemany(
                    f"INSERT INTO {hist} (id, date, {owner}, name, count, value)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(hist_id, now, obj, name, i, v) for i, v in enumerate(values, 1)],
                )
                self._purge(conn, hist, f"{owner} = ? AND name = ?", (obj, name))

    def delete_properties(self, kind: PropertyKind, obj: str, names: Sequence[str]) -> None:
        table, owner, counter, hist = _PROPERTY_TABLES[kind]
        now = _now()
        with self._write(f"DataBase::DbDelete{kind.capitalize()}Property()") as conn:
            for pattern in names:
                found = [
                    str(r[0])
                    for r in conn.execute(
                        f"SELECT DISTINCT name FROM {table} WHERE {owner} = ? AND name {_LIKE}",
                        (obj, like_pattern(pattern)),
                    )
                ]
                for name in found:
                    hist_id = self._next_id(conn, counter)
                    conn.execute(f"DELETE FROM {table} WHERE {owner} = ? AND name = ?", (obj, name))
                    conn.execute(
                        f"INSERT INTO {hist} (id, date, {owner}, name, count, value)"
                        " VALUES (?, ?, ?, ?, 0, 'DELETED')",
                        (hist_id, now, obj, name),
                    )
                    self._purge(conn, hist, f"{owner} = ? AND name = ?", (obj, name))

    def property_names(self, kind: PropertyKind, obj: str, pattern: str) -> list[str]:
        table, owner, _, _ = _PROPERTY_TABLES[kind]
        return self._column(
            f"SELECT DISTINCT name FROM {table} WHERE {owner} = ? AND name {_LIKE} ORDER BY name",
            (obj, like_pattern(pattern)),
            f"DataBase::DbGet{kind.capitalize()}PropertyList()",
        )

    @staticmethod
    def _history(rows: Sequence[tuple[object, ...]]) -> list[HistoryEntry]:
        """Entries from ``(id, date, attribute, name, count, value)`` rows ordered by id."""
        entries: list[HistoryEntry] = []
        last: object = None
        for hist_id, date, attribute, name, count, value in rows:
            if hist_id != last or not entries or entries[-1].name != name:
                entries.append(
                    HistoryEntry(str(attribute), str(name), str(date), [], deleted=count == 0)
                )
                last = hist_id
            if count:
                entries[-1].values.append("" if value is None else str(value))
        return entries

    def property_history(self, kind: PropertyKind, obj: str, pattern: str) -> list[HistoryEntry]:
        _, owner, _, hist = _PROPERTY_TABLES[kind]
        with self._read(f"DataBase::DbGet{kind.capitalize()}PropertyHist()") as conn:
            rows = conn.execute(
                f"SELECT id, date, '', name, count, value FROM {hist}"
                f" WHERE {owner} = ? AND name {_LIKE} ORDER BY id, name, count",
                (obj, like_pattern(pattern)),
            ).fetchall()
        return self._history(rows)

    # -- attribute properties -------------------------------------------------------------------
    def get_attribute_properties(
        self, kind: AttributeKind, obj: str, attributes: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]:
        table, owner, _, _ = _ATTRIBUTE_TABLES[kind]
        result: dict[str, dict[str, list[str]]] = {}
        origin = f"DataBase::DbGet{kind.capitalize()}AttributeProperty2()"
        with self._read(origin) as conn:
            for attribute in attributes:
                props = result.setdefault(attribute, {})
                for name, value in conn.execute(
                    f"SELECT name, value FROM {table} WHERE {owner} = ? AND attribute = ?"
                    " ORDER BY name, count",
                    (obj, attribute),
                ):
                    props.setdefault(str(name), []).append("" if value is None else str(value))
        return result

    def put_attribute_properties(
        self, kind: AttributeKind, obj: str, attrs: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> None:
        table, owner, counter, hist = _ATTRIBUTE_TABLES[kind]
        now = _now()
        with self._write(f"DataBase::DbPut{kind.capitalize()}AttributeProperty2()") as conn:
            for attribute, props in attrs.items():
                for name, values in props.items():
                    hist_id = self._next_id(conn, counter)
                    conn.execute(
                        f"DELETE FROM {table} WHERE {owner} = ? AND attribute = ? AND name = ?",
                        (obj, attribute, name),
                    )
                    conn.executemany(
                        f"INSERT INTO {table} ({owner}, attribute, name, count, value, updated,"
                        " accessed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(obj, attribute, name, i, v, now, now) for i, v in enumerate(values, 1)],
                    )
                    conn.executemany(
                        f"INSERT INTO {hist} (id, date, {owner}, attribute, name, count, value)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (hist_id, now, obj, attribute, name, i, v)
                            for i, v in enumerate(values, 1)
                        ],
                    )
                    self._purge(
                        conn,
                        hist,
                        f"{owner} = ? AND attribute = ? AND name = ?",
                        (obj, attribute, name),
                    )

    def delete_attribute_properties(
        self, kind: AttributeKind, obj: str, attribute: str, names: Sequence[str]
    ) -> None:
        with self._write(f"DataBase::DbDelete{kind.capitalize()}AttributeProperty()") as conn:
            self._delete_attribute_rows(conn, kind, obj, attribute, names)

    def delete_attributes(self, kind: AttributeKind, obj: str, attributes: Sequence[str]) -> None:
        table, owner, _, _ = _ATTRIBUTE_TABLES[kind]
        with self._write(f"DataBase::DbDelete{kind.capitalize()}Attribute()") as conn:
            if not attributes:
                attributes = [
                    str(r[0])
                    for r in conn.execute(
                        f"SELECT DISTINCT attribute FROM {table} WHERE {owner} = ?", (obj,)
                    )
                ]
            for attribute in attributes:
                self._delete_attribute_rows(conn, kind, obj, attribute, [])

    def _delete_attribute_rows(
        self,
        conn: sqlite3.Connection,
        kind: AttributeKind,
        obj: str,
        attribute: str,
        names: Sequence[str],
    ) -> None:
        """Delete properties of one attribute (no names: all), each change in the history."""
        table, owner, counter, hist = _ATTRIBUTE_TABLES[kind]
        now = _now()
        if names:
            found = list(names)
        else:
            found = [
                str(r[0])
                for r in conn.execute(
                    f"SELECT DISTINCT name FROM {table} WHERE {owner} = ? AND attribute = ?",
                    (obj, attribute),
                )
            ]
        where = f"{owner} = ? AND attribute = ? AND name = ?"
        for name in found:
            if (
                conn.execute(
                    f"SELECT 1 FROM {table} WHERE {where}", (obj, attribute, name)
                ).fetchone()
                is None
            ):
                continue
            hist_id = self._next_id(conn, counter)
            conn.execute(f"DELETE FROM {table} WHERE {where}", (obj, attribute, name))
            conn.execute(
                f"INSERT INTO {hist} (id, date, {owner}, attribute, name, count, value)"
                " VALUES (?, ?, ?, ?, ?, 0, 'DELETED')",
                (hist_id, now, obj, attribute, name),
            )
            self._purge(conn, hist, where, (obj, attribute, name))

    def attribute_names(self, kind: AttributeKind, obj: str, pattern: str) -> list[str]:
        table, owner, _, _ = _ATTRIBUTE_TABLES[kind]
        return self._column(
            f"SELECT DISTINCT attribute FROM {table} WHERE {owner} = ? AND attribute {_LIKE}"
            " ORDER BY attribute",
            (obj, like_pattern(pattern)),
            f"DataBase::DbGet{kind.capitalize()}AttributeList()",
        )

    def attribute_property_history(
        self, kind: AttributeKind, obj: str, attribute: str, pattern: str
    ) -> list[HistoryEntry]:
        _, owner, _, hist = _ATTRIBUTE_TABLES[kind]
        with self._read(f"DataBase::DbGet{kind.capitalize()}AttributePropertyHist()") as conn:
            rows = conn.execute(
                f"SELECT id, date, attribute, name, count, value FROM {hist}"
                f" WHERE {owner} = ? AND attribute {_LIKE} AND name {_LIKE}"
                " ORDER BY id, attribute, name, count",
                (obj, like_pattern(attribute), like_pattern(pattern)),
            ).fetchall()
        return self._history(rows)

    # -- aliases ---------------------------------------------------------------------------------
    def put_device_alias(self, device: str, alias: str) -> None:
        origin = "DataBase::DbPutDeviceAlias()"
        with self._write(origin) as conn:
            taken = conn.execute(
                "SELECT name FROM device WHERE alias = ? AND name <> ?", (alias, device)
            ).fetchone()
            if taken is not None:
                raise db_error(SQL_ERROR, f"alias {alias} already exists !", origin)
            cur = conn.execute("UPDATE device SET alias = ? WHERE name = ?", (alias, device))
            if cur.rowcount == 0:
                raise db_error(
                    DEVICE_NOT_DEFINED, f"device {device} not defined in the database !", origin
                )

    def delete_device_alias(self, alias: str) -> None:
        with self._write("DataBase::DbDeleteDeviceAlias()") as conn:
            conn.execute("UPDATE device SET alias = NULL WHERE alias = ?", (alias,))

    def alias_device(self, alias: str) -> str:
        origin = "DataBase::DbGetAliasDevice()"
        with self._read(origin) as conn:
            row = conn.execute("SELECT name FROM device WHERE alias = ?", (alias,)).fetchone()
        if row is None:
            raise db_error(DEVICE_NOT_DEFINED, f"No device found for alias '{alias}'", origin)
        return str(row[0])

    def device_alias(self, device: str) -> str:
        origin = "DataBase::DbGetDeviceAlias()"
        with self._read(origin) as conn:
            row = conn.execute("SELECT alias FROM device WHERE name = ?", (device,)).fetchone()
        if row is None or row[0] is None:
            raise db_error(ALIAS_NOT_DEFINED, f"No alias found for device '{device}'", origin)
        return str(row[0])

    def device_aliases(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT alias FROM device WHERE alias {_LIKE} ORDER BY alias",
            (like_pattern(pattern),),
            "DataBase::DbGetDeviceAliasList()",
        )

    def put_attribute_alias(self, attribute: str, alias: str) -> None:
        origin = "DataBase::DbPutAttributeAlias()"
        parts = attribute.split("/")
        if len(parts) != 4 or not all(parts):
            raise db_error(
                INCORRECT_ARGUMENTS,
                f"attribute name {attribute} should be domain/family/member/attribute",
                origin,
            )
        device = "/".join(parts[:3])
        with self._write(origin) as conn:
            taken = conn.execute(
                "SELECT name FROM attribute_alias WHERE alias = ?", (alias,)
            ).fetchone()
            if taken is not None and str(taken[0]).lower() != attribute.lower():
                raise db_error(SQL_ERROR, f"alias {alias} already exists !", origin)
            conn.execute("DELETE FROM attribute_alias WHERE name = ?", (attribute,))
            now = _now()
            conn.execute(
                "INSERT INTO attribute_alias (alias, name, device, attribute, updated, accessed)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (alias, attribute, device, parts[3], now, now),
            )

    def delete_attribute_alias(self, alias: str) -> None:
        with self._write("DataBase::DbDeleteAttributeAlias()") as conn:
            conn.execute("DELETE FROM attribute_alias WHERE alias = ?", (alias,))

    def alias_attribute(self, alias: str) -> str:
        origin = "DataBase::DbGetAttributeAlias()"
        with self._read(origin) as conn:
            row = conn.execute(
                "SELECT name FROM attribute_alias WHERE alias = ?", (alias,)
            ).fetchone()
        if row is None:
            raise db_error(ALIAS_NOT_DEFINED, f"No attribute found for alias '{alias}'", origin)
        return str(row[0])

    def attribute_alias(self, attribute: str) -> str:
        origin = "DataBase::DbGetAttributeAlias2()"
        with self._read(origin) as conn:
            row = conn.execute(
                "SELECT alias FROM attribute_alias WHERE name = ?", (attribute,)
            ).fetchone()
        if row is None:
            raise db_error(ALIAS_NOT_DEFINED, f"No alias found for attribute '{attribute}'", origin)
        return str(row[0])

    def attribute_aliases(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT alias FROM attribute_alias WHERE alias {_LIKE} ORDER BY alias",
            (like_pattern(pattern),),
            "DataBase::DbGetAttributeAliasList()",
        )

    # -- server information -------------------------------------------------------------------
    def get_server_info(self, server: str) -> ServerInfo:
        with self._read("DataBase::DbGetServerInfo()") as conn:
            row = conn.execute(
                "SELECT host, mode, level FROM server WHERE name = ?", (server,)
            ).fetchone()
        if row is None:
            return ServerInfo(server, " ", " ", " ")
        return ServerInfo(server, str(row[0]), str(row[1]), str(row[2]))

    def put_server_info(self, info: ServerInfo) -> None:
        origin = "DataBase::DbPutServerInfo()"
        try:
            mode, level = int(info.mode or 0), int(info.level or 0)
        except ValueError:
            raise db_error(INCORRECT_ARGUMENTS, "mode and level must be numbers", origin) from None
        with self._write(origin) as conn:
            conn.execute("DELETE FROM server WHERE name = ?", (info.name,))
            conn.execute(
                "INSERT INTO server (name, host, mode, level) VALUES (?, ?, ?, ?)",
                (info.name.lower(), info.host, mode, level),
            )

    def delete_server_info(self, server: str) -> None:
        with self._write("DataBase::DbDeleteServerInfo()") as conn:
            conn.execute("DELETE FROM server WHERE name = ?", (server,))

    def host_servers_info(self, host: str) -> list[ServerInfo]:
        return [self.get_server_info(s) for s in self.host_servers(host)]

    def counts(self) -> dict[str, int]:
        queries = {
            "devices": "SELECT COUNT(*) FROM device",
            "exported": "SELECT COUNT(*) FROM device WHERE exported = 1",
            "servers": "SELECT COUNT(*) FROM device WHERE class = 'DServer'",
            "servers_exported": "SELECT COUNT(*) FROM device WHERE class = 'DServer'"
            " AND exported = 1",
        }
        for table in (
            "property_device",
            "property_class",
            "property_attribute_device",
            "property_attribute_class",
            "property",
        ):
            queries[table] = f"SELECT COUNT(*) FROM {table}"
            queries[f"{table}_hist"] = f"SELECT COUNT(*) FROM {table}_hist"
        with self._read("DataBase::DbInfo()") as conn:
            return {key: int(conn.execute(sql).fetchone()[0]) for key, sql in queries.items()}
