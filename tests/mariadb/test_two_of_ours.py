"""Two of OUR Database servers on one Tango database under concurrent writers: threads in
several client processes (PyTango and ours), each writing through one of the two servers,
put device, class and free properties (one device property fought over by every writer,
with a different number of values each time), add the same device again and again, add
servers and delete every other one. Afterwards the rows are checked with SQL: one ``device``
row per name, property rows with counts exactly 1..n, every acknowledged write present with
its last value (no lost update), history ids unique per change and increasing, the
``*_history_id`` counters moved once per change; and both servers read the same. Then
again with the C++ DataBaseds as a third server the writers go through (its table locks
and ours keep each other out).
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from peers.databases import call_db
from peers.launch import HOST, free_port, peer_env
from peers.mariadb import cpp_databaseds, mariadb_available, ours_on_mysql, tango_database

from puretango.databaseds._mysql_config import MysqlConfig

REASON = mariadb_available()
if REASON is not None:  # pragma: no cover - the peer is part of CI
    pytest.skip(REASON, allow_module_level=True)

#: per client process; each process runs THREADS writer threads of ROUNDS rounds
CLIENTS = ["tango", "puretango", "tango", "puretango"]
THREADS, ROUNDS = 3, 16
SHARED_DEV, SHARED_ADDED, CLASS, OBJECT = "mt/shared/1", "mt/shared/2", "MtClass", "MtObj"

#: one writer process: $CLIENT is the client module (PyTango's ``tango`` or ``puretango``,
#: the same API); thread t of process $PROC writes through Database $DB_HOSTS[(p + t) % 2];
#: prints the JSON list of failures (empty when every call succeeded)
WRITER = r"""
import importlib, json, os, threading
tango = importlib.import_module(os.environ["CLIENT"])
hosts = json.loads(os.environ["DB_HOSTS"])
proc, threads, rounds = (int(os.environ[k]) for k in ("PROC", "THREADS", "ROUNDS"))
failures = []

def info(name, klass, server):
    i = tango.DbDevInfo()
    i.name, i._class, i.server = name, klass, server
    return i

def work(t):
    w = f"{proc}_{t}"
    host, port = hosts[(proc + t) % len(hosts)]
    try:
        db = tango.Database(host, int(port))
        for i in range(rounds):
            shared = [f"{w}:{i}:{k}" for k in range(1 + (i + t) % 4)]
            db.put_device_property("SHARED_DEV", {"Shared": shared, f"Own_{w}_{i}": [str(i)]})
            db.put_class_property("CLASS", {f"Own_{w}": [str(i)]})
            db.put_property("OBJECT", {f"Own_{w}": [str(i)]})
            db.add_device(info("SHARED_ADDED", "CLASS", f"MtShared/{w}"))
            server = f"MtW{w}/{i}"
            devices = [info(f"mt{w}/d{i}/{n}", "CLASS", server) for n in (1, 2)]
            db.add_server(server, devices)
            if i % 2:
                db.delete_server(server)
    except Exception as exc:
        failures.append(f"{w}: {exc!r}")

workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
print(json.dumps(failures))
"""
WRITER = WRITER.replace("SHARED_DEV", SHARED_DEV).replace("SHARED_ADDED", SHARED_ADDED)
WRITER = WRITER.replace("CLASS", CLASS).replace("OBJECT", OBJECT)

WRITERS = [f"{p}_{t}" for p in range(len(CLIENTS)) for t in range(THREADS)]


def _rows(config: MysqlConfig, sql: str) -> list[tuple[Any, ...]]:
    conn = config.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]
    finally:
        conn.close()


def _counters(config: MysqlConfig) -> dict[str, int]:
    names = ("device_history_id", "class_history_id", "object_history_id")
    return {name: int(_rows(config, f"SELECT id FROM {name}")[0][0]) for name in names}


@dataclass
class Written:
    """A database written by every writer; the TANGO_HOST of each Database it went
    through, and the history counters before."""

    config: MysqlConfig
    hosts: list[str]
    before: dict[str, int]


@pytest.fixture(scope="module", params=["two_of_ours", "and_the_cpp_one"])
def written(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Written]:
    """Writers through two of ours (and, the second time, the C++ DataBaseds too)."""
    with tango_database("two") as config, contextlib.ExitStack() as stack:
        ports = [stack.enter_context(ours_on_mysql(config)).port for _ in range(2)]
        if request.param == "and_the_cpp_one":
            ports.append(free_port())
            log = tmp_path_factory.mktemp("cpp") / "cpp.log"
            cpp = cpp_databaseds(config, ports[-1], log)
            stack.callback(cpp.wait, 10)
            stack.callback(cpp.terminate)
        before = _counters(config)
        hosts = json.dumps([[HOST, port] for port in ports])
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={
                    **peer_env(),
                    "CLIENT": client,
                    "DB_HOSTS": hosts,
                    "PROC": str(p),
                    "THREADS": str(THREADS),
                    "ROUNDS": str(ROUNDS),
                },
            )  # fmt: skip
            for p, client in enumerate(CLIENTS)
        ]
        outputs = [proc.communicate(timeout=100) for proc in procs]
        for proc, (out, err) in zip(procs, outputs):
            assert proc.returncode == 0, err
            assert json.loads(out) == [], err
        yield Written(config, [f"{HOST}:{port}" for port in ports], before)


def test_no_duplicate_rows(written: Written) -> None:
    config = written.config
    assert _rows(config, "SELECT name FROM device GROUP BY name HAVING COUNT(*) > 1") == []
    assert _rows(config, "SELECT name FROM server GROUP BY name HAVING COUNT(*) > 1") == []
    for table, owner in [("property_device", "device"), ("property_class", "class")]:
        duplicates = (
            f"SELECT {owner}, name, count FROM {table}"
            f" GROUP BY {owner}, name, count HAVING COUNT(*) > 1"
        )
        assert _rows(config, duplicates) == []
    added = _rows(config, f"SELECT server, class FROM device WHERE name = '{SHARED_ADDED}'")
    assert len(added) == 1 and added[0][1] == CLASS, added
    assert added[0][0] in {f"MtShared/{w}" for w in WRITERS}


def test_the_fought_over_property_is_one_writers_whole(
    written: Written,
) -> None:
    config = written.config
    rows = _rows(
        config,
        f"SELECT count, value FROM property_device WHERE device = '{SHARED_DEV}'"
        " AND name = 'Shared' ORDER BY count",
    )
    counts = [int(count) for count, _ in rows]
    assert counts == list(range(1, len(rows) + 1))
    writer, round_ = rows[0][1].split(":")[:2]
    assert [value for _, value in rows] == [f"{writer}:{round_}:{k}" for k in range(len(rows))]
    assert len(rows) == 1 + (int(round_) + int(writer.split("_")[1])) % 4


def test_no_lost_update(written: Written) -> None:
    config = written.config
    own = _rows(
        config,
        f"SELECT name, value FROM property_device WHERE device = '{SHARED_DEV}'"
        " AND name LIKE 'Own%'",
    )
    assert sorted(own) == sorted((f"Own_{w}_{i}", str(i)) for w in WRITERS for i in range(ROUNDS))
    last = {(f"Own_{w}", str(ROUNDS - 1)) for w in WRITERS}
    assert (
        set(_rows(config, f"SELECT name, value FROM property_class WHERE class = '{CLASS}'"))
        == last
    )
    assert set(_rows(config, f"SELECT name, value FROM property WHERE object = '{OBJECT}'")) == last
    # every even round's server stays (its admin device and two devices), every odd one went
    servers = _rows(config, "SELECT server, COUNT(*) FROM device WHERE server LIKE 'MtW%'"
                    " GROUP BY server")  # fmt: skip
    assert sorted(servers) == sorted(
        (f"MtW{w}/{i}", 3) for w in WRITERS for i in range(0, ROUNDS, 2)
    )


def test_history_ids_unique_and_increasing(
    written: Written,
) -> None:
    config, before = written.config, written.before
    after = _counters(config)
    changes = len(WRITERS) * ROUNDS
    assert {name: after[name] - before[name] for name in after} == {
        "device_history_id": 2 * changes,
        "class_history_id": changes,
        "object_history_id": changes,
    }
    for hist, owner in [
        ("property_device_hist", "device"),
        ("property_class_hist", "class"),
        ("property_hist", "object"),
    ]:
        # one id is one change of one property: never two properties, never a count twice
        mixed = f"SELECT id FROM {hist} GROUP BY id HAVING COUNT(DISTINCT {owner}, name) > 1"
        assert _rows(config, mixed) == []
        twice = f"SELECT id FROM {hist} GROUP BY id, count HAVING COUNT(*) > 1"
        assert _rows(config, twice) == []
    # one writer's successive changes of its class property: ids in the order of the writes
    for w in WRITERS:
        values = _rows(
            config,
            f"SELECT value FROM property_class_hist WHERE class = '{CLASS}' AND name = 'Own_{w}'"
            " ORDER BY id",
        )
        assert [int(v) for (v,) in values] == list(range(ROUNDS - len(values), ROUNDS))


def test_both_servers_read_the_same(
    written: Written,
) -> None:
    calls: list[tuple[str, Any]] = [
        ("DbGetDeviceProperty", [SHARED_DEV, "*"]),
        ("DbGetClassProperty", [CLASS, "*"]),
        ("DbGetDeviceList", ["*", CLASS]),
        ("DbGetServerList", "MtW*"),
        ("DbImportDevice", SHARED_ADDED),
        ("DbGetClassPropertyHist", [CLASS, "*"]),
    ]
    first, *others = [call_db(host, calls) for host in written.hosts]
    assert others == [first] * len(others)
