"""What one device holds at run time for each declared attribute and command, and the
helpers that build the values a read returns.

:class:`AttrRuntime` keeps an attribute's resolved methods, its configuration (a dict of
Tango's strings, settable by clients), its set point and its limits checks;
:class:`CmdRuntime` a command's types, callables and descriptions. The value helpers make
``AttributeValue_5`` structs cheaply (shared dims, no keyword constructor). Nothing here
runs user code or knows about GIOP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import DevFailed, make_error
from ..idl import UnionValue
from ..idl import types as t
from ..idl._enums import (
    AttrDataFormat,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    DevState,
    DispLevel,
)
from ._model import attribute
from ._values import no_data_value, now, read_value_to_union

__all__ = [
    "AttrRuntime",
    "CmdRuntime",
    "check_write_limits",
    "default_setpoint",
    "builtin_config",
    "shared_dim",
    "new_value",
    "failed_value",
]

_NS = "Not specified"  # Tango's text for a configuration field with no value


class AttrRuntime:
    """An attribute of one device: its declaration and what changes at run time."""

    def __init__(self, decl: attribute, device_cls: type) -> None:
        self.decl = decl
        self.name: str = decl.name or ""
        self.data_type = decl.data_type
        self.data_format = decl.data_format
        self.access = decl.access(device_cls)
        self.read_method = decl.read_method(device_cls)
        self.write_method = decl.write_method(device_cls)
        self.allowed_method = decl.allowed_method(device_cls)
        self.setpoint: UnionValue | None = None
        self.setpoint_dims = (0, 0)
        self.enum_labels = list(decl.kwargs.get("enum_labels") or [])
        self.config = self._initial_config(decl)

    def _initial_config(self, decl: attribute) -> dict[str, Any]:
        integer = self.data_type in (
            CmdArgType.DevShort, CmdArgType.DevLong, CmdArgType.DevLong64, CmdArgType.DevUShort,
            CmdArgType.DevULong, CmdArgType.DevULong64, CmdArgType.DevUChar,
        )  # fmt: skip
        if self.data_type in (CmdArgType.DevString, CmdArgType.DevEnum):
            default_format = "%s"
        elif self.data_type in (CmdArgType.DevState, CmdArgType.DevBoolean, CmdArgType.DevEncoded):
            default_format = _NS  # as cppTango: no default format for these types
        elif integer:
            default_format = "%d"
        else:
            default_format = "%6.2f"
        fmt = decl.kwargs.get("format")
        if fmt and not str(fmt).startswith("%"):
            fmt = "%" + str(fmt)
        return {
            "description": decl.kwargs.get("doc")
            or decl.kwargs.get("description")
            or "No description",
            "label": decl.kwargs.get("label") or self.name,
            "unit": decl.kwargs.get("unit") or "",
            "standard_unit": decl.kwargs.get("standard_unit") or "No standard unit",
            "display_unit": decl.kwargs.get("display_unit") or "No display unit",
            "format": fmt or default_format,
            "min_value": decl.text("min_value"),
            "max_value": decl.text("max_value"),
            "min_alarm": decl.text("min_alarm"),
            "max_alarm": decl.text("max_alarm"),
            "min_warning": decl.text("min_warning"),
            "max_warning": decl.text("max_warning"),
            "delta_t": decl.text("delta_t"),
            "delta_val": decl.text("delta_val"),
            "rel_change": decl.text("rel_change"),
            "abs_change": decl.text("abs_change"),
            "period": str(decl.kwargs.get("period") or 1000),
            "archive_rel_change": decl.text("archive_rel_change"),
            "archive_abs_change": decl.text("archive_abs_change"),
            "archive_period": decl.text("archive_period"),
        }

    @property
    def readable(self) -> bool:
        return self.access is not AttrWriteType.WRITE

    @property
    def writable(self) -> bool:
        return self.access in (
            AttrWriteType.READ_WRITE,
            AttrWriteType.WRITE,
            AttrWriteType.READ_WITH_WRITE,
        )

    def limit(self, key: str) -> float | None:
        text = self.config[key]
        if text in (_NS, ""):
            return None
        try:
            return float(text)
        except ValueError:
            return None

    def quality_of(self, union: UnionValue, quality: AttrQuality) -> AttrQuality:
        """ALARM or WARNING when a numeric scalar/array crosses its limits."""
        if (
            quality is not AttrQuality.ATTR_VALID
            or not isinstance(union.value, np.ndarray)
            or not union.value.size
        ):
            return quality
        limits = self._alarm_limits
        if limits is None:
            limits = self._alarm_limits = tuple(
                self.limit(k) for k in ("min_alarm", "max_alarm", "min_warning", "max_warning")
            )
        if limits == (None, None, None, None):
            return quality
        low, high, low_warn, high_warn = limits
        values = union.value
        if (low is not None and values.min() < low) or (high is not None and values.max() > high):
            return AttrQuality.ATTR_ALARM
        if (low_warn is not None and values.min() < low_warn) or (
            high_warn is not None and values.max() > high_warn
        ):
            return AttrQuality.ATTR_WARNING
        return quality

    def to_config5(self) -> Any:
        c = self.config
        memorized = bool(self.decl.kwargs.get("memorized", False))
        return t.AttributeConfig_5(
            name=self.name,
            writable=self.access,
            data_format=self.data_format,
            data_type=int(self.data_type),
            memorized=memorized,
            mem_init=bool(self.decl.kwargs.get("hw_memorized", False))
            if memorized
            else self.writable,
            max_dim_x=self.decl.max_dim_x,
            max_dim_y=self.decl.max_dim_y,
            description=c["description"],
            label=c["label"],
            unit=c["unit"],
            standard_unit=c["standard_unit"],
            display_unit=c["display_unit"],
            format=c["format"],
            min_value=c["min_value"],
            max_value=c["max_value"],
            writable_attr_name=self.name if self.access is AttrWriteType.READ_WRITE else "None",
            level=self.decl.display_level,
            root_attr_name=_NS,
            enum_labels=list(self.enum_labels),
            att_alarm=t.AttributeAlarm(
                min_alarm=c["min_alarm"],
                max_alarm=c["max_alarm"],
                min_warning=c["min_warning"],
                max_warning=c["max_warning"],
                delta_t=c["delta_t"],
                delta_val=c["delta_val"],
                extensions=[],
            ),
            event_prop=t.EventProperties(
                ch_event=t.ChangeEventProp(
                    rel_change=c["rel_change"], abs_change=c["abs_change"], extensions=[]
                ),
                per_event=t.PeriodicEventProp(period=c["period"], extensions=[]),
                arch_event=t.ArchiveEventProp(
                    rel_change=c["archive_rel_change"],
                    abs_change=c["archive_abs_change"],
                    period=c["archive_period"],
                    extensions=[],
                ),
            ),
            extensions=[],
            sys_extensions=[],
        )

    _alarm_limits: tuple[float | None, ...] | None = None  # parsed lazily from config

    def apply_config(self, conf: Any) -> None:
        """Accept the user-settable fields of a config sent by a client."""
        c = self.config
        for key in (
            "description",
            "label",
            "unit",
            "standard_unit",
            "display_unit",
            "format",
            "min_value",
            "max_value",
        ):
            c[key] = getattr(conf, key)
        alarm = getattr(conf, "att_alarm", None)
        if alarm is not None:
            for key in (
                "min_alarm",
                "max_alarm",
                "min_warning",
                "max_warning",
                "delta_t",
                "delta_val",
            ):
                c[key] = getattr(alarm, key)
        events = getattr(conf, "event_prop", None)
        if events is not None:
            c["rel_change"], c["abs_change"] = (
                events.ch_event.rel_change,
                events.ch_event.abs_change,
            )
            c["period"] = events.per_event.period
            c["archive_rel_change"] = events.arch_event.rel_change
            c["archive_abs_change"] = events.arch_event.abs_change
            c["archive_period"] = events.arch_event.period
        labels = getattr(conf, "enum_labels", None)
        if labels and self.data_type is CmdArgType.DevEnum:
            self.enum_labels = list(labels)
        for key in c:
            if c[key] == "":
                c[key] = _NS if key not in ("unit", "label", "description", "format") else c[key]
        self._alarm_limits = None


class CmdRuntime:
    """A command of one device: its types, its callables and its descriptions."""

    def __init__(
        self,
        name: str,
        in_type: CmdArgType,
        out_type: CmdArgType,
        call: Callable[..., Any],
        allowed: Callable[..., Any] | None = None,
        doc_in: str = "Uninitialised",
        doc_out: str = "Uninitialised",
        level: DispLevel = DispLevel.OPERATOR,
    ) -> None:
        self.name, self.in_type, self.out_type = name, in_type, out_type
        self.call, self.allowed = call, allowed
        self.doc_in, self.doc_out, self.level = doc_in, doc_out, level

    def info_2(self) -> Any:
        return t.DevCmdInfo_2(
            cmd_name=self.name,
            level=self.level,
            cmd_tag=0,
            in_type=int(self.in_type),
            out_type=int(self.out_type),
            in_type_desc=self.doc_in,
            out_type_desc=self.doc_out,
        )


def check_write_limits(attr: AttrRuntime, union: UnionValue) -> None:
    """Refuse a numeric set point outside the attribute's [min_value, max_value]."""
    values = union.value
    if not isinstance(values, np.ndarray) or not values.size or values.dtype.kind not in "iuf":
        return
    low, high = attr.limit("min_value"), attr.limit("max_value")
    if (low is not None and values.min() < low) or (high is not None and values.max() > high):
        raise DevFailed(
            make_error(
                "API_WAttrOutsideLimit",
                f"Set value for attribute {attr.name} is out of the limits "
                f"[{attr.config['min_value']}, {attr.config['max_value']}]",
                "puretango.server.write_attribute",
            )
        )


