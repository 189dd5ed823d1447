"""Public client-side data classes with PyTango's names, fields and reprs:
``DeviceAttribute``, ``AttributeDimension``, ``AttributeInfoEx`` (and its parts),
``CommandInfo``, ``DeviceInfo``, the list types the proxy returns them in
(``AttributeInfoList``, ``AttributeInfoListEx``, ``CommandInfoList``), and
``PyTangoUserWarning``, the category of the warnings the client gives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from ..idl._enums import (
    AttrDataFormat,
    AttrMemorizedType,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    DispLevel,
    ExtractAs,
)
from ..idl._values import DevError, TimeVal

__all__ = [
    "AttributeDimension",
    "DeviceAttribute",
    "AttributeAlarmInfo",
    "ChangeEventInfo",
    "PeriodicEventInfo",
    "ArchiveEventInfo",
    "AttributeEventInfo",
    "AttributeInfo",
    "AttributeInfoEx",
    "CommandInfo",
    "DeviceInfo",
    "AttributeInfoList",
    "AttributeInfoListEx",
    "CommandInfoList",
    "PyTangoUserWarning",
]


class PyTangoUserWarning(UserWarning):
    """Warnings about how the API is used (PyTango's category)."""


class _Record:
    """Plain record: keyword construction, field-wise equality, PyTango-style repr."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, **kwargs: Any) -> None:
        for name in self._fields:
            default = self._defaults.get(name)
            value = (
                kwargs.pop(name)
                if name in kwargs
                else (default() if callable(default) else default)
            )
            object.__setattr__(self, name, value)
        if kwargs:
            raise TypeError(f"{type(self).__name__} has no field(s) {', '.join(kwargs)}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    def _str_fields(self) -> list[str]:
        return sorted(self._fields)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{f} = {getattr(self, f)!r}" for f in sorted(self._fields))
        return f"{type(self).__name__}({inner})"

    def __str__(self) -> str:
        return pretty(self, sorted(self._fields))


def pretty(obj: Any, fields: Iterable[str], indent: str = "") -> str:
    """PyTango's multi-line ``str`` of a structure: ``Name[`` then one ``field = value``
    per line (strings in double quotes, nested structures indented), then ``]``."""
    inner = indent + "    "
    lines = [f"{type(obj).__name__}["]
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, (_Record, DeviceAttribute)):
            text = pretty(value, value._str_fields(), inner)
        elif isinstance(value, str):
            text = f'"{value}"'.replace("\n", "\n" + inner)
        elif isinstance(value, dict):
            text = json.dumps(value, indent=4).replace("\n", "\n" + inner)
        else:
            text = repr(value).replace("\n", "\n" + inner)
        lines.append(f"{inner}{name} = {text}")
    lines.append(f"{indent}]")
    return "\n".join(lines)


class AttributeDimension(_Record):
    _fields = ("dim_x", "dim_y")
    _defaults = {"dim_x": 0, "dim_y": 0}

    def __init__(self, dim_x: int = 0, dim_y: int = 0) -> None:
        self.dim_x = dim_x
        self.dim_y = dim_y


class DeviceAttribute:
    """The result of reading an attribute (PyTango's ``DeviceAttribute``)."""

    ExtractAs = ExtractAs
    __slots__ = (
        "data_format",
        "dim_x",
        "dim_y",
        "has_failed",
        "is_empty",
        "name",
        "nb_read",
        "nb_written",
        "quality",
        "time",
        "type",
        "value",
        "w_dim_x",
        "w_dim_y",
        "w_value",
        "_errors",
    )
    _REPR_FIELDS = (
        "data_format",
        "dim_x",
        "dim_y",
        "has_failed",
        "is_empty",
        "name",
        "nb_read",
        "nb_written",
        "quality",
        "r_dimension",
        "time",
        "type",
        "value",
        "w_dim_x",
        "w_dim_y",
        "w_dimension",
        "w_value",
    )

    def __init__(self, other: DeviceAttribute | None = None) -> None:
        if other is not None:
            import copy

            for slot in self.__slots__:
                setattr(self, slot, copy.deepcopy(getattr(other, slot)))
            return
        self.data_format = AttrDataFormat.FMT_UNKNOWN
        self.dim_x = self.dim_y = 0
        self.has_failed = False
        self.is_empty = True
        self.name = ""
        self.nb_read = self.nb_written = 0
        self.quality = AttrQuality.ATTR_VALID
        self.time = TimeVal()
        self.type = CmdArgType.Unknown
        self.value: Any = None
        self.w_dim_x = self.w_dim_y = 0
        self.w_value: Any = None
        self._errors: tuple[DevError, ...] = ()

    @property
    def r_dimension(self) -> AttributeDimension:
        return AttributeDimension(self.dim_x, self.dim_y)

    @property
    def w_dimension(self) -> AttributeDimension:
        return AttributeDimension(self.w_dim_x, self.w_dim_y)

    def get_date(self) -> TimeVal:
        return self.time

    def get_err_stack(self) -> tuple[DevError, ...]:
        return self._errors

    def set_w_dim_x(self, v: int) -> None:
        self.w_dim_x = v

    def set_w_dim_y(self, v: int) -> None:
        self.w_dim_y = v

    def __repr__(self) -> str:
        inner = ", ".join(f"{f} = {getattr(self, f)!r}" for f in self._REPR_FIELDS)
        return f"DeviceAttribute({inner})"

    def __str__(self) -> str:
        return pretty(self, self._REPR_FIELDS)

    def _str_fields(self) -> tuple[str, ...]:
        return self._REPR_FIELDS


class AttributeAlarmInfo(_Record):
    min_alarm: str
    max_alarm: str
    min_warning: str
    max_warning: str
    delta_t: str
    delta_val: str
    extensions: list[str]
    _fields = (
        "min_alarm",
        "max_alarm",
        "min_warning",
        "max_warning",
        "delta_t",
        "delta_val",
        "extensions",
    )
    _defaults = {f: "Not specified" for f in _fields[:-1]} | {"extensions": list}


class ChangeEventInfo(_Record):
    rel_change: str
    abs_change: str
    extensions: list[str]
    _fields = ("rel_change", "abs_change", "extensions")
    _defaults = {"rel_change": "Not specified", "abs_change": "Not specified", "extensions": list}


class PeriodicEventInfo(_Record):
    period: str
    extensions: list[str]
    _fields = ("period", "extensions")
    _defaults = {"period": "Not specified", "extensions": list}


class ArchiveEventInfo(_Record):
    archive_rel_change: str
    archive_abs_change: str
    archive_period: str
    extensions: list[str]
    _fields = ("archive_rel_change", "archive_abs_change", "archive_period", "extensions")
    _defaults = {f: "Not specified" for f in _fields[:-1]} | {"extensions": list}


class AttributeEventInfo(_Record):
    ch_event: ChangeEventInfo
    per_event: PeriodicEventInfo
    arch_event: ArchiveEventInfo
    _fields = ("ch_event", "per_event", "arch_event")
    _defaults = {
        "ch_event": ChangeEventInfo,
        "per_event": PeriodicEventInfo,
        "arch_event": ArchiveEventInfo,
    }


_INFO_FIELDS: tuple[str, ...] = (
    "name",
    "writable",
    "data_format",
    "data_type",
    "max_dim_x",
    "max_dim_y",
    "description",
    "label",
    "unit",
    "standard_unit",
    "display_unit",
    "format",
    "min_value",
    "max_value",
    "min_alarm",
    "max_alarm",
    "writable_attr_name",
    "extensions",
    "disp_level",
)


class AttributeInfo(_Record):
    name: str
    writable: AttrWriteType
    data_format: AttrDataFormat
    data_type: CmdArgType | int
    max_dim_x: int
    max_dim_y: int
    description: str
    label: str
    unit: str
    standard_unit: str
    display_unit: str
    format: str
    min_value: str
    max_value: str
    min_alarm: str
    max_alarm: str
    writable_attr_name: str
    extensions: list[str]
    disp_level: DispLevel
    _fields = _INFO_FIELDS
    _defaults = {
        "writable": AttrWriteType.READ,
        "data_format": AttrDataFormat.SCALAR,
        "data_type": CmdArgType.Unknown,
        "max_dim_x": 0,
        "max_dim_y": 0,
        "extensions": list,
        "disp_level": DispLevel.OPERATOR,
        **{f: "" for f in _INFO_FIELDS[6:17]},
    }


class AttributeInfoEx(AttributeInfo):
    alarms: AttributeAlarmInfo
    events: AttributeEventInfo
    sys_extensions: list[str]
    memorized: AttrMemorizedType
    enum_labels: list[str]
    root_attr_name: str
    _fields = _INFO_FIELDS + (
        "alarms",
        "events",
        "sys_extensions",
        "memorized",
        "enum_labels",
        "root_attr_name",
    )
    _defaults = AttributeInfo._defaults | {
        "alarms": AttributeAlarmInfo,
        "events": AttributeEventInfo,
        "sys_extensions": list,
        "memorized": AttrMemorizedType.NOT_KNOWN,
        "enum_labels": list,
        "root_attr_name": "Not specified",
    }


class CommandInfo(_Record):
    cmd_name: str
    cmd_tag: int
    disp_level: DispLevel
    in_type: CmdArgType | int
    in_type_desc: str
    out_type: CmdArgType | int
    out_type_desc: str
    _fields = (
        "cmd_name",
        "cmd_tag",
        "disp_level",
        "in_type",
        "in_type_desc",
        "out_type",
        "out_type_desc",
    )
    _defaults = {
        "cmd_name": "",
        "cmd_tag": 0,
        "disp_level": DispLevel.OPERATOR,
        "in_type": CmdArgType.DevVoid,
        "in_type_desc": "Uninitialised",
        "out_type": CmdArgType.DevVoid,
        "out_type_desc": "Uninitialised",
    }


class DeviceInfo(_Record):
    dev_class: str
    dev_type: str
    doc_url: str
    server_host: str
    server_id: str
    server_version: int
    version_info: dict[str, str]
    _fields = (
        "dev_class",
        "dev_type",
        "doc_url",
        "server_host",
        "server_id",
        "server_version",
        "version_info",
    )
    _defaults = {
        "dev_class": "",
        "dev_type": "",
        "doc_url": "",
        "server_host": "",
        "server_id": "",
        "server_version": 0,
        "version_info": dict,
    }


class AttributeInfoList(list[AttributeInfo]):
    """A list of :class:`AttributeInfo` (what ``attribute_list_query`` returns)."""


class AttributeInfoListEx(list[AttributeInfoEx]):
    """A list of :class:`AttributeInfoEx` (what ``get_attribute_config_ex`` returns)."""


class CommandInfoList(list[CommandInfo]):
    """A list of :class:`CommandInfo` (what ``command_list_query`` returns)."""
