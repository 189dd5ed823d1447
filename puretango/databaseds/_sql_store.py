"""The Database's store in SQL, written once for SQLite and MariaDB/MySQL:
:class:`SqlStore` implements :class:`~._store.Store` on Tango's own schema: servers and
devices, lists, aliases and Starter information here; properties in :mod:`._sql_props`;
connections and transactions come from a back-end base (:mod:`._sqlite_base`,
:mod:`._mysql_base`), the shared rules from :mod:`._sql_base`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

from .._dbformat import DeviceExport, DeviceImport
from ._sql_base import LIKE, SqlConnection, like_pattern, now
from ._sql_props import SqlPropertyTables
from ._store import (
    ALIAS_NOT_DEFINED,
    DEVICE_NOT_DEFINED,
    INCORRECT_ARGUMENTS,
    INCORRECT_DEVICE_NAME,
    INCORRECT_SERVER_NAME,
    SQL_ERROR,
    DeviceInfo,
    ServerInfo,
    db_error,
)

__all__ = ["SqlStore", "like_pattern"]


def _stored_date(stamp: object) -> datetime.datetime | None:
    """A stored ``started``/``stopped`` date, or None (never set, or unreadable)."""
    if not stamp:
        return None
    try:
        return datetime.datetime.strptime(str(stamp)[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


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


#: the tables each kind of write takes (``LOCK TABLES`` on MySQL lists every table touched)
_DEVICE = ("device",)
_DEVICE_AND_PROPERTIES = ("device", "property_device", "property_attribute_device")


class SqlStore(SqlPropertyTables):
    """Tango's Database tables in SQL (the engine's base class comes after this one)."""

    # -- servers and devices -------------------------------------------------------------------
    def _insert_device(
        self, conn: SqlConnection, server: str, device: str, class_name: str
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

    def _ensure_admin(self, conn: SqlConnection, server: str) -> None:
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
        with self._write(origin, _DEVICE) as conn:
            for device, class_name in devices:
                self._insert_device(conn, server, device, class_name)
            self._ensure_admin(conn, server)

    def add_device(self, server: str, device: str, class_name: str) -> None:
        origin = "DataBase::DbAddDevice()"
        _check_server(server, origin)
        with self._write(origin, _DEVICE) as conn:
            self._insert_device(conn, server, device, class_name)
            self._ensure_admin(conn, server)

    def delete_server(self, server: str) -> None:
        with self._write("DataBase::DbDeleteServer()", _DEVICE) as conn:
            conn.execute("DELETE FROM device WHERE server = ?", (server,))

    def delete_device(self, device: str) -> None:
        with self._write("DataBase::DbDeleteDevice()", _DEVICE_AND_PROPERTIES) as conn:
            conn.execute("DELETE FROM device WHERE name = ?", (device,))
            conn.execute("DELETE FROM property_device WHERE device = ?", (device,))
            conn.execute("DELETE FROM property_attribute_device WHERE device = ?", (device,))

    def rename_server(self, old: str, new: str) -> None:
        origin = "DataBase::DbRenameServer()"
        _check_server(new, origin)
        with self._write(origin, (*_DEVICE_AND_PROPERTIES, "server")) as conn:
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
        with self._write(origin, ("device", "server")) as conn:
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
                (export.ior, export.host, pid, export.version, now(), export.name),
            )
            conn.execute("UPDATE server SET host = ? WHERE name = ?", (export.host, row[0]))

    def unexport_device(self, device: str) -> None:
        with self._write("DataBase::DbUnExportDevice()", _DEVICE) as conn:
            conn.execute(
                "UPDATE device SET exported = 0, stopped = ? WHERE name = ?", (now(), device)
            )

    def unexport_server(self, server: str) -> None:
        with self._write("DataBase::DbUnExportServer()", _DEVICE) as conn:
            conn.execute(
                "UPDATE device SET exported = 0, stopped = ? WHERE server = ?", (now(), server)
            )

    def _device_row(self, name: str, origin: str, dates: bool = False) -> tuple[object, ...]:
        columns = "name, exported, ior, version, pid, server, host, class"
        if dates:
            columns += ", started, stopped"
        rows = self._select(f"SELECT {columns} FROM device WHERE name = ?", (name,), origin)
        if not rows:  # an alias (its device may change in between: either answer is right)
            rows = self._select(f"SELECT {columns} FROM device WHERE alias = ?", (name,), origin)
        if not rows:
            raise db_error(
                DEVICE_NOT_DEFINED, f"device {name} not defined in the database !", origin
            )
        return tuple(rows[0])

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
        return self._record(name, self._device_row(name, "DataBase::ImportDevice()"))

    def device_info(self, name: str) -> DeviceInfo:
        row = self._device_row(name, "DataBase::GetDeviceInfo()", dates=True)
        started, stopped = (_stored_date(stamp) for stamp in row[8:10])
        return DeviceInfo(
            self._record(name, row),
            "?" if started is None else self._info_date(started),
            "?" if stopped is None else self._info_date(stopped),
        )

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
        if exported_only:  # the exported list also matches aliases
            where = f"(name {LIKE} OR alias {LIKE}) AND exported = 1"
            params: tuple[str, ...] = (like_pattern(pattern),) * 2
        else:
            where, params = f"name {LIKE}", (like_pattern(pattern),)
        return self._column(
            f"SELECT DISTINCT name FROM device WHERE {where} ORDER BY name",
            params,
            "DataBase::DbGetDeviceWideList()",
        )

    def devices_of(self, server_pattern: str, class_pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT name FROM device WHERE server {LIKE} AND class {LIKE} ORDER BY name",
            (like_pattern(server_pattern), like_pattern(class_pattern)),
            "DataBase::DbGetDeviceList()",
        )

    def exported_devices_of_class(self, class_name: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT name FROM device WHERE class {LIKE} AND exported = 1 ORDER BY name",
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
            f"SELECT DISTINCT {column} FROM device WHERE name {LIKE} ORDER BY {column}",
            (like_pattern(pattern),),
            f"DataBase::DbGetDevice{part.capitalize()}List()",
        )

    def servers(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT server FROM device WHERE server {LIKE} ORDER BY server",
            (like_pattern(pattern),),
            "DataBase::DbGetServerList()",
        )

    def classes(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT class FROM device WHERE class {LIKE} ORDER BY class",
            (like_pattern(pattern),),
            "DataBase::DbGetClassList()",
        )

    def hosts(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT host FROM device WHERE host {LIKE} ORDER BY host",
            (like_pattern(pattern),),
            "DataBase::DbGetHostList()",
        )

    def host_servers(self, host_pattern: str) -> list[str]:
        """Servers whose admin device was last exported from a matching host (the host
        name alone or followed by its domain)."""
        pattern = like_pattern(host_pattern)
        return self._column(
            f"SELECT DISTINCT server FROM device WHERE (host {LIKE} OR host {LIKE})"
            " AND name LIKE 'dserver/%' ORDER BY server",
            (pattern, pattern + ".%"),
            "DataBase::DbGetHostServerList()",
        )

    def objects(self, pattern: str) -> list[str]:
        return self._column(
            f"SELECT DISTINCT object FROM property WHERE object {LIKE} ORDER BY object",
            (like_pattern(pattern),),
            "DataBase::DbGetObjectList()",
        )

    # -- aliases ---------------------------------------------------------------------------------
    def put_device_alias(self, device: str, alias: str) -> None:
        origin = "DataBase::DbPutDeviceAlias()"
        with self._write(origin, _DEVICE) as conn:
            taken = conn.execute(
                "SELECT name FROM device WHERE alias = ? AND name <> ?", (alias, device)
            ).fetchone()
            if taken is not None:
                raise db_error(SQL_ERROR, f"alias {alias} already exists !", origin)
            cur = conn.execute(  # the C++ DataBaseds dates the alias in ``started``
                "UPDATE device SET alias = ?, started = ? WHERE name = ?", (alias, now(), device)
            )
            if cur.rowcount == 0:
                raise db_error(
                    DEVICE_NOT_DEFINED, f"device {device} not defined in the database !", origin
                )

    def delete_device_alias(self, alias: str) -> None:
        with self._write("DataBase::DbDeleteDeviceAlias()", _DEVICE) as conn:
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
            f"SELECT DISTINCT alias FROM device WHERE alias {LIKE} ORDER BY alias",
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
        with self._write(origin, ("attribute_alias",)) as conn:
            taken = conn.execute(
                "SELECT name FROM attribute_alias WHERE alias = ?", (alias,)
            ).fetchone()
            if taken is not None and str(taken[0]).lower() != attribute.lower():
                raise db_error(SQL_ERROR, f"alias {alias} already exists !", origin)
            conn.execute("DELETE FROM attribute_alias WHERE name = ?", (attribute,))
            stamp = now()
            conn.execute(
                "INSERT INTO attribute_alias (alias, name, device, attribute, updated, accessed)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (alias, attribute, device, parts[3], stamp, stamp),
            )

    def delete_attribute_alias(self, alias: str) -> None:
        with self._write("DataBase::DbDeleteAttributeAlias()", ("attribute_alias",)) as conn:
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
            f"SELECT DISTINCT alias FROM attribute_alias WHERE alias {LIKE} ORDER BY alias",
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
        with self._write(origin, ("server",)) as conn:
            conn.execute("DELETE FROM server WHERE name = ?", (info.name,))
            conn.execute(
                "INSERT INTO server (name, host, mode, level) VALUES (?, ?, ?, ?)",
                (info.name.lower(), info.host, mode, level),
            )

    def delete_server_info(self, server: str) -> None:
        with self._write("DataBase::DbDeleteServerInfo()", ("server",)) as conn:
            conn.execute("DELETE FROM server WHERE name = ?", (server,))

    def host_servers_info(self, host: str) -> list[ServerInfo]:
        pattern = like_pattern(host)
        with self._read("DataBase::DbGetHostServersInfo()") as conn:
            rows = conn.execute(
                "SELECT DISTINCT d.server, s.host, s.mode, s.level FROM device AS d"
                f" LEFT JOIN server AS s ON s.name = d.server"
                f" WHERE (d.host {LIKE} OR d.host {LIKE}) AND d.name LIKE 'dserver/%'"
                " ORDER BY d.server",
                (pattern, pattern + ".%"),
            ).fetchall()
        return [
            ServerInfo(str(name), " ", " ", " ")
            if mode is None
            else ServerInfo(str(name), str(h), str(mode), str(level))
            for name, h, mode, level in rows
        ]

    # -- event channels --------------------------------------------------------------------------
    def export_event(self, name: str, ior: str, host: str, pid: str, version: str) -> None:
        try:
            number = int(pid)
        except ValueError:
            number = 0
        with self._write("DataBase::DbExportEvent()", ("event",)) as conn:
            conn.execute("DELETE FROM event WHERE name = ?", (name,))
            conn.execute(
                "INSERT INTO event (name, exported, ior, host, server, pid, version, started)"
                " VALUES (?, 1, ?, ?, ?, ?, ?, ?)",
                (name, ior, host, name, number, version, now()),
            )

    def unexport_event(self, name: str) -> None:
        with self._write("DataBase::DbUnExportEvent()", ("event",)) as conn:
            conn.execute("UPDATE event SET exported = 0, stopped = ? WHERE name = ?", (now(), name))

    def import_event(self, name: str) -> tuple[list[int], list[str]]:
        origin = "DataBase::DbImportEvent()"
        rows = self._select(
            "SELECT exported, ior, version, pid, host FROM event WHERE name = ?", (name,), origin
        )
        if not rows:
            raise db_error(
                DEVICE_NOT_DEFINED, f"event channel {name} not defined in the database !", origin
            )
        exported, ior, version, pid, host = rows[0]
        strings = [name.lower(), str(ior), str(version), str(host)]  # lower case, as the C++
        return [int(exported or 0), int(pid or 0)], strings

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