def default_setpoint(attr: AttrRuntime) -> UnionValue | None:
    """The set point of a scalar never written yet (zero, empty, False); arrays have none."""
    if attr.data_format is not AttrDataFormat.SCALAR:
        return None
    defaults = {
        CmdArgType.DevString: "",
        CmdArgType.DevBoolean: False,
        CmdArgType.DevState: DevState.ON,
        CmdArgType.DevEncoded: ("Not initialised", b""),
    }
    try:
        union, _ = read_value_to_union(
            defaults.get(attr.data_type, 0), attr.data_type, attr.data_format, attr.enum_labels
        )
    except DevFailed:
        return None
    return union


def builtin_config(name: str) -> Any:
    """The AttributeConfig_5 of the built-in State or Status attribute."""
    state = name == "State"
    return t.AttributeConfig_5(
        name=name,
        writable=AttrWriteType.READ,
        data_format=AttrDataFormat.SCALAR,
        data_type=int(CmdArgType.DevState if state else CmdArgType.DevString),
        memorized=False,
        mem_init=False,
        max_dim_x=1,
        max_dim_y=0,
        description="No description",
        label=name,
        unit="",
        standard_unit="No standard unit",
        display_unit="No display unit",
        format=_NS if state else "%s",
        min_value=_NS,
        max_value=_NS,
        writable_attr_name="None",
        level=DispLevel.OPERATOR,
        root_attr_name=_NS,
        enum_labels=[],
        att_alarm=t.AttributeAlarm(
            min_alarm=_NS,
            max_alarm=_NS,
            min_warning=_NS,
            max_warning=_NS,
            delta_t=_NS,
            delta_val=_NS,
            extensions=[],
        ),
        event_prop=t.EventProperties(
            ch_event=t.ChangeEventProp(rel_change=_NS, abs_change=_NS, extensions=[]),
            per_event=t.PeriodicEventProp(period="1000", extensions=[]),
            arch_event=t.ArchiveEventProp(
                rel_change=_NS, abs_change=_NS, period=_NS, extensions=[]
            ),
        ),
        extensions=[],
        sys_extensions=[],
    )


