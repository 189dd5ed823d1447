"""What an event callback receives: PyTango's ``EventData``, ``AttrConfEventData``,
``DataReadyEventData`` and ``DevIntrChangeEventData``, and how they are built from a
decoded event payload, a synchronous read, or a failure.

The values inside reuse the proxy's conversions (:mod:`._convert`): ``attr_value`` is the
``DeviceAttribute`` that ``read_attribute`` returns, ``attr_conf`` the ``AttributeInfoEx``
of ``get_attribute_config``.
"""

from __future__ import annotations

import time
from typing import Any

from .._errors import make_error
from .._pyvalues import ARM_TYPES
from ..events import EVENT_NAMES, NumericScalar
from ..idl._enums import AttrDataFormat, AttrQuality, CmdArgType, EventReason, ExtractAs
from ..idl._values import DevError, TimeVal
from ._convert import attribute_value_to_device_attribute, cmd_info_from_idl, config5_to_info
from ._types import AttributeInfoEx, DeviceAttribute, _Record

__all__ = [
    "EventData",
    "AttrConfEventData",
    "DataReadyEventData",
    "DevIntrChangeEventData",
    "EVENT_NAMES",
    "event_from_payload",
    "scalar_event",
    "error_event",
    "timeout_errors",
    "missed_errors",
]


_COMMON = ("device", "err", "errors", "event", "event_reason", "reception_date")


