"""Server-side value conversions: the values of device code <-> IDL attribute values and
command ``any``s, with a server's error reports (``DevFailed`` with cppTango's reasons).

The conversions themselves are shared with the client, in :mod:`puretango._pyvalues`;
this module adds what only a server does (checks of what clients send, the set point
joined to a read value, the time stamp of a value) and a short way for the commonest read
value, a plain Python float, int or bool of a numeric SCALAR attribute (the same union the
shared conversion makes).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed, make_error
from .._pyvalues import (
    ATTR_TYPES,
    any_to_python,
    argin_to_any,
    encoded_to_python,
    flat_to_python,
    image_rows,
    python_to_attr_union,
)
from ..giop._cdr import CdrEncoder, lazy_numpy
from ..giop._typecode import Any as CorbaAny
from ..giop._typecode import equivalent
from ..idl import UnionValue
from ..idl._cmdargs import command_typecode
from ..idl._enums import AttrDataFormat, AttributeDataType, CmdArgType
from ..idl._values import TimeVal
from ._dtypes import is_ndarray

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np
else:
    np = lazy_numpy.bind(globals())


__all__ = [
    "PreparedReply",
    "now",
    "read_value_to_union",
    "union_to_written_value",
    "any_to_argin",
    "result_to_any",
    "no_data_value",
    "join_read_and_set_point",
]

_C = CmdArgType
_A = AttributeDataType


def now() -> TimeVal:
    ts = time.time()
    sec = int(ts)
    return TimeVal(sec, int((ts - sec) * 1e6), 0)


#: numeric Tango type -> (arm, numpy dtype, Python type of the values taken as they are,
#: lowest, highest); filled on first use (numpy is imported then)
_PLAIN_SCALARS: dict[CmdArgType, tuple[AttributeDataType, Any, type, Any, Any]] = {}
_SCALAR_DIMS = (1, 0)


def _plain_scalar(tango_type: CmdArgType) -> tuple[AttributeDataType, Any, type, Any, Any] | None:
    """How a plain Python scalar (float, int or bool) is taken for a numeric type (None: not
    a numeric type, or the generic conversion decides)."""
    known = _PLAIN_SCALARS.get(tango_type)
    if known is not None or tango_type in _NOT_PLAIN:
        return known
    arm_code = ATTR_TYPES.get(tango_type)
    if arm_code is None or arm_code[1] is None or tango_type in (_C.DevEnum, _C.DevState):
        _NOT_PLAIN.add(tango_type)
        return None
    arm, code = arm_code
    dtype = np.dtype(code)
    entry: tuple[AttributeDataType, Any, type, Any, Any]
    if dtype.kind == "f":
        entry = (arm, dtype, float, None, None)
    elif dtype.kind == "b":
        entry = (arm, dtype, bool, None, None)
    else:
        info = np.iinfo(dtype)
        entry = (arm, dtype, int, int(info.min), int(info.max))
    _PLAIN_SCALARS[tango_type] = entry
    return entry


_NOT_PLAIN: set[CmdArgType] = set()


def read_value_to_union(
    value: Any, tango_type: CmdArgType, fmt: AttrDataFormat, enum_labels: Any = ()
) -> tuple[UnionValue, tuple[int, int]]:
    """A value returned by a read method -> (AttrValUnion, (dim_x, dim_y))."""
    if fmt is AttrDataFormat.SCALAR:  # the common case: a float, int or bool, taken as it is
        plain = _plain_scalar(tango_type)
        if plain is not None and type(value) is plain[2]:
            arm, dtype, _, low, high = plain
            if low is None or low <= value <= high:
                return UnionValue(arm, np.array((value,), dtype)), _SCALAR_DIMS
    if tango_type is _C.DevEnum and hasattr(value, "value") and not is_ndarray(value):
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
    if is_ndarray(a):
        return UnionValue(read.disc, np.concatenate((a, np.asarray(b, dtype=a.dtype))))
    return UnionValue(read.disc, list(a) + list(b))


def union_to_written_value(
    union: UnionValue, dims: Any, tango_type: CmdArgType, fmt: AttrDataFormat
) -> Any:
    """The value a write method receives, as PyTango passes it (numpy arrays; strings
    as a list, or a list of row lists)."""
    raw = union.value
    expected = ATTR_TYPES.get(tango_type)
    if expected is not None and union.disc != expected[0]:
        raise DevFailed(
            make_error(
                "API_IncompatibleAttrDataType",
                f"Incompatible attribute type, expected type is : {tango_type.name}",
                "puretango.server.write_attribute",
            )
        )
    if tango_type is _C.DevEncoded:
        return encoded_to_python(raw[0])
    if fmt is AttrDataFormat.SCALAR and len(raw) < 1:
        raise DevFailed(
            make_error(
                "API_AttrValueNotSet", "No value to write", "puretango.server.write_attribute"
            )
        )
    dim_x, dim_y = dims.dim_x, dims.dim_y
    if tango_type is _C.DevString and fmt is not AttrDataFormat.SCALAR:
        values = list(raw)
        return image_rows(values, dim_x, dim_y) if fmt is AttrDataFormat.IMAGE else values
    return flat_to_python(raw, tango_type, fmt, dim_x, dim_y)


def any_to_argin(value: CorbaAny, in_type: CmdArgType) -> Any:
    """A command's ``any`` -> the argument the command method receives (PyTango's types)."""
    if in_type is _C.DevVoid:  # cppTango ignores whatever argument a void command is sent
        return None
    expected = command_typecode(in_type)
    if not equivalent(value.typecode, expected):
        raise _incompatible(in_type)
    # shaped by the declared type: a peer may leave the names out of its TypeCode
    return any_to_python(CorbaAny(expected, value.value), in_type)


def _incompatible(in_type: CmdArgType) -> DevFailed:
    return DevFailed(
        make_error(
            "API_IncompatibleCmdArgumentType",
            f"Incompatible argument type, expected type is : Tango::{in_type.name}",
            "puretango.server.command_inout",
        )
    )


class PreparedReply:
    """A command result already in wire form: :meth:`write` puts the reply's ``any``
    (TypeCode, then value) into the reply. A command returns one to skip the conversion of
    a Python result (the Database server's cached replies); it is sent as it is."""

    __slots__ = ()

    def write(self, enc: CdrEncoder) -> None:
        raise NotImplementedError


def result_to_any(result: Any, out_type: CmdArgType) -> CorbaAny | PreparedReply:
    """A command method's return value -> the ``any`` sent back."""
    if isinstance(result, PreparedReply):
        return result
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
