"""``tango.server`` on puretango: the high-level device-server API of :mod:`puretango.server`."""

from puretango.server import (
    AttrDataFormat,
    AttrWriteType,
    CmdArgType,
    DevFailed,
    Device,
    DevState,
    DispLevel,
    GreenMode,
    SerialModel,
    attribute,
    class_property,
    command,
    device_property,
    run,
    server_run,
)

__all__ = [
    "AttrDataFormat",
    "AttrWriteType",
    "CmdArgType",
    "DevFailed",
    "Device",
    "DevState",
    "DispLevel",
    "GreenMode",
    "SerialModel",
    "attribute",
    "class_property",
    "command",
    "device_property",
    "run",
    "server_run",
]
