"""The values of the events a device pushes: PyTango's ``push_*_event`` arguments turned into
the ``AttributeValue_5`` (or the error stack) an event carries, and what the change criteria
compare of a value (:class:`puretango.events.Reading`).

Nothing here sends anything or runs device code; :mod:`._events` publishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._errors import DevFailed, make_error
from ..events import Reading
from ..idl._enums import AttrDataFormat, AttributeDataType, AttrQuality, CmdArgType
from ..idl._values import DevError, TimeVal
from ._dtypes import is_ndarray
from ._runtime import AttrRuntime, attach_setpoint, new_value, shared_dim
from ._servant import python_error
from ._values import no_data_value, read_value_to_union

__all__ = ["pushed_value", "errors_of", "reading_of"]


def errors_of(exc: BaseException) -> list[DevError]:
    """The error stack an exception pushed by device code becomes (PyTango's rule: a
    DevFailed keeps its stack, anything else is ``PyDs_PythonError``)."""
    if isinstance(exc, DevFailed) and exc.errors:
        return list(exc.errors)
    return [python_error(exc)]


def pushed_value(attr: AttrRuntime, args: Sequence[Any]) -> Any:
    """The AttributeValue_5 of ``push_*_event(name, *args)``: ``(data)``,
    ``(data, time, quality)``, and for DevEncoded ``(format, data)`` and
    ``(format, data, time, quality)``. Raises DevFailed when the arguments do not fit."""
    stamp: Any = None
    quality = AttrQuality.ATTR_VALID
    encoded = attr.data_type is CmdArgType.DevEncoded
    count = len(args)
    if encoded and count in (2, 4):
        value: Any = (args[0], args[1])
        if count == 4:
            stamp, quality = args[2], args[3]
    elif not encoded and count in (1, 3):
        value = args[0]
        if count == 3:
            stamp, quality = args[1], args[2]
    elif encoded and count == 1 and isinstance(args[0], tuple):
        value = args[0]
    else:
        raise DevFailed(
            make_error(
                "API_IncompatibleArgumentType",
                f"Wrong number of arguments to push an event of attribute {attr.name}",
                "Device::push_event",
            )
        )
    av = new_value(attr.name)
    if stamp is not None:
        av.time = stamp if isinstance(stamp, TimeVal) else TimeVal(float(stamp))
    quality = AttrQuality(quality)
    av.data_format, av.data_type = attr.data_format, int(attr.data_type)
    if value is None:
        if quality is not AttrQuality.ATTR_INVALID:
            raise DevFailed(
                make_error(
                    "API_AttrValueNotSet",
                    f"Value for attribute {attr.name} has not been set",
                    "Device::push_event",
                )
            )
        av.value, av.quality = no_data_value(), quality
        return av
    union, dims = read_value_to_union(value, attr.data_type, attr.data_format, attr.enum_labels)
    av.quality = attr.quality_of(union, quality)
    av.r_dim = shared_dim(dims[0], dims[1])
    av.value = attach_setpoint(av, attr, union)
    return av


def reading_of(av: Any) -> Reading:
    """What the criteria compare of an AttributeValue_5: the read part of its values (the
    set point left out), its quality and its errors."""
    if av.err_list:
        return Reading.failed([(e.reason, e.desc) for e in av.err_list])
    union = av.value
    quality = AttrQuality(av.quality)
    if union is None or union.disc == AttributeDataType.ATT_NO_DATA:
        return Reading(None, quality)
    values = union.value
    if union.disc == AttributeDataType.DEVICE_STATE or not (
        is_ndarray(values) or isinstance(values, (list, tuple))
    ):
        return Reading([values], quality)
    dim = av.r_dim
    count = dim.dim_x * (dim.dim_y or 1)
    if av.data_format == AttrDataFormat.SCALAR:
        count = 1
    return Reading(values[:count], quality)
