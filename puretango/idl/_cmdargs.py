"""The IDL type of each Tango command argument type (``CmdArgType``), and so the
TypeCode that goes into the ``any`` of ``command_inout``, as cppTango writes it (the
typedefs and structs of tango-idl's ``tango.idl``): bare TypeCodes for scalars, aliased
sequences for arrays, structs for the mixed types and DevEncoded, the full enum for
DevState, ``tk_null`` for DevVoid.
"""

from __future__ import annotations

from ..giop._typecode import TC_NULL, TypeCode
from . import _tango as t
from ._enums import CmdArgType
from ._types import (
    BOOLEAN,
    DOUBLE,
    FLOAT,
    LONG,
    LONGLONG,
    OCTET,
    SHORT,
    STRING,
    ULONG,
    ULONGLONG,
    USHORT,
    IdlType,
)

__all__ = ["COMMAND_ARG_TYPES", "command_typecode"]

_C = CmdArgType

#: CmdArgType -> IDL type of the value carried in the ``any`` (None for DevVoid)
COMMAND_ARG_TYPES: dict[CmdArgType, IdlType | None] = {
    _C.DevVoid: None,
    _C.DevBoolean: BOOLEAN,
    _C.DevShort: SHORT,
    _C.DevLong: LONG,
    _C.DevFloat: FLOAT,
    _C.DevDouble: DOUBLE,
    _C.DevUShort: USHORT,
    _C.DevULong: ULONG,
    _C.DevString: STRING,
    _C.ConstDevString: STRING,
    _C.DevUChar: OCTET,
    _C.DevLong64: LONGLONG,
    _C.DevULong64: ULONGLONG,
    _C.DevEnum: SHORT,
    _C.DevState: t.DevStateT,
    _C.DevVarCharArray: t.DevVarCharArray,
    _C.DevVarShortArray: t.DevVarShortArray,
    _C.DevVarLongArray: t.DevVarLongArray,
    _C.DevVarFloatArray: t.DevVarFloatArray,
    _C.DevVarDoubleArray: t.DevVarDoubleArray,
    _C.DevVarUShortArray: t.DevVarUShortArray,
    _C.DevVarULongArray: t.DevVarULongArray,
    _C.DevVarStringArray: t.DevVarStringArray,
    _C.DevVarBooleanArray: t.DevVarBooleanArray,
    _C.DevVarLong64Array: t.DevVarLong64Array,
    _C.DevVarULong64Array: t.DevVarULong64Array,
    _C.DevVarStateArray: t.DevVarStateArray,
    _C.DevVarLongStringArray: t.DevVarLongStringArray,
    _C.DevVarDoubleStringArray: t.DevVarDoubleStringArray,
    _C.DevEncoded: t.DevEncoded,
}


def command_typecode(arg_type: CmdArgType) -> TypeCode:
    """The TypeCode a Tango peer puts in a command ``any`` of this type."""
    idl = COMMAND_ARG_TYPES[arg_type]
    return TC_NULL if idl is None else idl.typecode
