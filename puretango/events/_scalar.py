"""The commonest event payload read and written in one step: an ``AttributeValue_5``
holding a numeric scalar (a read value and at most one set point), without the generic IDL
machinery and without numpy. Sans I/O.

Anything else (spectra, strings, states, errors inside the value, odd layouts) is left to
:func:`._frames.decode_payload` and :func:`._frames.encode_payload`:
:func:`read_numeric_scalar` then answers ``None``, :func:`numeric_scalar_payload` is not
called (its caller checks :func:`is_numeric_scalar`).

The layout (CDR, origin after frame 4's 4-byte filler): the union's discriminant and its
sequence count (``ulong`` each), the elements (aligned on their size, which offset 8
always is), then, aligned on 4: ``quality``, ``data_format``, ``data_type``, the time
stamp (three ``long``), the name (``ulong`` length with its NUL, then the bytes), then,
aligned on 4: ``r_dim``, ``w_dim`` (two ``long`` each) and the error list's count.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

__all__ = ["NumericScalar", "read_numeric_scalar", "is_numeric_scalar", "numeric_scalar_payload"]

#: union discriminant (AttributeDataType) -> struct code of its numeric elements
_ARM_CODES = {0: "?", 1: "h", 2: "i", 3: "q", 4: "f", 5: "d", 6: "B", 7: "H", 8: "I", 9: "Q"}
_SCALAR_FORMAT = 0
_FILLER = 4
_FILLER_BYTES = {True: b"\xc0\xde\xc0\xde", False: b"\xde\xc0\xde\xc0"}


class NumericScalar(NamedTuple):
    """The fields of a numeric scalar ``AttributeValue_5`` (enums as plain integers)."""

    arm: int
    values: tuple[bool | int | float, ...]
    quality: int
    data_type: int
    time: tuple[int, int, int]
    name: str
    r_dim: tuple[int, int]
    w_dim: tuple[int, int]


def _structs(little: bool) -> tuple[struct.Struct, struct.Struct, struct.Struct, dict]:
    order = "<" if little else ">"
    values = {
        (arm, count): (struct.Struct(order + code * count), struct.calcsize(code) * count)
        for arm, code in _ARM_CODES.items()
        for count in (1, 2)
    }
    return (
        struct.Struct(order + "II"),
        struct.Struct(order + "IIiiiiI"),
        struct.Struct(order + "iiiiI"),
        values,
    )


_LAYOUT = {little: _structs(little) for little in (True, False)}


def read_numeric_scalar(payload: bytes, little: bool) -> NumericScalar | None:
    """Frame 4 (filler included) read as a numeric scalar ``AttributeValue_5``, or None
    when it is something else (then decode it with :func:`._frames.decode_payload`)."""
    head, middle, tail, values_of = _LAYOUT[little]
    try:
        arm, count = head.unpack_from(payload, _FILLER)
        found = values_of.get((arm, count))
        if found is None:
            return None
        values_struct, size = found
        values = values_struct.unpack_from(payload, _FILLER + 8)
        pos = (8 + size + 3) & ~3
        quality, data_format, data_type, sec, usec, nsec, length = middle.unpack_from(
            payload, _FILLER + pos
        )
        if data_format != _SCALAR_FORMAT or length == 0:
            return None
        pos += 28
        start = _FILLER + pos
        name = payload[start : start + length - 1].decode("latin-1")
        pos = (pos + length + 3) & ~3
        rx, ry, wx, wy, errors = tail.unpack_from(payload, _FILLER + pos)
    except struct.error:
        return None
    if errors:
        return None
    return NumericScalar(
        arm, values, quality, data_type, (sec, usec, nsec), name, (rx, ry), (wx, wy)
    )


def is_numeric_scalar(arm: int, data_format: int, count: int, errors: int) -> bool:
    """Whether an ``AttributeValue_5`` with these fields is one :func:`numeric_scalar_payload`
    writes (``count`` values in the union, ``errors`` in its error list)."""
    return data_format == _SCALAR_FORMAT and not errors and (arm, count) in _LAYOUT[True][3]


def numeric_scalar_payload(value: NumericScalar, little: bool = True) -> bytes:
    """Frame 4 (filler included) of a numeric scalar ``AttributeValue_5``: the bytes
    :func:`._frames.encode_payload` writes for it."""
    head, middle, tail, values_of = _LAYOUT[little]
    values = value.values
    values_struct, size = values_of[value.arm, len(values)]
    name = value.name.encode("latin-1")
    pad = -(8 + size) % 4
    name_pad = -(len(name) + 1) % 4
    return b"".join(
        (
            _FILLER_BYTES[little],
            head.pack(value.arm, len(values)),
            values_struct.pack(*values),
            b"\0" * pad,
            middle.pack(value.quality, _SCALAR_FORMAT, value.data_type, *value.time, len(name) + 1),
            name,
            b"\0" * (1 + name_pad),
            tail.pack(*value.r_dim, *value.w_dim, 0),
        )
    )
