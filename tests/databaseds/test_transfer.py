"""``puretango db export|import`` (``puretango.databaseds._transfer``): SQLite to SQLite, and
SQLite to MariaDB to SQLite and back, with every kind of row: rows written by our Database's
commands (the three scenarios of test_commands) and by the C++ DataBaseds on its own MariaDB
database and by our MysqlStore next to it; every table compared as a multiset of rows, and
the imported database read through the C++ DataBaseds and ours. Then the dry run (nothing
changes, the right counts), the failures (one line, status 1, nothing changed), and a reader
of the MariaDB during an import (the old copy or the new one, never half). The MariaDB tests
skip where the cpp-tango peer is not installed."""

from __future__ import annotations

import json
import shutil
import sqlite3
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from peers.databases import DbProcess, call_db, ours
from peers.launch import HOST, free_port, peer_env
from peers.mariadb import cpp_databaseds, mariadb_available, mysql_root, tango_database

from puretango.cli import main
from puretango.databaseds._mysql import MysqlStore
from puretango.databaseds._mysql_config import MysqlConfig
from puretango.databaseds._sqlite import SqliteStore
from puretango.databaseds._store import DeviceExport
from puretango.databaseds._transfer import TransferError, open_endpoint, transfer

from .test_commands import SCENARIO, SCENARIO_2, SCENARIO_3

Snapshot = dict[str, Counter[tuple[Any, ...]]]

#: the C++ DataBaseds refuses latin-1 text and values over a TEXT column's 64 kB (see
#: test_compare_cpp); its run gets ASCII and 60 kB instead
SCENARIOS = SCENARIO + SCENARIO_2 + SCENARIO_3
EMOJI = "caf\u00e9 \u20ac \U0001f600"


def _wire(text: str) -> str:
    """UTF-8 text as a Tango string holds it: one character per byte."""
    return text.encode().decode("latin-1")


