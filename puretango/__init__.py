"""puretango: Tango Controls in pure Python, wire-compatible with cppTango and PyTango.

``import puretango as tango`` gives the common PyTango client API.
"""

from . import _registry, _wiring
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
from ._version import __version__ as __version__
from .client import (
    ApiUtil,
    ArchiveEventInfo,
    AttrConfEventData,
    AttributeAlarmInfo,
    AttributeDimension,
    AttributeEventInfo,
    AttributeInfo,
    AttributeInfoEx,
    AttributeProxy,
    AttrReadEvent,
    AttrWrittenEvent,
    ChangeEventInfo,
    CmdDoneEvent,
    CommandInfo,
    Database,
    DataReadyEventData,
    DbData,
    DbDatum,
    DbDevExportInfo,
    DbDevFullInfo,
    DbDevImportInfo,
    DbDevInfo,
    DbHistory,
    DbServerInfo,
    DeviceAttribute,
    DeviceAttributeHistory,
    DeviceDataHistory,
    DeviceInfo,
    DeviceProxy,
    DevIntrChangeEventData,
    EventData,
    PeriodicEventInfo,
    asyn_req_type,
    cb_sub_model,
    get_green_mode,
    set_green_mode,
)
from .idl._enums import (
    AttrDataFormat,
    AttrMemorizedType,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    ConstDevString,
    DevBoolean,
    DevDouble,
    DevEncoded,
    DevEnum,
    DevFloat,
    DevLong,
    DevLong64,
    DevPipeBlob,
    DevShort,
    DevSource,
    DevState,
    DevString,
    DevUChar,
    DevULong,
    DevULong64,
    DevUShort,
    DevVarBooleanArray,
    DevVarCharArray,
    DevVarDoubleArray,
    DevVarDoubleStringArray,
    DevVarEncodedArray,
    DevVarFloatArray,
    DevVarLong64Array,
    DevVarLongArray,
    DevVarLongStringArray,
    DevVarShortArray,
    DevVarStateArray,
    DevVarStringArray,
    DevVarULong64Array,
    DevVarULongArray,
    DevVarUShortArray,
    DevVoid,
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

# device servers started without -nodb reach the Database through the client (built on use)
_registry.database_factory = _wiring.server_database
_registry.log_consumer_factory = _wiring.log_consumer

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
    "ApiUtil",
    "AttrReadEvent",
    "AttrWrittenEvent",
    "CmdDoneEvent",
    "asyn_req_type",
    "cb_sub_model",
    "AsynCall",
    "AsynReplyNotArrived",
    "CommunicationFailed",
    "ConnectionFailed",
    "DevError",
    "DeviceUnlocked",
    "DevFailed",
    "EventSystemFailed",
    "Except",
    "NamedDevFailed",
    "NamedDevFailedList",
    "NonDbDevice",
    "NonSupportedFeature",
    "NotAllowed",
    "WrongData",
    "WrongNameSyntax",
    "ArchiveEventInfo",
    "AttrConfEventData",
    "DataReadyEventData",
    "DevIntrChangeEventData",
    "EventData",
    "AttributeAlarmInfo",
    "AttributeDimension",
    "AttributeEventInfo",
    "AttributeInfo",
    "AttributeInfoEx",
    "AttributeProxy",
    "ChangeEventInfo",
    "CommandInfo",
    "Database",
    "DbData",
    "DbDatum",
    "DbDevExportInfo",
    "DbDevFullInfo",
    "DbDevImportInfo",
    "DbDevInfo",
    "DbHistory",
    "DbServerInfo",
    "DeviceAttribute",
    "DeviceAttributeHistory",
    "DeviceDataHistory",
    "DeviceInfo",
    "DeviceProxy",
    "PeriodicEventInfo",
    "get_green_mode",
    "set_green_mode",
    "AttrDataFormat",
    "AttrMemorizedType",
    "AttrQuality",
    "AttrWriteType",
    "CmdArgType",
    "ArgType",
    "DevSource",
    "DevState",
    "DispLevel",
    "ErrSeverity",
    "EventReason",
    "EventSubMode",
    "EventType",
    "ExtractAs",
    "GreenMode",
    "LockerLanguage",
    "SerialModel",
    "TimeVal",
    "SCALAR",
    "SPECTRUM",
    "IMAGE",
    "READ",
    "READ_WITH_WRITE",
    "WRITE",
    "READ_WRITE",
]
# PyTango's module-level CmdArgType members (tango.DevDouble, ...); DevState stays the enum
__all__ += [
    "DevVoid",
    "DevBoolean",
    "DevShort",
    "DevLong",
    "DevFloat",
    "DevDouble",
    "DevUShort",
    "DevULong",
    "DevString",
    "DevVarCharArray",
    "DevVarShortArray",
    "DevVarLongArray",
    "DevVarFloatArray",
    "DevVarDoubleArray",
    "DevVarUShortArray",
    "DevVarULongArray",
    "DevVarStringArray",
    "DevVarLongStringArray",
    "DevVarDoubleStringArray",
    "ConstDevString",
    "DevVarBooleanArray",
    "DevUChar",
    "DevLong64",
    "DevULong64",
    "DevVarLong64Array",
    "DevVarULong64Array",
    "DevEncoded",
    "DevEnum",
    "DevPipeBlob",
    "DevVarStateArray",
    "DevVarEncodedArray",
]

