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
from ._classic import DeviceClass
from ._classic_attr import Attr, ImageAttr, SpectrumAttr
from ._classic_impl import (
    Device_2Impl,
    Device_3Impl,
    Device_4Impl,
    Device_5Impl,
    Device_6Impl,
    DeviceImpl,
    LatestDeviceImpl,
)
from ._classic_util import SubDevDiag, TimedCmdData, Util
from ._cli import run
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
# [classic]
__all__ += [
    "Attr",
    "DeviceClass",
    "DeviceImpl",
    "Device_2Impl",
    "Device_3Impl",
    "Device_4Impl",
    "Device_5Impl",
    "Device_6Impl",
    "ImageAttr",
    "LatestDeviceImpl",
    "SpectrumAttr",
    "SubDevDiag",
    "TimedCmdData",
    "Util",
]
