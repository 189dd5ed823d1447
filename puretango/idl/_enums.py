"""Tango enumerations, with PyTango's names, values and string forms.

The IDL enums (ordinal = position in ``tango.idl``) and the Tango constants that
PyTango exposes as enums (``CmdArgType``, ``GreenMode``, ``EventType`` ...) live
here together because the public API re-exports them all.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, ClassVar

__all__ = [
    "TangoEnum",
    "DevState",
    "AttrQuality",
    "AttrWriteType",
    "AttrDataFormat",
    "DevSource",
    "ErrSeverity",
    "DispLevel",
    "AttributeDataType",
    "PipeWriteType",
    "LockerLanguage",
    "TraceContextFormat",
    "CmdArgType",
    "GreenMode",
    "EventType",
    "EventSubMode",
    "EventReason",
    "SerialModel",
    "AttrMemorizedType",
    "ExtractAs",
    "AttReqType",
]


class TangoEnum(IntEnum):
    """An ``IntEnum`` whose ``str`` is the member name, as PyTango's enums."""

    #: PyTango's legacy class dicts, set by :func:`_legacy_dicts`: name -> member, int -> member
    names: ClassVar[dict[str, Any]]
    values: ClassVar[dict[int, Any]]

    def __str__(self) -> str:
        return self.name

    def __format__(self, spec: str) -> str:
        return (
            format(self.name, spec)
            if not spec or spec[-1] not in "dxXobn"
            else format(int(self), spec)
        )


def _legacy_dicts(cls: type[TangoEnum]) -> type[TangoEnum]:
    # PyTango enums also expose ``.names`` (name -> member) and ``.values`` (int -> member)
    type.__setattr__(cls, "names", {m.name: m for m in cls})
    type.__setattr__(cls, "values", {int(m): m for m in cls})
    return cls


@_legacy_dicts
class DevState(TangoEnum):
    ON = 0
    OFF = 1
    CLOSE = 2
    OPEN = 3
    INSERT = 4
    EXTRACT = 5
    MOVING = 6
    STANDBY = 7
    FAULT = 8
    INIT = 9
    RUNNING = 10
    ALARM = 11
    DISABLE = 12
    UNKNOWN = 13


@_legacy_dicts
class AttrQuality(TangoEnum):
    ATTR_VALID = 0
    ATTR_INVALID = 1
    ATTR_ALARM = 2
    ATTR_CHANGING = 3
    ATTR_WARNING = 4


@_legacy_dicts
class AttrWriteType(TangoEnum):
    READ = 0
    READ_WITH_WRITE = 1
    WRITE = 2
    READ_WRITE = 3
    WT_UNKNOWN = 4


@_legacy_dicts
class AttrDataFormat(TangoEnum):
    SCALAR = 0
    SPECTRUM = 1
    IMAGE = 2
    FMT_UNKNOWN = 3


@_legacy_dicts
class DevSource(TangoEnum):
    DEV = 0
    CACHE = 1
    CACHE_DEV = 2


@_legacy_dicts
class ErrSeverity(TangoEnum):
    WARN = 0
    ERR = 1
    PANIC = 2


@_legacy_dicts
class DispLevel(TangoEnum):
    OPERATOR = 0
    EXPERT = 1
    DL_UNKNOWN = 2


@_legacy_dicts
class AttributeDataType(TangoEnum):
    ATT_BOOL = 0
    ATT_SHORT = 1
    ATT_LONG = 2
    ATT_LONG64 = 3
    ATT_FLOAT = 4
    ATT_DOUBLE = 5
    ATT_UCHAR = 6
    ATT_USHORT = 7
    ATT_ULONG = 8
    ATT_ULONG64 = 9
    ATT_STRING = 10
    ATT_STATE = 11
    DEVICE_STATE = 12
    ATT_ENCODED = 13
    ATT_NO_DATA = 14


@_legacy_dicts
class PipeWriteType(TangoEnum):
    PIPE_READ = 0
    PIPE_READ_WRITE = 1
    PIPE_WT_UNKNOWN = 2


@_legacy_dicts
class LockerLanguage(TangoEnum):
    CPP = 0
    JAVA = 1
    CPP_6 = 2
    JAVA_6 = 3


@_legacy_dicts
class TraceContextFormat(TangoEnum):
    W3C_TC_V0 = 0


