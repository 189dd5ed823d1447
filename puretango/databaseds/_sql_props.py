"""Properties in the SQL stores (SQLite and MariaDB/MySQL): device, class and free-object
properties and device and class attribute properties, one row per value element (``count``
1..n) as the C++ DataBaseds keeps them, each change and deletion recorded in the ``*_hist``
tables (the last :data:`HISTORY_DEPTH` changes of each property are kept)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ._sql_base import LIKE, SqlBase, SqlConnection, like_pattern, now
from ._store import AttributeKind, HistoryEntry, PropertyKind

__all__ = ["SqlPropertyTables", "HISTORY_DEPTH"]

#: names asked in one query at most (SQLite's older limit on parameters is 999)
_MAX_NAMES = 900

#: property changes kept per property in the *_hist tables (the C++ default historyDepth)
HISTORY_DEPTH = 10

# (value table, owner column, history counter, history table)
_PROPERTY_TABLES: dict[str, tuple[str, str, str, str]] = {
    "device": ("property_device", "device", "device_history_id", "property_device_hist"),
    "class": ("property_class", "class", "class_history_id", "property_class_hist"),
    "object": ("property", "object", "object_history_id", "property_hist"),
}
# (value table, owner column, history counter, history table, member column)
_ATTRIBUTE_TABLES: dict[str, tuple[str, str, str, str, str]] = {
    "device": (
        "property_attribute_device",
        "device",
        "device_attribute_history_id",
        "property_attribute_device_hist",
        "attribute",
    ),
    "class": (
        "property_attribute_class",
        "class",
        "class_attribute_history_id",
        "property_attribute_class_hist",
        "attribute",
    ),
    "device_pipe": (
        "property_pipe_device",
        "device",
        "device_pipe_history_id",
        "property_pipe_device_hist",
        "pipe",
    ),
    "class_pipe": (
        "property_pipe_class",
        "class",
        "class_pipe_history_id",
        "property_pipe_class_hist",
        "pipe",
    ),
}


class SqlPropertyTables(SqlBase):
    """The property operations of :class:`~._store.Store` in SQL."""

    # -- properties -------------------------------------------------------------------------------
    def get_properties(
        self, kind: PropertyKind, obj: str, names: Sequence[str]
    ) -> list[tuple[str, list[str]]]:
        table, owner, _, _ = _PROPERTY_TABLES[kind]
        origin = f"DataBase::DbGet{kind.capitalize()}Property()"
        plain = [name for name in names if "*" not in name]
        if len(plain) < len(names) or len(plain) > _MAX_NAMES:  # one query per name instead
            with self._read(origin) as conn:
                return [(name, self._values(conn, table, owner, obj, name)) for name in names]
        # no wildcard: one query for every name, rows grouped as the NOCASE column matches
        marks = ", ".join("?" * len(plain))
        found: dict[str, list[str]] = {}
        for name, value in self._select(
            f"SELECT name, value FROM {table} WHERE {owner} = ? AND name IN ({marks})"
            " ORDER BY name, count",
            (obj, *plain),
            origin,
        ):
            found.setdefault(self._fold_name(str(name)), []).append(
                "" if value is None else str(value)
            )
        return [(name, list(found.get(self._fold_name(name), ()))) for name in names]

    @staticmethod
    def _values(conn: SqlConnection, table: str, owner: str, obj: str, name: str) -> list[str]:
        if "*" in name:
            where, key = f"name {LIKE}", like_pattern(name)
        else:
            where, key = "name = ?", name
        rows = conn.execute(
            f"SELECT value FROM {table} WHERE {owner} = ? AND {where} ORDER BY name, count",
            (obj, key),
        ).fetchall()
        return ["" if r[0] is None else str(r[0]) for r in rows]

    @staticmethod
    def _next_id(conn: SqlConnection, counter: str) -> int:
        conn.execute(f"UPDATE {counter} SET id = id + 1")
        return int(conn.execute(f"SELECT id FROM {counter}").fetchone()[0])

    @staticmethod
    def _purge(conn: SqlConnection, hist: str, where: str, params: tuple[object, ...]) -> None:
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
        stamp = now()
        origin = f"DataBase::DbPut{kind.capitalize()}Property()"
        for name, values in props.items():
            self._check_property(name, values, origin)
        # property_device's domain, family and member columns are left empty, as the C++
        # DataBaseds leaves them
        with self._write(origin, (table, hist, counter)) as conn:
            for name, values in props.items():
                hist_id = self._next_id(conn, counter)
                conn.execute(f"DELETE FROM {table} WHERE {owner} = ? AND name = ?", (obj, name))
                conn.executemany(
                    f"INSERT INTO {table} ({owner}, name, count, value, updated, accessed)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(obj, name, i, v, stamp, stamp) for i, v in enumerate(values, 1)],
                )
                conn.executemany(
                    f"INSERT INTO {hist} (id, date, {owner}, name, count, value)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(hist_id, stamp, obj, name, i, v) for i, v in enumerate(values, 1)],
                )
                self._purge(conn, hist, f"{owner} = ? AND name = ?", (obj, name))

    def delete_properties(self, kind: PropertyKind, obj: str, names: Sequence[str]) -> None:
        table, owner, counter, hist = _PROPERTY_TABLES[kind]
        stamp = now()
        origin = f"DataBase::DbDelete{kind.capitalize()}Property()"
        with self._write(origin, (table, hist, counter)) as conn:
            for pattern in names:
                found = [
                    str(r[0])
                    for r in conn.execute(
                        f"SELECT DISTINCT name FROM {table} WHERE {owner} = ? AND name {LIKE}",
                        (obj, like_pattern(pattern)),
                    )
                ]
                for name in found:
                    hist_id = self._next_id(conn, counter)
                    conn.execute(f"DELETE FROM {table} WHERE {owner} = ? AND name = ?", (obj, name))
                    conn.execute(
                        f"INSERT INTO {hist} (id, date, {owner}, name, count, value)"
                        " VALUES (?, ?, ?, ?, 0, 'DELETED')",
                        (hist_id, stamp, obj, name),
                    )
                    self._purge(conn, hist, f"{owner} = ? AND name = ?", (obj, name))

    def property_names(self, kind: PropertyKind, obj: str, pattern: str) -> list[str]:
        table, owner, _, _ = _PROPERTY_TABLES[kind]
        return self._column(
            f"SELECT DISTINCT name FROM {table} WHERE {owner} = ? AND name {LIKE} ORDER BY name",
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
                f" WHERE {owner} = ? AND name {LIKE} ORDER BY id, name, count",
                (obj, like_pattern(pattern)),
            ).fetchall()
        return self._history(rows)

    # -- attribute properties -------------------------------------------------------------------
    def get_attribute_properties(
        self, kind: AttributeKind, obj: str, attributes: Sequence[str]
    ) -> dict[str, dict[str, list[str]]]:
        table, owner, _, _, member = _ATTRIBUTE_TABLES[kind]
        result: dict[str, dict[str, list[str]]] = {}
        origin = f"DataBase::DbGet{kind.capitalize()}AttributeProperty2()"
        with self._read(origin) as conn:
            for attribute in attributes:
                props = result.setdefault(attribute, {})
                for name, value in conn.execute(
                    f"SELECT name, value FROM {table} WHERE {owner} = ? AND {member} = ?"
                    " ORDER BY name, count",
                    (obj, attribute),
                ):
                    props.setdefault(str(name), []).append("" if value is None else str(value))
        return result

    def put_attribute_properties(
        self, kind: AttributeKind, obj: str, attrs: Mapping[str, Mapping[str, Sequence[str]]]
    ) -> None:
        table, owner, counter, hist, member = _ATTRIBUTE_TABLES[kind]
        stamp = now()
        origin = f"DataBase::DbPut{kind.capitalize()}AttributeProperty2()"
        for props in attrs.values():
            for name, values in props.items():
                self._check_property(name, values, origin)
        with self._write(origin, (table, hist, counter)) as conn:
            for attribute, props in attrs.items():
                for name, values in props.items():
                    hist_id = self._next_id(conn, counter)
                    conn.execute(
                        f"DELETE FROM {table} WHERE {owner} = ? AND {member} = ? AND name = ?",
                        (obj, attribute, name),
                    )
                    conn.executemany(
                        f"INSERT INTO {table} ({owner}, {member}, name, count, value, updated,"
                        " accessed) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (obj, attribute, name, i, v, stamp, stamp)
                            for i, v in enumerate(values, 1)
                        ],
                    )
                    conn.executemany(
                        f"INSERT INTO {hist} (id, date, {owner}, {member}, name, count, value)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (hist_id, stamp, obj, attribute, name, i, v)
                            for i, v in enumerate(values, 1)
                        ],
                    )
                    self._purge(
                        conn,
                        hist,
                        f"{owner} = ? AND {member} = ? AND name = ?",
                        (obj, attribute, name),
                    )

    def delete_attribute_properties(
        self, kind: AttributeKind, obj: str, attribute: str, names: Sequence[str]
    ) -> None:
        table, _, counter, hist, _ = _ATTRIBUTE_TABLES[kind]
        origin = f"DataBase::DbDelete{kind.capitalize()}AttributeProperty()"
        with self._write(origin, (table, hist, counter)) as conn:
            self._delete_attribute_rows(conn, kind, obj, attribute, names)

    def delete_attributes(
        self, kind: AttributeKind, obj: str, attributes: Sequence[str], *, history: bool = False
    ) -> None:
        table, owner, counter, hist, member = _ATTRIBUTE_TABLES[kind]
        origin = f"DataBase::DbDelete{kind.capitalize()}Attribute()"
        if history:
            with self._write(origin, (table, hist, counter)) as conn:
                if not attributes:
                    attributes = [
                        str(r[0])
                        for r in conn.execute(
                            f"SELECT DISTINCT {member} FROM {table} WHERE {owner} = ?", (obj,)
                        )
                    ]
                for attribute in attributes:
                    self._delete_attribute_rows(conn, kind, obj, attribute, [])
            return
        with self._write(origin, (table,)) as conn:
            if not attributes:
                conn.execute(f"DELETE FROM {table} WHERE {owner} = ?", (obj,))
            for attribute in attributes:
                conn.execute(
                    f"DELETE FROM {table} WHERE {owner} = ? AND {member} = ?", (obj, attribute)
                )

    def _delete_attribute_rows(
        self,
        conn: SqlConnection,
        kind: AttributeKind,
        obj: str,
        attribute: str,
        names: Sequence[str],
    ) -> None:
        """Delete properties of one attribute (no names: all), each change in the history."""
        table, owner, counter, hist, member = _ATTRIBUTE_TABLES[kind]
        stamp = now()
        if names:
            found = list(names)
        else:
            found = [
                str(r[0])
                for r in conn.execute(
                    f"SELECT DISTINCT name FROM {table} WHERE {owner} = ? AND {member} = ?",
                    (obj, attribute),
                )
            ]
        where = f"{owner} = ? AND {member} = ? AND name = ?"
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
                f"INSERT INTO {hist} (id, date, {owner}, {member}, name, count, value)"
                " VALUES (?, ?, ?, ?, ?, 0, 'DELETED')",
                (hist_id, stamp, obj, attribute, name),
            )
            self._purge(conn, hist, where, (obj, attribute, name))

    def attribute_names(self, kind: AttributeKind, obj: str, pattern: str) -> list[str]:
        table, owner, _, _, member = _ATTRIBUTE_TABLES[kind]
        return self._column(
            f"SELECT DISTINCT {member} FROM {table} WHERE {owner} = ? AND {member} {LIKE}"
            f" ORDER BY {member}",
            (obj, like_pattern(pattern)),
            f"DataBase::DbGet{kind.capitalize()}AttributeList()",
        )

    def attribute_property_history(
        self, kind: AttributeKind, obj: str, attribute: str, pattern: str
    ) -> list[HistoryEntry]:
        _, owner, _, hist, member = _ATTRIBUTE_TABLES[kind]
        with self._read(f"DataBase::DbGet{kind.capitalize()}AttributePropertyHist()") as conn:
            rows = conn.execute(
                f"SELECT id, date, {member}, name, count, value FROM {hist}"
                f" WHERE {owner} = ? AND {member} {LIKE} AND name {LIKE}"
                f" ORDER BY id, {member}, name, count",
                (obj, like_pattern(attribute), like_pattern(pattern)),
            ).fetchall()
        return self._history(rows)
