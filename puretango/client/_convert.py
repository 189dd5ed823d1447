"""Conversions between IDL values and the Python values PyTango users see.

One table (:data:`SCALAR_TYPES`) says, for every Tango scalar type, which
``AttrValUnion`` arm carries it, which numpy dtype it maps to and which command
array type it pairs with; every conversion below is driven by it.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from .._errors import DevFailed, make_error
from ..giop._cdr import lazy_numpy
from ..giop._typecode import Any as CorbaAny
from ..giop._typecode import EnumTC, StructTC, strip_alias
from ..idl import types as t
from ..idl._cmdargs import command_typecode
from ..idl._enums import (
    AttrDataFormat,
    AttributeDataType,
    AttrMemorizedType,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    DevState,
    DispLevel,
    ExtractAs,
)
from ..idl._types import UnionValue
from ._types import (
    ArchiveEventInfo,
    AttributeAlarmInfo,
    AttributeEventInfo,
    AttributeInfoEx,
    ChangeEventInfo,
    CommandInfo,
    DeviceAttribute,
    DeviceInfo,
    PeriodicEventInfo,
)

np = lazy_numpy.bind(globals())

__all__ = [
    "SCALAR_TYPES",
    "attribute_value_to_device_attribute",
    "python_to_attr_union",
    "argin_to_any",
    "any_to_python",
    "config5_to_info",
    "info_to_config5",
    "cmd_info_from_idl",
    "device_info_from_idl",
]

_C = CmdArgType
_A = AttributeDataType

#: Tango scalar type -> (AttrValUnion arm, numpy dtype or None)
SCALAR_TYPES: dict[CmdArgType, tuple[AttributeDataType, str | None]] = {
    _C.DevBoolean: (_A.ATT_BOOL, "?"),
    _C.DevUChar: (_A.ATT_UCHAR, "u1"),
    _C.DevShort: (_A.ATT_SHORT, "i2"),
    _C.DevUShort: (_A.ATT_USHORT, "u2"),
    _C.DevLong: (_A.ATT_LONG, "i4"),
    _C.DevULong: (_A.ATT_ULONG, "u4"),
    _C.DevLong64: (_A.ATT_LONG64, "i8"),
    _C.DevULong64: (_A.ATT_ULONG64, "u8"),
    _C.DevFloat: (_A.ATT_FLOAT, "f4"),
    _C.DevDouble: (_A.ATT_DOUBLE, "f8"),
    _C.DevString: (_A.ATT_STRING, None),
    _C.DevState: (_A.ATT_STATE, "u4"),
    _C.DevEnum: (_A.ATT_SHORT, "i2"),
    _C.DevEncoded: (_A.ATT_ENCODED, None),
}
#: arm -> Tango type, for devices whose values carry no data_type (IDL 4)
_ARM_TYPES = {arm: tango for tango, (arm, _) in SCALAR_TYPES.items() if tango is not _C.DevEnum}
_ARM_TYPES[_A.DEVICE_STATE] = _C.DevState


_NUMERIC_ARMS = frozenset(
    arm
    for tango, (arm, dtype) in SCALAR_TYPES.items()
    if dtype is not None and tango is not _C.DevState
)
_CMD_ARG_TYPES = {int(m): m for m in CmdArgType}
_SCALAR = AttrDataFormat.SCALAR
_new = object.__new__


def attribute_value_to_device_attribute(
    av: Any, extract_as: ExtractAs = ExtractAs.Numpy
) -> DeviceAttribute:
    """Build a ``DeviceAttribute`` from an ``AttributeValue_5`` or ``_4``."""
    union = av.value
    if (
        av.data_format is _SCALAR
        and union.disc in _NUMERIC_ARMS
        and not av.err_list
        and len(union.value)
        and extract_as is not ExtractAs.Nothing
    ):
        return _numeric_scalar(av, union)
    return _general(av, extract_as)


def _numeric_scalar(av: Any, union: UnionValue) -> DeviceAttribute:
    """The common case, kept short: a scalar number, with or without a set point."""
    raw = union.value
    da = _new(DeviceAttribute)
    da.name = av.name
    da.quality = av.quality
    da.time = av.time
    da.data_format = _SCALAR
    da.type = _CMD_ARG_TYPES.get(getattr(av, "data_type", 0)) or _ARM_TYPES[union.disc]
    r_dim, w_dim = av.r_dim, av.w_dim
    da.dim_x, da.dim_y = r_dim.dim_x, r_dim.dim_y
    da.w_dim_x, da.w_dim_y = w_dim.dim_x, w_dim.dim_y
    da.has_failed = False
    da.is_empty = False
    da._errors = ()
    da.nb_read = 1
    da.value = value = raw[0].item()
    if w_dim.dim_x:
        da.nb_written = 1
        da.w_value = raw[1].item() if len(raw) > 1 else value
    else:
        da.nb_written = 0
        da.w_value = None
    return da


def _general(av: Any, extract_as: ExtractAs) -> DeviceAttribute:
    da = DeviceAttribute()
    da.name = av.name
    da.quality = av.quality
    da.time = av.time
    data_format = av.data_format
    union: UnionValue = av.value
    arm = AttributeDataType(union.disc)
    data_type = getattr(av, "data_type", None)
    if data_type is None:  # IDL 4 values carry no type: derive it from the union arm
        data_type = _ARM_TYPES.get(arm, _C.Unknown)
    da.type = _CMD_ARG_TYPES.get(data_type, _C.Unknown)
    da.data_format = data_format
    da._errors = tuple(av.err_list)
    r_dim, w_dim = av.r_dim, av.w_dim
    da.dim_x, da.dim_y = r_dim.dim_x, r_dim.dim_y
    da.w_dim_x, da.w_dim_y = w_dim.dim_x, w_dim.dim_y
    if arm is _A.ATT_NO_DATA:
        da.has_failed = (
            bool(da._errors) or av.quality == AttrQuality.ATTR_INVALID and bool(da._errors)
        )
        da.is_empty = True
        da.nb_read = da.nb_written = 0
        if av.quality == AttrQuality.ATTR_INVALID and not da._errors:
            # a valid read of an attribute whose quality is INVALID carries no value
            da.has_failed = False
        if data_format == AttrDataFormat.FMT_UNKNOWN and not da._errors:
            da.data_format = AttrDataFormat.SCALAR
        return da
    if extract_as == ExtractAs.Nothing:
        da.is_empty = False
        return da
    n_read = r_dim.dim_x * max(r_dim.dim_y, 1) if data_format != AttrDataFormat.SCALAR else 1
    n_written = (
        w_dim.dim_x * max(w_dim.dim_y, 1)
        if data_format != AttrDataFormat.SCALAR
        else min(w_dim.dim_x, 1)
    )
    if data_format == AttrDataFormat.IMAGE and r_dim.dim_y == 0:
        n_read = 0
    da.nb_read, da.nb_written = n_read, n_written
    if arm is _A.DEVICE_STATE:
        da.value = DevState(union.value)
        da.is_empty = False
        return da
    raw = union.value
    total = len(raw)
    if total == 0 and n_read <= 1 and data_format == AttrDataFormat.SCALAR:
        da.is_empty = True
        return da
    da.is_empty = total == 0
    read_part = raw[:n_read]
    if n_written and total >= n_read + n_written:
        write_part = raw[n_read : n_read + n_written]
    elif n_written:
        write_part = raw[:n_written] if total >= n_written else read_part
    elif data_format != AttrDataFormat.SCALAR:
        write_part = raw[:0]  # PyTango gives read-only arrays an empty set point, not None
    else:
        write_part = None
    da.value = _shape_value(read_part, da.type, data_format, r_dim.dim_x, r_dim.dim_y, extract_as)
    if write_part is not None:
        da.w_value = _shape_value(
            write_part, da.type, data_format, w_dim.dim_x, w_dim.dim_y, extract_as
        )
    return da


def _shape_value(
    part: Any,
    tango_type: CmdArgType,
    fmt: AttrDataFormat,
    dim_x: int,
    dim_y: int,
    extract_as: ExtractAs,
) -> Any:
    if fmt == AttrDataFormat.SCALAR:
        if len(part) == 0:
            return None
        item = part[0]
        if tango_type == _C.DevState:
            return DevState(int(item))
        if tango_type == _C.DevEncoded:
            return _encoded_value(item, extract_as)
        if isinstance(item, str):
            return item
        return item.item() if hasattr(item, "item") else item
    if tango_type == _C.DevEncoded:
        return tuple(_encoded_value(item, extract_as) for item in part)
    if tango_type == _C.DevString:
        values = tuple(part)
        if fmt == AttrDataFormat.IMAGE:
            values = tuple(tuple(values[i * dim_x : (i + 1) * dim_x]) for i in range(dim_y))
        return list(values) if extract_as == ExtractAs.List else values
    if tango_type == _C.DevState and not isinstance(part, np.ndarray):
        part = np.array([int(s) for s in part], dtype=np.uint32)
    arr = part
    if fmt == AttrDataFormat.IMAGE:
        arr = arr.reshape(dim_y, dim_x) if dim_y else arr.reshape(0, 0)
    if extract_as == ExtractAs.Numpy:
        return arr
    if extract_as == ExtractAs.List:
        return arr.tolist()
    if extract_as == ExtractAs.Tuple:
        lst = arr.tolist()
        return tuple(tuple(r) for r in lst) if fmt == AttrDataFormat.IMAGE else tuple(lst)
    if extract_as == ExtractAs.Bytes:
        return arr.tobytes()
    if extract_as == ExtractAs.ByteArray:
        return bytearray(arr.tobytes())
    if extract_as == ExtractAs.String:
        return arr.tobytes().decode("latin-1")
    return arr


def _encoded_value(item: Any, extract_as: ExtractAs) -> tuple[str, Any]:
    data = bytes(item.encoded_data)
    if extract_as == ExtractAs.String:
        return (item.encoded_format, data.decode("latin-1"))
    if extract_as == ExtractAs.ByteArray:
        return (item.encoded_format, bytearray(data))
    return (item.encoded_format, data)


# -- Python -> wire ---------------------------------------------------------------


def _type_error(value: Any, tango_type: CmdArgType) -> TypeError:
    return TypeError(
        f"cannot convert {value!r} ({type(value).__name__}) to Tango type {tango_type.name}"
    )


def _check_scalar(value: Any, tango_type: CmdArgType, dtype: np.dtype) -> Any:
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
                value = int(value)
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


def _numeric_array(value: Any, tango_type: CmdArgType, dtype: np.dtype) -> np.ndarray:
    if isinstance(value, np.ndarray):
        if value.dtype == dtype:
            return value
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
    """Convert a value to write into ``(AttrValUnion, (dim_x, dim_y))``."""
    if tango_type not in SCALAR_TYPES:
        raise TypeError(f"attributes of type {tango_type.name} cannot be written")
    arm, code = SCALAR_TYPES[tango_type]
    dtype = np.dtype(code) if code is not None else None
    if tango_type == _C.DevEncoded:
        fmt_str, data = _encoded_pair(value)
        return UnionValue(arm, [t.DevEncoded(encoded_format=fmt_str, encoded_data=data)]), (1, 0)
    if tango_type == _C.DevEnum and enum_labels:
        value = _enum_index(value, enum_labels, fmt)
    if fmt == AttrDataFormat.SCALAR:
        if tango_type == _C.DevString:
            if not isinstance(value, str):
                raise _type_error(value, tango_type)
            return UnionValue(arm, [value]), (1, 0)
        if tango_type == _C.DevState:
            return UnionValue(arm, [DevState(int(value))]), (1, 0)
        assert dtype is not None
        checked = _check_scalar(value, tango_type, dtype)
        return UnionValue(arm, np.array([checked], dtype=dtype)), (1, 0)
    if tango_type == _C.DevString:
        if isinstance(value, str):
            raise _type_error(value, tango_type)
        if fmt == AttrDataFormat.IMAGE:
            rows = [list(r) for r in value]
            flat = [s for r in rows for s in r]
            dims = (len(rows[0]) if rows else 0, len(rows))
        else:
            flat = list(value)
            dims = (len(flat), 0)
        if not all(isinstance(s, str) for s in flat):
            raise TypeError("string attributes take sequences of str")
        return UnionValue(arm, flat), dims
    if tango_type == _C.DevState:
        states = [DevState(int(s)) for s in np.asarray(value).reshape(-1)]
        shape = np.shape(value)
        dims = (shape[1], shape[0]) if fmt == AttrDataFormat.IMAGE else (len(states), 0)
        return UnionValue(arm, states), dims
    assert dtype is not None
    arr = _numeric_array(value, tango_type, dtype)
    if fmt == AttrDataFormat.IMAGE:
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

    if fmt == AttrDataFormat.SCALAR:
        return one(value)
    if isinstance(value, np.ndarray):
        return value
    return [one(v) if not isinstance(v, (list, tuple)) else [one(x) for x in v] for v in value]


def _encoded_pair(value: Any) -> tuple[str, bytes]:
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


# -- commands -----------------------------------------------------------------------

_CMD_SCALARS = {
    _C.DevBoolean: "?",
    _C.DevShort: "i2",
    _C.DevLong: "i4",
    _C.DevFloat: "f4",
    _C.DevDouble: "f8",
    _C.DevUShort: "u2",
    _C.DevULong: "u4",
    _C.DevUChar: "u1",
    _C.DevLong64: "i8",
    _C.DevULong64: "u8",
    _C.DevEnum: "i2",
}
_CMD_ARRAYS = {
    _C.DevVarBooleanArray: "?",
    _C.DevVarCharArray: "u1",
    _C.DevVarShortArray: "i2",
    _C.DevVarLongArray: "i4",
    _C.DevVarFloatArray: "f4",
    _C.DevVarDoubleArray: "f8",
    _C.DevVarUShortArray: "u2",
    _C.DevVarULongArray: "u4",
    _C.DevVarLong64Array: "i8",
    _C.DevVarULong64Array: "u8",
}


def argin_to_any(value: Any, in_type: CmdArgType) -> CorbaAny:
    """Convert a command argument to the ``any`` a Tango server expects."""
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
    if in_type in _CMD_SCALARS:
        return CorbaAny(tc, _check_scalar(value, in_type, np.dtype(_CMD_SCALARS[in_type])))
    if in_type in (_C.DevString, _C.ConstDevString):
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if not isinstance(value, str):
            raise _type_error(value, in_type)
        return CorbaAny(tc, value)
    if in_type == _C.DevState:
        return CorbaAny(tc, DevState(int(value)))
    if in_type in _CMD_ARRAYS:
        arr = _numeric_array(value, in_type, np.dtype(_CMD_ARRAYS[in_type]))
        return CorbaAny(tc, arr.reshape(-1))
    if in_type == _C.DevVarStringArray:
        if isinstance(value, str):
            raise _type_error(value, in_type)
        items = list(value)
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
        arr = _numeric_array(nums, num_type, np.dtype(_CMD_ARRAYS[num_type])).reshape(-1)
        if isinstance(strs, str) or not all(isinstance(s, str) for s in strs):
            raise TypeError(f"{in_type.name} takes a pair (numbers, strings)")
        return CorbaAny(tc, (arr, list(strs)))
    if in_type == _C.DevEncoded:
        return CorbaAny(tc, _encoded_pair(value))
    raise TypeError(f"command argument type {in_type.name} is not supported")


def any_to_python(value: CorbaAny, out_type: CmdArgType | None = None) -> Any:
    """Convert a command result ``any`` to the Python value PyTango returns."""
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
    if isinstance(v, list) and v and isinstance(v[0], int) and out_type == _C.DevVarStateArray:
        return [DevState(s) for s in v]
    if out_type == _C.DevEnum and isinstance(v, int):
        return v
    return v


# -- configuration, command and device info ------------------------------------------


def _memorized(memorized: bool, mem_init: bool) -> AttrMemorizedType:
    if not memorized:
        return AttrMemorizedType.NONE
    return AttrMemorizedType.MEMORIZED_WRITE_INIT if mem_init else AttrMemorizedType.MEMORIZED


def config5_to_info(c: Any) -> AttributeInfoEx:
    """``AttributeConfig_5`` (or ``_3``) -> ``AttributeInfoEx``."""
    alarm = c.att_alarm
    ev = c.event_prop
    return AttributeInfoEx(
        name=c.name,
        writable=AttrWriteType(c.writable),
        data_format=AttrDataFormat(c.data_format),
        data_type=CmdArgType(c.data_type) if c.data_type in CmdArgType.values else c.data_type,
        max_dim_x=c.max_dim_x,
        max_dim_y=c.max_dim_y,
        description=c.description,
        label=c.label,
        unit=c.unit,
        standard_unit=c.standard_unit,
        display_unit=c.display_unit,
        format=c.format,
        min_value=c.min_value,
        max_value=c.max_value,
        min_alarm=alarm.min_alarm,
        max_alarm=alarm.max_alarm,
        writable_attr_name=c.writable_attr_name,
        extensions=list(c.extensions),
        disp_level=DispLevel(c.level),
        alarms=AttributeAlarmInfo(
            min_alarm=alarm.min_alarm,
            max_alarm=alarm.max_alarm,
            min_warning=alarm.min_warning,
            max_warning=alarm.max_warning,
            delta_t=alarm.delta_t,
            delta_val=alarm.delta_val,
            extensions=list(alarm.extensions),
        ),
        events=AttributeEventInfo(
            ch_event=ChangeEventInfo(
                rel_change=ev.ch_event.rel_change,
                abs_change=ev.ch_event.abs_change,
                extensions=list(ev.ch_event.extensions),
            ),
            per_event=PeriodicEventInfo(
                period=ev.per_event.period, extensions=list(ev.per_event.extensions)
            ),
            arch_event=ArchiveEventInfo(
                archive_rel_change=ev.arch_event.rel_change,
                archive_abs_change=ev.arch_event.abs_change,
                archive_period=ev.arch_event.period,
                extensions=list(ev.arch_event.extensions),
            ),
        ),
        sys_extensions=list(c.sys_extensions),
        memorized=_memorized(getattr(c, "memorized", False), getattr(c, "mem_init", False)),
        enum_labels=list(getattr(c, "enum_labels", [])),
        root_attr_name=getattr(c, "root_attr_name", "Not specified"),
    )


def info_to_config5(info: AttributeInfoEx) -> Any:
    """``AttributeInfoEx`` -> ``AttributeConfig_5`` for ``set_attribute_config``."""
    alarms = getattr(info, "alarms", None) or AttributeAlarmInfo()
    events = getattr(info, "events", None) or AttributeEventInfo()
    mem = getattr(info, "memorized", AttrMemorizedType.NONE)
    return t.AttributeConfig_5(
        name=info.name,
        writable=info.writable,
        data_format=info.data_format,
        data_type=int(info.data_type),
        memorized=mem in (AttrMemorizedType.MEMORIZED, AttrMemorizedType.MEMORIZED_WRITE_INIT),
        mem_init=mem == AttrMemorizedType.MEMORIZED_WRITE_INIT,
        max_dim_x=info.max_dim_x,
        max_dim_y=info.max_dim_y,
        description=info.description,
        label=info.label,
        unit=info.unit,
        standard_unit=info.standard_unit,
        display_unit=info.display_unit,
        format=info.format,
        min_value=info.min_value,
        max_value=info.max_value,
        writable_attr_name=info.writable_attr_name,
        level=info.disp_level,
        root_attr_name=getattr(info, "root_attr_name", "Not specified"),
        enum_labels=list(getattr(info, "enum_labels", [])),
        att_alarm=t.AttributeAlarm(
            min_alarm=alarms.min_alarm,
            max_alarm=alarms.max_alarm,
            min_warning=alarms.min_warning,
            max_warning=alarms.max_warning,
            delta_t=alarms.delta_t,
            delta_val=alarms.delta_val,
            extensions=list(alarms.extensions),
        ),
        event_prop=t.EventProperties(
            ch_event=t.ChangeEventProp(
                rel_change=events.ch_event.rel_change,
                abs_change=events.ch_event.abs_change,
                extensions=list(events.ch_event.extensions),
            ),
            per_event=t.PeriodicEventProp(
                period=events.per_event.period, extensions=list(events.per_event.extensions)
            ),
            arch_event=t.ArchiveEventProp(
                rel_change=events.arch_event.archive_rel_change,
                abs_change=events.arch_event.archive_abs_change,
                period=events.arch_event.archive_period,
                extensions=list(events.arch_event.extensions),
            ),
        ),
        extensions=list(info.extensions),
        sys_extensions=list(getattr(info, "sys_extensions", [])),
    )


def cmd_info_from_idl(c: Any) -> CommandInfo:
    return CommandInfo(
        cmd_name=c.cmd_name,
        cmd_tag=c.cmd_tag,
        disp_level=DispLevel(getattr(c, "level", DispLevel.OPERATOR)),
        in_type=CmdArgType(c.in_type) if c.in_type in CmdArgType.values else c.in_type,
        in_type_desc=c.in_type_desc,
        out_type=CmdArgType(c.out_type) if c.out_type in CmdArgType.values else c.out_type,
        out_type_desc=c.out_type_desc,
    )


def device_info_from_idl(info: Any) -> DeviceInfo:
    return DeviceInfo(
        dev_class=info.dev_class,
        dev_type=getattr(info, "dev_type", ""),
        doc_url=info.doc_url,
        server_host=info.server_host,
        server_id=info.server_id,
        server_version=info.server_version,
        version_info={v.key: v.value for v in getattr(info, "version_info", [])},
    )
