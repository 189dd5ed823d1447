"""PyTango's type vocabulary helpers (``tango.utils``): the Python-name/numpy-type ->
Tango type table ``TO_TANGO_TYPE`` and its numpy inverse, the type of a Python value
(``get_tango_type``), a ``dtype`` as (Tango type, format) (``get_tango_type_format``), a
type hint parsed as PyTango 10 parses it (``parse_type_hint``) and the labels of a
DevEnum's ``enum.Enum`` (``get_enum_labels``)."""

from __future__ import annotations

import enum
import inspect
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from .idl._enums import AttrDataFormat, CmdArgType, DevState
from .server._typehints import parse_hint

__all__ = [
    "FROM_TANGO_TO_NUMPY_TYPE",
    "TO_TANGO_TYPE",
    "EnumTypeError",
    "get_enum_labels",
    "get_tango_type",
    "get_tango_type_format",
    "parse_type_hint",
]

_C = CmdArgType

#: Tango scalar type -> the numpy type PyTango reads it as
FROM_TANGO_TO_NUMPY_TYPE: dict[CmdArgType, Any] = {
    _C.DevBoolean: np.bool_,
    _C.DevUChar: np.ubyte,
    _C.DevShort: np.short,
    _C.DevUShort: np.ushort,
    _C.DevLong: np.int32,
    _C.DevULong: np.uint32,
    _C.DevLong64: np.int64,
    _C.DevULong64: np.uint64,
    _C.DevString: str,
    _C.DevDouble: np.float64,
    _C.DevFloat: np.float32,
}

_BY_NAME = {
    "int": _C.DevLong64,
    "int16": _C.DevShort,
    "int32": _C.DevLong,
    "int64": _C.DevLong64,
    "uint": _C.DevULong64,
    "uint16": _C.DevUShort,
    "uint32": _C.DevULong,
    "uint64": _C.DevULong64,
    "str": _C.DevString,
    "string": _C.DevString,
    "text": _C.DevString,
    "bool": _C.DevBoolean,
    "boolean": _C.DevBoolean,
    "bytes": _C.DevEncoded,
    "bytearray": _C.DevEncoded,
    "float": _C.DevDouble,
    "float32": _C.DevFloat,
    "float64": _C.DevDouble,
    "double": _C.DevDouble,
    "byte": _C.DevUChar,
    "chr": _C.DevUChar,
    "char": _C.DevUChar,
    "None": _C.DevVoid,
    "state": _C.DevState,
    "enum": _C.DevEnum,
}


def _to_tango_type_table() -> dict[Any, CmdArgType]:
    table: dict[Any, CmdArgType] = {
        int: _C.DevLong64,
        str: _C.DevString,
        bool: _C.DevBoolean,
        bytearray: _C.DevEncoded,
        float: _C.DevDouble,
        chr: _C.DevUChar,
        None: _C.DevVoid,
        **_BY_NAME,
    }
    for member in CmdArgType:
        if member.name.startswith("Dev") and member != _C.DevPipeBlob:  # not a dtype
            table[member.name] = table[member] = member
    for tango_type, numpy_type in FROM_TANGO_TO_NUMPY_TYPE.items():
        table[numpy_type] = tango_type
    return table


#: what PyTango accepts as a ``dtype`` (Python types, their names, numpy types, Tango
#: types and their names) -> the Tango type
TO_TANGO_TYPE = _to_tango_type_table()


def _is_sequence(obj: Any) -> bool:
    return isinstance(obj, (Sequence, np.ndarray, bytearray)) and not isinstance(obj, str)


def get_tango_type(obj: Any) -> tuple[CmdArgType, AttrDataFormat]:
    """The Tango type and format of a Python value: ``"abc"`` (DevString, SCALAR),
    ``[1, 2]`` (DevLong64, SPECTRUM), a 2-D numpy array of floats (DevDouble, IMAGE)...
    Raises ``TypeError`` for anything else."""
    if isinstance(obj, np.ndarray):
        if obj.ndim > 2:
            raise TypeError(
                f"cannot translate numpy array with {obj.ndim} dimensions to tango type"
            )
        return TO_TANGO_TYPE[str(obj.dtype)], AttrDataFormat(obj.ndim)
    if _is_sequence(obj):
        tango_type, dformat = get_tango_type(obj[0])
        return tango_type, AttrDataFormat(int(dformat) + 1)
    if isinstance(obj, str):
        return _C.DevString, AttrDataFormat.SCALAR
    if isinstance(obj, DevState):
        return _C.DevState, AttrDataFormat.SCALAR
    if isinstance(obj, (bool, np.bool_)):
        return _C.DevBoolean, AttrDataFormat.SCALAR
    if isinstance(obj, (int, np.integer)):
        return _C.DevLong64, AttrDataFormat.SCALAR
    if isinstance(obj, (numbers.Number, np.number)):
        return _C.DevDouble, AttrDataFormat.SCALAR
    raise TypeError(f"Unsupported type {type(obj)}")


