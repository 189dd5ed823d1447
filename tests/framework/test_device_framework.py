"""The device framework in-process: declarations, hooks, concurrency, test contexts."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

import puretango as tango
from puretango.server import AttrWriteType, Device, DevState, attribute, command, device_property
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext


class Motor(Device):
    """A motor, for tests."""

    velocity = device_property(dtype=float, default_value=2.0)
    axis = device_property(dtype=str, mandatory=True)

    position = attribute(
        dtype=float,
        access=AttrWriteType.READ_WRITE,
        unit="mm",
        min_value=-100,
        max_value=100,
        max_alarm=50,
    )

    def init_device(self) -> None:
        super().init_device()
        self._position = 0.0
        self._moves = 0
        self.set_state(DevState.ON)

    def read_position(self) -> float:
        return self._position

    def write_position(self, value: float) -> None:
        self._position = value
        self._moves += 1

    @attribute(dtype=int)
    def moves(self) -> int:
        return self._moves

    @attribute(dtype="enum", enum_labels=["SLOW", "FAST"], access=AttrWriteType.READ_WRITE)
    def speed(self) -> int:
        return getattr(self, "_speed", 0)

    @speed.write
    def speed(self, value: int) -> None:
        self._speed = value

    @attribute
    def guarded(self) -> float:
        return 1.0

    def is_guarded_allowed(self, request: tango.server.AttReqType) -> bool:
        return self.get_state() != DevState.FAULT

    @attribute(dtype=(np.int32,), max_dim_x=10)
    def history(self) -> np.ndarray:
        return np.arange(3, dtype=np.int32)

    @command(dtype_out=str)
    def Axis(self) -> str:  # noqa: N802 - Tango command
        return f"{self.axis}@{self.velocity}"

    @command
    def Break(self) -> None:  # noqa: N802
        self.set_state(DevState.FAULT)

    @command(dtype_in=float, dtype_out=float)
    def MoveRelative(self, delta: float) -> float:  # noqa: N802
        self._position += delta
        return self._position

    def is_MoveRelative_allowed(self) -> bool:  # noqa: N802
        return self.get_state() == DevState.ON

    @command(dtype_out=float)
    def SelfCall(self) -> float:  # noqa: N802
        # a device calling itself through a DeviceProxy: the classic PyTango hang
        proxy = tango.DeviceProxy(self._server_access)
        return proxy.read_attribute("position").value + 1

    @command(dtype_in=float)
    def Sleep(self, seconds: float) -> None:  # noqa: N802
        time.sleep(seconds)


class AsyncMotor(Device):
    green_mode = tango.GreenMode.Asyncio

    async def init_device(self) -> None:
        await super().init_device()
        self.set_state(DevState.ON)
        self._value = 1.0

    @attribute(dtype=float)
    async def value(self) -> float:
        await asyncio.sleep(0.2)
        return self._value

    @command(dtype_in=float)
    async def Wait(self, seconds: float) -> None:  # noqa: N802
        await asyncio.sleep(seconds)


def _context(**kw: object) -> DeviceTestContext:
    return DeviceTestContext(Motor, properties={"axis": "x", "velocity": "3.5"}, **kw)


def test_attributes_commands_properties() -> None:
    with _context() as dev:
        assert dev.state() == DevState.ON
        assert dev.status() == "The device is in ON state."
        assert dev.description() == "A motor, for tests."
        assert dev.Axis() == "x@3.5"
        dev.position = 12.5
        assert dev.position == 12.5
        assert dev.moves == 1
        assert dev.MoveRelative(1.0) == 13.5
        assert dev.get_attribute_config("position").unit == "mm"
        assert dev.read_attribute("position").w_value == 12.5
        dev.speed = "FAST"
        assert dev.speed == 1 and dev.speed.name == "FAST"
        assert list(dev.history) == [0, 1, 2] and dev.history.dtype == np.int32
        assert dev.read_attribute("moves").type == tango.CmdArgType.DevLong64


def test_limits_alarms_and_is_allowed() -> None:
    with _context() as dev:
        with pytest.raises(tango.DevFailed) as info:
            dev.position = 500.0
        assert info.value.args[0].reason == "API_WAttrOutsideLimit"
        dev.position = 60.0
        assert dev.read_attribute("position").quality == tango.AttrQuality.ATTR_ALARM
        assert dev.state() == DevState.ALARM
        assert dev.status() == "The device is in ALARM state.\nAlarm : Value too high for position"
        dev.position = 10.0
        assert dev.state() == DevState.ON
        dev.Break()
        assert dev.state() == DevState.FAULT
        with pytest.raises(tango.DevFailed) as info:
            dev.MoveRelative(1.0)
        assert info.value.args[0].reason == "API_CommandNotAllowed"
        with pytest.raises(tango.DevFailed) as info:
            _ = dev.guarded
        assert info.value.args[0].reason == "API_AttrNotAllowed"
        dev.Init()
        assert dev.state() == DevState.ON and dev.position == 0.0


def test_mandatory_property_missing_fails_init() -> None:
    with pytest.raises(tango.DevFailed) as info:
        DeviceTestContext(Motor).start()
    assert info.value.args[0].reason == "PyDs_MissingDeviceProperty"


def test_self_call_does_not_deadlock() -> None:
    with _context() as dev:
        Motor._server_access = (
            dev.name() and f"tango://127.0.0.1:{dev.get_dev_port()}/{dev.name()}#dbase=no"
        )
        dev.position = 2.0
        dev.set_timeout_millis(5000)
        assert dev.SelfCall() == 3.0


def test_devices_are_serialised_but_independent() -> None:
    info = [
        {
            "class": Motor,
            "devices": [
                {"name": "m/o/1", "properties": {"axis": "a"}},
                {"name": "m/o/2", "properties": {"axis": "b"}},
            ],
        }
    ]
    with MultiDeviceTestContext(info) as ctx:
        one, two = ctx.get_device("m/o/1"), ctx.get_device("m/o/2")
        one.set_timeout_millis(5000)
        done = []
        thread = threading.Thread(target=lambda: done.append(one.Sleep(0.6)))
        start = time.monotonic()
        thread.start()
        time.sleep(0.1)
        assert two.Axis() == "b@2.0"  # another device answers while m/o/1 sleeps
        assert time.monotonic() - start < 0.5
        thread.join(5)
        assert done == [None]


def test_async_device_concurrency() -> None:
    with DeviceTestContext(AsyncMotor) as dev:
        assert dev.state() == DevState.ON
        results = []
        start = time.monotonic()
        threads = [threading.Thread(target=lambda: results.append(dev.value)) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(5)
        assert results == [1.0] * 4
        assert time.monotonic() - start < 0.7  # four 0.2 s reads overlap on the loop


def test_several_contexts_at_once_and_admin() -> None:
    with _context() as a, _context(device_name="other/motor/1") as b:
        assert a.Axis() == b.Axis() == "x@3.5"
        admin = tango.DeviceProxy(
            f"tango://127.0.0.1:{b.get_dev_port()}/"
            f"{b.adm_name().split('/', 3)[3].split('#')[0]}#dbase=no"
        )
        assert admin.QueryDevice() == ["Motor::other/motor/1"]
        assert admin.QueryClass() == ["Motor"]


def test_idle_connections_closed_and_clients_reconnect() -> None:
    """The server closes idle connections with CloseConnection, as omniORB does after
    ~180 s; our client (every transport) and a real PyTango client carry on."""
    import gevent
    from peers.launch import run_pytango_client

    from puretango import asyncio as pt_asyncio
    from puretango import gevent as pt_gevent

    ctx = _context()
    ctx.server.idle_timeout = 0.3
    with ctx as dev:
        trl = ctx.get_device_access(ctx.device_name)
        assert dev.Axis() == "x@3.5"
        green = pt_gevent.DeviceProxy(trl)
        assert green.Axis() == "x@3.5"
        time.sleep(0.8)  # every connection is closed meanwhile
        assert dev.Axis() == "x@3.5"
        assert gevent.spawn(green.Axis).get(timeout=5) == "x@3.5"

        async def twice() -> list[str]:
            proxy = await pt_asyncio.DeviceProxy(trl)
            first = await proxy.Axis()
            await asyncio.sleep(0.8)
            return [first, await proxy.Axis()]

        assert asyncio.run(twice()) == ["x@3.5", "x@3.5"]
        out = run_pytango_client(
            f"import time, tango\nd = tango.DeviceProxy({trl!r})\n"
            "print(d.Axis())\ntime.sleep(0.8)\nprint(d.Axis())"
        )
        assert out.split() == ["x@3.5", "x@3.5"]
