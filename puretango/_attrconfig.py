"""The configuration of one attribute, typed, with its IDL forms written once.

:class:`AttrConfig` holds every field of ``AttributeConfig_5`` (alarm and event
properties flattened, extensions kept) and converts to and from the IDL structs
(``AttributeConfig_5``, and down to ``_3``, ``_2`` and the original ``AttributeConfig``).
A client reads it from the wire and builds ``AttributeInfoEx`` from it; a server builds
it from an attribute's declaration (:meth:`AttrConfig.declared`) and applies what a
client sets with the server's rules (:meth:`AttrConfig.updated`).

Rule: an ``AttrConfig`` is immutable; a change is a new value (``updated``), so a reader
always sees one consistent configuration. Limits stay the strings Tango exchanges;
their parsed numbers are computed once per value (:attr:`AttrConfig.alarm_limits`,
:attr:`AttrConfig.value_limits`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .idl import types as t
from .idl._enums import (
    AttrDataFormat,
    AttrMemorizedType,
    AttrWriteType,
    CmdArgType,
    DispLevel,
)

__all__ = ["NOT_SPECIFIED", "AttrConfig", "parse_limit", "memorized_flags"]

NOT_SPECIFIED = "Not specified"
_NS = NOT_SPECIFIED

#: the text fields a client may set (set_attribute_config); an empty one becomes
#: "Not specified", except these four, which may be empty
_SETTABLE_TEXT = (
    "description",
    "label",
    "unit",
    "standard_unit",
    "display_unit",
    "format",
    "min_value",
    "max_value",
)
_ALARM_TEXT = ("min_alarm", "max_alarm", "min_warning", "max_warning", "delta_t", "delta_val")
_EVENT_TEXT = (
    "rel_change",
    "abs_change",
    "period",
    "archive_rel_change",
    "archive_abs_change",
    "archive_period",
)
_TEXT_FIELDS = _SETTABLE_TEXT + _ALARM_TEXT + _EVENT_TEXT
_MAY_BE_EMPTY = frozenset(("unit", "label", "description", "format"))
#: text fields ``declared`` computes with their own rule, not "Not specified" if absent
_NOT_DECLARED_AS_TEXT = frozenset(
    ("description", "label", "unit", "standard_unit", "display_unit", "format", "period")
)
_INTEGER_TYPES = frozenset(
    (
        CmdArgType.DevShort,
        CmdArgType.DevLong,
        CmdArgType.DevLong64,
        CmdArgType.DevUShort,
        CmdArgType.DevULong,
        CmdArgType.DevULong64,
        CmdArgType.DevUChar,
    )
)
_WRITABLE = (AttrWriteType.READ_WRITE, AttrWriteType.WRITE, AttrWriteType.READ_WITH_WRITE)


def parse_limit(text: Any) -> float | None:
    """A limit as Tango stores it (a string, "Not specified" or empty) -> a number or None."""
    if text in (_NS, ""):
        return None
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def memorized_flags(memorized: AttrMemorizedType) -> tuple[bool, bool]:
    """``AttrMemorizedType`` -> the IDL's ``(memorized, mem_init)`` flags."""
    return (
        memorized in (AttrMemorizedType.MEMORIZED, AttrMemorizedType.MEMORIZED_WRITE_INIT),
        memorized == AttrMemorizedType.MEMORIZED_WRITE_INIT,
    )


_ARG_TYPES: dict[int, CmdArgType] = {int(m): m for m in CmdArgType}


def _arg_type(code: int) -> CmdArgType | int:
    """A data type code as PyTango shows it: the ``CmdArgType`` member, or the bare int."""
    return _ARG_TYPES.get(code, code)


