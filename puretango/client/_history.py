"""The polling history as PyTango gives it: ``DeviceAttributeHistory`` (a
``DeviceAttribute`` per record) from a ``DevAttrHistory_5``/``_4``, and
``DeviceDataHistory`` (one command result per record) from a ``DevCmdHistory_4``.

The history structs carry every record's data in one sequence, newest record first, and
their qualities, dimensions and errors run-length coded (``start`` the newest record of a
run, ``nb_elt`` its length); records are returned oldest first, as cppTango returns them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._errors import DevFailed, make_error
from .._pyvalues import any_to_python
from ..giop._cdr import lazy_numpy
from ..giop._typecode import AliasTC
from ..giop._typecode import Any as CorbaAny
from ..idl import UnionValue
from ..idl import types as t
from ..idl._cmdargs import command_typecode
from ..idl._enums import AttrDataFormat, AttributeDataType, AttrQuality, CmdArgType, ExtractAs
from ..idl._values import DevError, TimeVal
from ._convert import attribute_value_to_device_attribute
from ._types import DeviceAttribute

__all__ = [
    "DeviceAttributeHistory",
    "DeviceDataHistory",
    "attribute_history_from_idl",
    "command_history_from_idl",
]

np = lazy_numpy.bind(globals())

_A = AttributeDataType
_C = CmdArgType
_ARRAY_ARMS = {
    "DevVarBooleanArray": _A.ATT_BOOL,
    "DevVarShortArray": _A.ATT_SHORT,
    "DevVarLongArray": _A.ATT_LONG,
    "DevVarLong64Array": _A.ATT_LONG64,
    "DevVarFloatArray": _A.ATT_FLOAT,
    "DevVarDoubleArray": _A.ATT_DOUBLE,
    "DevVarCharArray": _A.ATT_UCHAR,
    "DevVarUShortArray": _A.ATT_USHORT,
    "DevVarULongArray": _A.ATT_ULONG,
    "DevVarULong64Array": _A.ATT_ULONG64,
    "DevVarStringArray": _A.ATT_STRING,
    "DevVarStateArray": _A.ATT_STATE,
    "DevVarEncodedArray": _A.ATT_ENCODED,
}
#: command output types whose history holds one element per record
_SCALARS = frozenset(
    {
        _C.DevBoolean, _C.DevShort, _C.DevLong, _C.DevFloat, _C.DevDouble, _C.DevUShort,
        _C.DevULong, _C.DevString, _C.ConstDevString, _C.DevUChar, _C.DevLong64,
        _C.DevULong64, _C.DevState, _C.DevEncoded, _C.DevEnum,
    }
)  # fmt: skip
_PAIRS = (_C.DevVarLongStringArray, _C.DevVarDoubleStringArray)


class DeviceAttributeHistory(DeviceAttribute):
    """One record of an attribute's polling history (PyTango's ``DeviceAttributeHistory``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "DeviceAttributeHistory" + super().__repr__()[len("DeviceAttribute") :]


class DeviceDataHistory:
    """One record of a command's polling history (PyTango's ``DeviceDataHistory``)."""

    __slots__ = ("_value", "_time", "_type", "_errors")

    def __init__(
        self,
        value: Any = None,
        time: TimeVal | None = None,
        cmd_type: CmdArgType = _C.DevVoid,
        errors: Sequence[DevError] = (),
    ) -> None:
        self._value, self._time = value, time or TimeVal()
        self._type, self._errors = cmd_type, tuple(errors)

    def extract(self) -> Any:
        return self._value

    def get_date(self) -> TimeVal:
        return self._time

    def get_type(self) -> CmdArgType:
        return self._type

    def has_failed(self) -> bool:
        return bool(self._errors)

    def get_err_stack(self) -> tuple[DevError, ...]:
        return self._errors

    def is_empty(self) -> bool:
        return self._value is None

    def __repr__(self) -> str:
        return "DeviceDataHistory()"

    def __str__(self) -> str:
        return "DeviceDataHistory[\n\n]"


def _wrong_buffer() -> DevFailed:
    return DevFailed(
        make_error(
            "API_WrongHistoryDataBuffer",
            "Data buffer received from server is not valid !",
            "DeviceProxy::from_hist_2_AttHistory",
        )
    )


def _expand(values: Sequence[Any], elts: Sequence[Any], out: list[Any]) -> None:
    """Undo the run-length coding: ``out[start - k] = value`` for each run."""
    if len(values) != len(elts):
        raise _wrong_buffer()
    for value, elt in zip(values, elts):
        for k in range(elt.nb_elt):
            index = elt.start - k
            if not 0 <= index < len(out):
                raise _wrong_buffer()
            out[index] = value