def _for_mariadb(scenario: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    text = json.dumps(scenario, ensure_ascii=False).replace("é°ü ÿ", "e acute")
    return [tuple(call) for call in json.loads(text.replace("x" * 100_000, "x" * 60_000))]


def _url(config: MysqlConfig) -> str:
    return config.url(with_password=True)


def _columns(*locations: str) -> dict[str, list[str]]:
    """The tables all ``locations`` have, with the columns all have (the first's order)."""
    schemas = []
    for location in locations:
        endpoint = open_endpoint(location)
        schemas.append(endpoint.schema())
        endpoint.close()
    shared = set.intersection(*(set(s) for s in schemas))
    return {t: [c for c in schemas[0][t] if all(c in s[t] for s in schemas)] for t in shared}


def _snapshot(location: str, columns: Mapping[str, Sequence[str]]) -> Snapshot:
    endpoint = open_endpoint(location)
    try:
        return {t: Counter(rows) for t, rows in endpoint.read(columns).items()}
    finally:
        endpoint.close()


def _assert_same(*locations: str) -> dict[str, list[str]]:
    """Every table the locations share holds the same rows on each (as multisets)."""
    columns = _columns(*locations)
    first, *others = (_snapshot(loc, columns) for loc in locations)
    for other in others:
        assert {t: first[t] - other[t] for t in columns if first[t] != other[t]} == {}
        assert {t: other[t] - first[t] for t in columns if first[t] != other[t]} == {}
    return columns


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def ours_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file written by our Database's commands (the scenarios, as the C++ one
    can store them), plus non-ASCII text and hand-written attribute_class rows."""
    path = tmp_path_factory.mktemp("ours") / "tango.db"
    with ours(path) as db:
        call_db(db.tango_host, _for_mariadb(SCENARIOS))
    store = SqliteStore(path)  # text as the wire carries it: UTF-8, one character per byte
    store.add_server(_wire("Caf\u00e9/1"), [(_wire("caf\u00e9/dev/1"), _wire("Caf\u00e9"))])
    store.put_properties(
        "device", _wire("caf\u00e9/dev/1"), {_wire("\u00dcnicode"): [_wire(EMOJI), "", " "]}
    )
    store.close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO attribute_class (class, name, updated, accessed, comment)"
            " VALUES ('Cafe', 'att', '2024-02-29 23:59:59', '2000-01-01 00:00:00', NULL)"
        )
    conn.close()
    return path


# -- SQLite to SQLite ----------------------------------------------------------------------------


def test_sqlite_to_a_new_file_then_over_another_database(ours_file: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    report = transfer(str(ours_file), str(copy))
    assert report.added > 0 and report.source_only == {} and report.target_only == []
    _assert_same(str(ours_file), str(copy))
    # a database with other rows of its own: replaced, table by table
    other = tmp_path / "other.db"
    store = SqliteStore(other)
    store.add_server("Else/1", [("else/dev/1", "Else")])
    store.put_properties("class", "Else", {"p": ["1"]})
    store.close()
    report = transfer(str(ours_file), str(other))
    assert report.removed > 0
    _assert_same(str(ours_file), str(other))
    assert transfer(str(ours_file), str(other), dry_run=True).added == 0


def test_dry_run_changes_nothing_and_counts_the_difference(
    ours_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.db"
    transfer(str(ours_file), str(target))
    store = SqliteStore(target)
    store.put_properties("device", "test/dev/1", {"Extra": ["1", "2", "3"]})
    store.close()
    columns = _columns(str(target))
    before = _snapshot(str(target), columns)
    report = transfer(str(ours_file), str(target), dry_run=True)
    changed = {t.table: (t.added, t.removed) for t in report.tables if t.added or t.removed}
    # the three rows and their history go; the device history counter goes back by one
    assert changed == {
        "property_device": (0, 3),
        "property_device_hist": (0, 3),
        "device_history_id": (1, 1),
    }
    assert _snapshot(str(target), columns) == before
    status, out, err = _run(capsys, "db", "import", "--from", str(ours_file), "--to", str(target),
                            "--dry-run")  # fmt: skip
    assert (status, err) == (0, "")
    assert "would change 3 of" in out and "6 rows added" not in out
    assert "- property_device ('test/dev/1', 'Extra'," in out
    assert _snapshot(str(target), columns) == before
    status, out, err = _run(capsys, "db", "import", "--from", str(ours_file), "--to", str(target))
    assert (status, err) == (0, "")
    assert "changed 3 of" in out
    _assert_same(str(ours_file), str(target))


def test_a_dry_run_into_a_missing_file_does_not_create_it(ours_file: Path, tmp_path: Path) -> None:
    report = transfer(str(ours_file), str(tmp_path / "new.db"), dry_run=True)
    assert report.added > 0 and not (tmp_path / "new.db").exists()


def test_failures_are_one_line_and_status_1(
    ours_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_text("not a database at all\n" * 100)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (a)")
    conn.close()
    target = tmp_path / "target.db"
    shutil.copy(ours_file, target)
    cases = {
        "no such file": ("--from", str(tmp_path / "missing.db"), "--to", str(target)),
        "file is not a database": ("--from", str(garbage), "--to", str(target)),
        "not a Tango database (no table device)": ("--from", str(foreign), "--to", str(target)),
        "Can't connect to MySQL server": (
            "--from",
            str(ours_file),
            "--db-url",
            f"mysql://tango:tango@{HOST}:{free_port()}/tango?connect_timeout=2",
        ),
        "not a MySQL URL": ("--from", str(ours_file), "--db-url", "postgres://x/y"),
        "give one": ("--from", str(ours_file), "--to", str(target), "--db-url", "mysql://h/d"),
    }
    for expected, argv in cases.items():
        status, out, err = _run(capsys, "db", "import", *argv)
        assert status == 1 and out == "", (expected, out)
        assert err.startswith("puretango db import: ") and expected in err, (expected, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    status, _, err = _run(capsys, "db", "export", "--to", str(target))
    assert status == 1 and "give --db-url or --from" in err
    # the target of all these is untouched, and a file never made stays unmade
    _assert_same(str(ours_file), str(target))
    status, _, err = _run(capsys, "db", "export", "--from", str(foreign), "--to", f"{target}.new")
    assert status == 1 and not Path(f"{target}.new").exists()


# -- MariaDB -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mariadb() -> None:
    reason = mariadb_available()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def cpp_written(mariadb: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MysqlConfig]:
    """A MariaDB Tango database (Debian's initial rows) written by the C++ DataBaseds (the
    scenarios) and by our store, then rows written by hand into tables no Database command
    writes."""
    log = tmp_path_factory.mktemp("cpp") / "databaseds.log"
    with tango_database("ptx") as config:
        port = free_port()
        proc = cpp_databaseds(config, port, log)
        try:
            call_db(f"{HOST}:{port}", _for_mariadb(SCENARIOS))
        finally:
            proc.terminate()
            proc.wait(10)
        # and rows of our Database's store on the same MariaDB, as at a mixed site
        store = MysqlStore(config)
        try:
            store.add_server("Mixed/1", [("mixed/dev/1", "Mixed"), ("mixed/dev/2", "Mixed")])
            store.put_properties("device", "mixed/dev/1", {"p": ["1", "2"], "q": ["3"]})
            store.put_properties("device", "mixed/dev/1", {"p": ["4"]})
            store.put_attribute_properties("class", "Mixed", {"att": {"unit": ["mm"]}})
            store.put_device_alias("mixed/dev/2", "mixed2")
            store.export_device(DeviceExport("mixed/dev/1", "IOR:0A", "mhost", "99", "6"))
        finally:
            store.close()
        mysql_root(
            "SET NAMES utf8mb4; INSERT INTO attribute_class VALUES ('Cafe', 'att',"
            " '2024-02-29 23:59:59',"
            " '2000-01-01 00:00:00', NULL);"
            "INSERT INTO access_address VALUES ('op', '10.0.0.1', 'FF.FF.FF.00',"
            " '2020-01-01 00:00:00', '2000-01-01 00:00:00');"
            f"INSERT INTO property_device VALUES ('a/b/c', 'u', 'a', 'b', 'c', 1, '{EMOJI}',"
            " '2021-03-28 02:30:00', '2000-01-01 00:00:00', 'a comment');",
            database=config.database,
        )
        yield config


def test_mariadb_to_sqlite_to_a_new_mariadb_round_trip(
    cpp_written: MysqlConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site, laptop = _url(cpp_written), tmp_path / "laptop.db"
    status, out, err = _run(capsys, "db", "export", "--db-url", site, "--to", str(laptop))
    assert (status, err) == (0, "")
    assert "not copied: table access_address (1 rows) is not in the target" in out
    columns = _assert_same(site, str(laptop))
    assert set(columns) == set(_columns(str(laptop)))  # every table of the file
    rows = _snapshot(str(laptop), columns)
    written = {t for t, counter in rows.items() if counter}
    assert written >= {"device", "server", "property_device_hist", "property_pipe_class_hist",
                       "property_attribute_class_hist", "attribute_alias", "event"}  # fmt: skip
    devices = {(r[0], r[8]) for r in rows["device"]}
    assert {("h/dev/1", "Srv/b"), ("mixed/dev/1", "Mixed/1")} <= devices
    with tango_database("ptx") as fresh:
        status, out, err = _run(capsys, "db", "import", "--from", str(laptop), "--db-url",
                                _url(fresh))  # fmt: skip
        assert (status, err) == (0, "")
        assert "left as is: table access_address is not in the source" in out
        _assert_same(site, _url(fresh), str(laptop))
        again = tmp_path / "again.db"
        transfer(_url(fresh), str(again))
        _assert_same(str(laptop), str(again))
        # database to database: MariaDB's own tables go too
        report = transfer(site, _url(fresh), dry_run=True)
        differs = {t.table: (t.added, t.removed) for t in report.tables if t.added or t.removed}
        assert differs == {"access_address": (1, 0)}
        transfer(site, _url(fresh))
        assert set(_assert_same(site, _url(fresh))) == set(_columns(site))


def test_sqlite_to_mariadb_read_by_the_cpp_databaseds_and_ours(
    ours_file: Path, mariadb: None, tmp_path: Path
) -> None:
    with tango_database("ptx") as config:
        report = transfer(str(ours_file), _url(config))
        assert "access_address" in report.target_only
        _assert_same(str(ours_file), _url(config))
        back = tmp_path / "back.db"
        transfer(_url(config), str(back))
        _assert_same(str(ours_file), str(back))
        # the C++ DataBaseds and ours on MariaDB read what we wrote as ours reads the file
        # (ASCII: the C++ DataBaseds' MariaDB connection is latin-1, see test_compare_cpp)
        reads: list[tuple[str, Any]] = [
            ("DbGetDeviceProperty", ["test/dev/1", "Nasty", "Big"]),
            ("DbGetDeviceAttributeProperty2", ["test/dev/1", "dbl"]),
            ("DbGetDevicePropertyHist", ["h/dev/1", "hp"]),
            ("DbImportDevice", "h/dev/1"),
            ("DbGetDeviceAliasList", "*"),
            ("DbGetServerList", "*s*"),
            ("DbGetClassPropertyHist", ["PClass", "*"]),
        ]
        port = free_port()
        proc = cpp_databaseds(config, port, tmp_path / "databaseds.log")
        try:
            theirs = call_db(f"{HOST}:{port}", reads)
        finally:
            proc.terminate()
            proc.wait(10)
        port = free_port()
        argv = [sys.executable, "-m", "puretango.databaseds", "2", "--host", HOST]
        with DbProcess(argv + ["--port", str(port), "--db-url", _url(config)], port, peer_env()):
            assert call_db(f"{HOST}:{port}", reads) == theirs
    with ours(back) as db:
        mine = call_db(db.tango_host, reads)
    assert theirs == mine
    assert "x" * 60_000 in theirs[0]


def test_what_does_not_fit_the_target_stops_everything(
    ours_file: Path, cpp_written: MysqlConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.db"
    shutil.copy(ours_file, big)
    store = SqliteStore(big)
    store.put_properties("device", "test/dev/1", {"Big": ["x" * 100_000]})
    store.close()
    site = _url(cpp_written)
    columns = _columns(site)
    before = _snapshot(site, columns)
    status, out, err = _run(capsys, "db", "import", "--from", str(big), "--db-url", site)
    assert status == 1 and out == ""
    assert "property_device.value: 1 row(s) cannot be stored" in err and "100000 bytes" in err
    assert _snapshot(site, columns) == before
    # latin-1 bytes that are no UTF-8 (the C++ DataBaseds refuses them too)
    latin = tmp_path / "latin.db"
    shutil.copy(ours_file, latin)
    store = SqliteStore(latin)
    store.put_properties("device", "test/dev/1", {"Latin": ["\xe9t\xe9"]})
    store.close()
    status, out, err = _run(capsys, "db", "import", "--from", str(latin), "--db-url", site)
    assert status == 1 and "property_device.value: 1 row(s)" in err and "not UTF-8" in err
    assert _snapshot(site, columns) == before
    # a NULL the file's NOT NULL column refuses: the file the export would make is not made
    with tango_database("ptx") as other:
        mysql_root(
            "INSERT INTO property (object, name, count, value, updated)"
            " VALUES ('o', 'n', NULL, 'v', '2020-01-01 00:00:00')",
            database=other.database,
        )
        with pytest.raises(TransferError, match=r"property\.count: 1 row\(s\) .* NOT NULL"):
            transfer(_url(other), str(tmp_path / "new.db"))
        assert not (tmp_path / "new.db").exists()


def test_a_reader_of_the_mariadb_never_sees_half_a_copy(
    ours_file: Path, mariadb: None, tmp_path: Path
) -> None:
    bigger = tmp_path / "bigger.db"
    shutil.copy(ours_file, bigger)
    with sqlite3.connect(bigger) as conn:
        conn.executemany(
            "INSERT INTO property_device (device, name, domain, family, member, count, value,"
            " updated, accessed) VALUES ('big/dev/1', ?, 'big', 'dev', '1', 1, 'v',"
            " '2024-01-01 00:00:00', '2024-01-01 00:00:00')",
            [(f"p{i}",) for i in range(20_000)],
        )
    conn.close()
    with tango_database("ptx") as config:
        transfer(str(ours_file), _url(config))
        reader = config.connect()
        seen: set[tuple[int, int]] = set()

        def counts() -> tuple[int, int]:
            with reader.cursor() as cur:
                cur.execute("LOCK TABLES device READ, property_device READ")
                cur.execute("SELECT COUNT(*) FROM property_device")
                properties = cur.fetchone()[0]
                cur.execute("SELECT COUNT(*) FROM device")
                devices = cur.fetchone()[0]
                cur.execute("UNLOCK TABLES")
            return properties, devices

        before = counts()
        worker = threading.Thread(target=transfer, args=(str(bigger), _url(config)))
        worker.start()
        while worker.is_alive():
            seen.add(counts())
        worker.join()
        after = counts()
        reader.close()
    assert after == (before[0] + 20_000, before[1])
    assert seen <= {before, after}


def test_the_mysql_side_from_the_cpp_databaseds_variables(
    cpp_written: MysqlConfig,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in [
        ("MYSQL_HOST", f"{cpp_written.host}:{cpp_written.port}"),
        ("MYSQL_USER", cpp_written.user),
        ("MYSQL_PASSWORD", cpp_written.password),
        ("MYSQL_DATABASE", cpp_written.database),
    ]:
        monkeypatch.setenv(name, value)
    laptop = tmp_path / "laptop.db"
    status, out, err = _run(capsys, "db", "export", "--to", str(laptop))
    assert (status, err) == (0, "") and f"/{cpp_written.database} -> {laptop}" in out
    status, out, err = _run(capsys, "db", "import", "--from", str(laptop), "--dry-run")
    assert (status, err) == (0, "") and "would change 0 of" in out
    _assert_same(_url(cpp_written), str(laptop))
