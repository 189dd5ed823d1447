"""Our ``Database`` and Database-named proxies against real PyTango peers, with PyTango's own
Database server (``python -m tango.databaseds.database``) and with ours
(``python -m puretango.databaseds``): a PyTango ``TypeDev`` server
registered in it (by a PyTango client) and started without ``-nodb``, and PyTango clients
reading what we wrote. The tests are written as PyTango users write them
(``import puretango as tango``)."""

from __future__ import annotations

import difflib
import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from peers import typedev_values as tv
from peers.databases import ours, pytango_db
from peers.launch import HOST, PyTangoServer, free_port, peer_env, run_pytango_client

import puretango as tango

pytest.importorskip("tango")

SERVER = "TypeDev/db"
DEVICE = "test/dbtype/1"
UNEXPORTED = "test/dbtype/never"
ALIAS = "dbtype_alias"
ATTR_ALIAS = "dbtype_attr_alias"


class RegisteredServer(PyTangoServer):
    """``typedev.py`` started with the Database (no ``-nodb``): devices come from it."""

    def __init__(self, tango_host: str) -> None:
        super().__init__(Path(__file__).parents[1] / "peers/typedev.py", "db", [DEVICE])
        self.tango_host = tango_host

    def command_line(self) -> list[str]:
        return [
            "env", f"TANGO_HOST={self.tango_host}", sys.executable, str(self.script),
            self.instance, "-ORBendPoint", f"giop:tcp:{HOST}:{self.port}",
        ]  # fmt: skip

    def restart_on_another_port(self) -> None:
        self.stop()
        self._port = free_port()
        self.start()


