"""Pipe values: Python blobs <-> the IDL ``DevPipeDataElt`` sequences, both directions, for
the client (``read_pipe``/``write_pipe``) and the server (``read_<pipe>``/``write_<pipe>``).

Rule 1: PyTango 9's shapes. A blob is ``(blob_name, data)``. Received data is a list of
``{"name": str, "dtype": CmdArgType, "value": ...}``, a nested blob's value being itself a
``(name, list)`` blob. Data to send is a list of such dicts (``dtype`` optional, ``blob`` a
synonym of ``value``), of ``(name, value)`` pairs, or a dict ``{name: value}``; without
``dtype`` the type is inferred as PyTango 9 infers it (str: DevString, bool: DevBoolean,
int: DevLong64, float: DevDouble, DevState, numpy scalars and 1-D arrays by their dtype, a
sequence: the array type of its first item, a ``(str, sequence | dict)`` pair: a blob).

Rule 2: cppTango's wire conventions. A scalar travels as a one-element sequence in its
``AttrValUnion`` arm with ``inner_blob_name`` "Scalar", an array with "Array"; a nested blob
has ``union_no_data`` as value, its elements in ``inner_blob`` and its name in
``inner_blob_name``. Strings and states arrays come back as lists, numbers as numpy arrays
(``ExtractAs`` applies), as PyTango 9 returns them.

Layering: ``idl -> _errors -> _pyvalues -> _pipevalues -> client | server``.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._errors import DevFailed, make_error
from ._pyvalues import flat_to_python, python_to_attr_union
from .giop._cdr import lazy_numpy
from .idl._enums import AttrDataFormat, AttributeDataType, CmdArgType, DevState, ExtractAs
from .idl._pipes import DevPipeDataElt
from .idl._types import UnionValue

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np
else:
    np = lazy_numpy.bind(globals())

__all__ = [
    "SCALAR_PIPE",
    "ARRAY_PIPE",
    "Blob",
    "element_type",
    "blob_to_python",
    "python_to_blob",
]

#: ``inner_blob_name`` of an element holding one scalar, or an array (cppTango's names)
SCALAR_PIPE = "Scalar"
ARRAY_PIPE = "Array"

#: a pipe value as PyTango 9 gives it: ``(blob name, [{"name", "dtype", "value"}, ...])``
Blob = tuple[str, list[dict[str, Any]]]

_C = CmdArgType
_A = AttributeDataType
#: AttrValUnion arm -> (scalar type, array type) of the pipe elements it carries
_ARMS: dict[AttributeDataType, tuple[CmdArgType, CmdArgType | None]] = {
    _A.ATT_BOOL: (_C.DevBoolean, _C.DevVarBooleanArray),
    _A.ATT_SHORT: (_C.DevShort, _C.DevVarShortArray),
    _A.ATT_LONG: (_C.DevLong, _C.DevVarLongArray),
    _A.ATT_LONG64: (_C.DevLong64, _C.DevVarLong64Array),
    _A.ATT_FLOAT: (_C.DevFloat, _C.DevVarFloatArray),
    _A.ATT_DOUBLE: (_C.DevDouble, _C.DevVarDoubleArray),
    _A.ATT_UCHAR: (_C.DevUChar, _C.DevVarCharArray),
    _A.ATT_USHORT: (_C.DevUShort, _C.DevVarUShortArray),
    _A.ATT_ULONG: (_C.DevULong, _C.DevVarULongArray),
    _A.ATT_ULONG64: (_C.DevULong64, _C.DevVarULong64Array),
    _A.ATT_STRING: (_C.DevString, _C.DevVarStringArray),
    _A.ATT_STATE: (_C.DevState, _C.DevVarStateArray),
    _A.ATT_ENCODED: (_C.DevEncoded, None),
}
#: array type -> its element (scalar) type
_ELEMENT_OF = {array: scalar for scalar, array in _ARMS.values() if array is not None}
_ARRAY_OF = {scalar: array for array, scalar in _ELEMENT_OF.items()}
_SCALARS = frozenset(scalar for scalar, _ in _ARMS.values())
#: PyTango's dtype names and Python types -> scalar type (numpy dtypes by their name)
_BY_NAME = {
    "bool": _C.DevBoolean,
    "int8": _C.DevUChar,
    "uint8": _C.DevUChar,
    "int16": _C.DevShort,
    "uint16": _C.DevUShort,
    "int32": _C.DevLong,
    "uint32": _C.DevULong,
    "int64": _C.DevLong64,
    "uint64": _C.DevULong64,
    "float32": _C.DevFloat,
    "float64": _C.DevDouble,
    "int": _C.DevLong64,
    "float": _C.DevDouble,
    "double": _C.DevDouble,
    "str": _C.DevString,
    "string": _C.DevString,
    "bytes": _C.DevEncoded,
    "state": _C.DevState,
    "blob": _C.DevPipeBlob,
}
_BY_TYPE: dict[Any, CmdArgType] = {
    bool: _C.DevBoolean,
    int: _C.DevLong64,
    float: _C.DevDouble,
    str: _C.DevString,
    bytes: _C.DevEncoded,
    DevState: _C.DevState,
}
_UNSUPPORTED = "Unsupported data type in data element! (ATT_NO_DATA, DEVICE_STATE)"

# -- IDL -> Python ------------------------------------------------------------------------


def element_type(elt: Any) -> CmdArgType:
    """The Tango type of a received element, decided as cppTango's client decides it."""
    if elt.inner_blob:
        return _C.DevPipeBlob
    types = _ARMS.get(elt.value.disc)
    if types is None:
        raise DevFailed(
            make_error("API_PipeWrongArg", _UNSUPPORTED, "DevicePipeBlob::get_data_elt_type()")
        )
    scalar, array = types
    return scalar if elt.inner_blob_name == SCALAR_PIPE or array is None else array


