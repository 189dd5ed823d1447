"""A puretango device server written as PyTango users write one, started with the Database:
``python db_heater.py INSTANCE`` with ``TANGO_HOST`` set. For tests, the Database is
reached through PyTango's ``DeviceProxy("sys/database/2").command_inout`` (a real peer)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from puretango import DevError, DevFailed
from puretango.server import (
    AttrWriteType,
    Device,
    DevState,
    attribute,
    class_property,
    command,
    device_property,
)


class Heater(Device):
    gain = device_property(dtype=float, default_value=1.0)
    names = device_property(dtype=(str,), default_value=["none"])
    untouched = device_property(dtype=int, default_value=7)
    model = class_property(dtype=str, default_value="no model")

    def init_device(self) -> None:
        super().init_device()
        self.set_state(DevState.ON)
        self._setpoint = 0.0
        self._mode = 0
        self.writes: list[float] = []

    @attribute(dtype=float)
    def temperature(self) -> float:
        return 20.0 * self.gain

    def read_setpoint(self) -> float:
        return self._setpoint

    def write_setpoint(self, value: float) -> None:
        self._setpoint = value
        self.writes.append(value)

    setpoint = attribute(
        dtype=float,
        access=AttrWriteType.READ_WRITE,
        memorized=True,
        hw_memorized=True,
        fget=read_setpoint,
        fset=write_setpoint,
    )

    @attribute(dtype=int, access=AttrWriteType.READ_WRITE, memorized=True)
    def mode(self) -> int:
        return self._mode

    @mode.write
    def mode(self, value: int) -> None:
        self._mode = value

    @command(dtype_out=str)
    def Info(self) -> str:  # noqa: N802 - Tango command
        return (
            f"{self.gain} {','.join(self.names)} {self.untouched} {self.model} "
            f"{self.writes} {os.getpid()}"
        )


def pytango_command_inout(name: str = "sys/database/2") -> Callable[[str, Any], Any]:
    """The Database's ``command_inout`` through PyTango, its DevFailed as puretango's
    (the contract of :data:`puretango.server._database.CommandInout`)."""
    import tango  # the test peer; puretango itself never imports PyTango

    proxy = tango.DeviceProxy(name)

    def command_inout(command: str, argin: Any) -> Any:
        try:
            return proxy.command_inout(command, argin)
        except tango.DevFailed as exc:
            errors = [DevError(e.reason, int(e.severity), e.desc, e.origin) for e in exc.args]
            raise DevFailed(*errors) from None

    return command_inout


if __name__ == "__main__":
    from puretango.server import CommandDatabase, run, set_database_factory

    set_database_factory(lambda: CommandDatabase(pytango_command_inout()))
    run((Heater,))
