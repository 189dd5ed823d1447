"""Our synchronous DeviceProxy against a real PyTango (cppTango) device server.

Expected values come from ``peers/typedev_values.py`` (what the server serves); the
``DeviceAttribute`` metadata is compared with what a real PyTango client sees for the
same reads, gathered once per session in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import threading
from typing import Any

import numpy as np
import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer, run_pytango_client

import puretango as tango
from puretango import DevFailed

from .conftest import DEVICES

TYPED = tv.typed_attr_names()
REPR_ATTRS = [
    "double_scalar_rw",
    "long_spectrum_ro",
    "float_image_rw",
    "string_scalar_ro",
    "enum_scalar_ro",
    "encoded_scalar_ro",
    "state_scalar_ro",
    "State",
    "boolean_spectrum_rw",
    tv.FAILING_ATTR,
]
_TIME = re.compile(r"TimeVal\(tv_nsec = \d+, tv_sec = \d+, tv_usec = \d+\)")

# What PyTango reports for each attribute read: the metadata fields of DeviceAttribute.
_PYTANGO_METADATA = """
import json, sys
import tango
dev = tango.DeviceProxy({trl!r})
dev.command_inout("Reset")
out = {{}}
for name in {names!r}:
    da = dev.read_attribute(name)
    out[name] = dict(
        data_format=int(da.data_format), dim_x=da.dim_x, dim_y=da.dim_y, w_dim_x=da.w_dim_x,
        w_dim_y=da.w_dim_y, nb_read=da.nb_read, nb_written=da.nb_written, quality=int(da.quality),
        type=int(da.type), has_failed=da.has_failed, is_empty=da.is_empty, name=da.name,
        value_type=type(da.value).__name__, w_value_type=type(da.w_value).__name__,
        dtype=str(getattr(da.value, "dtype", "")), shape=list(getattr(da.value, "shape", ())),
        w_dtype=str(getattr(da.w_value, "dtype", "")),
        w_shape=list(getattr(da.w_value, "shape", ())),
    )
errors = {{}}
def reasons(fn, *args):
    try:
        fn(*args)
    except tango.DevFailed as exc:
        return [e.reason for e in exc.args]
    return []
errors["Fail"] = reasons(dev.command_inout, "Fail")
errors["PyError"] = reasons(dev.command_inout, "PyError")
errors["NoSuchCommand"] = reasons(dev.command_inout, "NoSuchCommand")
errors["failing_attr"] = reasons(dev.read_attribute, "failing_attr")
errors["devfailed_attr"] = reasons(dev.read_attribute, "devfailed_attr")
errors["no_such_attribute"] = reasons(dev.read_attribute, "no_such_attribute")
errors["write_ro"] = reasons(dev.write_attribute, "double_scalar_ro", 1.0)
errors["missing_argin"] = reasons(dev.command_inout, "EchoDouble")
out["errors"] = errors
out["reprs"] = {{
    name: [repr(dev.read_attributes([name])[0]), str(dev.read_attributes([name])[0])]
    for name in {repr_names!r}
}}
out["reprs"]["config"] = [
    repr(dev.get_attribute_config("configured_attr")),
    str(dev.get_attribute_config("configured_attr")),
]
out["reprs"]["command"] = [
    repr(dev.command_query("EchoVarLongStringArray")),
    str(dev.command_query("EchoVarLongStringArray")),
]
out["reprs"]["info"] = [repr(dev.info()), str(dev.info())]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def pytango_view(typedev: PyTangoServer) -> dict[str, dict[str, Any]]:
    code = _PYTANGO_METADATA.format(
        trl=typedev.trl(DEVICES[1]), names=TYPED + ["State", "Status"], repr_names=REPR_ATTRS
    )
    return json.loads(run_pytango_client(code).strip().splitlines()[-1])


def test_connect_identity(dev: tango.DeviceProxy, typedev: PyTangoServer) -> None:
    assert dev.get_idl_version() == 6
    assert dev.state() == tango.DevState.ON
    assert isinstance(dev.state(), tango.DevState)
    assert dev.status() == tv.DEVICE_STATUS
    assert dev.name() == DEVICES[0]
    assert (
        dev.adm_name()
        == f"tango://127.0.0.1:{typedev.port}/dserver/typedev/interop#dbase=no".replace(
            "typedev", dev.adm_name().split("/")[-2]
        )
    )
    assert dev.description() == "A TANGO device"
    assert isinstance(dev.ping(), int)
    info = dev.info()
    assert info.dev_class == tv.DEVICE_CLASS
    assert info.server_version == 6
    assert "cppTango" in info.version_info
    assert repr(dev) == f"{tv.DEVICE_CLASS}({DEVICES[0]})"


