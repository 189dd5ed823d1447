"""What one device holds at run time for each declared attribute and command, and the
helpers that build the values a read returns.

:class:`AttrRuntime` keeps an attribute's resolved methods, its configuration (an
:class:`~puretango._attrconfig.AttrConfig`, replaced whole when a client sets it), its set
point, the quality of its last read (for the device state: :func:`quality_alarms`) and
its limits checks;
:class:`CmdRuntime` a command's types, callables and descriptions. The value helpers make
``AttributeValue_5`` structs cheaply (shared dims, no keyword constructor, the default
set point made once per attribute); :func:`is_coroutine_function` remembers which device
methods are ``async def``. Nothing here runs user code or knows about GIOP.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .._attrconfig import AttrConfig
from .._errors import DevFailed, make_error
from ..giop._cdr import lazy_numpy
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
from ._dtypes import is_ndarray
from ._model import attribute
from ._values import join_read_and_set_point, no_data_value, now, read_value_to_union

if TYPE_CHECKING:  # the type checker sees numpy; at run time it is imported on first use
    import numpy as np
else:
    np = lazy_numpy.bind(globals())


__all__ = [
    "AttrRuntime",
    "CmdRuntime",
    "check_write_limits",
    "default_setpoint",
    "shared_dim",
    "new_value",
    "failed_value",
    "quality_alarms",
    "is_coroutine_function",
]


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
        #: (enum labels, type, format) -> :func:`default_setpoint`'s value, kept for reads
        self._default: tuple[Any, UnionValue | None] | None = None
        self.setpoint_dims = (0, 0)
        #: the quality of the last read, as cppTango keeps it for the device state
        self.last_quality = AttrQuality.ATTR_VALID
        self.config = AttrConfig.declared(
            self.name,
            self.data_type,
            self.data_format,
            self.access,
            decl.kwargs,
            max_dim_x=decl.max_dim_x,
            max_dim_y=decl.max_dim_y,
            level=decl.display_level,
        )

    @property
    def enum_labels(self) -> tuple[str, ...]:
        return self.config.enum_labels

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

    def quality_of(self, union: UnionValue, quality: AttrQuality) -> AttrQuality:
        """ALARM or WARNING when a numeric scalar/array crosses its limits."""
        limits = self.config.alarm_limits
        if (
            limits == _NO_LIMITS
            or quality is not AttrQuality.ATTR_VALID
            or not is_ndarray(union.value)
            or not union.value.size
        ):
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

    def apply_config(self, conf: Any) -> None:
        """Accept the user-settable fields of a config sent by a client."""
        self.config = self.config.updated(conf)


def quality_alarms(attributes: Iterable[AttrRuntime]) -> list[str]:
    """The status lines of attributes whose last read returned an ALARM or WARNING quality,
    in cppTango's words (those with alarm limits are reported by their limits instead)."""
    lines = []
    for attr in attributes:
        if attr.config.alarm_limits[:2] != (None, None):
            continue
        if attr.last_quality is AttrQuality.ATTR_ALARM:
            lines.append(f"Alarm : Quality factor set to ALARM for attribute {attr.config.label}")
        elif attr.last_quality is AttrQuality.ATTR_WARNING:
            lines.append(
                f"Warning : Quality factor set to WARNING for attribute {attr.config.label}"
            )
    return lines


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
        self._info_2: Any = None

    def info_2(self) -> Any:
        """The command's ``DevCmdInfo_2`` (built once: a command does not change; callers
        only read it)."""
        if self._info_2 is None:
            self._info_2 = t.DevCmdInfo_2(
                cmd_name=self.name,
                level=self.level,
                cmd_tag=0,
                in_type=int(self.in_type),
                out_type=int(self.out_type),
                in_type_desc=self.doc_in,
                out_type_desc=self.doc_out,
            )
        return self._info_2


def check_write_limits(attr: AttrRuntime, union: UnionValue) -> None:
    """Refuse a numeric set point outside the attribute's [min_value, max_value]."""
    values = union.value
    if not is_ndarray(values) or not values.size or values.dtype.kind not in "iuf":
        return
    low, high = attr.config.value_limits
    if (low is not None and values.min() < low) or (high is not None and values.max() > high):
        raise DevFailed(
            make_error(
                "API_WAttrOutsideLimit",
                f"Set value for attribute {attr.name} is out of the limits "
                f"[{attr.config.min_value}, {attr.config.max_value}]",
                "puretango.server.write_attribute",
            )
        )


def default_setpoint(attr: AttrRuntime) -> UnionValue | None:
    """The set point of an attribute never written yet, cppTango's initial write value:
    zero, True or "Not initialised"; for a SPECTRUM or IMAGE one such element (sent with
    w_dim (1, 0)). Made once per attribute (again if its type or enum labels change)."""
    key = (attr.enum_labels, attr.data_type, attr.data_format)
    known = attr._default
    if known is not None and known[0] == key:
        return known[1]
    union = _make_default_setpoint(attr)
    attr._default = (key, union)
    return union


def _make_default_setpoint(attr: AttrRuntime) -> UnionValue | None:
    defaults = {
        CmdArgType.DevString: "Not initialised",
        CmdArgType.DevBoolean: True,
        CmdArgType.DevState: DevState.ON,
        CmdArgType.DevEncoded: ("Not initialised", b""),
    }
    try:
        default = defaults.get(attr.data_type, 0)
        if attr.data_format is AttrDataFormat.SCALAR:
            union, _ = read_value_to_union(
                default, attr.data_type, AttrDataFormat.SCALAR, attr.enum_labels
            )
        else:
            union, _ = read_value_to_union(
                [default], attr.data_type, AttrDataFormat.SPECTRUM, attr.enum_labels
            )
    except DevFailed:
        return None
    return union


_NO_LIMITS = (None, None, None, None)
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


def attach_setpoint(av: Any, attr: AttrRuntime, union: UnionValue) -> UnionValue:
    """For a writable attribute: set ``av.w_dim`` and return ``union`` followed by the set
    point (the written value, else the default), as a READ_WRITE value carries both;
    ``union`` unchanged otherwise."""
    if not attr.writable:
        return union
    setpoint = attr.setpoint if attr.setpoint is not None else default_setpoint(attr)
    sdims = (
        attr.setpoint_dims
        if attr.setpoint is not None
        else ((1, 0) if setpoint is not None else (0, 0))
    )
    if attr.readable:
        union = join_read_and_set_point(union, setpoint)
    av.w_dim = shared_dim(sdims[0], sdims[1])
    return union


_COROUTINE_FUNCTIONS: dict[Any, bool] = {}


def is_coroutine_function(fn: Any) -> bool:
    """``inspect.iscoroutinefunction(fn)``, remembered per function (never per device)."""
    key = getattr(fn, "__func__", fn)
    try:
        return _COROUTINE_FUNCTIONS[key]
    except KeyError:
        pass
    except TypeError:  # unhashable
        return inspect.iscoroutinefunction(fn)
    if len(_COROUTINE_FUNCTIONS) > 4096:
        _COROUTINE_FUNCTIONS.clear()
    found = _COROUTINE_FUNCTIONS[key] = inspect.iscoroutinefunction(fn)
    return found
