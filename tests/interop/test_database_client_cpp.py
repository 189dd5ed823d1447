"""Our ``Database`` and Database-named proxies against the real C++ stack: the C++
DataBaseds (cppTango 9.3, MariaDB, Tango's own schema) and the C++ TangoTest registered in
it by our client. Started with ``../shared/peers/cpp-tango`` (skipped only when that
script is absent). The MariaDB schema is shared by every DataBaseds of the host, so the
test uses server and device names of its own and deletes them at the end."""

from __future__ import annotations

import difflib
import os
import uuid
from collections.abc import Iterator

import numpy as np
import pytest
from peers.launch import CPP_TANGO, CppTangoTest, cpp_database, run_pytango_client

import puretango as tango

if not CPP_TANGO.exists():
    pytest.skip(f"{CPP_TANGO} is absent", allow_module_level=True)

TAG = f"dbc{os.getpid()}{uuid.uuid4().hex[:6]}"
SERVER = f"TangoTest/{TAG}"
DEVICE = f"test/{TAG}/1"
ALIAS = f"{TAG}_alias"


@pytest.fixture(scope="module")
def cpp_host() -> Iterator[str]:
    """A C++ DataBaseds of our own on a free port; yields its TANGO_HOST."""
    with cpp_database() as tango_host:
        yield tango_host


@pytest.fixture(scope="module")
def tangotest(cpp_host: str) -> Iterator[CppTangoTest]:
    """The C++ TangoTest ``DEVICE``, registered by our client and started."""
    os.environ["TANGO_HOST"] = cpp_host
    try:
        db = tango.Database()
        info = tango.DbDevInfo()
        info.name, info._class, info.server = DEVICE, "TangoTest", SERVER
        db.add_server(SERVER, info, with_dserver=True)
        db.put_device_alias(DEVICE, ALIAS)
        server = CppTangoTest(cpp_host, TAG, DEVICE)
        server.start()
        try:
            yield server
        finally:
            server.stop()
            db.delete_device_alias(ALIAS)
            db.delete_server(SERVER)
    finally:
        del os.environ["TANGO_HOST"]


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cpp_host: str, tangotest: CppTangoTest) -> str:
    monkeypatch.setenv("TANGO_HOST", cpp_host)
    return cpp_host


def test_cpp_tangotest_through_the_cpp_database(env: str, tangotest: CppTangoTest) -> None:
    dev = tango.DeviceProxy(DEVICE)
    assert dev.state() in (tango.DevState.RUNNING, tango.DevState.ON)
    assert dev.get_idl_version() == 5 and dev.info().dev_class == "TangoTest"
    assert dev.adm_name() == f"dserver/TangoTest/{TAG}"
    dev.write_attribute("double_scalar", 2.5)
    assert dev.read_attribute("double_scalar").w_value == 2.5
    assert dev.command_inout("DevDouble", 1.5) == 1.5
    assert tango.DeviceProxy(ALIAS).name() == DEVICE
    assert isinstance(tango.AttributeProxy(f"{DEVICE}/wave").read().value, np.ndarray)
    tangotest.restart_on_another_port()
    assert dev.command_inout("DevDouble", 3.5) == 3.5  # imported again, on the new port
    assert dev._port == tangotest.port


def test_cpp_database_properties(env: str) -> None:
    db = tango.Database()
    values = {
        "list": ["1", "2", "three"],
        "multi_line": ["line one\nline two"],
        "big": ["x" * 60_000],  # the schema's TEXT column holds 64 kB
        "sql": ["'; DROP TABLE device; --", 'a"b', "%_*?\\"],
    }
    db.put_device_property(DEVICE, values)
    assert db.get_device_property(DEVICE, [*values, "none"]) == {**values, "none": []}
    db.put_device_attribute_property(DEVICE, {"double_scalar": {"label": "L", "abs": ["1", "2"]}})
    assert db.get_device_attribute_property(DEVICE, "double_scalar") == {
        "double_scalar": {"abs": ["1", "2"], "label": ["L"]}
    }
    db.delete_device_property(DEVICE, "list")
    history = db.get_device_property_history(DEVICE, "list")
    assert [h.is_deleted() for h in history][-2:] == [False, True]
    assert history[-2].get_value().value_string == ["1", "2", "three"]
    dev = tango.DeviceProxy(DEVICE)
    dev.put_property({"from_proxy": ["a", "b"]})
    assert dev.get_property("from_proxy") == {"from_proxy": ["a", "b"]}


API_SCRIPT = f"""
print(repr(db))
print(repr(db.get_server_class_list({SERVER!r})))
print(repr(db.get_device_class_list({SERVER!r})))
print(repr(db.get_device_name({SERVER!r}, "TangoTest")))
print(repr(db.get_instance_name_list("TangoTest").value_string.count({TAG!r})))
print(repr(db.import_device({DEVICE!r})))
print(repr(db.get_device_info({DEVICE!r})))
print(repr(db.get_class_for_device({DEVICE!r})))
print(repr(db.get_device_alias({ALIAS!r})), repr(db.get_alias_from_device({DEVICE!r})))
print(repr(db.get_device_property({DEVICE!r}, ["multi_line", "sql", "none"])))
print(repr(db.get_device_property_list({DEVICE!r}, "*")))
print(repr(db.get_device_attribute_property({DEVICE!r}, ["double_scalar", "none"])))
print(repr(db.get_device_exported({DEVICE!r})))
dev = tango.DeviceProxy({DEVICE!r})
print(repr(dev), dev.name(), dev.adm_name(), repr(dev.import_info()), dev.alias())
print(dev.get_property(["multi_line", "none"]), list(dev.get_property_list("*")))
"""


def test_cpp_database_api_prints_as_pytango(env: str) -> None:
    test_cpp_database_properties(env)
    outputs = [
        run_pytango_client(
            f"import {module} as tango\ndb = tango.Database()\n{API_SCRIPT}",
            env={"TANGO_HOST": env},
        )
        for module in ("tango", "puretango")
    ]
    diff = difflib.unified_diff(outputs[0].splitlines(), outputs[1].splitlines(), lineterm="")
    assert outputs[1] == outputs[0], "\n".join(diff)
