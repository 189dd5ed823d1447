"""What PyTango's own ``test_device_proxy.py`` asks of a ``DeviceProxy`` and puretango did
not give: the types of the configuration lists, the freezable dynamic interface,
``repr`` that never fails, a proxy whose construction failed, bytes for DevString,
PyTango's TypeError for a bad command argument, ``set_attribute_config`` signatures and
asyncio calls made outside a running loop. Checked against our
TangoTest in a subprocess, the types also against PyTango's client on the same device."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator

import pytest
from peers.launch import TANGOTEST_DEVICE, TangoTestServer, free_port, run_pytango_client

import puretango
from puretango import asyncio as pt_asyncio

ATTRS = ["double_scalar", "float_scalar"]


@pytest.fixture(scope="module")
def trl() -> Iterator[str]:
    with TangoTestServer(instance="suiteproxy") as server:
        yield server.trl(TANGOTEST_DEVICE)


@pytest.fixture
def dev(trl: str) -> puretango.DeviceProxy:
    return puretango.DeviceProxy(trl)


_TYPES_SNIPPET = """
import json, tango
d = tango.DeviceProxy({trl!r})
def kind(v):
    inner = type(v[0]).__name__ if isinstance(v, (list,)) or hasattr(v, "append") else ""
    return [type(v).__name__, inner]