def blob_to_python(
    name: str, elements: Sequence[Any], extract_as: ExtractAs = ExtractAs.Numpy
) -> Blob:
    """Received blob elements -> ``(name, [{"name", "dtype", "value"}, ...])``."""
    data = []
    for elt in elements:
        dtype = element_type(elt)
        data.append({"name": elt.name, "dtype": dtype, "value": _value(elt, dtype, extract_as)})
    return name, data


def _value(elt: Any, dtype: CmdArgType, extract_as: ExtractAs) -> Any:
    if dtype is _C.DevPipeBlob:
        return blob_to_python(elt.inner_blob_name, elt.inner_blob, extract_as)
    part = elt.value.value
    if dtype in _SCALARS:
        return flat_to_python(part, dtype, AttrDataFormat.SCALAR, 1, 0, extract_as)
    if dtype is _C.DevVarStringArray:
        return list(part)
    if dtype is _C.DevVarStateArray:
        return [DevState(int(s)) for s in part]
    element = _ELEMENT_OF[dtype]
    return flat_to_python(part, element, AttrDataFormat.SPECTRUM, len(part), 0, extract_as)


# -- Python -> IDL ------------------------------------------------------------------------


def python_to_blob(value: Any) -> tuple[str, list[Any]]:
    """A blob ``(name, data)`` to send -> ``(name, [DevPipeDataElt, ...])``.

    Raises ``TypeError`` or ``ValueError`` for values that do not make a blob."""
    if not _is_sequence(value) or len(value) != 2 or not isinstance(value[0], str):
        raise TypeError("a pipe value is a (blob name, data) pair")
    name, data = value
    return name, _elements(data)


def _elements(data: Any) -> list[Any]:
    if isinstance(data, Mapping):
        items: list[Any] = list(data.items())
    elif _is_sequence(data):
        items = list(data)
    else:
        raise TypeError("blob data is a sequence of elements or a dict {name: value}")
    return [_element(item) for item in items]


