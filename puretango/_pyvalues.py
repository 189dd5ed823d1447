"""Python values <-> Tango IDL values, both directions, for the client and the server alike.

Rule 1: one type table. What the conversions need to know about a Tango type is derived
from three declarations: the IDL type a command argument travels as
(:data:`~puretango.idl._cmdargs.COMMAND_ARG_TYPES`), the CDR primitive that carries one
element (:data:`~puretango.giop._cdr.PRIMITIVES` gives its numpy dtype) and the
``AttrValUnion`` arm that carries a sequence of such elements. :data:`TYPES` holds the
result; the dicts below it are views of it for the hot paths.

Rule 2: PyTango's conventions, in both directions. A value that does not fit its Tango type
raises ``TypeError`` or ``OverflowError`` (PyTango's client does the same); a server maps
them to ``DevFailed`` in its own words. Received values are shaped as PyTango shapes them
(numpy arrays, ``ExtractAs`` for clients, ``DevState`` members, ``(format, bytes)`` pairs).

Rule 3: numpy is imported on first use, so importing this module stays light.

Layering: ``giop -> idl -> _errors -> _pyvalues -> client | server``; nothing here knows
about connections, devices or proxies.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from ._errors import DevFailed, make_error
from .giop._cdr import PRIMITIVES, lazy_numpy
from .giop._typecode import Any as CorbaAny
from .giop._typecode import EnumTC, StructTC, strip_alias
from .idl import types as t
from .idl._cmdargs import COMMAND_ARG_TYPES, command_typecode
from .idl._enums import AttrDataFormat, AttributeDataType, CmdArgType, DevState, ExtractAs
from .idl._types import Alias, Enum, IdlType, Prim, Seq, UnionValue

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

__all__ = [
    "TangoType",
    "TYPES",
    "ATTR_TYPES",
    "ARM_TYPES",
    "NUMERIC_ARMS",
    "ARM_SEQUENCE_TYPES",
    "python_to_attr_union",
    "argin_to_any",
    "encoded_pair",
    "flat_to_python",
    "encoded_to_python",
    "image_rows",
    "any_to_python",
]

_C = CmdArgType
_A = AttributeDataType
_SCALAR = AttrDataFormat.SCALAR
_IMAGE = AttrDataFormat.IMAGE

# -- the type table -------------------------------------------------------------------


class TangoType(NamedTuple):
    """What the conversions know about one Tango type (``CmdArgType``)."""

    arg_type: CmdArgType
    #: the IDL type of a command argument of this type
    idl: IdlType
    #: the IDL type of one element: the type itself for scalars, the item type for arrays
    element: IdlType
    is_array: bool
    #: numpy dtype code of the CDR primitive carrying one element (an enum travels as a
    #: ulong); None for strings and structs
    dtype: str | None
    #: the AttrValUnion arm whose sequence carries elements of this type, if any
    arm: AttributeDataType | None


def _unalias(idl: IdlType) -> IdlType:
    while isinstance(idl, Alias):
        idl = idl.content
    return idl


def _element_of(idl: IdlType) -> tuple[IdlType, bool]:
    """(the IDL type of one element, whether ``idl`` is a sequence of them)."""
    idl = _unalias(idl)
    if isinstance(idl, Seq):
        return _unalias(idl.element), True
    return idl, False


def _carrier_dtype(element: IdlType) -> str | None:
    if isinstance(element, Prim):
        return PRIMITIVES[element.name][2]
    if isinstance(element, Enum):
        return PRIMITIVES["ulong"][2]
    return None


#: element IDL type -> the AttrValUnion arm carrying a sequence of it (from the union's arms)
_ARM_OF_ELEMENT: dict[IdlType, AttributeDataType] = {}
#: AttrValUnion arm -> its IDL sequence type (what an IDL 3 ``any`` carries)
ARM_SEQUENCE_TYPES: dict[AttributeDataType, IdlType] = {}
for _disc, _arm_type in t.AttrValUnion.arm_types.items():
    _elem, _is_seq = _element_of(_arm_type)
    if _is_seq:
        _ARM_OF_ELEMENT[_elem] = _A(_disc)
        ARM_SEQUENCE_TYPES[_A(_disc)] = _arm_type


def _describe(arg_type: CmdArgType, idl: IdlType) -> TangoType:
    element, is_array = _element_of(idl)
    dtype = _carrier_dtype(element)
    return TangoType(arg_type, idl, element, is_array, dtype, _ARM_OF_ELEMENT.get(element))


#: every Tango type a command argument can have (DevVoid excepted)
TYPES: dict[CmdArgType, TangoType] = {
    arg_type: _describe(arg_type, idl)
    for arg_type, idl in COMMAND_ARG_TYPES.items()
    if idl is not None
}

#: attribute data type -> (AttrValUnion arm, numpy dtype code or None): the scalar types
#: whose values an arm carries (ConstDevString is a command-only spelling of DevString)
ATTR_TYPES: dict[CmdArgType, tuple[AttributeDataType, str | None]] = {
    tt.arg_type: (tt.arm, tt.dtype)
    for tt in TYPES.values()
    if tt.arm is not None and not tt.is_array and tt.arg_type is not _C.ConstDevString
}
#: arm -> Tango type, for values that carry no data_type (IDL 4); DevEnum shares DevShort's
ARM_TYPES: dict[AttributeDataType, CmdArgType] = {
    arm: arg_type for arg_type, (arm, _) in ATTR_TYPES.items() if arg_type is not _C.DevEnum
}
ARM_TYPES[_A.DEVICE_STATE] = _C.DevState
#: arms that carry numbers (not strings, structs or states)
NUMERIC_ARMS = frozenset(
    arm
    for arg_type, (arm, dtype) in ATTR_TYPES.items()
    if dtype is not None and arg_type is not _C.DevState
)
#: numeric command scalars and arrays -> numpy dtype code (elements that are CDR primitives)
_NUMERIC_SCALARS = {
    tt.arg_type: tt.dtype
    for tt in TYPES.values()
    if isinstance(tt.element, Prim) and not tt.is_array and tt.dtype
}
_NUMERIC_ARRAYS = {
    tt.arg_type: tt.dtype
    for tt in TYPES.values()
    if isinstance(tt.element, Prim) and tt.is_array and tt.dtype
}

# -- Python -> IDL ----------------------------------------------------------------------


def _type_error(value: Any, tango_type: CmdArgType) -> TypeError:
    return TypeError(
        f"cannot convert {value!r} ({type(value).__name__}) to Tango type {tango_type.name}"
    )


def _check_scalar(value: Any, tango_type: CmdArgType, dtype: np.dtype[Any]) -> Any:
    """Validate a Python scalar for a numeric Tango type, as PyTango does."""
    kind = dtype.kind
    if kind == "b":
        if isinstance(value, (bool, np.bool_, numbers.Integral)):
            return bool(value)
        raise _type_error(value, tango_type)
    if kind in "iu":
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            if (
                isinstance(value, numbers.Real)
                and not isinstance(value, (bool, np.bool_))
                and float(value).is_integer()
                and not isinstance(value, float)
            ):
                value = math.trunc(value)  # an integral value of a non-float Real type
            elif isinstance(value, (bool, np.bool_)):
                value = int(value)
            else:
                raise _type_error(value, tango_type)
        info = np.iinfo(dtype)
        if not info.min <= int(value) <= info.max:
            raise OverflowError(f"{value} is out of range for Tango type {tango_type.name}")
        return int(value)
    if isinstance(value, (numbers.Real, np.bool_)) and not isinstance(value, str):
        return float(value)
    raise _type_error(value, tango_type)


def _numeric_array(value: Any, tango_type: CmdArgType, dtype: np.dtype[Any]) -> np.ndarray:
    if isinstance(value, np.ndarray):
        if value.dtype == dtype:
            return value
        if value.size == 0:  # an empty array has no value to lose (PyTango casts it)
            return value.astype(dtype)
        if value.dtype.kind == "f" and dtype.kind in "iub":
            raise _type_error(value, tango_type)
        if value.dtype.kind not in "biuf":
            raise _type_error(value, tango_type)
        return value.astype(dtype)
    if isinstance(value, (str, bytes)) and dtype.kind != "u":
        raise _type_error(value, tango_type)
    if isinstance(value, (bytes, bytearray)) and dtype == np.uint8:
        return np.frombuffer(value, dtype=np.uint8)
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"cannot convert {value!r} to a {tango_type.name} array: {exc}") from None
    if arr.size == 0:
        return arr.astype(dtype).reshape(arr.shape)
    if arr.dtype.kind not in "biuf":
        raise _type_error(value, tango_type)
    if arr.dtype.kind == "f" and dtype.kind in "iub":
        raise _type_error(value, tango_type)
    if arr.dtype.kind in "iu" and dtype.kind in "iu":
        info = np.iinfo(dtype)
        if arr.min() < info.min or arr.max() > info.max:
            raise OverflowError(f"values out of range for Tango type {tango_type.name}")
    return arr.astype(dtype)


def python_to_attr_union(
    value: Any, tango_type: CmdArgType, fmt: AttrDataFormat, enum_labels: Sequence[str] = ()
) -> tuple[UnionValue, tuple[int, int]]:
    """An attribute value (to write, or read by a device) -> ``(AttrValUnion, (x, y))``."""
    if tango_type not in ATTR_TYPES:
        raise TypeError(f"attributes of type {tango_type.name} cannot be written")
    arm, code = ATTR_TYPES[tango_type]
    dtype = np.dtype(code) if code is not None else None
    if tango_type == _C.DevEncoded:
        fmt_str, data = encoded_pair(value)
        return UnionValue(arm, [t.DevEncoded(encoded_format=fmt_str, encoded_data=data)]), (1, 0)
    if tango_type == _C.DevEnum and enum_labels:
        value = _enum_index(value, enum_labels, fmt)
    if fmt == _SCALAR:
        if tango_type == _C.DevString:
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if not isinstance(value, str):
                raise _type_error(value, tango_type)
            return UnionValue(arm, [value]), (1, 0)
        if tango_type == _C.DevState:
            return UnionValue(arm, [DevState(int(value))]), (1, 0)
        assert dtype is not None
        checked = _check_scalar(value, tango_type, dtype)
        return UnionValue(arm, np.array([checked], dtype=dtype)), (1, 0)
    dims: tuple[int, int]
    if tango_type == _C.DevString:
        if isinstance(value, str):
            raise _type_error(value, tango_type)
        if fmt == _IMAGE:
            rows = [list(r) for r in value]
            flat = [s for r in rows for s in r]
            dims = (len(rows[0]) if rows else 0, len(rows))
        else:
            flat = list(value)
            dims = (len(flat), 0)
        flat = _strings(flat)
        if not all(isinstance(s, str) for s in flat):
            raise TypeError("string attributes take sequences of str")
        return UnionValue(arm, flat), dims
    if tango_type == _C.DevState:
        states = [DevState(int(s)) for s in np.asarray(value).reshape(-1)]
        shape = np.shape(value)
        dims = (shape[1], shape[0]) if fmt == _IMAGE else (len(states), 0)
        return UnionValue(arm, states), dims
    assert dtype is not None
    arr = _numeric_array(value, tango_type, dtype)
    if fmt == _IMAGE:
        if arr.ndim != 2:
            if arr.size == 0:
                return UnionValue(arm, arr.reshape(-1)), (0, 0)
            raise TypeError(f"an IMAGE attribute needs a 2-D value, got shape {arr.shape}")
        dims = (arr.shape[1], arr.shape[0])
    else:
        if arr.ndim > 1:
            raise TypeError(f"a SPECTRUM attribute needs a 1-D value, got shape {arr.shape}")
        arr = arr.reshape(-1)
        dims = (arr.size, 0)
    return UnionValue(arm, np.ascontiguousarray(arr).reshape(-1)), dims


def _enum_index(value: Any, labels: Sequence[str], fmt: AttrDataFormat) -> Any:
    def one(v: Any) -> Any:
        if isinstance(v, str):
            try:
                return list(labels).index(v)
            except ValueError:
                raise AttributeError(
                    f"Invalid enum value {v!r}; valid labels are {list(labels)}"
                ) from None
        return v

    if fmt == _SCALAR:
        return one(value)
    if isinstance(value, np.ndarray):
        return value
    return [one(v) if not isinstance(v, (list, tuple)) else [one(x) for x in v] for v in value]


def encoded_pair(value: Any) -> tuple[str, bytes]:
    """A DevEncoded value ``(format, data)`` as ``(str, bytes)``; data may be bytes,
    bytearray, memoryview, str (latin-1) or a numpy array (its bytes)."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(
            "DevEncoded values are (format: str, data: bytes | bytearray | str | ndarray) pairs"
        )
    fmt_str, data = value
    if isinstance(data, str):
        data = data.encode("latin-1")
    elif isinstance(data, np.ndarray):
        data = data.tobytes()
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError("DevEncoded data must be bytes, bytearray, str or a numpy array")
    return str(fmt_str), bytes(data)


