"""PyTango's server-side attribute objects: :class:`Attribute` and :class:`WAttribute` (one
per attribute of a device, over its :class:`._runtime.AttrRuntime`), :class:`MultiAttribute`
(``Device.get_device_attr()``: a device's attributes by name or index),
:class:`MultiAttrProp` (an attribute's user properties as strings) and
:class:`MultiClassAttribute` (a device class's ``Attr`` objects, for the classic API).

An ``Attribute`` is what a low-level read method receives (``def read_x(self, attr):
attr.set_value(v)``): it holds the value, date and quality set during one read
(:meth:`Attribute.take_reading` hands them to the servant). A ``WAttribute`` also gives the
value being written (``get_write_value``) to a low-level write method. Limits and
properties set here replace the attribute's :class:`~puretango._attrconfig.AttrConfig`
whole, as a client's ``set_attribute_config`` does.
"""

from __future__ import annotations

import dataclasses
import numbers
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._attrconfig import NOT_SPECIFIED
from .._errors import DevFailed, make_error
from ..idl import types as t
from ..idl._enums import (
    AttrDataFormat,
    AttrQuality,
    AttrWriteType,
    CmdArgType,
    DispLevel,
    EventType,
)
from ..idl._values import TimeVal
from ._values import read_value_to_union, union_to_written_value

if TYPE_CHECKING:
    from ._runtime import AttrRuntime

__all__ = [
    "Attribute",
    "WAttribute",
    "MultiAttribute",
    "MultiAttrProp",
    "MultiClassAttribute",
    "attribute_object",
]

_UNSET: Any = object()
_DIMS_GONE = "Too many arguments. Note, that dim_x and dim_y arguments are no longer supported."
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
#: MultiAttrProp field -> AttrConfig field (where they differ)
_PROP_FIELDS = {"event_period": "period"}
_MAY_BE_EMPTY = frozenset(("unit", "label", "description", "format"))
_WRITABLE = (AttrWriteType.WRITE, AttrWriteType.READ_WRITE, AttrWriteType.READ_WITH_WRITE)