@pytest.mark.parametrize("name", TYPED)
def test_read_values(dev: tango.DeviceProxy, name: str) -> None:
    spec = tv.by_attr_name(name)
    da = dev.read_attribute(name)
    assert tv.same_value(da.value, spec.read), (da.value, spec.read)
    if name.endswith("_rw"):
        assert tv.same_value(da.w_value, spec.setpoint), (da.w_value, spec.setpoint)
    elif spec.fmt == "scalar":
        assert da.w_value is None
    else:  # PyTango gives read-only arrays an empty set point
        assert len(da.w_value) == 0


@pytest.mark.parametrize("name", TYPED + ["State", "Status"])
def test_metadata_as_pytango(
    dev: tango.DeviceProxy, pytango_view: dict[str, dict[str, Any]], name: str
) -> None:
    theirs = pytango_view[name]
    da = dev.read_attribute(name)
    ours = dict(
        data_format=int(da.data_format),
        dim_x=da.dim_x,
        dim_y=da.dim_y,
        w_dim_x=da.w_dim_x,
        w_dim_y=da.w_dim_y,
        nb_read=da.nb_read,
        nb_written=da.nb_written,
        quality=int(da.quality),
        type=int(da.type),
        has_failed=da.has_failed,
        is_empty=da.is_empty,
        name=da.name,
        value_type=type(da.value).__name__,
        w_value_type=type(da.w_value).__name__,
        dtype=str(getattr(da.value, "dtype", "")),
        shape=list(getattr(da.value, "shape", ())),
        w_dtype=str(getattr(da.w_value, "dtype", "")),
        w_shape=list(getattr(da.w_value, "shape", ())),
    )
    assert ours == theirs


@pytest.mark.parametrize("name", [n for n in TYPED if n.endswith("_rw")])
def test_write_then_read(dev: tango.DeviceProxy, name: str) -> None:
    spec = tv.by_attr_name(name)
    dev.write_attribute(name, spec.write)
    da = dev.read_attribute(name)
    assert tv.same_value(da.value, spec.write), (da.value, spec.write)
    assert tv.same_value(da.w_value, spec.write), (da.w_value, spec.write)


def test_write_read_attribute(dev: tango.DeviceProxy) -> None:
    spec = tv.by_attr_name("double_spectrum_rw")
    da = dev.write_read_attribute("double_spectrum_rw", spec.write)
    assert tv.same_value(da.value, spec.write)
    results = dev.write_read_attributes(
        [("long_scalar_rw", tv.by_attr_name("long_scalar_rw").write)],
        ["long_scalar_rw", "double_scalar_ro"],
    )
    assert [r.name for r in results] == ["long_scalar_rw", "double_scalar_ro"]
    assert results[0].value == tv.by_attr_name("long_scalar_rw").write


def test_write_attributes_several(dev: tango.DeviceProxy) -> None:
    a, b = tv.by_attr_name("short_scalar_rw"), tv.by_attr_name("string_spectrum_rw")
    dev.write_attributes([(a.rw_name, a.write), (b.rw_name, b.write)])
    values = dev.read_attributes([a.rw_name, b.rw_name])
    assert tv.same_value(values[0].value, a.write)
    assert tv.same_value(values[1].value, b.write)


@pytest.mark.parametrize("command", sorted(tv.ECHO_COMMANDS))
def test_echo_commands(dev: tango.DeviceProxy, command: str) -> None:
    spec = tv.ECHO_COMMANDS[command]
    result = dev.command_inout(command, spec.arg)
    expected = spec.arg
    if spec.tango_type in ("DevVarLongStringArray", "DevVarDoubleStringArray"):
        assert isinstance(result, list)
        expected = [expected[0], list(expected[1])]
    assert tv.same_value(result, expected), (result, expected)
    if spec.tango_type == "DevState":
        assert isinstance(result, tango.DevState)


