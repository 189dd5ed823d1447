"""Server-side value conversions: Python values of device code <-> IDL attribute values
and command ``any``s, following PyTango's conventions (the client side is in
:mod:`puretango.client._convert`; both are driven by the same type tables)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .._errors import DevFailed, make_error
from ..client._convert import SCALAR_TYPES, argin_to_any, python_to_attr_union
from ..giop._typecode import Any as CorbaAny
from ..giop._typecode import equivalent
from ..idl import UnionValue
from ..idl import types as t
from ..idl._cmdargs import command_typecode
from ..idl._enums import AttrDataFormat, AttributeDataType, CmdArgType, DevState
from ..idl._values import TimeVal

__all__ = [
    "now",
    "read_value_to_union",
    "union_to_written_value",
    "any_to_argin",
    "result_to_any",
    "no_data_value",
]

_C = CmdArgType
_A = AttributeDataType


def now() -> TimeVal:
    ts = time.time()
    sec = int(ts)
    return TimeVal(sec, int((ts - sec) * 1e6), 0)


def read_value_to_union(
    value: Any, tango_type: CmdArgType, fmt: AttrDataFormat, enum_labels: Any = ()
) -> tuple[UnionValue, tuple[int, int]]:
    """A value returned by a read method -> (AttrValUnion, (dim_x, dim_y))."""
    if tango_type is _C.DevEncoded and fmt is AttrDataFormat.SCALAR:
        fmt_str, data = value
        if isinstance(data, str):
            data = data.encode("latin-1")
        return UnionValue(
            _A.ATT_ENCODED, [t.DevEncoded(encoded_format=str(fmt_str), encoded_data=bytes(data))]
        ), (1, 0)
    if tango_type is _C.DevEnum and hasattr(value, "value") and not isinstance(value, np.ndarray):
        value = int(value)
    try:
        return python_to_attr_union(value, tango_type, fmt, enum_labels)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DevFailed(
            make_error(
                "API_IncompatibleAttrDataType",
                f"The value {value!r} cannot be sent as {tango_type.name} {fmt.name}: {exc}",
                "puretango.server.read_attribute",
            )
        ) from None


def no_data_value() -> UnionValue:
    return UnionValue(_A.ATT_NO_DATA, True)


def join_read_and_set_point(read: UnionValue, setpoint: UnionValue | None) -> UnionValue:
    """The value sequence of a READ_WRITE attribute: the read part, then the set point."""
    if setpoint is None or read.disc != setpoint.disc:
        return read
    a, b = read.value, setpoint.value
    if isinstance(a, np.ndarray):
        return UnionValue(read.disc, np.concatenate((a, np.asarray(b, dtype=a.dtype))))
    return UnionValue(read.disc, list(a) + list(b))


def union_to_written_value(
    union: UnionValue, dims: Any, tango_type: CmdArgType, fmt: AttrDataFormat
) -> Any:
    """The value a write method receives, as PyTango passes it."""
    arm = union.disc
    raw = union.value
    expected_arm = SCALAR_TYPES[tango_type][0] if tango_type in SCALAR_TYPES else None
    if expected_arm is not None and arm != expected_arm:
        raise DevFailed(
            make_error(
                "API_IncompatibleAttrDataType",
                f"Incompatible attribute type, expected type is : {tango_type.name}",
                "puretango.server.write_attribute",
            )
        )
    if tango_type is _C.DevEncoded:
        item = raw[0]
        return (item.encoded_format, bytes(item.encoded_data))
    if fmt is AttrDataFormat.SCALAR:
        if len(raw) < 1:
            raise DevFailed(
                make_error(
                    "API_AttrValueNotSet", "No value to write", "puretango.server.write_attribute"
                )
            )
        item = raw[0]
        if tango_type is _C.DevState:
            return DevState(int(item))
        return item if isinstance(item, str) else item.item()
    dim_x, dim_y = dims.dim_x, dims.dim_y
    if tango_type in (_C.DevString,):
        values = list(raw)
        if fmt is AttrDataFormat.IMAGE:
            return [values[i * dim_x : (i + 1) * dim_x] for i in range(dim_y)]
        return values
    if tango_type is _C.DevState:
        raw = np.array([int(s) for s in raw], dtype=np.uint32)
    if fmt is AttrDataFormat.IMAGE:
        return raw.reshape(dim_y, dim_x) if dim_y else raw.reshape(0, 0)
    return raw


def any_to_argin(value: CorbaAny, in_type: CmdArgType) -> Any:
    """A command's ``any`` -> the argument the command method receives (PyTango's types)."""
    expected = command_typecode(in_type)
    tc = value.typecode
    if in_type is _C.DevVoid:  # cppTango ignores whatever argument a void command is sent
        return None
    if not equivalent(tc, expected):
        raise _incompatible(in_type)
    v = value.value
    if in_type is _C.DevState:
        return DevState(v)
    if in_type is _C.DevEncoded:
        return (v[0], bytes(v[1]))
    if in_type in (_C.DevVarLongStringArray, _C.DevVarDoubleStringArray):
        return [v[0], list(v[1])]
    if in_type is _C.DevVarStateArray:
        return [DevState(s) for s in v]
    return v


def _incompatible(in_type: CmdArgType) -> DevFailed:
    return DevFailed(
        make_error(
            "API_IncompatibleCmdArgumentType",
            f"Incompatible argument type, expected type is : Tango::{in_type.name}",
            "puretango.server.command_inout",
        )
    )


def result_to_any(result: Any, out_type: CmdArgType) -> CorbaAny:
    """A command method's return value -> the ``any`` sent back."""
    if out_type is _C.DevVoid:
        return CorbaAny(command_typecode(out_type), None)
    try:
        return argin_to_any(result, out_type)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DevFailed(
            make_error(
                "API_IncompatibleCmdArgumentType",
                f"The command result {result!r} cannot be sent as {out_type.name}: {exc}",
                "puretango.server.command_inout",
            )
        ) from None