#: public names whose modules load on first use: name -> module (relative to this package)
_LAZY_NAMES: dict[str, str] = {}


def __getattr__(name: str) -> object:
    """Load a name of :data:`_LAZY_NAMES` (the server side) the first time it is asked for."""
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'puretango' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES))


# --- issue 10 streams: each block is owned by one branch (keep the blank lines between) ---

# [group] Group and its replies
from .client._group import Group  # noqa: E402
from .client._group_reply import (  # noqa: E402
    GroupAttrReply,
    GroupAttrReplyList,
    GroupCmdReply,
    GroupCmdReplyList,
    GroupReply,
    GroupReplyList,
)

__all__ += [
    "Group",
    "GroupAttrReply",
    "GroupAttrReplyList",
    "GroupCmdReply",
    "GroupCmdReplyList",
    "GroupReply",
    "GroupReplyList",
]

# [pipes] pipes (client side)
from .client._proxy_pipe import PipeConfig, PipeInfo  # noqa: E402
from .idl._enums import PipeWriteType  # noqa: E402

__all__ += ["PipeConfig", "PipeInfo", "PipeWriteType"]

# [attr] server-side attribute objects and dynamic attributes: loaded on first use (see
# ``__getattr__``), so that a client program never imports the server
_LAZY_NAMES.update(
    {
        "AttrData": ".server._attrdata",
        "UserDefaultAttrProp": ".server._attrdata",
        "Attribute": ".server._attributes",
        "MultiAttribute": ".server._attributes",
        "MultiAttrProp": ".server._attributes",
        "MultiClassAttribute": ".server._attributes",
        "WAttribute": ".server._attributes",
        "EncodedAttribute": ".server._encoded",
        "TimedAttrData": ".server._fill_history",
    }
)

__all__ += [
    "AttrData",
    "Attribute",
    "EncodedAttribute",
    "MultiAttrProp",
    "MultiAttribute",
    "MultiClassAttribute",
    "TimedAttrData",
    "UserDefaultAttrProp",
    "WAttribute",
]

# [classic] the classic server API (DeviceClass, DeviceImpl, Util, Attr...)

# [ns] namespace: remaining PyTango top-level types and enums
from ._logdecorators import (  # noqa: E402
    DebugIt,
    ErrorIt,
    FatalIt,
    InfoIt,
    LogIt,
    TangoStream,
    WarnIt,
)
from .client._structs import (  # noqa: E402
    ArchiveEventProp,
    AttributeAlarm,
    AttributeConfig,
    AttributeConfig_2,
    AttributeConfig_3,
    AttributeConfig_5,
    ChangeEventProp,
    ClientAddr,
    DbDevExportInfos,
    DbDevImportInfos,
    DbDevInfos,
    DbHistoryList,
    DevCommandInfo,
    DeviceAttributeConfig,
    DeviceData,
    DeviceDataHistoryList,
    DeviceDataList,
    EventProperties,
    LockerInfo,
    PeriodicEventProp,
    StdDoubleVector,
    StdLongVector,
    StdStringVector,
)
from .idl._codes import (  # noqa: E402
    AccessControlType,
    AttrSerialModel,
    KeepAliveCmdCode,
    LockCmdCode,
    LogLevel,
    LogTarget,
    MessBoxType,
    PollCmdCode,
    PollObjType,
)

__all__ += [
    "DebugIt",
    "ErrorIt",
    "FatalIt",
    "InfoIt",
    "LogIt",
    "TangoStream",
    "WarnIt",
    "AccessControlType",
    "AttrSerialModel",
    "KeepAliveCmdCode",
    "LockCmdCode",
    "LogLevel",
    "LogTarget",
    "MessBoxType",
    "PollCmdCode",
    "PollObjType",
    "ArchiveEventProp",
    "AttributeAlarm",
    "AttributeConfig",
    "AttributeConfig_2",
    "AttributeConfig_3",
    "AttributeConfig_5",
    "ChangeEventProp",
    "ClientAddr",
    "DbDevExportInfos",
    "DbDevImportInfos",
    "DbDevInfos",
    "DbHistoryList",
    "DevCommandInfo",
    "DeviceAttributeConfig",
    "DeviceData",
    "DeviceDataHistoryList",
    "DeviceDataList",
    "EventProperties",
    "LockerInfo",
    "PeriodicEventProp",
    "StdDoubleVector",
    "StdLongVector",
    "StdStringVector",
]

# [context] test contexts and server runners
_LAZY_NAMES.update({"get_attribute_proxy": ".green", "get_device_proxy": ".green"})

_registry.default_green_mode = get_green_mode
__all__ += ["get_attribute_proxy", "get_device_proxy"]

# [client] client-side fixes found by PyTango's tests
from .client import (  # noqa: E402
    AttributeInfoList,
    AttributeInfoListEx,
    CommandInfoList,
    PyTangoUserWarning,
)

__all__ += [
    "AttributeInfoList",
    "AttributeInfoListEx",
    "CommandInfoList",
    "PyTangoUserWarning",
]

# --- end of issue 10 streams ---
