"""The server's request path for the common requests keeps what it reuses correct: the
same request (the same bytes) sent again sees every change made in between (a write and
its set point, alarm limits a client sets, a quality the device returns, an attribute
added or removed, Init, DevRestart), with puretango's client and with PyTango's, for a
synchronous and an asyncio device; decoded arguments are reused only when no one can
change them; the base class's state is read without device code (an asyncio device's
``state()`` never leaves the loop); plain Python scalars skip the generic conversion with
the same result."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from peers.launch import run_pytango_client

from puretango import AttrQuality, AttrWriteType, DevFailed, DeviceProxy, DevState, GreenMode
from puretango._pyvalues import python_to_attr_union
from puretango.idl._enums import AttrDataFormat, CmdArgType
from puretango.server import Device, DeviceServer, attribute, command
from puretango.server._handlers import HANDLERS
from puretango.server._server import server_in_thread
from puretango.server._values import read_value_to_union

pytestmark = pytest.mark.timeout(90)


class SyncHot(Device):
    """A READ_WRITE double, a WRITE double, a quality chosen by a command, dynamic
    attributes and an array command that changes its argument in place."""

    def init_device(self) -> None:
        super().init_device()
        self._level = 1.0
        self._quality = AttrQuality.ATTR_VALID
        self.set_state(DevState.ON)

    @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
    def level(self) -> Any:
        if self._quality is not AttrQuality.ATTR_VALID:
            return self._level, 1000.0, self._quality
        return self._level

    @level.write  # type: ignore[no-redef]
    def level(self, value: float) -> None:
        self._level = value

    @attribute(dtype=float, access=AttrWriteType.WRITE)
    def target(self) -> None:
        return None

    @target.write  # type: ignore[no-redef]
    def target(self, value: float) -> None:
        pass

    @command(dtype_in=int)
    def SetQuality(self, quality: int) -> None:  # noqa: N802 - a Tango command name
        self._quality = AttrQuality(quality)

    @command
    def AddDyn(self) -> None:  # noqa: N802
        self.add_attribute(attribute(name="dyn", dtype=int, fget=self.read_dyn))

    @command
    def RemoveDyn(self) -> None:  # noqa: N802
        self.remove_attribute("dyn")

    def read_dyn(self, attr: Any = None) -> int:
        return 7

    @command(dtype_in=(float,), dtype_out=float)
    def Bump(self, values: Any) -> float:  # noqa: N802
        values[0] += 100.0  # in place: the next call must not see it
        return float(sum(values))


class AsyncHot(SyncHot):
    """:class:`SyncHot` with ``async def`` methods, on the server loop."""

    green_mode = GreenMode.Asyncio

    @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
    async def level(self) -> Any:
        if self._quality is not AttrQuality.ATTR_VALID:
            return self._level, 1000.0, self._quality
        return self._level

    @level.write  # type: ignore[no-redef]
    async def level(self, value: float) -> None:
        self._level = value

    @command(dtype_in=int)
    async def SetQuality(self, quality: int) -> None:  # noqa: N802
        self._quality = AttrQuality(quality)

    @command(dtype_in=(float,), dtype_out=float)
    async def Bump(self, values: Any) -> float:  # noqa: N802
        values[0] += 100.0
        return float(sum(values))


class OwnGetState(Device):
    """Overrides ``get_state`` only (not ``dev_state``): the state comes from it."""

    def get_state(self) -> DevState:
        return DevState.MOVING


@pytest.fixture(scope="module", params=["sync", "asyncio"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[DeviceServer, str]]:
    cls = SyncHot if request.param == "sync" else AsyncHot
    devices = [(cls, "test/hot/1", None), (OwnGetState, "test/hot/2", None)]
    server = DeviceServer("HotDev", "t", devices, host="127.0.0.1")
    thread, _ = server_in_thread(server)
    try:
        yield server, f"tango://127.0.0.1:{server.port}/test/hot/1#dbase=no"
    finally:
        server.request_stop()
        thread.join(10)


def _reading(proxy: DeviceProxy) -> tuple[float, float, AttrQuality]:
    value = proxy.read_attribute("level")
    return value.value, value.w_value, value.quality


def test_the_same_read_sees_every_change(served: tuple[DeviceServer, str]) -> None:
    server, trl = served
    proxy = DeviceProxy(trl)
    proxy.command_inout("Init")
    assert _reading(proxy)[0] == 1.0
    proxy.write_attribute("level", 3.5)  # the set point after a write
    assert _reading(proxy) == (3.5, 3.5, AttrQuality.ATTR_VALID)
    assert proxy.read_attribute("target").w_value == 0.0  # the default set point
    proxy.write_attribute("target", 2.5)
    assert proxy.read_attribute("target").w_value == 2.5

    config = proxy.get_attribute_config("level")  # alarm limits set by a client
    config.alarms.max_alarm = "2"
    proxy.set_attribute_config(config)
    assert _reading(proxy)[2] == AttrQuality.ATTR_ALARM
    assert proxy.state() == DevState.ALARM
    config.alarms.max_alarm = "Not specified"
    proxy.set_attribute_config(config)
    assert _reading(proxy)[2] == AttrQuality.ATTR_VALID
    assert proxy.state() == DevState.ON

    proxy.command_inout("SetQuality", int(AttrQuality.ATTR_WARNING))  # a quality change
    assert _reading(proxy)[2] == AttrQuality.ATTR_WARNING
    proxy.command_inout("SetQuality", int(AttrQuality.ATTR_VALID))
    assert _reading(proxy)[2] == AttrQuality.ATTR_VALID

    proxy.command_inout("AddDyn")  # an attribute added, removed, added again
    assert proxy.read_attribute("dyn").value == 7
    proxy.command_inout("RemoveDyn")
    with pytest.raises(DevFailed) as info:
        proxy.read_attribute("dyn")
    assert info.value.args[0].reason == "API_AttrNotFound"
    proxy.command_inout("AddDyn")
    assert proxy.read_attribute("dyn").value == 7
    proxy.command_inout("RemoveDyn")

    proxy.write_attribute("level", 4.5)
    proxy.command_inout("Init")  # Init runs init_device again
    assert _reading(proxy)[0] == 1.0
    proxy.write_attribute("level", 5.5)
    DeviceProxy(proxy.adm_name()).command_inout("DevRestart", "test/hot/1")  # a new device
    assert _reading(DeviceProxy(trl))[0] == 1.0


def test_pytango_client_sees_every_change(served: tuple[DeviceServer, str]) -> None:
    _, trl = served
    code = f"""