ERROR_CASES = {
    "Fail": lambda d: d.command_inout(tv.FAIL_COMMAND),
    "PyError": lambda d: d.command_inout(tv.PYERROR_COMMAND),
    "NoSuchCommand": lambda d: d.command_inout("NoSuchCommand"),
    "failing_attr": lambda d: d.read_attribute(tv.FAILING_ATTR),
    "devfailed_attr": lambda d: d.read_attribute(tv.DEVFAILED_ATTR),
    "no_such_attribute": lambda d: d.read_attribute("no_such_attribute"),
    "write_ro": lambda d: d.write_attribute("double_scalar_ro", 1.0),
    "missing_argin": lambda d: d.command_inout("EchoDouble"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_error_stacks_as_pytango(
    dev: tango.DeviceProxy, pytango_view: dict[str, Any], case: str
) -> None:
    with pytest.raises(DevFailed) as info:
        ERROR_CASES[case](dev)
    assert [e.reason for e in info.value.args] == pytango_view["errors"][case]
    assert all(isinstance(e, tango.DevError) for e in info.value.args)


def test_error_details(dev: tango.DeviceProxy) -> None:
    with pytest.raises(DevFailed) as info:
        dev.read_attribute(tv.FAILING_ATTR)
    assert tv.FAILING_ATTR_MESSAGE in info.value.args[0].desc
    with pytest.raises(DevFailed) as info:
        dev.command_inout(tv.FAIL_COMMAND)
    assert info.value.args[0].desc == tv.FAIL_DESC
    with pytest.raises(DevFailed) as info:
        dev.command_inout(tv.PYERROR_COMMAND)
    assert "ValueError: python boom" in info.value.args[0].desc
    values = dev.read_attributes([tv.FAILING_ATTR, "double_scalar_ro", "no_such_attribute"])
    assert [v.has_failed for v in values] == [True, False, True]
    assert values[0].value is None
    assert values[0].get_err_stack()[0].reason == "PyDs_PythonError"


def test_bad_user_input(dev: tango.DeviceProxy) -> None:
    with pytest.raises(TypeError):
        dev.write_attribute("short_scalar_rw", "abc")
    with pytest.raises(TypeError):
        dev.write_attribute("short_scalar_rw", 2.7)
    with pytest.raises(TypeError):
        dev.command_inout("EchoLong64", "x")
    with pytest.raises(TypeError):
        dev.write_attribute("encoded_scalar_rw", ("fmt", 12))
    # the proxy still works after every error above
    assert dev.state() == tango.DevState.ON


def test_attribute_config(dev: tango.DeviceProxy) -> None:
    info = dev.get_attribute_config(tv.CONFIGURED_ATTR)
    cfg = tv.CONFIGURED_CONFIG
    assert (info.unit, info.label, info.format, info.description) == (
        cfg["unit"],
        cfg["label"],
        cfg["format"],
        cfg["description"],
    )
    assert float(info.min_value) == cfg["min_value"] and float(info.max_value) == cfg["max_value"]
    assert (
        float(info.alarms.min_alarm) == cfg["min_alarm"]
        and float(info.max_alarm) == cfg["max_alarm"]
    )
    assert info.data_type == tango.CmdArgType.DevDouble
    assert info.writable == tango.AttrWriteType.READ
    enum_info = dev.attribute_query("enum_scalar_ro")
    assert enum_info.enum_labels == list(tv.ENUM_LABELS)
    names = dev.get_attribute_list()
    assert "State" in names and "Status" in names and tv.CONFIGURED_ATTR in names
    infos = dev.get_attribute_config_ex(["double_scalar_rw", "long_spectrum_ro"])
    assert [i.name for i in infos] == ["double_scalar_rw", "long_spectrum_ro"]
    assert infos[1].data_format == tango.AttrDataFormat.SPECTRUM


def test_set_attribute_config(dev: tango.DeviceProxy) -> None:
    info = dev.get_attribute_config("double_scalar_rw")
    old_label = info.label
    info.label = "Changed label"
    info.unit = "V"
    dev.set_attribute_config(info)
    try:
        again = dev.get_attribute_config("double_scalar_rw")
        assert (again.label, again.unit) == ("Changed label", "V")
    finally:
        info.label, info.unit = old_label, ""
        dev.set_attribute_config(info)


def test_commands_query(dev: tango.DeviceProxy) -> None:
    cmds = dev.get_command_list()
    for name in ["Init", "State", "Status", *tv.all_command_names()]:
        assert name in cmds
    q = dev.command_query("EchoVarLongStringArray")
    assert q.in_type == tango.CmdArgType.DevVarLongStringArray
    assert q.out_type == tango.CmdArgType.DevVarLongStringArray
    assert len(dev.black_box(3)) == 3


def test_high_level_access(dev: tango.DeviceProxy) -> None:
    assert dev.double_scalar_ro == tv.by_attr_name("double_scalar_ro").read
    dev.long_scalar_rw = 42
    assert dev.long_scalar_rw == 42
    assert dev["long_scalar_rw"].value == 42
    assert dev.EchoDouble(2.5) == 2.5
    assert dev.Status() == tv.DEVICE_STATUS
    enum_value = dev.enum_scalar_ro
    assert enum_value.name == tv.ENUM_LABELS[int(enum_value)]
    assert "double_scalar_ro" in dev
    with pytest.raises(AttributeError):
        _ = dev.no_such_thing
    with pytest.raises(TypeError):
        dev.EchoDouble = 1.0
    with pytest.raises(AttributeError):
        dev.no_such_thing = 1.0


def test_attribute_proxy(typedev: PyTangoServer) -> None:
    attr = tango.AttributeProxy(
        f"tango://127.0.0.1:{typedev.port}/{DEVICES[0]}/double_scalar_rw#dbase=no"
    )
    assert attr.name() == "double_scalar_rw"
    attr.write(12.5)
    assert attr.read().value == 12.5
    assert attr.get_config().name == "double_scalar_rw"
    assert attr.state() == tango.DevState.ON


def test_big_spectrum(dev: tango.DeviceProxy) -> None:
    da = dev.read_attribute(tv.BIG_SPECTRUM_ATTR)
    assert tv.same_value(da.value, tv.big_spectrum())


def test_timeout_then_recovery(dev: tango.DeviceProxy) -> None:
    dev.set_timeout_millis(300)
    assert dev.get_timeout_millis() == 300
    with pytest.raises(tango.CommunicationFailed) as info:
        dev.command_inout(tv.SLEEP_COMMAND, 1.0)
    assert [e.reason for e in info.value.args] == ["API_CorbaException", "API_DeviceTimedOut"]
    dev.set_timeout_millis(3000)
    # the late reply to the timed-out call must not be taken for the next call's answer
    assert dev.command_inout("EchoDouble", 7.0) == 7.0
    assert dev.status() == tv.DEVICE_STATUS


def test_threads_share_one_proxy(dev: tango.DeviceProxy) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(100):
                value = float(k * 1000 + i)
                assert dev.command_inout("EchoDouble", value) == value
                assert (
                    dev.read_attribute("long_scalar_ro").value
                    == tv.by_attr_name("long_scalar_ro").read
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert not errors, errors[:3]


def test_proxies_share_one_connection(typedev: PyTangoServer) -> None:
    from puretango.client import _sync

    a = tango.DeviceProxy(typedev.trl(DEVICES[0]))
    b = tango.DeviceProxy(typedev.trl(DEVICES[1]))
    a.state(), b.state()
    channel = _sync.get_channel("127.0.0.1", typedev.port)
    assert channel._sock is not None
    fds = {a.state() and channel._sock.fileno()}
    assert len(fds) == 1
    own = [p for p in os.listdir("/proc/self/fd")]
    assert own  # smoke: the process has file descriptors


def test_server_restart_reconnects(typedev: PyTangoServer) -> None:
    proxy = tango.DeviceProxy(typedev.trl(DEVICES[1]))
    assert proxy.state() == tango.DevState.ON
    typedev.restart()
    assert proxy.state() == tango.DevState.ON
    assert proxy.command_inout("EchoLong", 5) == 5


def test_dead_server(typedev: PyTangoServer) -> None:
    from peers.launch import free_port

    port = free_port()
    with pytest.raises(tango.ConnectionFailed) as info:
        tango.DeviceProxy(f"tango://127.0.0.1:{port}/a/b/c#dbase=no")
    assert info.value.args[-1].reason == "API_CantConnectToDevice"


def test_unknown_device(typedev: PyTangoServer) -> None:
    with pytest.raises(tango.ConnectionFailed) as info:
        tango.DeviceProxy(f"tango://127.0.0.1:{typedev.port}/no/such/device#dbase=no")
    assert info.value.args[-1].reason == "API_DeviceNotDefined"


def test_read_attributes_numpy_image_layout(dev: tango.DeviceProxy) -> None:
    da = dev.read_attribute("double_image_ro")
    expected = tv.by_attr_name("double_image_ro").read
    assert da.value.shape == expected.shape == (da.dim_y, da.dim_x)
    assert np.array_equal(da.value, expected)


@pytest.mark.parametrize("case", REPR_ATTRS + ["config", "command", "info"])
def test_repr_and_str_as_pytango(
    typedev: PyTangoServer, pytango_view: dict[str, Any], case: str
) -> None:
    dev = tango.DeviceProxy(typedev.trl(DEVICES[1]))  # the device PyTango read, same state
    dev.command_inout("Reset")
    if case == "config":
        obj: Any = dev.get_attribute_config("configured_attr")
    elif case == "command":
        obj = dev.command_query("EchoVarLongStringArray")
    elif case == "info":
        obj = dev.info()
    else:
        obj = dev.read_attributes([case])[0]
    theirs_repr, theirs_str = pytango_view["reprs"][case]
    assert _TIME.sub("T", repr(obj)) == _TIME.sub("T", theirs_repr)
    assert _TIME.sub("T", str(obj)) == _TIME.sub("T", theirs_str)
