"""Client-side types built from IDL values: ``DeviceAttribute`` from an attribute value,
``AttributeInfoEx`` from an attribute configuration (and back, to set it), ``CommandInfo``
and ``DeviceInfo``.

The value conversions themselves, and the type table that drives them, live in
:mod:`puretango._pyvalues` (shared with the server); the attribute configuration in
:mod:`puretango._attrconfig`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._pyvalues import ARM_TYPES, NUMERIC_ARMS, flat_to_python
from ..idl._enums import (
    AttrDataFormat,
    AttributeDataType,
    AttrMemorizedType,
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

if TYPE_CHECKING:
    from .._attrconfig import AttrConfig

__all__ = [
    "attribute_value_to_device_attribute",
    "scalar_read_to_device_attribute",
    "config5_to_info",
    "config_to_info",
    "info_to_config",
    "info_to_config5",
    "cmd_info_from_idl",
    "device_info_from_idl",
]

_C = CmdArgType
_A = AttributeDataType
_CMD_ARG_TYPES: dict[int, CmdArgType] = {int(m): m for m in CmdArgType}
_SCALAR = AttrDataFormat.SCALAR
_new = object.__new__


def attribute_value_to_device_attribute(
    av: Any, extract_as: ExtractAs = ExtractAs.Numpy
) -> DeviceAttribute:
    """Build a ``DeviceAttribute`` from an ``AttributeValue_5`` or ``_4``."""
    union = av.value
    if (
        av.data_format is _SCALAR
        and union.disc in NUMERIC_ARMS
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
    da.type = _CMD_ARG_TYPES.get(getattr(av, "data_type", 0)) or ARM_TYPES[union.disc]
    r_dim, w_dim = av.r_dim, av.w_dim
    da.dim_x, da.dim_y = r_dim.dim_x, r_dim.dim_y
    da.w_dim_x, da.w_dim_y = w_dim.dim_x, w_dim.dim_y
    da.has_failed = False
    da.is_empty = False
    da._errors = ()
    da.nb_read = 1
    da.value = value = raw.item(0)
    if w_dim.dim_x:
        da.nb_written = 1
        da.w_value = raw.item(1) if len(raw) > 1 else value
    else:
        da.nb_written = 0
        da.w_value = None
    return da


def scalar_read_to_device_attribute(fields: tuple[Any, ...]) -> DeviceAttribute:
    """:func:`_numeric_scalar` from what :func:`..idl._fast.read_scalar_value_5` read."""
    arm, values, quality, data_type, stamp, name, dim_x, dim_y, w_dim_x, w_dim_y = fields
    da = _new(DeviceAttribute)
    da.name = name
    da.quality = quality
    da.time = stamp
    da.data_format = _SCALAR
    da.type = _CMD_ARG_TYPES.get(data_type) or ARM_TYPES[arm]
    da.dim_x, da.dim_y = dim_x, dim_y
    da.w_dim_x, da.w_dim_y = w_dim_x, w_dim_y
    da.has_failed = False
    da.is_empty = False
    da._errors = ()
    da.nb_read = 1
    da.value = value = values[0]
    if w_dim_x:
        da.nb_written = 1
        da.w_value = values[1] if len(values) > 1 else value
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
        data_type = ARM_TYPES.get(arm, _C.Unknown)
    da.type = _CMD_ARG_TYPES.get(data_type, _C.Unknown)
    da.data_format = data_format
    da._errors = tuple(av.err_list)
    r_dim, w_dim = av.r_dim, av.w_dim
    da.dim_x, da.dim_y = r_dim.dim_x, r_dim.dim_y
    da.w_dim_x, da.w_dim_y = w_dim.dim_x, w_dim.dim_y
    if arm is _A.ATT_NO_DATA:
        # failed only if errors came with it: a valid read of an attribute whose quality
        # is INVALID carries no value and no error
        da.has_failed = bool(da._errors)
        da.is_empty = True
        da.nb_read = da.nb_written = 0
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
    da.value = flat_to_python(read_part, da.type, data_format, r_dim.dim_x, r_dim.dim_y, extract_as)
    if write_part is not None:
        da.w_value = flat_to_python(
            write_part, da.type, data_format, w_dim.dim_x, w_dim.dim_y, extract_as
        )
    return da


# -- configuration, command and device info ------------------------------------------


def config5_to_info(c: Any) -> AttributeInfoEx:
    """``AttributeConfig_5`` (or ``_3``) -> ``AttributeInfoEx``."""
    from .._attrconfig import AttrConfig  # on first use: building its class costs ~2 ms

    return config_to_info(AttrConfig.from_idl(c))


def config_to_info(c: AttrConfig) -> AttributeInfoEx:
    """An attribute configuration as PyTango shows it."""
    return AttributeInfoEx(
        name=c.name,
        writable=c.writable,
        data_format=c.data_format,
        data_type=c.data_type,
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
        min_alarm=c.min_alarm,
        max_alarm=c.max_alarm,
        writable_attr_name=c.writable_attr_name,
        extensions=list(c.extensions),
        disp_level=c.level,
        alarms=AttributeAlarmInfo(
            min_alarm=c.min_alarm,
            max_alarm=c.max_alarm,
            min_warning=c.min_warning,
            max_warning=c.max_warning,
            delta_t=c.delta_t,
            delta_val=c.delta_val,
            extensions=list(c.alarm_extensions),
        ),
        events=AttributeEventInfo(
            ch_event=ChangeEventInfo(
                rel_change=c.rel_change,
                abs_change=c.abs_change,
                extensions=list(c.change_extensions),
            ),
            per_event=PeriodicEventInfo(period=c.period, extensions=list(c.periodic_extensions)),
            arch_event=ArchiveEventInfo(
                archive_rel_change=c.archive_rel_change,
                archive_abs_change=c.archive_abs_change,
                archive_period=c.archive_period,
                extensions=list(c.archive_extensions),
            ),
        ),
        sys_extensions=list(c.sys_extensions),
        memorized=c.memorized_type,
        enum_labels=list(c.enum_labels),
        root_attr_name=c.root_attr_name,
    )


def info_to_config(info: Any) -> AttrConfig:
    """An ``AttributeInfoEx`` (or any object with its fields: ``AttributeInfo`` has no
    alarms, events, memorized flags, enum labels or root attribute) -> its configuration."""
    alarms: Any = getattr(info, "alarms", None) or AttributeAlarmInfo()
    events: Any = getattr(info, "events", None) or AttributeEventInfo()
    from .._attrconfig import AttrConfig, memorized_flags  # on first use, as above

    memorized, mem_init = memorized_flags(getattr(info, "memorized", AttrMemorizedType.NONE))
    ch, per, arch = events.ch_event, events.per_event, events.arch_event
    return AttrConfig(
        name=info.name,
        writable=info.writable,
        data_format=info.data_format,
        data_type=info.data_type,
        memorized=memorized,
        mem_init=mem_init,
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
        enum_labels=tuple(getattr(info, "enum_labels", ())),
        min_alarm=alarms.min_alarm,
        max_alarm=alarms.max_alarm,
        min_warning=alarms.min_warning,
        max_warning=alarms.max_warning,
        delta_t=alarms.delta_t,
        delta_val=alarms.delta_val,
        rel_change=ch.rel_change,
        abs_change=ch.abs_change,
        period=per.period,
        archive_rel_change=arch.archive_rel_change,
        archive_abs_change=arch.archive_abs_change,
        archive_period=arch.archive_period,
        extensions=tuple(info.extensions),
        sys_extensions=tuple(getattr(info, "sys_extensions", ())),
        alarm_extensions=tuple(alarms.extensions),
        change_extensions=tuple(ch.extensions),
        periodic_extensions=tuple(per.extensions),
        archive_extensions=tuple(arch.extensions),
    )


def info_to_config5(info: Any) -> Any:
    """``AttributeInfoEx`` -> ``AttributeConfig_5`` for ``set_attribute_config``."""
    return info_to_config(info).to_idl()


def cmd_info_from_idl(c: Any) -> CommandInfo:
    return CommandInfo(
        cmd_name=c.cmd_name,
        cmd_tag=c.cmd_tag,
        disp_level=DispLevel(getattr(c, "level", DispLevel.OPERATOR)),
        in_type=_CMD_ARG_TYPES.get(c.in_type, c.in_type),
        in_type_desc=c.in_type_desc,
        out_type=_CMD_ARG_TYPES.get(c.out_type, c.out_type),
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
