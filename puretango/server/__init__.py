"""Device servers in pure Python, with PyTango's high-level API (``tango.server``)."""

from .._errors import DevFailed
from ..idl._enums import (
    AttrDataFormat,
    AttReqType,
    AttrWriteType,
    CmdArgType,
    DevState,
    DispLevel,
    GreenMode,
    SerialModel,
)
from ._admin import DServer
from ._cli import run, server_run
from ._database import CommandDatabase, DatabaseAccess, set_database_factory
from ._model import Device, attribute, class_property, command, device_property
from ._server import DeviceServer

__all__ = [
    "Device",
    "attribute",
    "command",
    "device_property",
    "class_property",
    "run",
    "server_run",
    "DeviceServer",
    "DServer",
    "DatabaseAccess",
    "CommandDatabase",
    "set_database_factory",
    "AttReqType",
    "AttrWriteType",
    "DevState",
    "DispLevel",
    "GreenMode",
    "AttrDataFormat",
    "CmdArgType",
    "DevFailed",
    "SerialModel",
]
