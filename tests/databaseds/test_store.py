"""The SQL stores on their own, each test on SQLite and on MariaDB (a fresh Tango database
of the cpp-tango peer's server, emptied of Debian's initial rows): transactions, wildcards,
SQL meta characters, threads, and what only one engine does (case folding, MariaDB
restarting)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from peers.mariadb import mariadb_available, tango_database

from puretango._dbformat import DeviceExport
from puretango._errors import DevFailed
from puretango.databaseds._mysql import MysqlConfig, MysqlStore
from puretango.databaseds._sql_store import SqlStore
from puretango.databaseds._sqlite import SqliteStore, like_pattern

#: every table of Tango's schema that holds rows (the history counters are reset to 0)
_TABLES = (
    "device server attribute_alias attribute_class event property property_device"
    " property_class property_attribute_device property_attribute_class property_pipe_device"
    " property_pipe_class property_hist property_device_hist property_class_hist"
    " property_attribute_device_hist property_attribute_class_hist property_pipe_device_hist"
    " property_pipe_class_hist"
).split()


def _emptied(config: MysqlConfig) -> MysqlConfig:
    conn = config.connect()
    try:
        with conn.cursor() as cursor:
            for table in _TABLES:
                cursor.execute(f"DELETE FROM {table}")
            for table in ("device", "class", "object"):
                cursor.execute(f"UPDATE {table}_history_id SET id = 0")
    finally:
        conn.close()
    return config


def _wire(text: str) -> str:
    """UTF-8 text as a Tango string carries it: one character per byte."""
    return text.encode().decode("latin-1")


def _module_database(prefix: str, engine: str | None = None) -> Iterator[MysqlConfig]:
    """A fresh Tango database for a module (its tables converted to ``engine`` if given)."""
    why = mariadb_available()
    if why is not None:  # pragma: no cover - the peer is part of CI
        pytest.skip(why)
    with tango_database(prefix) as config:
        if engine is not None:
            conn = config.connect()
            with conn.cursor() as cursor:
                cursor.execute("SHOW TABLES")
                for (table,) in cursor.fetchall():
                    cursor.execute(f"ALTER TABLE {table} ENGINE = {engine}")
            conn.close()
        yield config


@pytest.fixture(scope="module")
def mysql_database() -> Iterator[MysqlConfig]:
    yield from _module_database("pt_store")


@pytest.fixture(scope="module")
def innodb_database() -> Iterator[MysqlConfig]:
    """A Tango database whose tables were converted to InnoDB (as a Galera site does)."""
    yield from _module_database("pt_innodb", "InnoDB")


@pytest.fixture(params=["sqlite", "mysql", "mysql-innodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    s: SqlStore
    if request.param == "sqlite":
        s = SqliteStore(tmp_path / "tango.db")
    elif request.param == "mysql":
        s = MysqlStore(_emptied(request.getfixturevalue("mysql_database")))
        assert not s.transactional
    else:  # each write one transaction too
        s = MysqlStore(_emptied(request.getfixturevalue("innodb_database")))
        assert s.transactional
    yield s
    s.close()


def test_like_pattern_escapes_sql_wildcards() -> None:
    assert like_pattern("a*b") == "a%b"
    assert like_pattern("100%_x\\") == "100\\%\\_x\\\\"


def test_servers_devices_import_export(store: SqlStore) -> None:
    store.add_server("TestDev/test", [("test/dev/1", "TestDev"), ("test/dev/2", "TestDev")])
    assert store.devices_of("TestDev/test", "TestDev") == ["test/dev/1", "test/dev/2"]
    assert store.device_classes_of("testdev/TEST") == [
        ("dserver/TestDev/test", "DServer"),
        ("test/dev/1", "TestDev"),
        ("test/dev/2", "TestDev"),
    ]
    rec = store.import_device("TEST/DEV/1")
    assert rec.to_long_string() == (
        [0, 0],
        ["test/dev/1", "nada", "0", "TestDev/test", "nada", "TestDev"],
    )
    store.export_device(DeviceExport("test/dev/1", "IOR:00", "vm", "123", "6"))
    assert store.import_device("test/dev/1").to_long_string() == (
        [1, 123],
        ["test/dev/1", "IOR:00", "6", "TestDev/test", "vm", "TestDev"],
    )
    assert store.devices("*", exported_only=True) == ["test/dev/1"]
    store.unexport_server("TestDev/test")
    assert not store.import_device("test/dev/1").exported
    with pytest.raises(DevFailed) as info:
        store.import_device("no/such/dev")
    assert info.value.reason == "DB_DeviceNotDefined"
    assert info.value.errors[0].desc == "device no/such/dev not defined in the database !"
    with pytest.raises(DevFailed) as info:
        store.export_device(DeviceExport("no/such/dev", "IOR:00", "vm", "1", "6"))
    assert info.value.reason == "DB_DeviceNotDefined"


def test_wildcards_do_not_treat_percent_and_underscore_as_wildcards(store: SqlStore) -> None:
    store.add_server("S/1", [("a/b/c_d", "K"), ("a/b/cxd", "K"), ("a/b/100%", "K")])
    assert store.devices("a/b/c_d") == ["a/b/c_d"]
    assert store.devices("a/b/100%") == ["a/b/100%"]
    # in the engine's collation order ('_' sorts after letters in MariaDB's, before in SQLite's)
    assert sorted(store.devices("a/b/*")) == ["a/b/100%", "a/b/c_d", "a/b/cxd"]
    assert store.name_parts("domain", "*") == ["a", "dserver"]


def test_properties_round_trip_and_history(store: SqlStore) -> None:
    nasty = ["'; DROP TABLE device; --", "%_", "line1\nline2", "x" * 60_000]
    if isinstance(store, SqliteStore):
        nasty += ["é€😀", "x" * 100_000]
    else:
        # MySQL takes strings as the wire's bytes: UTF-8 text arrives one character per byte
        nasty.append(_wire("é€😀"))
        # over a text column: refused whole, nothing written
        with pytest.raises(DevFailed) as info:
            store.put_properties("device", "a/b/c", {"p": [*nasty, _wire("é" * 40_000)]})
        assert info.value.reason == "DB_SQLError"
        assert "80000 bytes" in info.value.args[0].desc
        assert store.property_names("device", "a/b/c", "*") == []
    store.put_properties("device", "a/b/c", {"p": nasty, "empty": []})
    assert store.get_properties("device", "A/B/C", ["P", "empty", "nothing"]) == [
        ("P", nasty),
        ("empty", []),
        ("nothing", []),
    ]
    assert store.property_names("device", "a/b/c", "*") == ["p"]
    store.put_properties("device", "a/b/c", {"p": ["2"]})
    store.delete_properties("device", "a/b/c", ["p"])
    history = store.property_history("device", "a/b/c", "p")
    assert [(h.values, h.deleted) for h in history] == [(nasty, False), (["2"], False), ([], True)]
    assert store.get_properties("device", "a/b/c", ["p"]) == [("p", [])]
    assert store.devices("*") == []  # the DROP TABLE did nothing


def test_attribute_properties(store: SqlStore) -> None:
    store.put_attribute_properties(
        "device", "a/b/c", {"dbl": {"abs_change": ["0.5"], "label": ["Dbl"]}}
    )
    assert store.get_attribute_properties("device", "a/b/c", ["DBL", "lng"]) == {
        "DBL": {"abs_change": ["0.5"], "label": ["Dbl"]},
        "lng": {},
    }
    store.delete_attribute_properties("device", "a/b/c", "dbl", ["label"])
    assert store.get_attribute_properties("device", "a/b/c", ["dbl"]) == {
        "dbl": {"abs_change": ["0.5"]}
    }
    assert store.attribute_names("device", "a/b/c", "*") == ["dbl"]


def test_aliases(store: SqlStore) -> None:
    store.add_server("S/1", [("a/b/c", "K"), ("a/b/d", "K")])
    store.put_device_alias("a/b/c", "mydev")
    assert store.alias_device("MYDEV") == "a/b/c"
    assert store.device_alias("a/b/c") == "mydev"
    assert store.import_device("mydev").server == "S/1"
    with pytest.raises(DevFailed) as info:
        store.put_device_alias("a/b/d", "mydev")
    assert info.value.reason == "DB_SQLError"
    store.put_attribute_alias("a/b/c/attr", "myattr")
    assert store.alias_attribute("myattr") == "a/b/c/attr"
    with pytest.raises(DevFailed) as info:
        store.device_alias("a/b/d")
    assert info.value.reason == "DB_AliasNotDefined"


def test_a_failed_command_changes_nothing(store: SqlStore) -> None:
    with pytest.raises(DevFailed):
        store.add_server("S/1", [("a/b/c", "K"), ("bad-name", "K")])
    assert store.devices("*") == []


def test_concurrent_writers_lose_nothing(store: SqlStore) -> None:
    def writer(n: int) -> None:
        for i in range(30):
            store.put_properties("object", "obj", {f"p{n}_{i}": [str(i)]})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.property_names("object", "obj", "*")) == 180


def test_properties_asked_in_any_case_as_sqlite_folds_it(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "tango.db")
    store.put_properties("device", "a/b/c", {"Speed": ["1", "2"], "Äx": ["upper"], "äx": ["lower"]})
    names = ["speed", "SPEED", "Speed", "Äx", "äx", "other", "spe*"]
    assert store.get_properties("device", "a/b/c", names) == [
        ("speed", ["1", "2"]),
        ("SPEED", ["1", "2"]),
        ("Speed", ["1", "2"]),
        ("Äx", ["upper"]),
        ("äx", ["lower"]),
        ("other", []),
        ("spe*", ["1", "2"]),
    ]
    assert store.get_properties("device", "a/b/c", names[:6]) == [
        ("speed", ["1", "2"]),
        ("SPEED", ["1", "2"]),
        ("Speed", ["1", "2"]),
        ("Äx", ["upper"]),
        ("äx", ["lower"]),
        ("other", []),
    ]


@pytest.fixture
def mysql_store(mysql_database: MysqlConfig):
    s = MysqlStore(_emptied(mysql_database), pool_size=4)
    yield s
    s.close()


def test_mysql_names_fold_as_mariadb_collation_does(mysql_store: MysqlStore) -> None:
    """utf8mb4_general_ci folds accented letters too: "Äx" and "äx" are one property."""
    mysql_store.put_properties("device", "a/b/c", {_wire("Äx"): ["upper"]})
    mysql_store.put_properties("device", "a/b/c", {_wire("äx"): ["lower"]})
    assert mysql_store.property_names("device", "a/b/c", "*") == [_wire("äx")]
    assert mysql_store.get_properties("device", "a/b/c", ["AX"]) == [("AX", [])]


def test_mysql_text_is_the_wire_bytes(mysql_store: MysqlStore) -> None:
    """UTF-8 text sent by a client is stored as that text (what Jive and the C++
    DataBaseds read); latin-1 bytes that are no UTF-8, and characters no byte can hold,
    are refused with DB_SQLError and change nothing."""
    mysql_store.put_properties("object", "o", {"p": [_wire("été 😀")]})
    conn = mysql_store.config.connect()
    conn.encoding = "utf8"  # MariaDB's own view of the text
    with conn.cursor() as cursor:
        cursor.execute("SELECT value FROM property WHERE object = 'o'")
        assert cursor.fetchall() == (("été 😀",),)
    conn.close()
    assert mysql_store.get_properties("object", "o", ["p"]) == [("p", [_wire("été 😀")])]
    for bad in ["\xe9t\xe9", "😀"]:
        with pytest.raises(DevFailed) as info:
            mysql_store.put_properties("object", "o", {"p": [bad]})
        assert info.value.reason == "DB_SQLError"
    assert mysql_store.get_properties("object", "o", ["p"]) == [("p", [_wire("été 😀")])]


def _kill_connections(config: MysqlConfig) -> int:
    """Kill every connection of ``config``'s user to its database (what a restart does)."""
    admin = config.connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM information_schema.processlist WHERE db = %s AND id <> %s",
                (config.database, admin.thread_id()),
            )
            ids = [row[0] for row in cursor.fetchall()]
            for thread in ids:
                cursor.execute(f"KILL {int(thread)}")
    finally:
        admin.close()
    return len(ids)


