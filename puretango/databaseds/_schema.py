"""Tango's Database schema in SQLite: the tables of the C++ DataBaseds (``device``,
``server``, the ``property*`` tables, their ``*_hist`` twins and history counters, the
aliases, the pipe property tables of Tango 9), with the C++ column names, case-insensitive
name columns (MariaDB's default collation) and the indexes the commands use.
:func:`create` makes a new file ready."""

from __future__ import annotations

import sqlite3

__all__ = ["create", "HISTORY_COUNTERS", "SCHEMA_VERSION"]

#: ``PRAGMA user_version`` of a file this module created
SCHEMA_VERSION = 1

#: the per-family history id tables: each holds one row, the last id used
HISTORY_COUNTERS = (
    "device_history_id",
    "device_attribute_history_id",
    "class_history_id",
    "class_attribute_history_id",
    "object_history_id",
    "device_pipe_history_id",
    "class_pipe_history_id",
)

_N = "varchar(255) COLLATE NOCASE NOT NULL DEFAULT ''"

_TABLES = f"""
CREATE TABLE IF NOT EXISTS device (
  name {_N}, alias varchar(255) COLLATE NOCASE DEFAULT NULL,
  domain {_N}, family {_N}, member {_N},
  exported int DEFAULT 0, ior text, host {_N}, server {_N}, pid int DEFAULT 0,
  class {_N}, version varchar(8) NOT NULL DEFAULT 'nada',
  started datetime DEFAULT NULL, stopped datetime DEFAULT NULL, comment text
);
CREATE UNIQUE INDEX IF NOT EXISTS device_name ON device (name);
CREATE INDEX IF NOT EXISTS device_alias ON device (alias);
CREATE INDEX IF NOT EXISTS device_server ON device (server);
CREATE TABLE IF NOT EXISTS server (
  name {_N}, host {_N}, mode int DEFAULT 0, level int DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS server_name ON server (name);
CREATE TABLE IF NOT EXISTS attribute_alias (
  alias {_N}, name {_N}, device {_N}, attribute {_N},
  updated timestamp, accessed timestamp, comment text
);
CREATE UNIQUE INDEX IF NOT EXISTS attribute_alias_alias ON attribute_alias (alias);
CREATE TABLE IF NOT EXISTS attribute_class (
  class {_N}, name {_N}, updated timestamp, accessed timestamp, comment text
);
CREATE TABLE IF NOT EXISTS event (
  name varchar(255) COLLATE NOCASE, exported int, ior text, host varchar(255),
  server varchar(255), pid int, version varchar(8), started datetime, stopped datetime
);
CREATE TABLE IF NOT EXISTS property (
  object {_N}, name {_N}, count int NOT NULL DEFAULT 0, value text,
  updated timestamp, accessed timestamp, comment text
);
CREATE INDEX IF NOT EXISTS property_index ON property (object, name);
CREATE TABLE IF NOT EXISTS property_device (
  device {_N}, name {_N}, domain {_N}, family {_N}, member {_N},
  count int NOT NULL DEFAULT 0, value text, updated timestamp, accessed timestamp,
  comment text
);
CREATE INDEX IF NOT EXISTS property_device_index ON property_device (device, name);
CREATE TABLE IF NOT EXISTS property_class (
  class {_N}, name {_N}, count int NOT NULL DEFAULT 0, value text,
  updated timestamp, accessed timestamp, comment text
);
CREATE INDEX IF NOT EXISTS property_class_index ON property_class (class, name);
CREATE TABLE IF NOT EXISTS property_attribute_device (
  device {_N}, attribute {_N}, name {_N}, count int NOT NULL DEFAULT 0, value text,
  updated timestamp, accessed timestamp, comment text
);
CREATE INDEX IF NOT EXISTS property_attribute_device_index
  ON property_attribute_device (device, attribute, name);
CREATE TABLE IF NOT EXISTS property_attribute_class (
  class {_N}, attribute {_N}, name {_N}, count int NOT NULL DEFAULT 0, value text,
  updated timestamp, accessed timestamp, comment text
);
CREATE INDEX IF NOT EXISTS property_attribute_class_index
  ON property_attribute_class (class, attribute, name);
CREATE TABLE IF NOT EXISTS property_pipe_device (
  device {_N}, pipe {_N}, name {_N}, count int NOT NULL DEFAULT 0, value text,
  updated timestamp, accessed timestamp, comment text
);
CREATE INDEX IF NOT EXISTS property_pipe_device_index
  ON property_pipe_device (device, pipe, name);
CREATE TABLE IF NOT EXISTS property_pipe_class (
  class {_N}, pipe {_N}, name {_N}, count int NOT NULL DEFAULT 0, value text,
  updated timestamp, accessed timestamp, comment text
);
CREATE INDEX IF NOT EXISTS property_pipe_class_index ON property_pipe_class (class, pipe, name);
CREATE TABLE IF NOT EXISTS property_pipe_device_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, device {_N}, pipe {_N},
  name {_N}, count int NOT NULL DEFAULT 0, value text
);
CREATE TABLE IF NOT EXISTS property_pipe_class_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, class {_N}, pipe {_N},
  name {_N}, count int NOT NULL DEFAULT 0, value text
);
CREATE TABLE IF NOT EXISTS property_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, object {_N}, name {_N},
  count int NOT NULL DEFAULT 0, value text
);
CREATE INDEX IF NOT EXISTS property_hist_index ON property_hist (object, name);
CREATE TABLE IF NOT EXISTS property_device_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, device {_N}, name {_N},
  count int NOT NULL DEFAULT 0, value text
);
CREATE INDEX IF NOT EXISTS property_device_hist_index ON property_device_hist (device, name);
CREATE TABLE IF NOT EXISTS property_class_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, class {_N}, name {_N},
  count int NOT NULL DEFAULT 0, value text
);
CREATE INDEX IF NOT EXISTS property_class_hist_index ON property_class_hist (class, name);
CREATE TABLE IF NOT EXISTS property_attribute_device_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, device {_N}, attribute {_N},
  name {_N}, count int NOT NULL DEFAULT 0, value text
);
CREATE INDEX IF NOT EXISTS property_attribute_device_hist_index
  ON property_attribute_device_hist (device, attribute, name);
CREATE TABLE IF NOT EXISTS property_attribute_class_hist (
  id int NOT NULL DEFAULT 0, date timestamp NOT NULL, class {_N}, attribute {_N},
  name {_N}, count int NOT NULL DEFAULT 0, value text
);
CREATE INDEX IF NOT EXISTS property_attribute_class_hist_index
  ON property_attribute_class_hist (class, attribute, name);
"""


def create(conn: sqlite3.Connection) -> None:
    """Create the tables of a new (or partly created) file, in the caller's transaction."""
    for statement in _TABLES.split(";"):
        if statement.strip():
            conn.execute(statement)
    for table in HISTORY_COUNTERS:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (id int NOT NULL DEFAULT 0)")
        if conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0:
            conn.execute(f"INSERT INTO {table} (id) VALUES (0)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