def _strings(values: Iterable[Any]) -> list[Any]:
    """``values`` as a list, bytes items decoded as latin-1 (as PyTango takes DevStrings)."""
    return [v.decode("latin-1") if isinstance(v, bytes) else v for v in values]


def argin_to_any(value: Any, in_type: CmdArgType) -> CorbaAny:
    """A command argument (or a command's result) -> the ``any`` a Tango peer expects."""
    tc = command_typecode(in_type)
    if in_type == _C.DevVoid:
        return CorbaAny(tc, None)
    if value is None:
        raise DevFailed(
            make_error(
                "API_IncompatibleCmdArgumentType",
                f"Command needs an argument of type {in_type.name}",
                "DeviceProxy.command_inout",
            )
        )
    code = _NUMERIC_SCALARS.get(in_type)
    if code is not None:
        return CorbaAny(tc, _check_scalar(value, in_type, np.dtype(code)))
    if in_type in (_C.DevString, _C.ConstDevString):
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str):
            raise _type_error(value, in_type)
        return CorbaAny(tc, value)
    if in_type == _C.DevState:
        return CorbaAny(tc, DevState(int(value)))
    code = _NUMERIC_ARRAYS.get(in_type)
    if code is not None:
        return CorbaAny(tc, _numeric_array(value, in_type, np.dtype(code)).reshape(-1))
    if in_type == _C.DevVarStringArray:
        if isinstance(value, str):
            raise _type_error(value, in_type)
        items = _strings(value)
        if not all(isinstance(s, str) for s in items):
            raise TypeError("DevVarStringArray takes a sequence of str")
        return CorbaAny(tc, items)
    if in_type == _C.DevVarStateArray:
        return CorbaAny(tc, [DevState(int(s)) for s in value])
    if in_type in (_C.DevVarLongStringArray, _C.DevVarDoubleStringArray):
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise TypeError(f"{in_type.name} takes a pair (numbers, strings)")
        nums, strs = value
        num_type = (
            _C.DevVarLongArray if in_type == _C.DevVarLongStringArray else _C.DevVarDoubleArray
        )
        arr = _numeric_array(nums, num_type, np.dtype(_NUMERIC_ARRAYS[num_type])).reshape(-1)
        strs = strs if isinstance(strs, (str, bytes)) else _strings(strs)
        if isinstance(strs, (str, bytes)) or not all(isinstance(s, str) for s in strs):
            raise TypeError(f"{in_type.name} takes a pair (numbers, strings)")
        return CorbaAny(tc, (arr, list(strs)))
    if in_type == _C.DevEncoded:
        return CorbaAny(tc, encoded_pair(value))
    raise TypeError(f"command argument type {in_type.name} is not supported")


