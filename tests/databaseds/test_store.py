"""The SQLite store on its own: transactions, wildcards, SQL meta characters, threads."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from puretango._dbformat import DeviceExport
from puretango._errors import DevFailed
from puretango.databaseds._sqlite import SqliteStore, like_pattern


@pytest.fixture
def store(tmp_path: Path):
    s = SqliteStore(tmp_path / "tango.db")
    yield s
    s.close()


def test_like_pattern_escapes_sql_wildcards() -> None:
    assert like_pattern("a*b") == "a%b"
    assert like_pattern("100%_x\\") == "100\\%\\_x\\\\"


def test_servers_devices_import_export(store: SqliteStore) -> None:
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


def test_wildcards_do_not_treat_percent_and_underscore_as_wildcards(store: SqliteStore) -> None:
    store.add_server("S/1", [("a/b/c_d", "K"), ("a/b/cxd", "K"), ("a/b/100%", "K")])
    assert store.devices("a/b/c_d") == ["a/b/c_d"]
    assert store.devices("a/b/100%") == ["a/b/100%"]
    assert store.devices("a/b/*") == ["a/b/100%", "a/b/c_d", "a/b/cxd"]
    assert store.name_parts("domain", "*") == ["a", "dserver"]


def test_properties_round_trip_and_history(store: SqliteStore) -> None:
    nasty = ["'; DROP TABLE device; --", "%_", "line1\nline2", "é€😀", "x" * 100_000]
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


def test_attribute_properties(store: SqliteStore) -> None:
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


def test_aliases(store: SqliteStore) -> None:
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


def test_a_failed_command_changes_nothing(store: SqliteStore) -> None:
    with pytest.raises(DevFailed):
        store.add_server("S/1", [("a/b/c", "K"), ("bad-name", "K")])
    assert store.devices("*") == []


def test_concurrent_writers_lose_nothing(store: SqliteStore) -> None:
    def writer(n: int) -> None:
        for i in range(30):
            store.put_properties("object", "obj", {f"p{n}_{i}": [str(i)]})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(store.property_names("object", "obj", "*")) == 180


def test_properties_asked_in_any_case_as_sqlite_folds_it(store: SqliteStore) -> None:
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