def _data_of(value: CorbaAny) -> tuple[AttributeDataType | None, Any]:
    tc = value.typecode
    data = value.value
    if data is None or not isinstance(tc, AliasTC):
        return None, None
    arm = _ARRAY_ARMS.get(tc.name)
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = np.frombuffer(bytes(data), dtype=np.uint8)
    return arm, data


def attribute_history_from_idl(
    hist: Any, extract_as: ExtractAs = ExtractAs.Numpy
) -> list[DeviceAttributeHistory]:
    """A ``DevAttrHistory_5`` (or ``_4``) as PyTango's list, oldest record first."""
    n = len(hist.dates)
    no_dim = t.AttributeDim(dim_x=0, dim_y=0)
    quals: list[Any] = [AttrQuality.ATTR_VALID] * n
    r_dims: list[Any] = [no_dim] * n
    w_dims: list[Any] = [no_dim] * n
    errors: list[Any] = [()] * n
    _expand(hist.quals, hist.quals_array, quals)
    _expand(hist.r_dims, hist.r_dims_array, r_dims)
    _expand(hist.w_dims, hist.w_dims_array, w_dims)
    _expand(hist.errors, hist.errors_array, errors)
    arm, data = _data_of(hist.value)
    base = 0 if data is None else len(data)
    data_format = getattr(hist, "data_format", None)
    data_type = getattr(hist, "data_type", 0)
    out = []
    for i in range(n):
        av: Any = object.__new__(t.AttributeValue_5.cls)
        av.name, av.time, av.err_list = hist.name, hist.dates[i], list(errors[i])
        av.quality, av.r_dim, av.w_dim = quals[i], r_dims[i], w_dims[i]
        av.data_type = data_type
        failed = bool(errors[i]) or quals[i] is AttrQuality.ATTR_INVALID
        if failed or arm is None:
            av.value = UnionValue(_A.ATT_NO_DATA, True)
            av.data_format = AttrDataFormat.FMT_UNKNOWN if errors[i] else data_format
            if failed and errors[i]:
                av.quality = AttrQuality.ATTR_INVALID
        else:
            r, w = r_dims[i], w_dims[i]
            length = (r.dim_x if r.dim_y == 0 else r.dim_x * r.dim_y) + (
                w.dim_x if w.dim_y == 0 else w.dim_x * w.dim_y
            )
            av.value = UnionValue(arm, data[base - length : base])
            base -= length
            av.data_format = data_format if data_format is not None else AttrDataFormat.SCALAR
        da = attribute_value_to_device_attribute(av, extract_as)
        record = object.__new__(DeviceAttributeHistory)
        for slot in DeviceAttribute.__slots__:
            setattr(record, slot, getattr(da, slot))
        out.append(record)
    return out


def command_history_from_idl(hist: Any) -> list[DeviceDataHistory]:
    """A ``DevCmdHistory_4`` as PyTango's list, oldest record first."""
    n = len(hist.dates)
    errors: list[Any] = [()] * n
    dims: list[Any] = [t.AttributeDim(dim_x=0, dim_y=0)] * n
    _expand(hist.errors, hist.errors_array, errors)
    _expand(hist.dims, hist.dims_array, dims)
    cmd_type = CmdArgType(hist.cmd_type)
    data = hist.value.value
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = np.frombuffer(bytes(data), dtype=np.uint8)
    tc = command_typecode(cmd_type)
    if cmd_type in _PAIRS and data is not None:
        base_num, base_str = len(data[0]), len(data[1])
    else:
        base = 0 if data is None else len(data)
    out = []
    for i in range(n):
        if errors[i] or data is None:
            out.append(DeviceDataHistory(None, hist.dates[i], cmd_type, errors[i]))
            continue
        if cmd_type in _PAIRS:
            n_str, n_num = dims[i].dim_x, dims[i].dim_y
            nums = data[0][base_num - n_num : base_num]
            strs = data[1][base_str - n_str : base_str]
            base_num, base_str = base_num - n_num, base_str - n_str
            value = any_to_python(CorbaAny(tc, (nums, strs)), cmd_type)
        elif cmd_type in _SCALARS:
            item = data[base - 1]
            base -= 1
            if cmd_type == _C.DevEncoded:
                item = (item[0], bytes(item[1]))
            value = any_to_python(CorbaAny(tc, item), cmd_type)
            if hasattr(value, "item"):
                value = value.item()
        else:
            length = dims[i].dim_x
            value = any_to_python(CorbaAny(tc, data[base - length : base]), cmd_type)
            base -= length
        out.append(DeviceDataHistory(value, hist.dates[i], cmd_type))
    return out