# -- IDL -> Python ----------------------------------------------------------------------


def flat_to_python(
    part: Any,
    tango_type: CmdArgType,
    fmt: AttrDataFormat,
    dim_x: int,
    dim_y: int,
    extract_as: ExtractAs = ExtractAs.Numpy,
) -> Any:
    """A flat sequence of received attribute elements (a read part or a set point) as the
    Python value PyTango gives: a scalar (None if empty), else an array shaped by
    ``(dim_x, dim_y)`` and ``extract_as`` (strings: a tuple, or tuple of row tuples)."""
    if fmt == _SCALAR:
        if len(part) == 0:
            return None
        item = part[0]
        if tango_type == _C.DevState:
            return DevState(int(item))
        if tango_type == _C.DevEncoded:
            return encoded_to_python(item, extract_as)
        if isinstance(item, str):
            return item
        return item.item() if hasattr(item, "item") else item
    if tango_type == _C.DevEncoded:
        return tuple(encoded_to_python(item, extract_as) for item in part)
    if tango_type == _C.DevString:
        values = tuple(part)
        if fmt == _IMAGE:
            values = tuple(image_rows(values, dim_x, dim_y))
        return list(values) if extract_as == ExtractAs.List else values
    if tango_type == _C.DevState and not isinstance(part, np.ndarray):
        part = np.array([int(s) for s in part], dtype=np.uint32)
    arr = part
    if fmt == _IMAGE:
        # a never-written image's set point comes as one element with w_dim (1, 0): PyTango
        # shapes it (0, 1), keeping only dim_x * dim_y elements
        arr = arr[: dim_x * dim_y].reshape(dim_y, dim_x)
    if extract_as == ExtractAs.Numpy:
        return arr
    if extract_as == ExtractAs.List:
        return arr.tolist()
    if extract_as == ExtractAs.Tuple:
        lst = arr.tolist()
        return tuple(tuple(r) for r in lst) if fmt == _IMAGE else tuple(lst)
    if extract_as == ExtractAs.Bytes:
        return arr.tobytes()
    if extract_as == ExtractAs.ByteArray:
        return bytearray(arr.tobytes())
    if extract_as == ExtractAs.String:
        return arr.tobytes().decode("latin-1")
    return arr