@_legacy_dicts
class CmdArgType(TangoEnum):
    DevVoid = 0
    DevBoolean = 1
    DevShort = 2
    DevLong = 3
    DevFloat = 4
    DevDouble = 5
    DevUShort = 6
    DevULong = 7
    DevString = 8
    DevVarCharArray = 9
    DevVarShortArray = 10
    DevVarLongArray = 11
    DevVarFloatArray = 12
    DevVarDoubleArray = 13
    DevVarUShortArray = 14
    DevVarULongArray = 15
    DevVarStringArray = 16
    DevVarLongStringArray = 17
    DevVarDoubleStringArray = 18
    DevState = 19
    ConstDevString = 20
    DevVarBooleanArray = 21
    DevUChar = 22
    DevLong64 = 23
    DevULong64 = 24
    DevVarLong64Array = 25
    DevVarULong64Array = 26
    DevEncoded = 28
    DevEnum = 29
    DevPipeBlob = 30
    DevVarStateArray = 31
    DevVarEncodedArray = 32
    Unknown = 100


@_legacy_dicts
class GreenMode(TangoEnum):
    Synchronous = 0
    Futures = 1
    Gevent = 2
    Asyncio = 3


@_legacy_dicts
class EventType(TangoEnum):
    CHANGE_EVENT = 0
    PERIODIC_EVENT = 2
    ARCHIVE_EVENT = 3
    USER_EVENT = 4
    ATTR_CONF_EVENT = 5
    DATA_READY_EVENT = 6
    INTERFACE_CHANGE_EVENT = 7
    ALARM_EVENT = 9


@_legacy_dicts
class EventSubMode(TangoEnum):
    Sync = 1
    SyncRead = 2
    Async = 3
    AsyncRead = 4
    Stateless = 5


@_legacy_dicts
class EventReason(TangoEnum):
    Unknown = 0
    SubFail = 1
    SubSuccess = 2
    Update = 3


@_legacy_dicts
class SerialModel(TangoEnum):
    BY_DEVICE = 0
    BY_CLASS = 1
    BY_PROCESS = 2
    NO_SYNC = 3


@_legacy_dicts
class AttrMemorizedType(TangoEnum):
    NOT_KNOWN = 0
    NONE = 1
    MEMORIZED = 2
    MEMORIZED_WRITE_INIT = 3


@_legacy_dicts
class AttReqType(TangoEnum):
    READ_REQ = 0
    WRITE_REQ = 1


@_legacy_dicts
class ExtractAs(TangoEnum):
    Numpy = 0
    ByteArray = 1
    Bytes = 2
    Tuple = 3
    List = 4
    String = 5
    Nothing = 7


# PyTango exposes every CmdArgType member at module level (``tango.DevDouble``), except
# ``DevState``, which stays the state enum (and the ``Unknown`` sentinel, as in PyTango).
DevVoid = CmdArgType.DevVoid
DevBoolean = CmdArgType.DevBoolean
DevShort = CmdArgType.DevShort
DevLong = CmdArgType.DevLong
DevFloat = CmdArgType.DevFloat
DevDouble = CmdArgType.DevDouble
DevUShort = CmdArgType.DevUShort
DevULong = CmdArgType.DevULong
DevString = CmdArgType.DevString
DevVarCharArray = CmdArgType.DevVarCharArray
DevVarShortArray = CmdArgType.DevVarShortArray
DevVarLongArray = CmdArgType.DevVarLongArray
DevVarFloatArray = CmdArgType.DevVarFloatArray
DevVarDoubleArray = CmdArgType.DevVarDoubleArray
DevVarUShortArray = CmdArgType.DevVarUShortArray
DevVarULongArray = CmdArgType.DevVarULongArray
DevVarStringArray = CmdArgType.DevVarStringArray
DevVarLongStringArray = CmdArgType.DevVarLongStringArray
DevVarDoubleStringArray = CmdArgType.DevVarDoubleStringArray
ConstDevString = CmdArgType.ConstDevString
DevVarBooleanArray = CmdArgType.DevVarBooleanArray
DevUChar = CmdArgType.DevUChar
DevLong64 = CmdArgType.DevLong64
DevULong64 = CmdArgType.DevULong64
DevVarLong64Array = CmdArgType.DevVarLong64Array
DevVarULong64Array = CmdArgType.DevVarULong64Array
DevEncoded = CmdArgType.DevEncoded
DevEnum = CmdArgType.DevEnum
DevPipeBlob = CmdArgType.DevPipeBlob
DevVarStateArray = CmdArgType.DevVarStateArray
DevVarEncodedArray = CmdArgType.DevVarEncodedArray