_DIM_NONE = t.AttributeDim(dim_x=0, dim_y=0)  # shared: never mutated
_DIMS: dict[tuple[int, int], Any] = {}


def shared_dim(x: int, y: int) -> Any:
    """A shared AttributeDim (never mutated once sent)."""
    dim = _DIMS.get((x, y))
    if dim is None:
        if len(_DIMS) > 4096:
            _DIMS.clear()
        dim = _DIMS[(x, y)] = t.AttributeDim(dim_x=x, dim_y=y)
    return dim


def new_value(name: str) -> Any:
    """A blank AttributeValue_5 for ``name``, without the keyword constructor's defaults."""
    av: Any = object.__new__(t.AttributeValue_5.cls)
    av.value = None
    av.quality = AttrQuality.ATTR_VALID
    av.data_format = AttrDataFormat.SCALAR
    av.data_type = 0
    av.time = now()
    av.name = name
    av.r_dim = av.w_dim = _DIM_NONE
    av.err_list = []
    return av


def failed_value(name: str, errors: Any) -> Any:
    """The AttributeValue_5 of a failed read: no data, INVALID, the error stack."""
    av = new_value(name)
    av.value, av.quality, av.data_format = (
        no_data_value(),
        AttrQuality.ATTR_INVALID,
        AttrDataFormat.FMT_UNKNOWN,
    )
    av.err_list = list(errors)
    return av