class _EventBase(_Record):
    device: Any
    err: bool
    event: str
    event_reason: EventReason
    reception_date: TimeVal
    _errors: tuple[DevError, ...]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Keyword construction by field name; also PyTango's forms: ``Kind(other)`` (a
        copy), ``Kind(device_proxy, ...)`` and the keywords ``device_proxy`` and
        ``event_name`` (None meaning the default)."""
        if args:
            (first,) = args
            if isinstance(first, type(self)):
                kwargs = {f: getattr(first, f) for f in self._fields} | kwargs
            else:
                kwargs["device"] = first
        renamed = {"device_proxy": "device", "event_name": "event"}
        given = {renamed.get(k, k): v for k, v in kwargs.items() if v is not None}
        given.pop("att_data_ready", None)  # PyTango's C++ struct argument: no equivalent
        super().__init__(**given)

    @property
    def errors(self) -> tuple[DevError, ...]:
        return self._errors

    @errors.setter
    def errors(self, errors: Any) -> None:
        # a DevFailed stands for its error stack, as in PyTango
        self._errors = tuple(errors.args if isinstance(errors, BaseException) else errors)

    def get_date(self) -> TimeVal:
        """When the event was received (PyTango's ``get_date``)."""
        return self.reception_date


class EventData(_EventBase):
    """An attribute value event (change, periodic, archive, user, alarm)."""

    _fields = ("attr_name", "attr_value", *_COMMON)
    _defaults = {
        "errors": tuple,
        "event_reason": EventReason.Update,
        "err": False,
        "attr_name": "",
        "event": "",
    }
    attr_name: str
    attr_value: Any


class AttrConfEventData(_EventBase):
    """An attribute configuration event; ``attr_conf`` is an ``AttributeInfoEx``."""

    _fields = ("attr_conf", "attr_name", *_COMMON)
    _defaults = {
        "errors": tuple,
        "event_reason": EventReason.Update,
        "err": False,
        "attr_name": "",
        "event": "",
    }
    attr_name: str
    attr_conf: Any


class DataReadyEventData(_EventBase):
    """A data-ready event: the attribute's data type and the counter the device pushed."""

    _fields = ("attr_data_type", "attr_name", "ctr", *_COMMON)
    _defaults = {
        "errors": tuple,
        "event_reason": EventReason.Update,
        "err": False,
        "ctr": 0,
        "attr_data_type": 0,
        "attr_name": "Unknown",
        "event": "",
    }
    attr_name: str
    attr_data_type: int
    ctr: int


class DevIntrChangeEventData(_EventBase):
    """A device interface change event."""

    _fields = ("att_list", "cmd_list", "dev_started", "device_name", *_COMMON)
    _defaults = {
        "errors": tuple,
        "event_reason": EventReason.Update,
        "err": False,
        "att_list": list,
        "cmd_list": list,
        "dev_started": False,
        "device_name": "",
        "event": "",
    }
    device_name: str
    att_list: list[Any]
    cmd_list: list[Any]
    dev_started: bool


def event_from_payload(
    event: str,
    name: str,
    device: Any,
    value: Any,
    reason: EventReason = EventReason.Update,
    extract_as: ExtractAs = ExtractAs.Numpy,
) -> _EventBase:
    """The event object for a decoded payload (or a synchronous read) of event ``event``
    (unprefixed name); ``name`` is the attribute's full name (the device's for
    ``intr_change``)."""
    now = TimeVal.now()
    common = dict(device=device, event=event, event_reason=reason, reception_date=now)
    if event == "attr_conf":
        info = value if isinstance(value, AttributeInfoEx) else config5_to_info(value)
        return AttrConfEventData(attr_name=name, attr_conf=info, **common)
    if event == "data_ready":
        return DataReadyEventData(
            attr_name=name, attr_data_type=int(value.data_type), ctr=int(value.ctr), **common
        )
    if event == "intr_change":
        return DevIntrChangeEventData(
            device_name=name,
            dev_started=bool(value.dev_started),
            cmd_list=[cmd_info_from_idl(c) for c in value.cmds],
            att_list=[config5_to_info(a) for a in value.atts],
            **common,
        )
    if hasattr(value, "err_list"):
        value = attribute_value_to_device_attribute(value, extract_as)
    return EventData(attr_name=name, attr_value=value, **common)


_new = object.__new__
_QUALITIES = {int(q): q for q in AttrQuality}
_CMD_ARG_TYPES = {int(c): c for c in CmdArgType}
_SCALAR = AttrDataFormat.SCALAR
_UPDATE = EventReason.Update


def _time_val(sec: int, usec: int, nsec: int) -> TimeVal:
    stamp = _new(TimeVal)
    stamp.tv_sec, stamp.tv_usec, stamp.tv_nsec = sec, usec, nsec
    return stamp


def _now() -> TimeVal:
    """``TimeVal.now()``, built without its general constructor."""
    sec, nsec = divmod(time.time_ns(), 1_000_000_000)
    return _time_val(sec, nsec // 1000, 0)


def scalar_event(event: str, name: str, device: Any, scalar: NumericScalar) -> EventData:
    """The ``EventData`` of a numeric scalar payload read by
    :func:`puretango.events.read_numeric_scalar`: the same fields
    :func:`event_from_payload` gives the generic decoding of that payload, built directly."""
    values = scalar.values
    da = _new(DeviceAttribute)
    da.name = scalar.name
    quality = _QUALITIES.get(scalar.quality)
    da.quality = quality if quality is not None else AttrQuality(scalar.quality)
    da.time = _time_val(*scalar.time)
    da.data_format = _SCALAR
    da.type = _CMD_ARG_TYPES.get(scalar.data_type) or ARM_TYPES[scalar.arm]  # type: ignore[index]
    da.dim_x, da.dim_y = scalar.r_dim
    da.w_dim_x, da.w_dim_y = w_dim_x, _ = scalar.w_dim
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
    data = _new(EventData)
    data.attr_name = name
    data.attr_value = da
    data.device = device
    data.err = False
    data.errors = ()
    data.event = event
    data.event_reason = _UPDATE
    data.reception_date = _now()
    return data


def error_event(
    event: str,
    name: str,
    device: Any,
    errors: Any,
    reason: EventReason = EventReason.Update,
) -> _EventBase:
    """The error event (``err`` True, ``errors`` set, no value) of the right class."""
    errs = tuple(errors)
    common = dict(
        device=device,
        event=event,
        event_reason=reason,
        reception_date=TimeVal.now(),
        err=True,
        errors=errs,
    )
    if event == "attr_conf":
        return AttrConfEventData(attr_name=name, attr_conf=None, **common)
    if event == "data_ready":
        return DataReadyEventData(attr_name=name, **common)
    if event == "intr_change":
        return DevIntrChangeEventData(device_name=name, **common)
    return EventData(attr_name=name, attr_value=None, **common)


def timeout_errors(name: str) -> tuple[DevError, ...]:
    """The errors of the event delivered when a server's heartbeat is lost."""
    return (
        make_error(
            "API_EventTimeout",
            f"Event channel is not responding anymore, maybe the server or event system is "
            f"down (attribute {name})",
            "EventConsumer::KeepAliveThread()",
        ),
    )


def missed_errors(name: str, missed: int) -> tuple[DevError, ...]:
    """The errors of the event delivered when event counters show a gap."""
    return (
        make_error(
            "API_MissedEvents",
            f"Missed {missed} event(s) for {name}",
            "ZmqEventConsumer::push_zmq_event()",
        ),
    )
