"""The reply bodies of the commonest calls, read with a few ``struct`` calls instead of the
generic readers of :mod:`._types`: ``state()`` (one ``DevState``), ``ping()`` (nothing)
and ``read_attributes_5`` of one numeric scalar attribute without errors.

Rule 1: each reader takes a body that starts 8-aligned in its message (a plain GIOP reply
body starts at byte 24) and returns :data:`NOT_SIMPLE` for anything but the exact shape
it knows, including a body with bytes left over; the caller then uses the generic reader,
which gives the same values (the tests compare the two on real replies).

Rule 2: no value is built here that the generic reader would not build: the enums are the
same members and the time stamp the same :class:`TimeVal` class.
"""

from __future__ import annotations

import struct
from typing import Any

from ._enums import AttrDataFormat, AttributeDataType, AttrQuality, DevState
from ._values import TimeVal

__all__ = ["NOT_SIMPLE", "read_void", "read_state", "read_scalar_value_5"]

#: What a reader returns for a body it does not know.
NOT_SIMPLE: Any = object()

_new = object.__new__
_STATES = tuple(DevState)
_QUALITIES = tuple(AttrQuality)
_SCALAR = int(AttrDataFormat.SCALAR)
_ENDIAN = {True: "<", False: ">"}
_U32 = {little: struct.Struct(_ENDIAN[little] + "I").unpack_from for little in (True, False)}
_HEAD = {little: struct.Struct(_ENDIAN[little] + "III").unpack_from for little in (True, False)}
_TAIL = {little: struct.Struct(_ENDIAN[little] + "iiiiI").unpack_from for little in (True, False)}

#: numeric arm of AttrValUnion -> (struct code, item size)
_ARMS = {
    AttributeDataType.ATT_BOOL: ("?", 1),
    AttributeDataType.ATT_SHORT: ("h", 2),
    AttributeDataType.ATT_LONG: ("i", 4),
    AttributeDataType.ATT_LONG64: ("q", 8),
    AttributeDataType.ATT_FLOAT: ("f", 4),
    AttributeDataType.ATT_DOUBLE: ("d", 8),
    AttributeDataType.ATT_UCHAR: ("B", 1),
    AttributeDataType.ATT_USHORT: ("H", 2),
    AttributeDataType.ATT_ULONG: ("I", 4),
    AttributeDataType.ATT_ULONG64: ("Q", 8),
}
_ARM_BY_VALUE = {int(arm): arm for arm in _ARMS}

#: (little, arm, count) -> unpack_from of: the values (after the 12 bytes of list count,
#: discriminant and value count), quality, data_format, data_type, the time stamp's three
#: fields and the name's length
_MIDDLE: dict[tuple[bool, int, int], Any] = {}


def _middle(little: bool, arm: int, count: int) -> tuple[Any, int]:
    code, size = _ARMS[_ARM_BY_VALUE[arm]]
    pad = -12 % size
    after = 12 + pad + count * size
    fmt = f"{_ENDIAN[little]}{'x' * pad}{count}{code}{'x' * (-after % 4)}IIiiiiI"
    unpack = struct.Struct(fmt).unpack_from
    _MIDDLE[(little, arm, count)] = found = (unpack, 12 + struct.calcsize(fmt))
    return found


def read_void(body: Any, little: bool) -> Any:
    """The result of an operation returning nothing (``ping``): None."""
    return None if not len(body) else NOT_SIMPLE


def read_state(body: Any, little: bool) -> Any:
    """A ``DevState`` result (``state()``)."""
    if len(body) != 4:
        return NOT_SIMPLE
    value = _U32[little](body)[0]
    return _STATES[value] if value < len(_STATES) else NOT_SIMPLE


def read_scalar_value_5(body: Any, little: bool) -> Any:
    """An ``AttributeValueList_5`` holding one numeric SCALAR value without errors:
    ``(arm, values, quality, data_type, time, name, dim_x, dim_y, w_dim_x, w_dim_y)`` with
    ``values`` the list of the read value and the set point, if sent."""
    size = len(body)
    if size < 56:
        return NOT_SIMPLE
    listed, arm, count = _HEAD[little](body)
    if listed != 1 or count not in (1, 2) or arm not in _ARM_BY_VALUE:
        return NOT_SIMPLE
    found = _MIDDLE.get((little, arm, count))
    unpack, name_at = found if found is not None else _middle(little, arm, count)
    if name_at + 24 > size:
        return NOT_SIMPLE
    *values, quality, data_format, data_type, sec, usec, nsec, name_size = unpack(body, 12)
    tail_at = name_at + name_size
    tail_at += -tail_at % 4
    if data_format != _SCALAR or quality >= len(_QUALITIES) or not name_size:
        return NOT_SIMPLE
    if tail_at + 20 != size or body[name_at + name_size - 1]:  # no NUL: not a CDR string
        return NOT_SIMPLE
    dim_x, dim_y, w_dim_x, w_dim_y, errors = _TAIL[little](body, tail_at)
    if errors:
        return NOT_SIMPLE
    stamp = _new(TimeVal)
    stamp.tv_sec, stamp.tv_usec, stamp.tv_nsec = sec, usec, nsec
    name = bytes(body[name_at : name_at + name_size - 1]).decode("latin-1")
    return (
        _ARM_BY_VALUE[arm],
        values,
        _QUALITIES[quality],
        data_type,
        stamp,
        name,
        dim_x,
        dim_y,
        w_dim_x,
        w_dim_y,
    )
