"""What a device answers from its polling buffers: the history operations
(``read_attribute_history_5/_4/_3``, ``command_inout_history_4/_2``) and the reads and
commands a client sends with ``DevSource.CACHE`` or ``CACHE_DEV``.

Rule 1: these are handler functions of :data:`._handlers.HANDLERS`
(``await op(servant, args, client)``); the records come from the server's
:class:`._polling.Poller`, the device path from the servant (``_read_values``,
``_op_command_inout``), so ``DevSource.DEV`` is exactly the servant's answer.

Rule 2: the history structs are laid out as cppTango lays them out (protocol.md §3.3):
``dates`` oldest first, every record's data concatenated newest first in one aliased
DevVarXxxArray ``any``, qualities, dimensions and errors run-length coded with
``start`` the newest record of a run and ``nb_elt`` the run's length.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import DevFailed, make_error
from ..giop._cdr import lazy_numpy
from ..giop._typecode import Any as CorbaAny
from ..idl import UnionValue
from ..idl import types as t
from ..idl._cmdargs import command_typecode
from ..idl._enums import (
    AttrDataFormat,
    AttributeDataType,
    AttrQuality,
    CmdArgType,
    DevSource,
    DevState,
)
from ..idl._values import TimeVal
from ._downgrade import downgrade, value_3
from ._runtime import failed_value

if TYPE_CHECKING:
    import numpy as np

    from ._polling import PolledObject, Poller, PollRecord
    from ._servant import ClientInfo, DeviceServant
else:
    np = lazy_numpy.bind(globals())

__all__ = [
    "op_read_attributes_5",
    "op_read_attributes_4",
    "op_read_attributes_3",
    "op_command_inout",
    "op_read_attribute_history_5",
    "op_read_attribute_history_4",
    "op_read_attribute_history_3",
    "op_read_attribute_history_2",
    "op_command_inout_history_4",
    "op_command_inout_history_2",
]

_A = AttributeDataType
_C = CmdArgType
_ALL_ATTRIBUTES = ("all attributes", "all attributes_3")
#: the reasons a CACHE_DEV read goes to the device instead
_FROM_DEVICE = ("API_AttrNotPolled", "API_NoDataYet", "API_NotUpdatedAnyMore")

#: AttrValUnion arm -> the DevVarXxxArray a history carries its data in
_ARM_ARRAYS: dict[AttributeDataType, Any] = {
    _A.ATT_BOOL: t.DevVarBooleanArray,
    _A.ATT_SHORT: t.DevVarShortArray,
    _A.ATT_LONG: t.DevVarLongArray,
    _A.ATT_LONG64: t.DevVarLong64Array,
    _A.ATT_FLOAT: t.DevVarFloatArray,
    _A.ATT_DOUBLE: t.DevVarDoubleArray,
    _A.ATT_UCHAR: t.DevVarCharArray,
    _A.ATT_USHORT: t.DevVarUShortArray,
    _A.ATT_ULONG: t.DevVarULongArray,
    _A.ATT_ULONG64: t.DevVarULong64Array,
    _A.ATT_STRING: t.DevVarStringArray,
    _A.ATT_STATE: t.DevVarStateArray,
    _A.DEVICE_STATE: t.DevVarStateArray,
    _A.ATT_ENCODED: t.DevVarEncodedArray,
}

#: a command's output type -> the array type its history carries (scalars in arrays)
_CMD_ARRAYS: dict[CmdArgType, CmdArgType] = {
    _C.DevBoolean: _C.DevVarBooleanArray,
    _C.DevShort: _C.DevVarShortArray,
    _C.DevLong: _C.DevVarLongArray,
    _C.DevFloat: _C.DevVarFloatArray,
    _C.DevDouble: _C.DevVarDoubleArray,
    _C.DevUShort: _C.DevVarUShortArray,
    _C.DevULong: _C.DevVarULongArray,
    _C.DevString: _C.DevVarStringArray,
    _C.ConstDevString: _C.DevVarStringArray,
    _C.DevUChar: _C.DevVarCharArray,
    _C.DevLong64: _C.DevVarLong64Array,
    _C.DevULong64: _C.DevVarULong64Array,
    _C.DevState: _C.DevVarStateArray,
    _C.DevEnum: _C.DevVarShortArray,
}
_PAIRS = (_C.DevVarLongStringArray, _C.DevVarDoubleStringArray)


def _error(reason: str, desc: str, origin: str) -> DevFailed:
    return DevFailed(make_error(reason, desc, origin))


def _poller(servant: DeviceServant) -> Poller | None:
    return getattr(servant.server, "poller", None)


# -- reads and commands with a DevSource ---------------------------------------------------


def _cached_value(servant: DeviceServant, poller: Poller | None, name: str) -> Any:
    """The last polled AttributeValue_5 of ``name``, or a failed value saying why not."""
    origin = "Device_3Impl::read_attributes_from_cache"
    key = name.lower()
    try:
        declared = name if key in ("state", "status") else servant._attribute(name).name
    except DevFailed as exc:
        return failed_value(name, exc.errors)
    obj = None if poller is None else poller.find(servant.name, "attribute", name)
    if obj is None:
        error = make_error("API_AttrNotPolled", f"Attribute {declared} not polled", origin)
    elif not obj.ring:
        error = make_error(
            "API_NoDataYet", f"No data available in cache for attribute {name}", origin
        )
    elif obj.is_stale(time.time()):
        error = make_error(
            "API_NotUpdatedAnyMore",
            f"Data in cache for attribute {name} not updated any more",
            origin,
        )
    else:
        return obj.ring[-1].value
    return failed_value(name, [error])


async def _read_with_source(
    servant: DeviceServant, names: list[str], source: DevSource, client: ClientInfo
) -> list[Any]:
    poller = _poller(servant)
    if source == DevSource.DEV or (
        source == DevSource.CACHE_DEV and (poller is None or not poller.polls(servant.name))
    ):  # the common case, kept quick: nothing of this device is in a polling buffer
        return await servant._read_values(names, client)
    if len(names) == 1 and names[0].lower() in _ALL_ATTRIBUTES:
        names = [a.name for a in servant.attributes.values() if a.readable]
    values = [_cached_value(servant, poller, n) for n in names]
    if source == DevSource.CACHE_DEV:
        missing = [
            i for i, v in enumerate(values) if v.err_list and v.err_list[0].reason in _FROM_DEVICE
        ]
        if missing:
            read = await servant._read_values([names[i] for i in missing], client)
            for i, value in zip(missing, read):
                values[i] = value
    return values


async def op_read_attributes_5(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> list[Any]:
    return await _read_with_source(servant, args[0], args[1], client)


async def op_read_attributes_4(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> list[Any]:
    values = await _read_with_source(servant, args[0], args[1], client)
    return [downgrade(v, t.AttributeValue_4) for v in values]


async def op_read_attributes_3(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> list[Any]:
    return [value_3(v) for v in await _read_with_source(servant, args[0], args[1], client)]


async def op_command_inout(servant: DeviceServant, args: list[Any], client: ClientInfo) -> Any:
    """``command_inout``/``_2``/``_4``: from the polling buffer for CACHE and CACHE_DEV."""
    source = args[2] if len(args) > 2 else DevSource.DEV
    poller = _poller(servant)
    if source == DevSource.CACHE or (
        source == DevSource.CACHE_DEV and poller is not None and poller.polls(servant.name)
    ):
        name = args[0]
        cmd = servant._command(name)
        obj = None if poller is None else poller.find(servant.name, "command", name)
        if obj is None and source == DevSource.CACHE:
            raise _error(
                "API_CmdNotPolled", f"Command {name} not polled", "Device_2Impl::command_inout_2"
            )
        if obj is not None:
            if not obj.ring:
                raise _error(
                    "API_NoDataYet",
                    f"No data available in cache for command {name}",
                    "Device_2Impl::command_inout_2",
                )
            last = obj.ring[-1]
            if last.errors:
                raise DevFailed(*last.errors)
            if obj.kind == "attribute":  # State or Status, polled as attributes
                return CorbaAny(command_typecode(cmd.out_type), _attribute_as_result(last.value))
            return last.value
    return await servant._op_command_inout(args, client)


def _attribute_as_result(av: Any) -> Any:
    value = av.value.value
    if av.value.disc == _A.DEVICE_STATE:
        return DevState(value)
    return value[0]


# -- attribute history -------------------------------------------------------------------------


def _polled(
    servant: DeviceServant, kind: str, name: str, depth: int, origin: str
) -> tuple[PolledObject, list[PollRecord]]:
    key = name.lower()
    poller = _poller(servant)
    obj = None if poller is None else poller.find(servant.name, kind, name)
    what = "Attribute" if kind == "attribute" else "Command"
    if obj is None:
        reason = "API_AttrNotPolled" if kind == "attribute" else "API_CmdNotPolled"
        raise _error(reason, f"{what} {key} not polled", origin)
    if not obj.ring:
        raise _error("API_NoDataYet", f"No data available in cache for {kind} {key}", origin)
    if depth < 0:
        raise _error("API_MemoryAllocation", "Can't allocate memory in server", origin)
    return obj, obj.last(depth)


def _attr_records(
    servant: DeviceServant, name: str, depth: int, origin: str
) -> tuple[PolledObject, list[PollRecord], AttrDataFormat, int]:
    key = name.lower()
    if key == "state":
        fmt, dtype = AttrDataFormat.SCALAR, int(_C.DevState)
    elif key == "status":
        fmt, dtype = AttrDataFormat.SCALAR, int(_C.DevString)
    else:
        attr = servant._attribute(name)
        fmt, dtype = attr.data_format, int(attr.data_type)
    obj, records = _polled(servant, "attribute", name, depth, origin)
    return obj, records, fmt, dtype


def _runs(
    items: Sequence[Any], same: Callable[[Any, Any], bool] = lambda a, b: a == b
) -> tuple[list[Any], list[Any]]:
    """Run-length code ``items`` (oldest first; None items are skipped and end a run):
    (values, EltInArray list), newest run first, as cppTango codes them."""
    values: list[Any] = []
    elts: list[Any] = []
    previous: Any = None
    for index in range(len(items) - 1, -1, -1):
        item = items[index]
        if item is None:
            previous = None
            continue
        if previous is not None and same(item, previous):
            elts[-1].nb_elt += 1
        else:
            values.append(item)
            elts.append(t.EltInArray(start=index, nb_elt=1))
        previous = item
    return values, elts


def _same_dim(a: Any, b: Any) -> bool:
    return bool(a.dim_x == b.dim_x and a.dim_y == b.dim_y)


def _same_errors(a: Any, b: Any) -> bool:
    def key(errors: Any) -> list[tuple[str, int, str, str]]:
        return [(e.reason, int(e.severity), e.desc, e.origin) for e in errors]

    return key(a) == key(b)


def _concat(parts: list[Any]) -> Any:
    """One sequence of every part (numpy arrays, bytes or lists)."""
    if any(hasattr(p, "dtype") for p in parts):
        return np.concatenate([np.asarray(p) for p in parts])
    if parts and all(isinstance(p, (bytes, bytearray)) for p in parts):
        return b"".join(bytes(p) for p in parts)
    out: list[Any] = []
    for part in parts:
        out.extend(_plain(item) for item in part)
    return out


def _plain(item: Any) -> Any:
    """A DevEncoded struct as the (format, data) pair an ``any`` writes."""
    if hasattr(item, "encoded_format"):
        return (item.encoded_format, bytes(item.encoded_data))
    return item


def _date(record: PollRecord) -> Any:
    if record.errors or record.value is None:
        stamp = TimeVal(record.when)
    else:
        stamp = record.value.time
    return TimeVal(stamp.tv_sec, stamp.tv_usec, 0)


def _history_tail(records: list[PollRecord]) -> dict[str, Any]:
    """The fields DevAttrHistory_4 and _5 share, from ``dates`` on."""
    no_dim = t.AttributeDim(dim_x=0, dim_y=0)
    quals: list[Any] = []
    r_dims: list[Any] = []
    w_dims: list[Any] = []
    errors: list[Any] = []
    data: list[Any] = []
    array_type = None
    for record in records:
        av = record.value
        if record.errors:
            quals.append(AttrQuality.ATTR_INVALID)
            r_dims.append(no_dim)
            w_dims.append(no_dim)
            errors.append(record.errors)
            continue
        quals.append(av.quality)
        r_dims.append(av.r_dim)
        w_dims.append(av.w_dim)
        errors.append(None)
        union: UnionValue = av.value
        if av.quality is AttrQuality.ATTR_INVALID or union.disc == _A.ATT_NO_DATA:
            continue
        array_type = _ARM_ARRAYS.get(AttributeDataType(union.disc), array_type)
        data.append([union.value] if union.disc == _A.DEVICE_STATE else union.value)
    q_values, q_elts = _runs(quals)
    r_values, r_elts = _runs(r_dims, _same_dim)
    w_values, w_elts = _runs(w_dims, _same_dim)
    e_values, e_elts = _runs(errors, _same_errors)
    if array_type is None or not data:
        value = CorbaAny(command_typecode(_C.DevVoid), None)
    else:
        value = CorbaAny(array_type.typecode, _concat(data[::-1]))
    return {
        "dates": [_date(r) for r in records],
        "value": value,
        "quals": q_values,
        "quals_array": q_elts,
        "r_dims": r_values,
        "r_dims_array": r_elts,
        "w_dims": w_values,
        "w_dims_array": w_elts,
        "errors": [list(e) for e in e_values],
        "errors_array": e_elts,
    }


async def op_read_attribute_history_5(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> Any:
    origin = "Device_5Impl::read_attribute_history_5"
    obj, records, fmt, dtype = _attr_records(servant, args[0], args[1], origin)
    return t.DevAttrHistory_5(
        name=obj.name, data_format=fmt, data_type=dtype, **_history_tail(records)
    )


async def op_read_attribute_history_4(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> Any:
    origin = "Device_4Impl::read_attribute_history_4"
    obj, records, _, _ = _attr_records(servant, args[0], args[1], origin)
    return t.DevAttrHistory_4(name=obj.name, **_history_tail(records))


async def op_read_attribute_history_3(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> list[Any]:
    origin = "Device_3Impl::read_attribute_history_3"
    _, records, _, _ = _attr_records(servant, args[0], args[1], origin)
    return [t.DevAttrHistory_3(attr_failed=bool(r.errors), value=value_3(r.value)) for r in records]


async def op_read_attribute_history_2(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> Any:
    raise _error(
        "API_NotSupported",
        "read_attribute_history_2 (IDL 2 clients) is not supported",
        "Device_2Impl::read_attribute_history_2",
    )


# -- command history -----------------------------------------------------------------------


def _cmd_records(
    servant: DeviceServant, name: str, depth: int, origin: str
) -> tuple[CmdArgType, list[PollRecord], bool]:
    key = name.lower()
    if key in ("state", "status"):
        obj, records = _polled(servant, "command", name, depth, origin)
        out = _C.DevState if key == "state" else _C.DevString
        return out, records, True
    out = CmdArgType(servant._command(name).out_type)
    obj, records = _polled(servant, "command", name, depth, origin)
    return out, records, False


def _result_parts(out: CmdArgType, value: Any) -> tuple[list[Any] | None, Any]:
    """(elements, dims) of one command result; elements None for a pair type."""
    if out in _PAIRS:
        nums, strs = value
        return None, t.AttributeDim(dim_x=len(strs), dim_y=len(nums))
    if out == _C.DevEncoded:
        return [tuple(value)], t.AttributeDim(dim_x=1, dim_y=0)
    if out in _CMD_ARRAYS:
        return [value], t.AttributeDim(dim_x=1, dim_y=0)
    items = value if isinstance(value, (bytes, bytearray)) else list(value)
    return list(items), t.AttributeDim(dim_x=len(items), dim_y=0)


async def op_command_inout_history_4(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> Any:
    origin = "Device_4Impl::command_inout_history_4"
    out, records, from_attribute = _cmd_records(servant, args[0], args[1], origin)
    no_dim = t.AttributeDim(dim_x=0, dim_y=0)
    dims: list[Any] = []
    errors: list[Any] = []
    parts: list[Any] = []
    nums: list[Any] = []
    for record in records:
        if record.errors:
            dims.append(no_dim)
            errors.append(record.errors)
            continue
        errors.append(None)
        if out == _C.DevVoid:
            dims.append(None)
            continue
        value = record.value
        value = _attribute_as_result(value) if from_attribute else value.value
        items, dim = _result_parts(out, value)
        dims.append(dim)
        if items is None:
            nums.append(value[0])
            parts.append(list(value[1]))
        else:
            parts.append(items)
    d_values, d_elts = _runs(dims, _same_dim)
    e_values, e_elts = _runs(errors, _same_errors)
    if out == _C.DevVoid or not parts:
        value = CorbaAny(command_typecode(_C.DevVoid), None)
    elif out in _PAIRS:
        value = CorbaAny(command_typecode(out), (_concat(nums[::-1]), _concat(parts[::-1])))
    else:
        array = _CMD_ARRAYS.get(out, out)
        tc = t.DevVarEncodedArray.typecode if out == _C.DevEncoded else command_typecode(array)
        value = CorbaAny(tc, _concat(parts[::-1]))
    return t.DevCmdHistory_4(
        dates=[_date_of_command(r) for r in records],
        value=value,
        dims=d_values,
        dims_array=d_elts,
        errors=[list(e) for e in e_values],
        errors_array=e_elts,
        cmd_type=int(out),
    )


def _date_of_command(record: PollRecord) -> Any:
    stamp = TimeVal(record.when)
    return TimeVal(stamp.tv_sec, stamp.tv_usec, 0)


async def op_command_inout_history_2(
    servant: DeviceServant, args: list[Any], client: ClientInfo
) -> list[Any]:
    origin = "Device_2Impl::command_inout_history_2"
    out, records, from_attribute = _cmd_records(servant, args[0], args[1], origin)
    history = []
    for record in records:
        if record.errors:
            value = CorbaAny(command_typecode(_C.DevVoid), None)
        elif from_attribute:
            value = CorbaAny(command_typecode(out), _attribute_as_result(record.value))
        else:
            value = record.value
        history.append(
            t.DevCmdHistory(
                time=_date_of_command(record),
                cmd_failed=bool(record.errors),
                value=value,
                errors=list(record.errors),
            )
        )
    return history