print(json.dumps({{
    "config_one": kind(d.get_attribute_config("double_scalar")),
    "config_list": kind(d.get_attribute_config({attrs!r})),
    "config_ex_one": kind(d.get_attribute_config_ex("double_scalar")),
    "config_ex_list": kind(d.get_attribute_config_ex({attrs!r})),
    "list_query": kind(d.attribute_list_query()),
    "list_query_ex": kind(d.attribute_list_query_ex()),
    "command_list": kind(d.command_list_query()),
    "command_config": kind(d.get_command_config()),
    "command_config_list": kind(d.get_command_config(["State"])),
    "command_config_one": kind(d.get_command_config("State")),
}}))
"""


def _kind(value: object) -> list[str]:
    inner = type(value[0]).__name__ if isinstance(value, list) else ""  # type: ignore[index]
    return [type(value).__name__, inner]


def test_configuration_list_types_as_pytango(dev: puretango.DeviceProxy, trl: str) -> None:
    ours = {
        "config_one": _kind(dev.get_attribute_config("double_scalar")),
        "config_list": _kind(dev.get_attribute_config(ATTRS)),
        "config_ex_one": _kind(dev.get_attribute_config_ex("double_scalar")),
        "config_ex_list": _kind(dev.get_attribute_config_ex(ATTRS)),
        "list_query": _kind(dev.attribute_list_query()),
        "list_query_ex": _kind(dev.attribute_list_query_ex()),
        "command_list": _kind(dev.command_list_query()),
        "command_config": _kind(dev.get_command_config()),
        "command_config_list": _kind(dev.get_command_config(["State"])),
        "command_config_one": _kind(dev.get_command_config("State")),
    }
    theirs = json.loads(run_pytango_client(_TYPES_SNIPPET.format(trl=trl, attrs=ATTRS)))
    assert ours == theirs
    assert ours["config_list"] == ["AttributeInfoList", "AttributeInfo"]


def test_set_attribute_config_takes_infos_and_lists_of_them(dev: puretango.DeviceProxy) -> None:
    plain = dev.get_attribute_config(ATTRS)
    ex = dev.get_attribute_config_ex(ATTRS)
    dev.set_attribute_config(plain)
    dev.set_attribute_config(plain[0])
    dev.set_attribute_config(ex)
    dev.set_attribute_config([ex[0], ex[1]])
    with pytest.raises(TypeError, match=r"AttributeInfo.*AttributeInfoEx"):
        dev.set_attribute_config("invalid_item")
    with pytest.raises(TypeError, match=r"AttributeInfo.*AttributeInfoEx"):
        dev.set_attribute_config(["invalid", "items"])
    # a plain AttributeInfo keeps the parts it does not carry (warning levels here)
    full = dev.get_attribute_config_ex("double_scalar")[0]
    full.alarms.max_warning = "1000"
    full.unit = "mm"
    dev.set_attribute_config(full)
    info = dev.get_attribute_config(["double_scalar"])[0]
    info.unit = "km"
    dev.set_attribute_config(info)
    after = dev.get_attribute_config_ex("double_scalar")[0]
    assert (after.unit, after.alarms.max_warning) == ("km", "1000")


def test_dynamic_interface_freeze(dev: puretango.DeviceProxy, trl: str) -> None:
    assert dev.is_dynamic_interface_frozen()
    with pytest.raises(AttributeError, match="not_a_tango_name"):
        dev.not_a_tango_name = 1
    with pytest.warns(puretango.PyTangoUserWarning):
        dev.unfreeze_dynamic_interface()
    dev.not_a_tango_name = 2
    assert dev.not_a_tango_name == 2
    assert puretango.DeviceProxy(trl).is_dynamic_interface_frozen()  # per instance
    dev.freeze_dynamic_interface()
    dev.not_a_tango_name = 3  # already set on the instance: allowed
    with pytest.raises(AttributeError):
        dev.another_name = 1
    dev.double_scalar_w = 2.5  # Tango attributes are written
    assert dev.read_attribute("double_scalar_w").w_value == 2.5


def test_repr_survives_a_failing_info_and_calls_it_once(
    dev: puretango.DeviceProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = TANGOTEST_DEVICE

    def broken(self: puretango.DeviceProxy) -> None:
        raise RuntimeError("no info")

    monkeypatch.setattr(puretango.DeviceProxy, "info", broken)
    assert repr(dev) == f"Device({name})"
    monkeypatch.undo()
    calls = []
    original = puretango.DeviceProxy.info

    def counting(self: puretango.DeviceProxy) -> object:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(puretango.DeviceProxy, "info", counting)
    assert repr(dev) == f"TangoTest({name})" == str(dev)
    repr(dev)
    assert len(calls) == 1


def test_failed_construction_leaves_a_safe_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGO_HOST", f"127.0.0.1:{free_port()}")  # no Database there
    proxy = None
    try:
        puretango.DeviceProxy("not/existing/device")
    except puretango.DevFailed:
        tb = sys.exc_info()[2]
        while tb is not None and proxy is None:
            proxy = next(
                (v for v in tb.tb_frame.f_locals.values() if isinstance(v, puretango.DeviceProxy)),
                None,
            )
            tb = tb.tb_next
    assert proxy is not None
    assert "DeviceProxy" in repr(proxy) and "Unknown" in str(proxy)
    for action in (
        lambda: dir(proxy),
        lambda: proxy.dummy,
        lambda: setattr(proxy, "dummy", 1),
        lambda: proxy["dummy"],
        lambda: proxy.__setitem__("dummy", 1),
        lambda: "dummy" in proxy,  # type: ignore[operator]
    ):
        with pytest.raises(RuntimeError, match="not fully initialized"):
            action()


def test_bytes_are_latin1_strings(dev: puretango.DeviceProxy) -> None:
    raw = bytes(range(256))
    text = raw.decode("latin-1")
    dev.write_attribute("string_scalar", raw)
    assert dev.read_attribute("string_scalar").value == text
    dev.write_attribute("string_spectrum", ["", raw])
    assert dev.read_attribute("string_spectrum").value[1] == text
    dev.write_attribute("string_image", [[raw], [b"x"]])
    assert dev.read_attribute("string_image").value == ((text,), ("x",))
    assert dev.command_inout("DevString", raw) == text
    assert dev.command_inout("DevVarStringArray", [raw, "a"]) == [text, "a"]
    assert dev.command_inout("DevVarLongStringArray", [[1], [raw]])[1] == [text]


@pytest.mark.parametrize(
    "command, argument",
    [
        ("DevDouble", "123.0"),
        ("DevLong64", [1, 2, 3]),
        ("DevString", [{"invalid": "type"}, 123.0]),
        ("DevVarStringArray", [1, 2, 3]),
        ("DevVarLong64Array", ["1", 2.0, {3}]),
    ],
)
def test_bad_command_argument_is_pytangos_type_error(
    dev: puretango.DeviceProxy, command: str, argument: object
) -> None:
    with pytest.raises(TypeError, match=f"Invalid input argument for command {command}"):
        dev.command_inout(command, argument)


def test_asyncio_call_outside_a_loop_is_a_future_of_the_thread_loop(trl: str) -> None:
    dev = pt_asyncio.DeviceProxy(trl, wait=True)
    pending = dev.ping()  # not awaited: must not warn (filterwarnings=error in PyTango)
    assert isinstance(pending, asyncio.Future)
    assert isinstance(asyncio.get_event_loop().run_until_complete(pending), int)
    assert dev.read_attribute("long_scalar_w", wait=True).name == "long_scalar_w"


def test_attribute_proxy_asynch_calls_and_repr(trl: str) -> None:
    base, fragment = trl.split("#")
    attr = puretango.AttributeProxy(f"{base}/long_scalar_w#{fragment}")
    assert repr(attr) == str(attr) == "AttributeProxy(long_scalar_w)"
    write_id = attr.write_asynch(31)
    attr.write_reply(write_id, 2000)
    read_id = attr.read_asynch()
    assert attr.read_reply(read_id, 2000).w_value == 31


def test_failed_attribute_proxy_has_a_safe_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGO_HOST", f"127.0.0.1:{free_port()}")  # no Database there
    proxy = None
    try:
        puretango.AttributeProxy("not/existing/device/attr")
    except puretango.DevFailed:
        tb = sys.exc_info()[2]
        while tb is not None and proxy is None:
            proxy = next(
                (
                    v
                    for v in tb.tb_frame.f_locals.values()
                    if isinstance(v, puretango.AttributeProxy)
                ),
                None,
            )
            tb = tb.tb_next
    assert proxy is not None
    assert (
        repr(proxy) == str(proxy) == ("AttributeProxy(<Unknown: object was not fully initialized>)")
    )


_TO_DEV_FAILED = """
import json, sys
def convert(mod):
    try:
        raise ValueError("bad value")
    except ValueError:
        full = mod.Except.to_dev_failed(*sys.exc_info()).args[0]
        bare = mod.Except.to_dev_failed().args[0]
    return [
        str(full.reason), full.desc, full.origin.splitlines()[0], full.origin.splitlines()[-1],
        str(bare.reason), bare.desc,
    ]
"""


def test_except_to_dev_failed_as_pytango() -> None:
    namespace: dict[str, object] = {}
    exec(_TO_DEV_FAILED, namespace)
    ours = namespace["convert"](puretango)  # type: ignore[operator]
    code = _TO_DEV_FAILED + "import tango\nprint(json.dumps(convert(tango)))\n"
    assert json.loads(run_pytango_client(code).strip().splitlines()[-1]) == ours
    assert ours[:2] == ["PyDs_PythonError", "ValueError: bad value\n"]
    with pytest.raises(puretango.DevFailed, match="PyDs_PythonError"):
        try:
            raise KeyError("k")
        except KeyError:
            puretango.Except.throw_python_exception(*sys.exc_info())
