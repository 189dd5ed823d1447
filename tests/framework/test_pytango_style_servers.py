"""Server code written the way PyTango users write it starts and behaves on puretango:
attributes assigned with ``fget=``, module-level ``tango.DevDouble``, and an ALARM quality
returned by a read method turning the state to ALARM (the three bugs of issue 8)."""

from __future__ import annotations

import time

import puretango as tango
import puretango.server as tango_server
from puretango.server import Device, DevState, attribute, command
from puretango.test_context import DeviceTestContext


def read_temperature(device: Device) -> float:
    return 21.5


class Thermometer(Device):
    """Attributes declared as class members with fget/fset, and module-level types."""

    def init_device(self) -> None:
        super().init_device()
        self.set_state(DevState.ON)
        self._setpoint = 0.0
        self._quality = tango.AttrQuality.ATTR_VALID

    def read_sp(self) -> float:
        return self._setpoint

    def write_sp(self, value: float) -> None:
        self._setpoint = value

    temperature = attribute(dtype=tango.DevDouble, fget=read_temperature, unit="C")
    setpoint = attribute(dtype=tango.DevDouble, fget=read_sp, fset=write_sp)
    by_name = attribute(dtype=tango.DevFloat, fget="read_sp")
    named = attribute(name="Explicit", dtype=tango.DevDouble, fget=read_temperature)

    @attribute(dtype=tango.DevDouble)
    def pressure(self) -> tuple[float, float, tango.AttrQuality]:
        return 1.5, time.time(), self._quality

    @attribute(dtype=float, label="Flow")
    def flow(self) -> tuple[float, float, tango.AttrQuality]:
        return 2.0, time.time(), tango.AttrQuality.ATTR_WARNING

    @command(dtype_in=tango.DevShort, dtype_out=tango.DevVarDoubleArray)
    def Ramp(self, n: int) -> list[float]:  # noqa: N802
        return [float(i) for i in range(n)]

    @command(dtype_in=tango.DevLong)
    def SetQuality(self, quality: int) -> None:  # noqa: N802
        self._quality = tango.AttrQuality(quality)


def test_attribute_assigned_with_fget_takes_the_member_name() -> None:
    assert set(Thermometer._attributes) >= {"temperature", "setpoint", "by_name", "explicit"}
    assert "read_temperature" not in Thermometer._attributes
    assert "read_sp" not in Thermometer._attributes
    with DeviceTestContext(Thermometer) as dev:
        assert dev.temperature == 21.5
        assert dev.get_attribute_config("temperature").unit == "C"
        dev.setpoint = 4.5
        assert dev.setpoint == 4.5
        assert dev.by_name == 4.5
        assert dev.read_attribute("Explicit").value == 21.5
        names = set(dev.get_attribute_list())
        assert {"temperature", "setpoint", "by_name", "Explicit"} <= names


def test_module_level_cmd_arg_types() -> None:
    for name, member in tango.CmdArgType.__members__.items():
        if name in ("DevState", "Unknown"):
            continue
        assert getattr(tango, name) is member, name
        assert name in tango.__all__
    assert tango.DevState is not tango.CmdArgType.DevState
    assert tango.DevState.ON == 0 and tango.DevState.ALARM == 11
    # tango.server re-exports these enums in PyTango
    for name in ("AttrDataFormat", "AttrWriteType", "CmdArgType", "DevState", "GreenMode"):
        assert getattr(tango_server, name) is getattr(tango, name)
    assert tango_server.DevFailed is tango.DevFailed


def test_read_quality_alarm_turns_state_to_alarm() -> None:
    with DeviceTestContext(Thermometer) as dev:
        assert dev.Ramp(3).tolist() == [0.0, 1.0, 2.0]
        assert dev.state() == DevState.ON
        assert dev.status() == "The device is in ON state."
        dev.SetQuality(int(tango.AttrQuality.ATTR_ALARM))
        assert dev.read_attribute("pressure").quality == tango.AttrQuality.ATTR_ALARM
        assert dev.state() == DevState.ALARM
        assert dev.status() == (
            "The device is in ALARM state."
            "\nAlarm : Quality factor set to ALARM for attribute pressure"
        )
        assert dev.read_attribute("flow").quality == tango.AttrQuality.ATTR_WARNING
        assert dev.status() == (
            "The device is in ALARM state."
            "\nAlarm : Quality factor set to ALARM for attribute pressure"
            "\nWarning : Quality factor set to WARNING for attribute Flow"
        )
        dev.SetQuality(int(tango.AttrQuality.ATTR_VALID))
        dev.read_attribute("pressure")
        assert dev.status() == (
            "The device is in ALARM state."
            "\nWarning : Quality factor set to WARNING for attribute Flow"
        )