@dataclass
class MultiAttrProp:
    """An attribute's user-settable properties, as strings (PyTango's ``MultiAttrProp``)."""

    label: str = ""
    description: str = ""
    unit: str = ""
    standard_unit: str = ""
    display_unit: str = ""
    format: str = ""
    min_value: str = ""
    max_value: str = ""
    min_alarm: str = ""
    max_alarm: str = ""
    min_warning: str = ""
    max_warning: str = ""
    delta_t: str = ""
    delta_val: str = ""
    event_period: str = ""
    archive_period: str = ""
    rel_change: str = ""
    abs_change: str = ""
    archive_rel_change: str = ""
    archive_abs_change: str = ""

    def __repr__(self) -> str:
        fields = sorted((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        return f"MultiAttrProp({', '.join(f'{name} = {value!r}' for name, value in fields)})"

    def __str__(self) -> str:
        """One field a line, strings in double quotes, as PyTango prints it."""
        fields = sorted((f.name, getattr(self, f.name)) for f in dataclasses.fields(self))
        lines = [
            f'    {name} = "{v}"' if isinstance(v, str) else f"    {name} = {v}"
            for name, v in fields
        ]
        return "MultiAttrProp[\n" + "\n".join(lines) + "\n]"


def _is_encoded_pair(attr: Attribute, args: tuple[Any, ...]) -> bool:
    """``set_value(format, data)`` of a DevEncoded attribute (not an EncodedAttribute)."""
    from ._encoded import EncodedAttribute

    return attr.get_data_type() is CmdArgType.DevEncoded and not isinstance(
        args[0], EncodedAttribute
    )


class Attribute:
    """One attribute of a device, as device code sees it (PyTango's ``tango.Attribute``)."""

    def __init__(self, runtime: AttrRuntime, device: Any = None) -> None:
        self._runtime = runtime
        self._device = device
        self._value: Any = _UNSET
        self._date: float | None = None
        self._quality = AttrQuality.ATTR_VALID
        self._quality_set = False

    # -- description -----------------------------------------------------------------------
    def get_name(self) -> str:
        return self._runtime.name

    def get_data_type(self) -> CmdArgType:
        return CmdArgType(self._runtime.data_type)

    def get_data_format(self) -> AttrDataFormat:
        return self._runtime.data_format

    def get_writable(self) -> AttrWriteType:
        return self._runtime.access

    def get_max_dim_x(self) -> int:
        return self._runtime.config.max_dim_x

    def get_max_dim_y(self) -> int:
        return self._runtime.config.max_dim_y

    def get_label(self) -> str:
        return self._runtime.config.label

    def get_disp_level(self) -> DispLevel:
        return self._runtime.config.level

    def get_assoc_name(self) -> str:
        return self._runtime.config.writable_attr_name

    def is_write_associated(self) -> bool:
        return self._runtime.access is AttrWriteType.READ_WITH_WRITE

    def get_polling_period(self) -> int:
        server = getattr(self._device, "_server", None)
        poller = getattr(server, "poller", None)
        period = getattr(poller, "period_of", None)
        if period is not None:
            found = period(self._device.get_name(), "attribute", self.get_name())
            if found is not None:
                return int(found)
        return int(self._runtime.decl.kwargs.get("polling_period") or 0)

    def is_polled(self) -> bool:
        return self.get_polling_period() > 0

    def get_x(self) -> int:
        value = self._value
        if self.get_data_format() is AttrDataFormat.SCALAR:
            return 1
        if value is _UNSET:
            return 0
        return len(value[0]) if self.get_data_format() is AttrDataFormat.IMAGE else len(value)

    def get_y(self) -> int:
        value = self._value
        if value is _UNSET or self.get_data_format() is not AttrDataFormat.IMAGE:
            return 0
        return len(value)

    def get_data_size(self) -> int:
        return self.get_x() * max(self.get_y(), 1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_name()})"

    __str__ = __repr__

    # -- the value of one read -------------------------------------------------------------
    def set_value(self, *args: Any) -> None:
        """Store the value a read returns (date now, quality VALID)."""
        if not args:
            raise TypeError("set_value method must be called with at least one argument!")
        if any(arg is None for arg in args):
            raise TypeError("set_value method cannot be called with None!")
        if len(args) > (2 if _is_encoded_pair(self, args) else 1):
            raise TypeError(_DIMS_GONE)
        self._store(args)
        self._date = time.time()
        self._quality = AttrQuality.ATTR_VALID

    def set_value_date_quality(self, *args: Any) -> None:
        """Store the value a read returns with its date and quality."""
        if len(args) < 3:
            raise TypeError(
                "set_value_date_quality method must be called with at least three arguments!"
            )
        if any(arg is None for arg in args):
            raise TypeError("set_value_date_quality method cannot be called with None!")
        most = 4 if _is_encoded_pair(self, args) else 3
        if len(args) > most:
            raise TypeError(_DIMS_GONE)
        last = args[-1]
        if (
            len(args) == most
            and not isinstance(last, AttrQuality)
            and isinstance(last, numbers.Number)
        ):
            raise TypeError(
                f"Last argument, {last}, has the incorrect type: {type(last)}. It must be "
                "AttrQuality. Note, that dim_x and dim_y arguments are no longer supported."
            )
        *values, date, quality = args
        self._store(tuple(values))
        self.set_date(date)
        self._quality = AttrQuality(quality)

    def _store(self, values: tuple[Any, ...]) -> None:
        if len(values) == 2:
            self._value = (values[0], values[1])
        else:
            self._value = values[0]

    def value_is_set(self) -> bool:
        return self._value is not _UNSET

    def reset_value(self) -> None:
        self._value = _UNSET
        self._date = None
        self._quality = AttrQuality.ATTR_VALID

    def set_quality(self, quality: AttrQuality, send_event: bool = False) -> None:
        self._quality = AttrQuality(quality)
        if send_event and self._device is not None:
            self.fire_change_event()

    def get_quality(self) -> AttrQuality:
        return self._quality

    def set_date(self, date: Any) -> None:
        if isinstance(date, TimeVal):
            self._date = date.totime()
        elif hasattr(date, "timestamp"):
            self._date = float(date.timestamp())
        else:
            self._date = float(date)

    def get_date(self) -> TimeVal:
        return TimeVal.fromtimestamp(time.time() if self._date is None else self._date)

    def take_reading(self, returned: Any) -> Any:
        """What the read gives the servant: the value set here, stamped with its date and
        quality, else what the read method returned; then forget the value."""
        if self._value is _UNSET:
            if returned is None and self._quality is AttrQuality.ATTR_INVALID:
                returned = (None, time.time(), AttrQuality.ATTR_INVALID)
            self.reset_value()
            return returned
        value, date, quality = self._value, self._date, self._quality
        self.reset_value()
        date = time.time() if date is None else date
        if self.get_data_type() is CmdArgType.DevEncoded:
            return (value[0], value[1], date, quality)
        return (value, date, quality)

    # -- alarms and properties -------------------------------------------------------------
    def _limit(self, key: str) -> Any:
        text = getattr(self._runtime.config, key)
        if text in (NOT_SPECIFIED, ""):
            raise _limit_not_set(type(self).__name__, key)
        number = float(text)
        return int(number) if self.get_data_type() in _INTEGER_TYPES else number

    def _set_config(self, **changes: Any) -> None:
        self._runtime.config = dataclasses.replace(self._runtime.config, **changes)
        push = getattr(self._device, "push_att_conf_event", None)
        if push is not None and getattr(self._device, "_server", None) is not None:
            try:
                push(self.get_name())
            except Exception:  # noqa: BLE001 - a config event is best effort here
                pass

    def get_min_alarm(self) -> Any:
        return self._limit("min_alarm")

    def get_max_alarm(self) -> Any:
        return self._limit("max_alarm")

    def get_min_warning(self) -> Any:
        return self._limit("min_warning")

    def get_max_warning(self) -> Any:
        return self._limit("max_warning")

    def set_min_alarm(self, value: Any) -> None:
        self._set_config(min_alarm=_text(value))

    def set_max_alarm(self, value: Any) -> None:
        self._set_config(max_alarm=_text(value))

    def set_min_warning(self, value: Any) -> None:
        self._set_config(min_warning=_text(value))

    def set_max_warning(self, value: Any) -> None:
        self._set_config(max_warning=_text(value))

    def is_min_alarm(self) -> bool:
        return self._quality is AttrQuality.ATTR_ALARM and self._beyond(0, low=True)

    def is_max_alarm(self) -> bool:
        return self._quality is AttrQuality.ATTR_ALARM and self._beyond(1, low=False)

    def is_min_warning(self) -> bool:
        return self._quality is AttrQuality.ATTR_WARNING and self._beyond(2, low=True)

    def is_max_warning(self) -> bool:
        return self._quality is AttrQuality.ATTR_WARNING and self._beyond(3, low=False)

    def _beyond(self, index: int, low: bool) -> bool:
        limit = self._runtime.config.alarm_limits[index]
        if limit is None or self._value is _UNSET:
            return False
        try:
            import numpy as np

            values = np.asarray(self._value, dtype=float)
        except (TypeError, ValueError):
            return False
        return bool(values.size) and bool(values.min() < limit if low else values.max() > limit)

    def check_alarm(self) -> bool:
        limits = self._runtime.config.alarm_limits
        return any(limit is not None for limit in limits) and (
            self.is_min_alarm() or self.is_max_alarm() or self.is_min_warning()
            or self.is_max_warning()
        )  # fmt: skip

    def get_properties(self, attr_cfg: Any = None) -> MultiAttrProp:
        """The attribute's properties as strings, in ``attr_cfg`` (a MultiAttrProp) if given."""
        if attr_cfg is None:
            attr_cfg = MultiAttrProp()
        if not isinstance(attr_cfg, MultiAttrProp):
            raise TypeError("attr_cfg must be an instance of MultiAttrProp")
        config = self._runtime.config
        for field in dataclasses.fields(MultiAttrProp):
            setattr(attr_cfg, field.name, getattr(config, _PROP_FIELDS.get(field.name, field.name)))
        return attr_cfg

    def set_properties(self, attr_cfg: Any, dev: Any = None) -> None:
        """Set the attribute's properties from a MultiAttrProp."""
        if not isinstance(attr_cfg, MultiAttrProp):
            raise TypeError("attr_cfg must be an instance of MultiAttrProp")
        changes = {}
        for field in dataclasses.fields(MultiAttrProp):
            value = str(getattr(attr_cfg, field.name))
            key = _PROP_FIELDS.get(field.name, field.name)
            changes[key] = NOT_SPECIFIED if value == "" and key not in _MAY_BE_EMPTY else value
        self._set_config(**changes)

    def set_upd_properties(self, attr_cfg: Any, dev_name: str = "") -> None:
        self.set_properties(attr_cfg)

    # -- events ----------------------------------------------------------------------------
    def _flags(self, event: str) -> tuple[bool, bool]:
        flags = getattr(self._device, "event_flags", None)
        return flags(self.get_name(), event) if flags is not None else (False, True)

    def set_change_event(self, implemented: bool, detect: bool = True) -> None:
        self._device.set_change_event(self.get_name(), implemented, detect)

    def set_archive_event(self, implemented: bool, detect: bool = True) -> None:
        self._device.set_archive_event(self.get_name(), implemented, detect)

    def set_alarm_event(self, implemented: bool, detect: bool = True) -> None:
        self._device.set_alarm_event(self.get_name(), implemented, detect)

    def set_data_ready_event(self, implemented: bool) -> None:
        self._device.set_data_ready_event(self.get_name(), implemented)

    def is_change_event(self) -> bool:
        return self._flags("change")[0]

    def is_check_change_criteria(self) -> bool:
        return self._flags("change")[1]

    def is_archive_event(self) -> bool:
        return self._flags("archive")[0]

    def is_check_archive_criteria(self) -> bool:
        return self._flags("archive")[1]

    def is_alarm_event(self) -> bool:
        return self._flags("alarm")[0]

    def is_check_alarm_criteria(self) -> bool:
        return self._flags("alarm")[1]

    def is_data_ready_event(self) -> bool:
        return self._flags("data_ready")[0]

    def is_event_subscribed(self, event_type: EventType) -> bool:
        return bool(self._device.is_there_subscriber(self.get_name(), event_type))

    def change_event_subscribed(self) -> bool:
        return self.is_event_subscribed(EventType.CHANGE_EVENT)

    def archive_event_subscribed(self) -> bool:
        return self.is_event_subscribed(EventType.ARCHIVE_EVENT)

    def alarm_event_subscribed(self) -> bool:
        return self.is_event_subscribed(EventType.ALARM_EVENT)

    def periodic_event_subscribed(self) -> bool:
        return self.is_event_subscribed(EventType.PERIODIC_EVENT)

    def user_event_subscribed(self) -> bool:
        return self.is_event_subscribed(EventType.USER_EVENT)

    def _fire(self, push: Any, except_: Any) -> None:
        if except_ is not None:
            push(self.get_name(), except_)
            return
        if self._value is _UNSET:
            push(self.get_name())
            return
        value = self._value
        args = list(value) if self.get_data_type() is CmdArgType.DevEncoded else [value]
        push(self.get_name(), *args, self._date or time.time(), self._quality)

    def fire_change_event(self, except_: Any = None) -> None:
        self._fire(self._device.push_change_event, except_)

    def fire_archive_event(self, except_: Any = None) -> None:
        self._fire(self._device.push_archive_event, except_)

    def fire_alarm_event(self, except_: Any = None) -> None:
        self._fire(self._device.push_alarm_event, except_)


class WAttribute(Attribute):
    """A writable attribute (PyTango's ``tango.WAttribute``): its set point too."""

    def __init__(self, runtime: AttrRuntime, device: Any = None) -> None:
        super().__init__(runtime, device)
        #: the value a write in progress carries (what get_write_value gives)
        self.pending: Any = _UNSET

    def get_write_value(self, extract_as: Any = None) -> Any:
        if self.pending is not _UNSET:
            return self.pending
        runtime = self._runtime
        union, (x, y) = runtime.setpoint, runtime.setpoint_dims
        if union is None:  # never written: cppTango's initial set point
            from ._runtime import default_setpoint

            union, (x, y) = default_setpoint(runtime), (1, 0)
            if union is None:
                return None
        dims = t.AttributeDim(dim_x=x, dim_y=y)
        return union_to_written_value(union, dims, self.get_data_type(), runtime.data_format)

    def get_write_value_length(self) -> int:
        x, y = self._runtime.setpoint_dims
        if self.pending is not _UNSET and self.get_data_format() is AttrDataFormat.SPECTRUM:
            return len(self.pending)
        return x * max(y, 1)

    def set_write_value(self, value: Any, x: int | None = None, y: int | None = None) -> None:
        """Replace the set point (what a read returns as ``w_value``)."""
        runtime = self._runtime
        union, dims = read_value_to_union(
            value, self.get_data_type(), runtime.data_format, runtime.enum_labels
        )
        runtime.setpoint = union
        runtime.setpoint_dims = (1, 0) if runtime.data_format is AttrDataFormat.SCALAR else dims
        if self.pending is not _UNSET:
            self.pending = value

    def _value_limit(self, key: str) -> Any:
        return self._limit(key)

    def get_min_value(self) -> Any:
        return self._limit("min_value")

    def get_max_value(self) -> Any:
        return self._limit("max_value")

    def set_min_value(self, value: Any) -> None:
        self._set_config(min_value=_text(value))

    def set_max_value(self, value: Any) -> None:
        self._set_config(max_value=_text(value))

    def is_min_value(self) -> bool:
        return self._runtime.config.value_limits[0] is not None

    def is_max_value(self) -> bool:
        return self._runtime.config.value_limits[1] is not None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def attr_not_found(name: str, origin: str) -> DevFailed:
    return DevFailed(make_error("API_AttrNotFound", f"{name} attribute not found", origin))


def _limit_not_set(klass: str, key: str) -> DevFailed:
    """cppTango's error for a limit not set: "Minimum alarm not defined for this attribute"."""
    side, what = key.split("_")
    text = f"{'Minimum' if side == 'min' else 'Maximum'} {what} not defined for this attribute"
    return DevFailed(make_error("API_AttrNotAllowed", text, f"{klass}::get_{key}"))


_BUILTINS: weakref.WeakKeyDictionary[Any, list[AttrRuntime]] = weakref.WeakKeyDictionary()
_OBJECTS: weakref.WeakKeyDictionary[Any, Attribute] = weakref.WeakKeyDictionary()


def attribute_object(runtime: AttrRuntime, device: Any = None) -> Attribute:
    """The one Attribute (a WAttribute if writable) of ``runtime``, made on first use."""
    found = _OBJECTS.get(runtime)
    if found is None:
        klass = WAttribute if runtime.access in _WRITABLE else Attribute
        found = _OBJECTS[runtime] = klass(runtime, device)
    elif found._device is None:
        found._device = device
    return found


class MultiAttribute:
    """A device's attributes (``Device.get_device_attr()``; PyTango's ``MultiAttribute``)."""

    def __init__(self, servant: Any) -> None:
        self._servant = servant

    def _runtimes(self) -> list[AttrRuntime]:
        return list(self._servant.attributes.values()) + self._servant_builtins()

    def _servant_builtins(self) -> list[AttrRuntime]:
        found = _BUILTINS.get(self._servant)
        if found is None:
            from ._model import Device, attribute
            from ._runtime import AttrRuntime

            found = _BUILTINS[self._servant] = [
                AttrRuntime(attribute(name="State", dtype=CmdArgType.DevState), Device),
                AttrRuntime(attribute(name="Status", dtype=CmdArgType.DevString), Device),
            ]
        return found

    def get_attribute_list(self) -> tuple[Attribute, ...]:
        device = self._servant.device
        return tuple(attribute_object(r, device) for r in self._runtimes())

    def get_attr_nb(self) -> int:
        return len(self._runtimes())

    def get_attr_by_name(self, attr_name: str) -> Attribute:
        for runtime in self._runtimes():
            if runtime.name.lower() == attr_name.lower():
                return attribute_object(runtime, self._servant.device)
        raise attr_not_found(attr_name, "MultiAttribute::get_attr_by_name")

    def get_attr_ind_by_name(self, attr_name: str) -> int:
        for index, runtime in enumerate(self._runtimes()):
            if runtime.name.lower() == attr_name.lower():
                return index
        raise attr_not_found(attr_name, "MultiAttribute::get_attr_ind_by_name")

    def get_attr_by_ind(self, ind: int) -> Attribute:
        return attribute_object(self._runtimes()[ind], self._servant.device)

    def get_w_attr_by_name(self, attr_name: str) -> WAttribute:
        found = self.get_attr_by_name(attr_name)
        if not isinstance(found, WAttribute):
            raise attr_not_found(f"{attr_name} writable", "MultiAttribute::get_w_attr_by_name")
        return found

    def get_w_attr_by_ind(self, ind: int) -> WAttribute:
        found = self.get_attr_by_ind(ind)
        if not isinstance(found, WAttribute):
            raise attr_not_found(str(ind), "MultiAttribute::get_w_attr_by_ind")
        return found

    def get_alarm_list(self) -> list[int]:
        return [
            index
            for index, runtime in enumerate(self._runtimes())
            if runtime.config.alarm_limits != (None, None, None, None)
        ]

    def check_alarm(self, ind: int | None = None) -> bool:
        if ind is not None:
            return self.get_attr_by_ind(ind).check_alarm()
        return any(a.check_alarm() for a in self.get_attribute_list())

    def read_alarm(self, status: str) -> str:
        return status

    def __len__(self) -> int:
        return self.get_attr_nb()


class MultiClassAttribute:
    """The attributes declared by a device class (PyTango's ``MultiClassAttribute``), as
    classic ``Attr`` objects: ``DeviceClass.get_class_attr()`` builds it from them."""

    def __init__(self, attrs: Any = ()) -> None:
        self._attrs: list[Any] = list(attrs)

    def get_attr(self, attr_name: str) -> Any:
        for attr in self._attrs:
            if attr.get_name().lower() == attr_name.lower():
                return attr
        raise DevFailed(
            make_error(
                "API_AttrOptProp",
                f"Attribute {attr_name} not found in class attribute(s)",
                "MultiClassAttribute::get_attr",
            )
        )

    def get_attr_list(self) -> tuple[Any, ...]:
        return tuple(self._attrs)

    def remove_attr(self, attr_name: str, cl_name: str = "") -> None:
        self._attrs.remove(self.get_attr(attr_name))
