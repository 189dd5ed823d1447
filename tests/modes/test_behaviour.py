"""One behaviour suite, run in every green mode through the ``mode`` adapter fixture.

Each test body is written once; ``mode.call(dev.method, ...)`` returns the plain result
whatever the mode (and checks that the mode really answered with a Future, an
AsyncResult or an awaitable), so the same assertions hold for sync, futures, gevent and
asyncio proxies against a real PyTango TypeDev server.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
import pytest
from peers import typedev_values as tv
from peers.launch import PyTangoServer

from .conftest import DEVICES, ModeAdapter, attribute_trl
from .helpers import IMPL

pytestmark = pytest.mark.timeout(60)


def _reasons(exc: BaseException) -> list[str]:
    return [err.reason for err in exc.args]


# ------------------------------------------------------------------------ results and types


def test_proxy_is_in_its_mode(mode: ModeAdapter, dev: Any) -> None:
    assert dev.get_green_mode() == mode.green_mode


def test_state_status_ping(mode: ModeAdapter, dev: Any) -> None:
    state = mode.call(dev.state)
    assert isinstance(state, IMPL.DevState)
    assert state == IMPL.DevState.ON
    status = mode.call(dev.status)
    assert isinstance(status, str) and status == tv.DEVICE_STATUS
    elapsed_us = mode.call(dev.ping)
    assert isinstance(elapsed_us, int) and elapsed_us >= 0


@pytest.mark.parametrize(
    "name",
    [
        "double_scalar_ro",
        "long_spectrum_ro",
        "float_image_ro",
        "string_scalar_ro",
        "encoded_scalar_ro",
    ],
)
def test_read_attribute(mode: ModeAdapter, dev: Any, name: str) -> None:
    da = mode.call(dev.read_attribute, name)
    assert isinstance(da, IMPL.DeviceAttribute)
    assert da.name == name
    assert tv.same_value(da.value, tv.by_attr_name(name).read), (
        da.value,
        tv.by_attr_name(name).read,
    )


def test_read_attributes(mode: ModeAdapter, dev: Any) -> None:
    names = ["double_scalar_ro", "long_spectrum_ro", "boolean_image_ro"]
    values = mode.call(dev.read_attributes, names)
    assert isinstance(values, list) and len(values) == len(names)
    assert all(isinstance(v, IMPL.DeviceAttribute) for v in values)
    assert [v.name for v in values] == names
    for v, name in zip(values, names):
        assert tv.same_value(v.value, tv.by_attr_name(name).read)


@pytest.mark.parametrize(
    "name", ["long_scalar_rw", "double_spectrum_rw", "string_image_rw", "enum_scalar_rw"]
)
def test_write_then_read(mode: ModeAdapter, dev: Any, name: str) -> None:
    spec = tv.by_attr_name(name)
    assert mode.call(dev.write_attribute, name, spec.write) is None
    da = mode.call(dev.read_attribute, name)
    assert tv.same_value(da.value, spec.write), (da.value, spec.write)
    assert tv.same_value(da.w_value, spec.write), (da.w_value, spec.write)


def test_write_attributes(mode: ModeAdapter, dev: Any) -> None:
    a, b = tv.by_attr_name("short_scalar_rw"), tv.by_attr_name("ulong_spectrum_rw")
    assert mode.call(dev.write_attributes, [(a.rw_name, a.write), (b.rw_name, b.write)]) is None
    values = mode.call(dev.read_attributes, [a.rw_name, b.rw_name])
    assert tv.same_value(values[0].value, a.write)
    assert tv.same_value(values[1].value, b.write)


def test_write_read_attribute(mode: ModeAdapter, dev: Any) -> None:
    spec = tv.by_attr_name("double_spectrum_rw")
    da = mode.call(dev.write_read_attribute, spec.rw_name, spec.write)
    assert isinstance(da, IMPL.DeviceAttribute)
    assert tv.same_value(da.value, spec.write)
    long_spec = tv.by_attr_name("long_scalar_rw")
    results = mode.call(
        dev.write_read_attributes,
        [(long_spec.rw_name, long_spec.write)],
        [long_spec.rw_name, "double_scalar_ro"],
    )
    assert [r.name for r in results] == [long_spec.rw_name, "double_scalar_ro"]
    assert results[0].value == long_spec.write
    assert results[1].value == tv.by_attr_name("double_scalar_ro").read


@pytest.mark.parametrize(
    "command",
    [
        "EchoDouble",
        "EchoString",
        "EchoVarLongArray",
        "EchoVarLongStringArray",
        "EchoState",
        "EchoVoid",
    ],
)
def test_command_inout(mode: ModeAdapter, dev: Any, command: str) -> None:
    spec = tv.ECHO_COMMANDS[command]
    result = (
        mode.call(dev.command_inout, command, spec.arg)
        if spec.tango_type != "DevVoid"
        else mode.call(dev.command_inout, command)
    )
    expected = spec.arg
    if spec.tango_type == "DevVarLongStringArray":
        assert isinstance(result, list)
        expected = [expected[0], list(expected[1])]
    assert tv.same_value(result, expected), (result, expected)
    if spec.tango_type == "DevDouble":
        assert isinstance(result, float)
    if spec.tango_type == "DevVarLongArray":
        assert isinstance(result, np.ndarray)
    if spec.tango_type == "DevState":
        assert isinstance(result, IMPL.DevState)


def test_attribute_and_command_config(mode: ModeAdapter, dev: Any) -> None:
    info = mode.call(dev.get_attribute_config, tv.CONFIGURED_ATTR)
    cfg = tv.CONFIGURED_CONFIG
    assert (info.name, info.unit, info.label) == (tv.CONFIGURED_ATTR, cfg["unit"], cfg["label"])
    infos = mode.call(dev.get_attribute_config_ex, ["double_scalar_rw", "long_spectrum_ro"])
    assert [i.name for i in infos] == ["double_scalar_rw", "long_spectrum_ro"]
    cmd = mode.call(dev.get_command_config, "EchoDouble")
    assert cmd.cmd_name == "EchoDouble"
    assert cmd.in_type == IMPL.CmdArgType.DevDouble and cmd.out_type == IMPL.CmdArgType.DevDouble


def test_set_attribute_config(mode: ModeAdapter, dev: Any) -> None:
    info = mode.call(dev.get_attribute_config, "double_scalar_rw")
    old_label, old_unit = info.label, info.unit
    info.label, info.unit = f"label in {mode.name}", "mV"
    try:
        assert mode.call(dev.set_attribute_config, info) is None
        again = mode.call(dev.get_attribute_config, "double_scalar_rw")
        assert (again.label, again.unit) == (f"label in {mode.name}", "mV")
    finally:
        info.label, info.unit = old_label, old_unit
        mode.call(dev.set_attribute_config, info)


def test_attribute_proxy(mode: ModeAdapter, modes_server: PyTangoServer) -> None:
    attr = mode.make_attribute_proxy(attribute_trl(modes_server, DEVICES[1], "double_scalar_rw"))
    assert mode.call(attr.write, 12.5) is None
    da = mode.call(attr.read)
    assert isinstance(da, IMPL.DeviceAttribute)
    assert da.value == 12.5
    assert mode.call(attr.state) == IMPL.DevState.ON


# ------------------------------------------------------------------------------ high level


def test_high_level_read_and_commands(mode: ModeAdapter, dev: Any) -> None:
    assert mode.access(lambda: dev.double_scalar_ro) == tv.by_attr_name("double_scalar_ro").read
    assert tv.same_value(
        mode.access(lambda: dev.long_spectrum_ro), tv.by_attr_name("long_spectrum_ro").read
    )
    assert mode.access(lambda: dev.EchoDouble(2.5)) == 2.5
    assert mode.access(lambda: dev.Status()) == tv.DEVICE_STATUS
    assert mode.access(lambda: dev.State()) == IMPL.DevState.ON
    assert (
        mode.access(lambda: dev["double_scalar_ro"]).value
        == tv.by_attr_name("double_scalar_ro").read
    )


def test_high_level_write(mode: ModeAdapter, dev: Any) -> None:
    if mode.is_async:
        # as in PyTango, ``dev.attr = v`` in asyncio mode starts the write without waiting
        # for it (nothing can be awaited in an assignment): it completes on the loop
        async def write_then_read() -> Any:
            dev.long_scalar_rw = 42
            await asyncio.sleep(0.3)
            return await dev.long_scalar_rw

        assert mode.run_coroutine(write_then_read()) == 42
        return
    mode.run(lambda: setattr(dev, "long_scalar_rw", 42))
    assert mode.access(lambda: dev.long_scalar_rw) == 42


# --------------------------------------------------------------------------- errors propagate


ERROR_CASES = {
    "Fail": ("command_inout", tv.FAIL_COMMAND),
    "PyError": ("command_inout", tv.PYERROR_COMMAND),
    "NoSuchCommand": ("command_inout", "NoSuchCommand"),
    "failing_attr": ("read_attribute", tv.FAILING_ATTR),
    "devfailed_attr": ("read_attribute", tv.DEVFAILED_ATTR),
    "no_such_attribute": ("read_attribute", "no_such_attribute"),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_devfailed_propagates_unchanged(
    mode: ModeAdapter, dev: Any, sync_dev: Any, case: str
) -> None:
    method, arg = ERROR_CASES[case]
    with pytest.raises(IMPL.DevFailed) as reference:
        getattr(sync_dev, method)(arg)
    with pytest.raises(IMPL.DevFailed) as info:
        mode.call(getattr(dev, method), arg)
    assert type(info.value) is type(reference.value)
    assert _reasons(info.value) == _reasons(reference.value)
    assert [e.desc for e in info.value.args] == [e.desc for e in reference.value.args]
    # the proxy is still fine afterwards
    assert mode.call(dev.command_inout, "EchoDouble", 1.5) == 1.5


def test_fail_details(mode: ModeAdapter, dev: Any) -> None:
    with pytest.raises(IMPL.DevFailed) as info:
        mode.call(dev.command_inout, tv.FAIL_COMMAND)
    assert info.value.args[0].reason == tv.FAIL_REASON
    assert info.value.args[0].desc == tv.FAIL_DESC
    with pytest.raises(IMPL.DevFailed) as info:
        mode.call(dev.read_attribute, tv.FAILING_ATTR)
    assert tv.FAILING_ATTR_MESSAGE in info.value.args[0].desc


def test_high_level_error_propagates(mode: ModeAdapter, dev: Any) -> None:
    with pytest.raises(IMPL.DevFailed) as info:
        mode.access(lambda: dev.Fail())
    assert info.value.args[0].reason == tv.FAIL_REASON


# ------------------------------------------------------------------------------ Tango timeout


def test_tango_timeout_then_recovery(mode: ModeAdapter, dev: Any) -> None:
    dev.set_timeout_millis(200)
    assert dev.get_timeout_millis() == 200
    start = time.monotonic()
    with pytest.raises(IMPL.CommunicationFailed) as info:
        mode.call(dev.command_inout, tv.SLEEP_COMMAND, 1.0)
    elapsed = time.monotonic() - start
    assert info.value.args[-1].reason == "API_DeviceTimedOut"
    assert 0.15 < elapsed < 0.8, elapsed
    dev.set_timeout_millis(3000)
    # The server answers Sleep late; that reply must not be taken for this call's one.
    assert mode.call(dev.command_inout, "EchoDouble", 7.0) == 7.0
    assert mode.call(dev.status) == tv.DEVICE_STATUS
    assert (
        mode.call(dev.read_attribute, "long_scalar_ro").value
        == tv.by_attr_name("long_scalar_ro").read
    )


def test_tango_timeout_counts_from_the_call(mode: ModeAdapter, dev: Any) -> None:
    """A call made after the thread was busy elsewhere for longer than the timeout succeeds.

    (The timeout must run from the start of the call, not from a clock cached by an event
    loop that did not run meanwhile.)
    """
    dev.set_timeout_millis(200)
    assert mode.call(dev.state) == IMPL.DevState.ON
    time.sleep(0.3)  # blocks this OS thread: no event loop or hub runs
    assert mode.call(dev.command_inout, "EchoDouble", 1.25) == 1.25
    time.sleep(0.3)
    assert (
        mode.call(dev.read_attribute, "double_scalar_ro").value
        == tv.by_attr_name("double_scalar_ro").read
    )


# ------------------------------------------------------------------------------ reconnection


def test_reconnects_after_server_restart(mode: ModeAdapter, lone_server: PyTangoServer) -> None:
    proxy = mode.make_proxy(lone_server.trl("test/mode/lone"))
    first_pid = mode.call(proxy.command_inout, tv.GETPID_COMMAND)
    assert mode.call(proxy.state) == IMPL.DevState.ON
    lone_server.restart()
    assert mode.call(proxy.state) == IMPL.DevState.ON
    assert mode.call(proxy.command_inout, "EchoLong", 5) == 5
    assert mode.call(proxy.command_inout, tv.GETPID_COMMAND) == lone_server.pid != first_pid