def get_tango_type_format(
    dtype: Any, dformat: AttrDataFormat | None = None, caller: str | None = None
) -> tuple[CmdArgType, AttrDataFormat]:
    """A ``dtype`` (``int``, ``"float32"``, ``(str,)``, ``((bool,),)``...) as (Tango type,
    format); a given ``dformat`` is kept. Raises ``RuntimeError`` for an unknown type."""
    if dformat is None:
        dformat = AttrDataFormat.SCALAR
        for nested in (AttrDataFormat.SPECTRUM, AttrDataFormat.IMAGE):
            if not (_is_sequence(dtype) and not isinstance(dtype, np.ndarray)):
                break
            if not len(dtype):
                if caller == "attribute":
                    shape = "(<dtype>,)" if nested == AttrDataFormat.SPECTRUM else "((<dtype>,),)"
                    raise TypeError(
                        f"{nested.name.title()} attribute type must be specified as {shape}"
                    )
                break
            dtype, dformat = dtype[0], nested
    try:
        return TO_TANGO_TYPE[dtype], dformat
    except (KeyError, TypeError):
        hint = (
            'If you are declaring type with type hints and using "from __future__ import '
            'annotations", please read documentation to learn about limitations'
            if isinstance(dtype, str)
            else ""
        )
        raise RuntimeError(
            f"Cannot translate {dtype!r} to TANGO type. See documentation for the allowed "
            f"types{'. ' + hint if hint else ''}"
        ) from None


def _evaluated(annotation: str) -> Any:
    """A string annotation evaluated in the first caller frame (up to six back) that
    knows its names; left as is otherwise."""
    frame = inspect.currentframe()
    try:
        for _ in range(2):  # this helper's and parse_type_hint's frames
            frame = frame.f_back if frame is not None else None
        for _ in range(6):
            if frame is None:
                break
            try:
                return eval(annotation, frame.f_globals, frame.f_locals)  # noqa: S307
            except NameError:
                frame = frame.f_back
    finally:
        del frame
    return annotation


def parse_type_hint(annotation: Any, caller: str) -> tuple[Any, Any, int | None, int | None]:
    """A type hint as PyTango 10 reads it, for an "attribute", a "command" or a
    "property": (dtype, format, max_x, max_y). Raises ``RuntimeError`` for mixed-type
    tuples, and for IMAGE hints of commands and properties."""
    if isinstance(annotation, str):
        annotation = _evaluated(annotation)
    try:
        hint = parse_hint(annotation, "command" if caller == "property" else caller)
    except RuntimeError as exc:
        if caller != "property":
            raise
        message = str(exc).replace("Command", "Property").replace("command", "property")
        raise RuntimeError(message) from None
    dtype = hint.dtype
    if caller == "property" and hint.dformat == AttrDataFormat.SPECTRUM:
        dtype = dtype if isinstance(dtype, tuple) else (dtype,)
    return dtype, hint.dformat, hint.max_x, hint.max_y


class EnumTypeError(Exception):
    """Invalid Enum class for use with DEV_ENUM."""


def get_enum_labels(enum_cls: type[enum.Enum]) -> list[str]:
    """The member names of ``enum_cls``, which must be unique and valued 0, 1, 2 ...
    (as a DevEnum needs); ``EnumTypeError`` otherwise."""
    if not (isinstance(enum_cls, type) and issubclass(enum_cls, enum.Enum)):
        raise EnumTypeError(f"Input class '{enum_cls}' must be derived from enum.Enum")
    try:
        enum.unique(enum_cls)
    except ValueError as exc:
        raise EnumTypeError(f"Input class '{enum_cls}' must be unique - {exc}") from None
    values = [member.value for member in enum_cls]
    if not values:
        raise EnumTypeError(f"Input class '{enum_cls}' has no members!")
    if values != list(range(len(values))):
        raise EnumTypeError(
            f"Enum values for '{enum_cls}' must start at 0 and increment by 1.  Values: {values}"
        )
    return [member.name for member in enum_cls]
