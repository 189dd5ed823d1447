"""PyTango's dtype vocabulary: what ``attribute(dtype=...)`` and ``command(dtype_in=...)``
accept, mapped to a Tango type and data format."""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any

from ..giop._cdr import lazy_numpy
from ..idl._enums import AttrDataFormat, CmdArgType, DevState

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

__all__ = [
    "to_tango_type",
    "attribute_type",
    "command_type",
    "SCALAR_TO_ARRAY",
    "is_ndarray",
    "numpy_version",
]

_C = CmdArgType

_BY_NAME: dict[str, CmdArgType] = {
    "float": _C.DevDouble,
    "double": _C.DevDouble,
    "float64": _C.DevDouble,
    "float32": _C.DevFloat,
    "int": _C.DevLong64,
    "int64": _C.DevLong64,
    "int32": _C.DevLong,
    "int16": _C.DevShort,
    "uint16": _C.DevUShort,
    "uint32": _C.DevULong,
    "uint": _C.DevULong64,
    "uint64": _C.DevULong64,
    "byte": _C.DevUChar,
    "char": _C.DevUChar,
    "bool": _C.DevBoolean,
    "boolean": _C.DevBoolean,
    "str": _C.DevString,
    "string": _C.DevString,
    "text": _C.DevString,
    "bytes": _C.DevEncoded,
    "bytearray": _C.DevEncoded,
    "enum": _C.DevEnum,
    "state": _C.DevState,
}
_BY_OBJECT: dict[Any, CmdArgType] = {
    float: _C.DevDouble,
    int: _C.DevLong64,
    bool: _C.DevBoolean,
    str: _C.DevString,
    bytes: _C.DevEncoded,
    bytearray: _C.DevEncoded,
    DevState: _C.DevState,
}


@functools.cache
def _by_numpy_type() -> dict[Any, CmdArgType]:
    """numpy's scalar types (built on first use: a server that never meets numpy never
    imports it)."""
    return {
        np.float64: _C.DevDouble,
        np.float32: _C.DevFloat,
        np.int64: _C.DevLong64,
        np.int32: _C.DevLong,
        np.int16: _C.DevShort,
        np.uint8: _C.DevUChar,
        np.uint16: _C.DevUShort,
        np.uint32: _C.DevULong,
        np.uint64: _C.DevULong64,
        np.bool_: _C.DevBoolean,
    }


@functools.cache
def numpy_version() -> str:
    """numpy's version, read from its installed metadata unless it is already imported."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        return str(numpy.__version__)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("numpy")
    except PackageNotFoundError:
        return "?"


def is_ndarray(value: object) -> bool:
    """``isinstance(value, numpy.ndarray)`` without importing numpy (no numpy, no array)."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, numpy.ndarray)


#: scalar command type -> the array command type of the same element
SCALAR_TO_ARRAY = {
    _C.DevBoolean: _C.DevVarBooleanArray,
    _C.DevUChar: _C.DevVarCharArray,
    _C.DevShort: _C.DevVarShortArray,
    _C.DevUShort: _C.DevVarUShortArray,
    _C.DevLong: _C.DevVarLongArray,
    _C.DevULong: _C.DevVarULongArray,
    _C.DevLong64: _C.DevVarLong64Array,
    _C.DevULong64: _C.DevVarULong64Array,
    _C.DevFloat: _C.DevVarFloatArray,
    _C.DevDouble: _C.DevVarDoubleArray,
    _C.DevString: _C.DevVarStringArray,
    _C.DevState: _C.DevVarStateArray,
}


def to_tango_type(dtype: Any) -> CmdArgType:
    """One scalar dtype (a Python type, numpy type, name or CmdArgType) -> CmdArgType."""
    if dtype is None:
        return _C.DevVoid
    if isinstance(dtype, CmdArgType):
        return dtype
    if isinstance(dtype, int) and not isinstance(dtype, bool):
        return CmdArgType(dtype)
    if isinstance(dtype, str):
        if dtype in _BY_NAME:
            return _BY_NAME[dtype]
        if dtype in CmdArgType.names:
            return CmdArgType.names[dtype]
        if dtype.lower() in _BY_NAME:
            return _BY_NAME[dtype.lower()]
        raise TypeError(f"unknown Tango data type {dtype!r}")
    if dtype in _BY_OBJECT:
        return _BY_OBJECT[dtype]
    try:
        return _by_numpy_type()[np.dtype(dtype).type]
    except (TypeError, KeyError):
        raise TypeError(f"unknown Tango data type {dtype!r}") from None


def attribute_type(
    dtype: Any, dformat: AttrDataFormat | None = None
) -> tuple[CmdArgType, AttrDataFormat]:
    """``dtype`` of ``attribute()`` (with ``(t,)`` / ``((t,),)`` forms) -> (type, format)."""
    fmt = AttrDataFormat.SCALAR
    if isinstance(dtype, (tuple, list)):
        if len(dtype) != 1:
            raise TypeError(f"array dtype must hold one element type, got {dtype!r}")
        inner = dtype[0]
        if isinstance(inner, (tuple, list)):
            fmt, dtype = AttrDataFormat.IMAGE, inner[0]
        else:
            fmt, dtype = AttrDataFormat.SPECTRUM, inner
    if dformat is not None:
        fmt = AttrDataFormat(dformat)
    tango_type = to_tango_type(dtype if dtype is not None else float)
    # array CmdArgTypes given directly (e.g. DevVarDoubleArray) mean a spectrum of the scalar
    for scalar, array in SCALAR_TO_ARRAY.items():
        if tango_type is array:
            return scalar, AttrDataFormat.SPECTRUM if fmt is AttrDataFormat.SCALAR else fmt
    return tango_type, fmt


def command_type(dtype: Any, dformat: AttrDataFormat | None = None) -> CmdArgType:
    """``dtype_in``/``dtype_out`` of ``command()`` -> CmdArgType (``(t,)`` is the array type)."""
    if isinstance(dtype, (tuple, list)):
        if len(dtype) != 1:
            raise TypeError(f"array dtype must hold one element type, got {dtype!r}")
        scalar = to_tango_type(dtype[0])
        if scalar not in SCALAR_TO_ARRAY:
            raise TypeError(f"no command array type for {scalar.name}")
        return SCALAR_TO_ARRAY[scalar]
    tango_type = to_tango_type(dtype)
    if dformat == AttrDataFormat.SPECTRUM and tango_type in SCALAR_TO_ARRAY:
        return SCALAR_TO_ARRAY[tango_type]
    return tango_type
