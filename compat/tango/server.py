"""``tango.server`` on puretango: the high-level device-server API of :mod:`puretango.server`."""

from ._serverinfo import puretango_server

puretango_server()  # registers the PyTango API level in the devices' version info

from puretango.server import (  # noqa: E402
    AttrDataFormat,
    AttrWriteType,
    CmdArgType,
    DevFailed,
    Device,
    DevState,
    DispLevel,
    GreenMode,
    LatestDeviceImpl,
    PipeWriteType,
    SerialModel,
    attribute,
    class_property,
    command,
    device_property,
    pipe,
    run,
    server_run,
)
from puretango.server import Device as BaseDevice  # noqa: E402, F401 - [classic] base of Device
from puretango.server._cli import to_callback as __to_callback  # noqa: E402, F401 - tests import it

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
    "PipeWriteType",
    "SerialModel",
    "attribute",
    "class_property",
    "command",
    "device_property",
    "pipe",
    "run",
    "server_run",
]