@pytest.fixture(scope="module", params=["pytango-db", "puretango-db"])
def tango_host(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A Database server on a free port, PyTango's (sqlite) or puretango's; yields
    TANGO_HOST."""
    workdir = tmp_path_factory.mktemp(request.param)
    launch = pytango_db if request.param == "pytango-db" else ours
    with launch(workdir / "tango.db") as database:
        host = database.tango_host
        run_pytango_client(
            f"""
import tango
db = tango.Database()
for name, server in (({DEVICE!r}, {SERVER!r}), ({UNEXPORTED!r}, "TypeDev/never")):
    info = tango.DbDevInfo()
    info.name, info._class, info.server = name, "TypeDev", server
    db.add_server(info.server, info, with_dserver=True)
""",
            env={"TANGO_HOST": host},
        )
        yield host


@pytest.fixture(scope="module")
def server(tango_host: str) -> Iterator[RegisteredServer]:
    """The PyTango TypeDev server of ``test/dbtype/1``, registered in the Database."""
    srv = RegisteredServer(tango_host)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tango_host: str, server: RegisteredServer) -> str:
    """``TANGO_HOST`` set for the test, as a user's session has it."""
    monkeypatch.setenv("TANGO_HOST", tango_host)
    return tango_host


def pytango(code: str, tango_host: str) -> Any:
    """Run ``code`` in a PyTango client (``tango`` and ``json`` imported, ``db`` made); the
    JSON it prints last."""
    out = run_pytango_client(
        f"import json, tango\ndb = tango.Database()\n{code}", env={"TANGO_HOST": tango_host}
    )
    return json.loads(out.strip().splitlines()[-1])


def test_short_name_reads_values(env: str) -> None:
    dev = tango.DeviceProxy(DEVICE)
    assert dev.state() == tango.DevState.ON
    assert dev.read_attribute("double_scalar_ro").value == tv.ATTRS["double_scalar"].read
    assert (dev.name(), dev.dev_name(), repr(dev)) == (DEVICE, DEVICE, f"TypeDev({DEVICE})")
    assert dev.adm_name() == "dserver/typedev/db" and dev.is_dbase_used()
    assert dev.import_info().exported == 1 and dev.import_info().name == DEVICE
    assert dev.info().dev_class == "TypeDev"
    full = tango.DeviceProxy(f"tango://{env}/{DEVICE.upper()}")
    assert full.adm_name() == f"tango://{env}/dserver/typedev/db"
    assert full.read_attribute("double_scalar_ro").value == tv.ATTRS["double_scalar"].read


def test_aliases(env: str) -> None:
    db = tango.Database()
    db.put_device_alias(DEVICE, ALIAS)
    db.put_attribute_alias(f"{DEVICE}/double_scalar_ro", ATTR_ALIAS)
    dev = tango.DeviceProxy(ALIAS)
    assert (dev.name(), dev.alias(), dev.state()) == (DEVICE, ALIAS, tango.DevState.ON)
    assert db.get_device_from_alias(ALIAS) == DEVICE and db.get_alias_from_device(DEVICE) == ALIAS
    attr = tango.AttributeProxy(ATTR_ALIAS)
    assert attr.name() == "double_scalar_ro"
    assert attr.read().value == tv.ATTRS["double_scalar"].read
    assert pytango(
        f"print(json.dumps([tango.DeviceProxy({ALIAS!r}).name(), "
        f"db.get_attribute_alias({ATTR_ALIAS!r})]))",
        env,
    ) == [DEVICE, f"{DEVICE}/double_scalar_ro"]


PROPERTIES = {
    "list": ["1", "2", "three"],
    "multi_line": ["line one\nline two\n\tindented"],
    "big": ["x" * 100_000],
    "sql": ["'; DROP TABLE device; --", 'a"b', "%_*?"],
    "empty_string": [""],
    "number": ["3.5"],
}
NON_ASCII = {"non_ascii": ["é°ü", "µs"]}


def test_properties_round_trip_with_pytango(env: str) -> None:
    db = tango.Database()
    db.put_device_property(DEVICE, {**PROPERTIES, **NON_ASCII})
    names = sorted(PROPERTIES)
    assert db.get_device_property(DEVICE, names) == {n: PROPERTIES[n] for n in names}
    assert db.get_device_property(DEVICE, "non_ascii") == NON_ASCII
    seen = pytango(
        f"d = db.get_device_property({DEVICE!r}, {names!r})\n"
        f"raw = db.command_inout('DbGetDeviceProperty', [{DEVICE!r}, 'non_ascii'])\n"
        "print(json.dumps([{k: list(v) for k, v in d.items()}, list(raw)]))",
        env,
    )
    assert seen[0] == {n: PROPERTIES[n] for n in names}
    assert seen[1] == [DEVICE, "1", "non_ascii", "2", "é°ü", "µs"]
    # and the other way round, through DeviceProxy and the other property families
    pytango(
        f"tango.DeviceProxy({DEVICE!r}).put_property({{'from_pytango': ['a', 'b']}})\n"
        "db.put_class_property('TypeDev', {'cprop': ['c1', 'c2']})\n"
        "db.put_property('FreeObject', {'free': 'v'})\n"
        f"db.put_device_attribute_property({DEVICE!r}, "
        "{'double_scalar_ro': {'label': 'L', 'abs_change': ['1', '2']}})\n"
        "print('[]')",
        env,
    )
    dev = tango.DeviceProxy(DEVICE)
    assert dev.get_property(["from_pytango", "absent"]) == {
        "from_pytango": ["a", "b"],
        "absent": [],
    }
    assert "from_pytango" in dev.get_property_list("*")
    assert db.get_class_property("TypeDev", "cprop") == {"cprop": ["c1", "c2"]}
    # a class reply has no empty-value mark after a missing property's zero count
    assert db.get_class_property("TypeDev", ["no1", "cprop", "no2"]) == {
        "no1": [],
        "cprop": ["c1", "c2"],
        "no2": [],
    }
    assert db.get_property("FreeObject", ["free"]) == {"free": ["v"]}
    assert db.get_device_attribute_property(DEVICE, ["double_scalar_ro"]) == {
        "double_scalar_ro": {"abs_change": ["1", "2"], "label": ["L"]}
    }
    attr = tango.AttributeProxy(f"{DEVICE}/double_scalar_ro")
    attr.put_property({"unit": "mm", "label": "L2"})
    assert attr.get_property(["label", "unit", "none"]) == {
        "label": ["L2"],
        "unit": ["mm"],
        "none": [],
    }
    attr.delete_property("unit")
    assert attr.get_property("unit") == {"unit": []}
    dev.delete_property("from_pytango")
    assert pytango(
        f"props = db.get_device_property({DEVICE!r}, 'from_pytango')\n"
        "print(json.dumps([list(v) for v in props.values()]))",
        env,
    ) == [[]]


#: Database calls whose results must print the same under PyTango and puretango.
API_SCRIPT = f"""
db.register_service("ApiService", "inst", "api/service/1")
db.put_device_property({DEVICE!r}, {{"api_p": ["1", "2"], "api_q": 7}})
db.put_class_attribute_property("TypeDev", {{"attr_x": {{"unit": "mm"}}}})
print(repr(db))
print(repr(db.get_server_list("TypeDev*")))
print(str(db.get_server_list("TypeDev*")))
print(repr(db.get_server_name_list()))
print(repr(db.get_instance_name_list("TypeDev")))
print(repr(db.get_server_class_list({SERVER!r})))
print(repr(db.get_device_class_list({SERVER!r})))
print(repr(db.get_device_name({SERVER!r}, "TypeDev")))
print(repr(db.get_device_exported("test/dbtype/*")))
print(repr(db.get_device_exported_for_class("TypeDev")))
print(repr(db.get_class_list("Type*")))
print(repr(db.get_device_domain("test*")), repr(db.get_device_family("test/*")))
print(repr(db.get_device_member("test/dbtype/*")))
print(repr(db.import_device({DEVICE!r})))
print(repr(db.import_device({UNEXPORTED!r})))
print(repr(db.get_device_info({DEVICE!r})))
print(str(db.get_device_info({UNEXPORTED!r})))
print(repr(db.get_class_for_device({DEVICE!r})))
print(repr(db.get_device_property({DEVICE!r}, ["api_p", "api_q", "api_none"])))
print(repr(db.get_device_property_list({DEVICE!r}, "api_*")))
print(repr(db.get_class_attribute_property("TypeDev", ["attr_x", "attr_y"])))
print(repr(db.get_object_list("*")))
print(repr(db.get_class_attribute_list("TypeDev", "*")))
print(repr(db.get_services("NoService", "*")))
print(repr(db.get_services("ApiService", "inst")), db.get_service_list("Api.*"))
print(repr(db.command_inout("DbGetCSDbServerList")))
print(db.get_info().splitlines()[0].split()[:2])
import os
for name in ({DEVICE!r}, {DEVICE.upper()!r}, "tango://" + os.environ["TANGO_HOST"] + "/{DEVICE}"):
    dev = tango.DeviceProxy(name)
    print(repr(dev), dev.name(), dev.dev_name(), dev.adm_name(), dev.is_dbase_used())
    print(dev.get_db_host(), dev.get_db_port(), dev.get_db_port_num(), dev.get_dev_host())
    print(repr(dev.import_info()), repr(dev.get_device_db()), dev.info().dev_class)
    print(dev.get_property(["api_p", "api_none"]), repr(dev.get_property_list("api_*")))
"""


def test_database_api_prints_as_pytango(env: str) -> None:
    outputs = [
        run_pytango_client(
            f"import {module} as tango\ndb = tango.Database()\n{API_SCRIPT}",
            env={"TANGO_HOST": env},
        )
        for module in ("tango", "puretango")
    ]
    diff = difflib.unified_diff(outputs[0].splitlines(), outputs[1].splitlines(), lineterm="")
    assert outputs[1] == outputs[0], "\n".join(diff)


def test_errors_as_pytango(env: str) -> None:
    """Undefined device or alias: the constructor fails; a device never exported: the
    proxy is made and its first call fails."""
    code = "\n".join(
        [
            "out = []",
            f"for name in ('no/such/device', 'no_such_alias', {UNEXPORTED!r}):",
            "    try:",
            "        tango.DeviceProxy(name).state()",
            "    except tango.DevFailed as exc:",
            "        out.append([type(exc).__name__, [e.reason for e in exc.args],",
            "                    exc.args[0].desc, exc.args[-1].desc])",
            "print(json.dumps(out))",
        ]
    )
    expected = pytango(code, env)
    ours = []
    for name in ("no/such/device", "no_such_alias", UNEXPORTED):
        with pytest.raises(tango.DevFailed) as info:
            tango.DeviceProxy(name).state()
        exc = info.value
        ours.append(
            [type(exc).__name__, [e.reason for e in exc.args], exc.args[0].desc, exc.args[-1].desc]
        )
    assert ours == expected
    assert tango.DeviceProxy(UNEXPORTED).dev_name() == UNEXPORTED


def test_database_down_and_fail_over(monkeypatch: pytest.MonkeyPatch, env: str) -> None:
    closed = free_port()
    monkeypatch.setenv("TANGO_HOST", f"{HOST}:{closed}")
    with pytest.raises(tango.ConnectionFailed) as info:
        tango.DeviceProxy(DEVICE)
    assert info.value.args[-1].reason == "API_CantConnectToDatabase"
    monkeypatch.setenv("TANGO_HOST", f"{HOST}:{closed},{env}")
    assert tango.DeviceProxy(DEVICE).state() == tango.DevState.ON
    assert tango.Database().get_device_exported(DEVICE).value_string == [DEVICE]


def test_restart_on_another_port_is_followed(env: str, server: RegisteredServer) -> None:
    dev = tango.DeviceProxy(DEVICE)
    attr = tango.AttributeProxy(f"{DEVICE}/double_scalar_ro")
    assert dev.state() == tango.DevState.ON and attr.read().value is not None
    old_port = server.port
    server.restart_on_another_port()
    assert server.port != old_port
    assert dev.read_attribute("double_scalar_ro").value == tv.ATTRS["double_scalar"].read
    assert dev.get_dev_port() == "IOR" and dev._port == server.port
    assert attr.read().value == tv.ATTRS["double_scalar"].read


def _sync_session() -> list[Any]:
    db = tango.Database()
    db.put_device_property(DEVICE, {"mode_prop": ["sync"]})
    dev = tango.DeviceProxy(DEVICE)
    return [db.get_device_property(DEVICE, "mode_prop"), dev.read_attribute("double_scalar_ro")]


def _futures_session() -> list[Any]:
    import concurrent.futures

    from puretango.futures import Database, DeviceProxy

    db = Database()
    db.put_device_property(DEVICE, {"mode_prop": ["futures"]}, timeout=5)
    dev = DeviceProxy(DEVICE)
    pending = [
        db.get_device_property(DEVICE, "mode_prop", wait=False),
        dev.read_attribute("double_scalar_ro", wait=False),
    ]
    assert all(isinstance(f, concurrent.futures.Future) for f in pending)
    return [f.result(10) for f in pending]


def _gevent_session() -> list[Any]:
    gevent = pytest.importorskip("gevent")
    from gevent.event import AsyncResult

    from puretango.gevent import Database, DeviceProxy

    def session() -> list[Any]:
        db = Database()
        db.put_device_property(DEVICE, {"mode_prop": ["gevent"]})
        dev = DeviceProxy(DEVICE)
        pending = [
            db.get_device_property(DEVICE, "mode_prop", wait=False),
            dev.read_attribute("double_scalar_ro", wait=False),
        ]
        assert all(isinstance(r, AsyncResult) for r in pending)
        return [r.get(timeout=10) for r in pending]

    return gevent.spawn(session).get(timeout=20)  # type: ignore[no-any-return]


def _asyncio_session() -> list[Any]:
    import asyncio

    from puretango.asyncio import AttributeProxy, Database, DeviceProxy

    async def session() -> list[Any]:
        db = await Database()
        await db.put_device_property(DEVICE, {"mode_prop": ["asyncio"]})
        await db.put_attribute_alias(f"{DEVICE}/double_scalar_ro", ATTR_ALIAS)
        attr = await AttributeProxy(ATTR_ALIAS)  # the alias is looked up on the loop
        assert (await attr.read()).value == tv.ATTRS["double_scalar"].read
        dev = await DeviceProxy(DEVICE)
        return list(
            await asyncio.gather(
                db.get_device_property(DEVICE, "mode_prop"),
                dev.read_attribute("double_scalar_ro"),
            )
        )

    return asyncio.run(asyncio.wait_for(session(), 20))


SESSIONS = {
    "sync": _sync_session,
    "futures": _futures_session,
    "gevent": _gevent_session,
    "asyncio": _asyncio_session,
}


@pytest.mark.parametrize("mode", list(SESSIONS))
def test_green_modes(env: str, mode: str) -> None:
    """Database and a Database-named DeviceProxy in each green mode."""
    props, value = SESSIONS[mode]()
    assert props == {"mode_prop": [mode]}
    assert value.value == tv.ATTRS["double_scalar"].read


def test_puretango_server_and_client_through_the_database(env: str) -> None:
    """Our server (started with the Database, reached by our client) and our client, with
    PyTango's Database in between."""
    db = tango.Database()
    info = tango.DbDevInfo()
    info.name, info._class, info.server = "heat/pure/1", "Heater", "pure_db_server/t1"
    db.add_server(info.server, info, with_dserver=True)
    db.put_device_property("heat/pure/1", {"gain": "2.5"})
    script = Path(__file__).with_name("pure_db_server.py")
    proc = subprocess.Popen(
        [sys.executable, str(script), "t1"],
        env={**peer_env(), "TANGO_HOST": env},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ready to accept request" in line:
                break
        else:
            pytest.fail(f"the server exited with {proc.wait()} before being ready")
        dev = tango.DeviceProxy("heat/pure/1")
        assert dev.temperature == 50.0 and dev.state() == tango.DevState.ON
        assert db.import_device("heat/pure/1").exported == 1
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    assert db.import_device("heat/pure/1").exported == 0