def _element(item: Any) -> Any:
    if isinstance(item, Mapping):
        if "name" not in item:
            raise TypeError("a pipe data element needs a 'name'")
        name, value, dtype = item["name"], item.get("value", item.get("blob")), item.get("dtype")
    elif _is_sequence(item) and len(item) == 2:
        (name, value), dtype = item, None
    else:
        raise TypeError(f"a pipe data element is a dict or a (name, value) pair, not {item!r}")
    tango_type = _inferred(value) if dtype is None else _declared(dtype)
    elt: Any = object.__new__(DevPipeDataElt.cls)
    elt.name = str(name)
    if tango_type is _C.DevPipeBlob:
        blob_name, inner = python_to_blob(value)
        if not inner:
            raise ValueError(f"the blob of data element {name!r} has no element")
        elt.value, elt.inner_blob, elt.inner_blob_name = (
            UnionValue(_A.ATT_NO_DATA, True),
            inner,
            blob_name,
        )
        return elt
    scalar: CmdArgType
    if tango_type in _SCALARS:
        fmt, marker, scalar = AttrDataFormat.SCALAR, SCALAR_PIPE, tango_type
    elif tango_type in _ELEMENT_OF:
        fmt, marker, scalar = AttrDataFormat.SPECTRUM, ARRAY_PIPE, _ELEMENT_OF[tango_type]
    else:
        raise TypeError(f"pipes cannot carry {tango_type.name} data")
    elt.value = python_to_attr_union(value, scalar, fmt)[0]
    elt.inner_blob, elt.inner_blob_name = [], marker
    return elt


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _inferred(value: Any) -> CmdArgType:
    """The Tango type PyTango 9 infers for a value given without ``dtype``."""
    if isinstance(value, np.ndarray) and value.ndim > 0:
        if value.ndim > 1:
            raise TypeError(f"cannot translate numpy array with {value.ndim} dimensions")
        return _array_of(_by_name(value.dtype.name))
    if isinstance(value, np.generic):
        return _by_name(value.dtype.name)
    if _is_sequence(value):
        if (
            len(value) == 2
            and isinstance(value[0], str)
            and (_is_sequence(value[1]) or isinstance(value[1], Mapping))
        ):
            return _C.DevPipeBlob
        if not value:
            raise ValueError("cannot determine the Tango type of an empty sequence")
        return _array_of(_inferred(value[0]))
    if isinstance(value, str):
        return _C.DevString
    if isinstance(value, DevState):
        return _C.DevState
    if isinstance(value, bool):
        return _C.DevBoolean
    if isinstance(value, numbers.Integral):
        return _C.DevLong64
    if isinstance(value, numbers.Real):
        return _C.DevDouble
    raise ValueError(f"cannot determine the Tango type of {value!r}")


def _declared(dtype: Any) -> CmdArgType:
    """A ``dtype`` given with an element: a Tango type, a Python or numpy type, a name, or
    a one-item sequence for an array of it."""
    if _is_sequence(dtype):
        if len(dtype) != 1 or _is_sequence(dtype[0]):
            raise TypeError("pipes do not carry 2-D data")
        return _array_of(_declared(dtype[0]))
    if isinstance(dtype, CmdArgType):
        return dtype
    if isinstance(dtype, type) and dtype in _BY_TYPE:
        return _BY_TYPE[dtype]
    if isinstance(dtype, str) and dtype.lower() in _BY_NAME:
        return _BY_NAME[dtype.lower()]
    try:
        return _by_name(np.dtype(dtype).name)
    except TypeError:
        raise TypeError(f"unknown pipe data type {dtype!r}") from None


def _by_name(name: str) -> CmdArgType:
    found = _BY_NAME.get(name)
    if found is None:
        raise TypeError(f"pipes cannot carry {name} data")
    return found


def _array_of(scalar: CmdArgType) -> CmdArgType:
    array = _ARRAY_OF.get(scalar)
    if array is None:
        raise TypeError(f"pipes have no array of {scalar.name}")
    return array
