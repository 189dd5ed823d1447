"""puretango: Tango Controls in pure Python, wire-compatible with cppTango and PyTango.

``import puretango as tango`` gives the common PyTango client API.
"""

from ._errors import (
    AsynCall,
    AsynReplyNotArrived,
    CommunicationFailed,
    ConnectionFailed,
    DevError,
    DevFailed,
    DeviceUnlocked,
    EventSystemFailed,
    Except,
    NamedDevFailed,
    NamedDevFailedList,
    NonDbDevice,
    NonSupportedFeature,
    NotAllowed,
    WrongData,
    WrongNameSyntax,
)
from .client import (
    ArchiveEventInfo,
    AttributeAlarmInfo,
    AttributeDimension,
    AttributeEventInfo,
    AttributeInfo,
    AttributeInfoEx,
    AttributeProxy,
    ChangeEventInfo,
    CommandInfo,
    DeviceAttribute,
    DeviceInfo,
    DeviceProxy,
    PeriodicEventInfo,
    get_green_mode,
    set_green_mode,
)
from .idl._enums import (
    AttrDataFormat,
    AttrMemorizedType,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    DevSource,
    DevState,
    DispLevel,
    ErrSeverity,
    EventReason,
    EventSubMode,
    EventType,
    ExtractAs,
    GreenMode,
    LockerLanguage,
    SerialModel,
)
from .idl._values import TimeVal

__version__ = "0.1.0"

ArgType = CmdArgType
# PyTango also exposes the members of the commonest enums at top level.
SCALAR, SPECTRUM, IMAGE = AttrDataFormat.SCALAR, AttrDataFormat.SPECTRUM, AttrDataFormat.IMAGE
READ, READ_WITH_WRITE, WRITE, READ_WRITE = (
    AttrWriteType.READ,
    AttrWriteType.READ_WITH_WRITE,
    AttrWriteType.WRITE,
    AttrWriteType.READ_WRITE,
)

__all__ = [
    "AsynCall", "AsynReplyNotArrived", "CommunicationFailed", "ConnectionFailed", "DevError",
    "DeviceUnlocked", "DevFailed", "EventSystemFailed", "Except", "NamedDevFailed", "NamedDevFailedList",
    "NonDbDevice", "NonSupportedFeature", "NotAllowed", "WrongData", "WrongNameSyntax",
    "ArchiveEventInfo", "AttributeAlarmInfo", "AttributeDimension", "AttributeEventInfo", "AttributeInfo",
    "AttributeInfoEx", "AttributeProxy", "ChangeEventInfo", "CommandInfo", "DeviceAttribute", "DeviceInfo",
    "DeviceProxy", "PeriodicEventInfo", "get_green_mode", "set_green_mode",
    "AttrDataFormat", "AttrMemorizedType", "AttrQuality", "AttrWriteType", "CmdArgType", "ArgType",
    "DevSource", "DevState", "DispLevel", "ErrSeverity", "EventReason", "EventSubMode", "EventType",
    "ExtractAs", "GreenMode", "LockerLanguage", "SerialModel", "TimeVal",
    "SCALAR", "SPECTRUM", "IMAGE", "READ", "READ_WITH_WRITE", "WRITE", "READ_WRITE",
]
