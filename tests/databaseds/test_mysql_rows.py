"""Rows as the C++ DataBaseds writes them: the same command sequences run through the C++
DataBaseds (cppTango 9.3) and through ours, each on a fresh Tango database of the same
MariaDB; then every table of the two databases is compared row by row (dates, IORs and
the Database servers' own pids aside): the device and server rows, every property table,
the ``*_hist`` tables and the ``*_history_id`` counters. Jive, the C++ DataBaseds and ours
then read the same thing whoever wrote it."""

from __future__ import annotations

import datetime
import sys
from typing import Any

import pytest
from peers.databases import DbProcess, call_db
from peers.launch import HOST, free_port, peer_env
from peers.mariadb import cpp_databaseds, mariadb_available, tango_database

from puretango.databaseds._mysql import MysqlConfig

from .test_commands import SCENARIO, SCENARIO_2, SCENARIO_3
from .test_compare_cpp import _unique

why = mariadb_available()
if why is not None:  # pragma: no cover - the peer is part of CI
    pytest.skip(why, allow_module_level=True)

TABLES = (
    "device server attribute_alias attribute_class event property property_device"
    " property_class property_attribute_device property_attribute_class property_pipe_device"
    " property_pipe_class property_hist property_device_hist property_class_hist"
    " property_attribute_device_hist property_attribute_class_hist property_pipe_device_hist"
    " property_pipe_class_hist device_history_id class_history_id object_history_id"
    " device_attribute_history_id class_attribute_history_id device_pipe_history_id"
    " class_pipe_history_id"
).split()

#: the Database servers' own rows: each writes its pid and IDL version (5 for cppTango 9.3)
OWN_ROWS = {"sys/database/2", "dserver/DataBaseds/2"}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return "DATE"
    if isinstance(value, str) and value.startswith("IOR:") and len(value) > 40:
        return "IOR"  # a Database server's own IOR (the scenarios write short fake ones)
    return value


def _rows(config: MysqlConfig) -> dict[str, list[tuple[Any, ...]]]:
    conn = config.connect()
    tables: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with conn.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT * FROM {table}")
                rows = [tuple(_cell(v) for v in row) for row in cursor.fetchall()]
                if table == "device":
                    rows = [row for row in rows if row[0] not in OWN_ROWS]
                tables[table] = sorted(rows, key=repr)
    finally:
        conn.close()
    return tables


@pytest.fixture(scope="module", params=["loop reads", "thread reads"])
def both_databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict, dict]:
    """Both databases after the scenarios; ours reading on its event loop (a local MariaDB's
    default) or on worker threads (a remote one's)."""
    log = tmp_path_factory.mktemp("rows") / "cpp.log"
    scenarios = [_unique(s, "rows") for s in (SCENARIO, SCENARIO_2, SCENARIO_3)]
    with tango_database("pt_cpp") as cpp_db, tango_database("pt_ours") as our_db:
        cpp_port, our_port = free_port(), free_port()
        cpp = cpp_databaseds(cpp_db, cpp_port, log)
        argv = [sys.executable, "-m", "puretango.databaseds", "2", "--host", HOST]
        argv += ["--port", str(our_port), "--db-url", our_db.url(with_password=True)]
        if request.param == "thread reads":
            argv.append("--read-threads")
        try:
            with DbProcess(argv, our_port, peer_env()):
                for scenario in scenarios:
                    call_db(f"{HOST}:{cpp_port}", scenario)
                    call_db(f"{HOST}:{our_port}", scenario)
                return _rows(cpp_db), _rows(our_db)
        finally:
            cpp.terminate()
            cpp.wait(10)


@pytest.mark.parametrize("table", TABLES)
def test_rows_written_as_the_cpp_databaseds_writes_them(
    both_databases: tuple[dict, dict], table: str
) -> None:
    cpp, ours = both_databases
    assert ours[table] == cpp[table]


def test_the_comparison_sees_rows(both_databases: tuple[dict, dict]) -> None:
    cpp, _ = both_databases
    for table in ("device", "property_device", "property_device_hist", "property_class"):
        assert cpp[table], table
    assert cpp["device_attribute_history_id"][0][0] > 0


def test_puretango_db_serves_a_mysql_database() -> None:
    """``puretango db --db-url``: the command line's Database on MariaDB, read by PyTango."""
    port = free_port()
    argv = [sys.executable, "-c", "from puretango.cli import main; raise SystemExit(main())"]
    with tango_database("pt_cli") as config:
        argv += ["db", "--host", HOST, "--port", str(port)]
        argv += ["--db-url", config.url(with_password=True), "--pool-size", "2"]
        with DbProcess(argv, port, peer_env()) as db:
            answers = call_db(db.tango_host, [("DbGetDeviceList", ["TangoTest/test", "*"])])
            assert answers == [["dserver/TangoTest/test", "sys/tg_test/1"]]  # Debian's rows
            assert any(config.database in line for line in db.lines)