def image_rows(values: Sequence[Any], dim_x: int, dim_y: int) -> list[Sequence[Any]]:
    """The ``dim_y`` rows of ``dim_x`` items of a flat image (slices of ``values``)."""
    return [values[i * dim_x : (i + 1) * dim_x] for i in range(dim_y)]


def encoded_to_python(item: Any, extract_as: ExtractAs = ExtractAs.Numpy) -> tuple[str, Any]:
    """A received ``DevEncoded`` struct -> ``(format, data)``: data as bytes (a str with
    ``ExtractAs.String``, a bytearray with ``ExtractAs.ByteArray``)."""
    data = bytes(item.encoded_data)
    if extract_as == ExtractAs.String:
        return (item.encoded_format, data.decode("latin-1"))
    if extract_as == ExtractAs.ByteArray:
        return (item.encoded_format, bytearray(data))
    return (item.encoded_format, data)


def any_to_python(value: CorbaAny, arg_type: CmdArgType | None = None) -> Any:
    """A command ``any`` (argument or result) -> the Python value PyTango gives.

    The shape follows the ``any``'s TypeCode; ``arg_type``, when known, only makes a
    DevVarStateArray a list of ``DevState``."""
    tc = strip_alias(value.typecode)
    v = value.value
    if v is None:
        return None
    if isinstance(tc, EnumTC):
        if tc.name == "DevState":
            return DevState(v)
        return v
    if isinstance(tc, StructTC):
        if tc.name == "DevEncoded":
            return (v[0], bytes(v[1]))
        if tc.name in ("DevVarLongStringArray", "DevVarDoubleStringArray"):
            return [v[0], list(v[1])]
        return v
    if isinstance(v, list) and v and isinstance(v[0], int) and arg_type == _C.DevVarStateArray:
        return [DevState(s) for s in v]
    return v
