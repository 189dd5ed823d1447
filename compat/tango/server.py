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
    LatestDeviceImpl,
    SerialModel,
    attribute,
    class_property,
    command,
    device_property,
    run,
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
    "LatestDeviceImpl",
    "SerialModel",
    "attribute",
    "class_property",
    "command",
    "device_property",
    "run",
]