def test_mysql_pool_reconnects_after_its_connections_die(mysql_store: MysqlStore) -> None:
    """Pooled connections killed (as by a MariaDB restart): the next calls, reads and
    writes, reconnect without an error: a dead pooled connection costs a retry only."""
    mysql_store.add_server("S/1", [("a/b/c", "K")])

    def busy() -> None:  # several connections in the pool
        barrier = threading.Barrier(3)

        def read() -> None:
            barrier.wait()
            mysql_store.device_classes_of("S/1")

        threads = [threading.Thread(target=read) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    busy()
    assert _kill_connections(mysql_store.config) >= 1
    assert mysql_store.devices("a/*") == ["a/b/c"]
    _kill_connections(mysql_store.config)
    mysql_store.put_properties("object", "o", {"p": ["1"]})
    _kill_connections(mysql_store.config)
    with mysql_store._read("test") as conn:  # a read of several statements too
        assert conn.execute("SELECT COUNT(*) FROM property").fetchone()[0] == 1
    assert mysql_store.get_properties("object", "o", ["p"]) == [("p", ["1"])]


def test_mysql_refusals_keep_the_pooled_connections(mysql_store: MysqlStore) -> None:
    """A command the store refuses (an unknown device) or MySQL refuses (bytes no UTF-8)
    answers its DevFailed and leaves the pool as it was: no reconnection follows."""
    mysql_store.add_server("S/1", [("a/b/c", "K")])
    pooled = list(mysql_store._idle)
    with pytest.raises(DevFailed) as info:
        mysql_store.export_device(DeviceExport("no/such/dev", "IOR:00", "h", "1", "6"))
    assert info.value.reason == "DB_DeviceNotDefined"
    with pytest.raises(DevFailed) as info:
        mysql_store.put_device_alias("a/b/c", "\xe9")
    assert info.value.reason == "DB_SQLError"
    with pytest.raises(DevFailed):
        mysql_store.device_class("no/such/dev")
    assert mysql_store._idle == pooled and mysql_store._epoch == 0


def test_mysql_writes_wait_for_a_table_lock_of_another_writer(mysql_store: MysqlStore) -> None:
    """A writer holding ``LOCK TABLES`` (as the C++ DataBaseds does) is waited for, and
    what it wrote is kept beside ours."""
    other = mysql_store.config.connect()
    cursor = other.cursor()
    cursor.execute("LOCK TABLES property WRITE, property_hist WRITE, object_history_id WRITE")
    cursor.execute("UPDATE object_history_id SET id = id + 1")
    done = threading.Event()
    writer = threading.Thread(
        target=lambda: (mysql_store.put_properties("object", "o", {"mine": ["1"]}), done.set())
    )
    writer.start()
    assert not done.wait(0.5)  # blocked behind the other writer's lock
    cursor.execute(
        "INSERT INTO property (object, name, count, value, updated, accessed)"
        " VALUES ('o', 'theirs', 1, 'x', NOW(), NOW())"
    )
    cursor.execute("INSERT INTO property_hist (id, object, name, count, value)"
                   " VALUES (1, 'o', 'theirs', 1, 'x')")  # fmt: skip
    cursor.execute("UNLOCK TABLES")
    other.close()
    writer.join(10)
    assert done.is_set()
    assert mysql_store.property_names("object", "o", "*") == ["mine", "theirs"]
    history = mysql_store.property_history("object", "o", "*")
    assert [(h.name, h.values) for h in history] == [("theirs", ["x"]), ("mine", ["1"])]


def test_mysql_database_without_tango_schema_is_refused(mysql_database: MysqlConfig) -> None:
    from dataclasses import replace

    with pytest.raises(DevFailed) as info:
        MysqlStore(replace(mysql_database, database="information_schema"))
    assert info.value.reason == "DB_SQLError"
    assert "no Tango schema" in info.value.args[0].desc