@dataclass(frozen=True, slots=True)
class AttrConfig:
    """Everything ``AttributeConfig_5`` says about an attribute (defaults: cppTango's)."""

    name: str
    writable: AttrWriteType = AttrWriteType.READ
    data_format: AttrDataFormat = AttrDataFormat.SCALAR
    data_type: CmdArgType | int = CmdArgType.Unknown
    memorized: bool = False
    mem_init: bool = False
    max_dim_x: int = 1
    max_dim_y: int = 0
    description: str = "No description"
    label: str = ""
    unit: str = ""
    standard_unit: str = "No standard unit"
    display_unit: str = "No display unit"
    format: str = _NS
    min_value: str = _NS
    max_value: str = _NS
    writable_attr_name: str = "None"
    level: DispLevel = DispLevel.OPERATOR
    root_attr_name: str = _NS
    enum_labels: tuple[str, ...] = ()
    # AttributeAlarm
    min_alarm: str = _NS
    max_alarm: str = _NS
    min_warning: str = _NS
    max_warning: str = _NS
    delta_t: str = _NS
    delta_val: str = _NS
    # EventProperties: change, periodic and archive events
    rel_change: str = _NS
    abs_change: str = _NS
    period: str = "1000"
    archive_rel_change: str = _NS
    archive_abs_change: str = _NS
    archive_period: str = _NS
    # extension lists of the struct and of each part
    extensions: tuple[str, ...] = ()
    sys_extensions: tuple[str, ...] = ()
    alarm_extensions: tuple[str, ...] = ()
    change_extensions: tuple[str, ...] = ()
    periodic_extensions: tuple[str, ...] = ()
    archive_extensions: tuple[str, ...] = ()
    #: (min_alarm, max_alarm, min_warning, max_warning) parsed; None where not set
    alarm_limits: tuple[float | None, ...] = field(init=False, repr=False, compare=False)
    #: (min_value, max_value) parsed; None where not set
    value_limits: tuple[float | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        alarms = tuple(parse_limit(getattr(self, f)) for f in _ALARM_TEXT[:4])
        object.__setattr__(self, "alarm_limits", alarms)
        values = (parse_limit(self.min_value), parse_limit(self.max_value))
        object.__setattr__(self, "value_limits", values)

    @property
    def memorized_type(self) -> AttrMemorizedType:
        if not self.memorized:
            return AttrMemorizedType.NONE
        if self.mem_init:
            return AttrMemorizedType.MEMORIZED_WRITE_INIT
        return AttrMemorizedType.MEMORIZED

    # -- IDL forms ------------------------------------------------------------------------

    @classmethod
    def from_idl(cls, c: Any) -> AttrConfig:
        """From an ``AttributeConfig_5`` or ``_3`` (which lacks the memorized flags, the
        enum labels and the root attribute)."""
        alarm = c.att_alarm
        ev = c.event_prop
        ch, per, arch = ev.ch_event, ev.per_event, ev.arch_event
        return cls(
            name=c.name,
            writable=AttrWriteType(c.writable),
            data_format=AttrDataFormat(c.data_format),
            data_type=_arg_type(c.data_type),
            memorized=bool(getattr(c, "memorized", False)),
            mem_init=bool(getattr(c, "mem_init", False)),
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
            writable_attr_name=c.writable_attr_name,
            level=DispLevel(c.level),
            root_attr_name=getattr(c, "root_attr_name", _NS),
            enum_labels=tuple(getattr(c, "enum_labels", ())),
            min_alarm=alarm.min_alarm,
            max_alarm=alarm.max_alarm,
            min_warning=alarm.min_warning,
            max_warning=alarm.max_warning,
            delta_t=alarm.delta_t,
            delta_val=alarm.delta_val,
            rel_change=ch.rel_change,
            abs_change=ch.abs_change,
            period=per.period,
            archive_rel_change=arch.rel_change,
            archive_abs_change=arch.abs_change,
            archive_period=arch.period,
            extensions=tuple(c.extensions),
            sys_extensions=tuple(c.sys_extensions),
            alarm_extensions=tuple(alarm.extensions),
            change_extensions=tuple(ch.extensions),
            periodic_extensions=tuple(per.extensions),
            archive_extensions=tuple(arch.extensions),
        )

    def to_idl(self, struct: Any = t.AttributeConfig_5) -> Any:
        """As ``struct``: ``AttributeConfig_5`` (default), ``_3``, ``_2`` or ``AttributeConfig``
        (the two oldest carry only the alarm limits, at the top level)."""
        fields = {
            "name": self.name,
            "writable": self.writable,
            "data_format": self.data_format,
            "data_type": int(self.data_type),
            "memorized": self.memorized,
            "mem_init": self.mem_init,
            "max_dim_x": self.max_dim_x,
            "max_dim_y": self.max_dim_y,
            "description": self.description,
            "label": self.label,
            "unit": self.unit,
            "standard_unit": self.standard_unit,
            "display_unit": self.display_unit,
            "format": self.format,
            "min_value": self.min_value,
            "max_value": self.max_value,
            "min_alarm": self.min_alarm,
            "max_alarm": self.max_alarm,
            "writable_attr_name": self.writable_attr_name,
            "level": self.level,
            "root_attr_name": self.root_attr_name,
            "enum_labels": list(self.enum_labels),
            "extensions": list(self.extensions),
            "sys_extensions": list(self.sys_extensions),
        }
        names = [name for name, _ in struct.fields]
        if "att_alarm" in names:
            fields["att_alarm"] = t.AttributeAlarm(
                min_alarm=self.min_alarm,
                max_alarm=self.max_alarm,
                min_warning=self.min_warning,
                max_warning=self.max_warning,
                delta_t=self.delta_t,
                delta_val=self.delta_val,
                extensions=list(self.alarm_extensions),
            )
            fields["event_prop"] = t.EventProperties(
                ch_event=t.ChangeEventProp(
                    rel_change=self.rel_change,
                    abs_change=self.abs_change,
                    extensions=list(self.change_extensions),
                ),
                per_event=t.PeriodicEventProp(
                    period=self.period, extensions=list(self.periodic_extensions)
                ),
                arch_event=t.ArchiveEventProp(
                    rel_change=self.archive_rel_change,
                    abs_change=self.archive_abs_change,
                    period=self.archive_period,
                    extensions=list(self.archive_extensions),
                ),
            )
        return struct(**{name: fields[name] for name in names})

    # -- a server's configuration -----------------------------------------------------------

    @classmethod
    def declared(
        cls,
        name: str,
        data_type: CmdArgType,
        data_format: AttrDataFormat,
        access: AttrWriteType,
        options: Mapping[str, Any],
        *,
        max_dim_x: int,
        max_dim_y: int,
        level: DispLevel = DispLevel.OPERATOR,
    ) -> AttrConfig:
        """The configuration a device server starts with, from an attribute's declaration
        (``options``: the keywords of PyTango's ``attribute(...)``), with cppTango's
        defaults for what is not declared."""
        if data_type in (CmdArgType.DevString, CmdArgType.DevEnum):
            default_format = "%s"
        elif data_type in (CmdArgType.DevState, CmdArgType.DevBoolean, CmdArgType.DevEncoded):
            default_format = _NS  # as cppTango: no default format for these types
        elif data_type in _INTEGER_TYPES:
            default_format = "%d"
        else:
            default_format = "%6.2f"
        fmt = options.get("format")
        if fmt and not str(fmt).startswith("%"):
            fmt = "%" + str(fmt)

        def text(key: str) -> str:
            value = options.get(key)
            return _NS if value is None else str(value)

        texts: dict[str, Any] = {
            key: text(key) for key in _TEXT_FIELDS if key not in _NOT_DECLARED_AS_TEXT
        }
        memorized = bool(options.get("memorized", False))
        # a READ_WITH_WRITE attribute names its WRITE attribute (cppTango's ``assoc``; a
        # puretango option: PyTango's high-level API cannot declare one)
        writable_attr_name = "None"
        if access is AttrWriteType.READ_WRITE:
            writable_attr_name = name
        elif access is AttrWriteType.READ_WITH_WRITE:
            writable_attr_name = str(options.get("writable_attr_name") or "None")
        return cls(
            name=name,
            writable=access,
            data_format=data_format,
            data_type=data_type,
            memorized=memorized,
            mem_init=bool(options.get("hw_memorized", False)) if memorized else access in _WRITABLE,
            max_dim_x=max_dim_x,
            max_dim_y=max_dim_y,
            description=options.get("doc") or options.get("description") or "No description",
            label=options.get("label") or name,
            unit=options.get("unit") or "",
            standard_unit=options.get("standard_unit") or "No standard unit",
            display_unit=options.get("display_unit") or "No display unit",
            format=fmt or default_format,
            writable_attr_name=writable_attr_name,
            level=level,
            enum_labels=tuple(options.get("enum_labels") or ()),
            period=str(options.get("period") or 1000),
            **texts,
        )

    @classmethod
    def builtin(cls, name: str) -> AttrConfig:
        """The configuration of the ``State`` or ``Status`` attribute every device has."""
        state = name == "State"
        return cls(
            name=name,
            data_type=CmdArgType.DevState if state else CmdArgType.DevString,
            label=name,
            format=_NS if state else "%s",
        )

    def updated(self, conf: Any) -> AttrConfig:
        """This configuration with what a client sets (``set_attribute_config``, any IDL
        version), with the server's rules: only the user-settable fields change, an empty
        text becomes "Not specified" (except unit, label, description and format), enum
        labels change only for a DevEnum attribute and only when some are given."""
        values: dict[str, Any] = {key: getattr(self, key) for key in _TEXT_FIELDS}
        for key in _SETTABLE_TEXT:
            values[key] = getattr(conf, key)
        alarm = getattr(conf, "att_alarm", None)
        if alarm is not None:
            for key in _ALARM_TEXT:
                values[key] = getattr(alarm, key)
        events = getattr(conf, "event_prop", None)
        if events is not None:
            values["rel_change"] = events.ch_event.rel_change
            values["abs_change"] = events.ch_event.abs_change
            values["period"] = events.per_event.period
            values["archive_rel_change"] = events.arch_event.rel_change
            values["archive_abs_change"] = events.arch_event.abs_change
            values["archive_period"] = events.arch_event.period
        for key, value in values.items():
            if value == "" and key not in _MAY_BE_EMPTY:
                values[key] = _NS
        labels = getattr(conf, "enum_labels", None)
        if labels and self.data_type is CmdArgType.DevEnum:
            values["enum_labels"] = tuple(labels)
        return dataclasses.replace(self, **values)