import json, tango
p = tango.DeviceProxy({trl!r})
p.command_inout("Init")
out = []
def read():
    v = p.read_attribute("level")
    out.append([v.value, v.w_value, int(v.quality), int(p.state())])
read()
p.write_attribute("level", 2.5)
read()
c = p.get_attribute_config("level")
c.alarms.max_alarm = "2"
p.set_attribute_config(c)
read()
c.alarms.max_alarm = "Not specified"
p.set_attribute_config(c)
p.command_inout("SetQuality", int(tango.AttrQuality.ATTR_WARNING))
read()
p.command_inout("SetQuality", int(tango.AttrQuality.ATTR_VALID))
p.command_inout("Init")
read()
print(json.dumps(out))
"""
    on, alarm = int(DevState.ON), int(DevState.ALARM)
    valid, warning = int(AttrQuality.ATTR_VALID), int(AttrQuality.ATTR_WARNING)
    assert json.loads(run_pytango_client(code).strip().splitlines()[-1]) == [
        [1.0, 0.0, valid, on],
        [2.5, 2.5, valid, on],
        [2.5, 2.5, int(AttrQuality.ATTR_ALARM), alarm],
        [2.5, 2.5, warning, alarm],  # a WARNING quality makes the default state ALARM
        [1.0, 2.5, valid, on],
    ]


def test_an_array_argument_changed_in_place_is_never_reused(
    served: tuple[DeviceServer, str],
) -> None:
    _, trl = served
    proxy = DeviceProxy(trl)
    assert [proxy.command_inout("Bump", [1.0, 2.0]) for _ in range(3)] == [103.0] * 3
    kept = HANDLERS["command_inout_4"].decoded.values()
    assert not any(isinstance(args[1].value, np.ndarray) for args in kept)


def test_read_arguments_are_reused_as_fresh_lists(served: tuple[DeviceServer, str]) -> None:
    _, trl = served
    proxy = DeviceProxy(trl)
    for _ in range(3):
        proxy.read_attribute("level")
    handler = HANDLERS["read_attributes_5"]
    assert any(args[0] == ["level"] for args in handler.decoded.values())
    body = next(iter(handler.decoded))
    from puretango.giop import Body

    little, offset, data = body
    first, second = (handler.decode_args(Body(data, offset, little)) for _ in range(2))
    assert first == second and first is not second
    first.append("changed")
    assert handler.decode_args(Body(data, offset, little)) == second


def test_state_without_device_code(served: tuple[DeviceServer, str]) -> None:
    """The base class's state is read on the spot: an asyncio device's ``state()`` and
    ``State`` reads never go through the executor; an overridden ``get_state`` is used."""
    server, trl = served
    proxy = DeviceProxy(trl)
    proxy.command_inout("Init")
    submitted: list[Any] = []
    executor = server.executor
    submit = executor.submit

    def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        submitted.append(fn)
        return submit(fn, *args, **kwargs)

    executor.submit = counting  # type: ignore[method-assign]
    try:
        for _ in range(5):
            assert proxy.state() == DevState.ON
            assert proxy.read_attribute("State").value == DevState.ON
            assert proxy.command_inout("State") == DevState.ON
    finally:
        del executor.submit
    if type(server.servants[b"test/hot/1"].device) is AsyncHot:
        assert submitted == []
    other = DeviceProxy(trl.replace("test/hot/1", "test/hot/2"))
    assert other.state() == DevState.MOVING
    assert other.read_attribute("State").value == DevState.MOVING


@pytest.mark.parametrize(
    "tango_type, value",
    [
        (CmdArgType.DevDouble, 1.5),
        (CmdArgType.DevDouble, -0.0),
        (CmdArgType.DevFloat, 3.25),
        (CmdArgType.DevLong, -(2**31)),
        (CmdArgType.DevULong, 2**32 - 1),
        (CmdArgType.DevShort, 5),
        (CmdArgType.DevUChar, 255),
        (CmdArgType.DevLong64, 2**63 - 1),
        (CmdArgType.DevULong64, 2**64 - 1),
        (CmdArgType.DevBoolean, True),
        (CmdArgType.DevBoolean, 1),  # not a bool: the generic conversion
        (CmdArgType.DevDouble, 2),  # an int for a double: the generic conversion
        (CmdArgType.DevLong, np.int32(4)),
    ],
)
def test_plain_scalars_convert_as_the_generic_conversion(
    tango_type: CmdArgType, value: Any
) -> None:
    scalar = AttrDataFormat.SCALAR
    union, dims = read_value_to_union(value, tango_type, scalar)
    expected, expected_dims = python_to_attr_union(value, tango_type, scalar)
    assert (union.disc, dims) == (expected.disc, expected_dims)
    assert union.value.dtype == expected.value.dtype
    assert union.value.tolist() == expected.value.tolist()


@pytest.mark.parametrize(
    "tango_type, value",
    [
        (CmdArgType.DevShort, 2**15),
        (CmdArgType.DevULong, -1),
        (CmdArgType.DevLong, 1.5),
        (CmdArgType.DevDouble, "1.5"),
    ],
)
def test_plain_scalars_out_of_range_or_of_the_wrong_type_fail(
    tango_type: CmdArgType, value: Any
) -> None:
    with pytest.raises(DevFailed) as info:
        read_value_to_union(value, tango_type, AttrDataFormat.SCALAR)
    assert info.value.args[0].reason == "API_IncompatibleAttrDataType"
