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
    PipeWriteType,
    SerialModel,
)
from ._admin import DServer

# [attr] server-side attribute objects and dynamic attributes
from ._attrdata import AttrData, UserDefaultAttrProp  # noqa: E402
from ._attributes import (  # noqa: E402
    Attribute,
    MultiAttribute,
    MultiAttrProp,
    MultiClassAttribute,
    WAttribute,
)
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
from ._classic_util import EnsureOmniThread, SubDevDiag, TimedCmdData, Util, is_omni_thread
from ._cli import run, server_run
from ._database import CommandDatabase, DatabaseAccess, set_database_factory
from ._encoded import EncodedAttribute  # noqa: E402
from ._model import Device, attribute, class_property, command, device_property
from ._pipes import pipe
from ._server import DeviceServer

__all__ = [
    "Device",
    "attribute",
    "command",
    "pipe",
    "PipeWriteType",
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
# [classic]
__all__ += [
    "Attr",
    "EnsureOmniThread",
    "is_omni_thread",
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
__all__ += [
    "AttrData",
    "Attribute",
    "EncodedAttribute",
    "MultiAttrProp",
    "MultiAttribute",
    "MultiClassAttribute",
    "UserDefaultAttrProp",
    "WAttribute",
]
