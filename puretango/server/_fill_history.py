"""Device code filling an attribute's polling buffer itself (PyTango's
``Device.fill_attr_polling_buffer`` with :class:`TimedAttrData` records): each record becomes
the ``AttributeValue_5`` a polled read would have stored, pushed into the ring buffer of the
attribute's polled object (which must exist: polled, usually with period 0)."""

from __future__ import annotations

import time
from typing import Any

from .._errors import DevFailed, make_error
from ..idl._enums import AttrQuality
from ..idl._values import TimeVal
from ._runtime import AttrRuntime, failed_value, new_value, shared_dim
from ._values import join_read_and_set_point, read_value_to_union

__all__ = ["TimedAttrData", "fill_attr_polling_buffer"]


class TimedAttrData:
    """One record for :func:`fill_attr_polling_buffer`: a value (with its quality, set point
    and time stamp) or an error (which wins over the value)."""

    def __init__(
        self,
        value: Any = None,
        quality: AttrQuality = AttrQuality.ATTR_VALID,
        w_value: Any = None,
        error: Exception | None = None,
        time_stamp: float | None = None,
    ) -> None:
        self.value = value
        self.quality = quality
        self.w_value = w_value
        self.error = error
        self.time_stamp = time_stamp


def _record_value(runtime: AttrRuntime, data: TimedAttrData, when: float) -> Any:
    if data.error is not None:
        from ._servant import python_error

        error = data.error
        errors = error.errors if isinstance(error, DevFailed) else [python_error(error)]
        av = failed_value(runtime.name, errors)
        av.time = TimeVal.fromtimestamp(when)
        return av
    av = new_value(runtime.name)
    av.time = TimeVal.fromtimestamp(when)
    av.data_format, av.data_type = runtime.data_format, int(runtime.data_type)
    args = (runtime.data_type, runtime.data_format, runtime.enum_labels)
    union, dims = read_value_to_union(data.value, *args)
    av.r_dim = shared_dim(*dims)
    av.quality = AttrQuality(data.quality)
    if data.w_value is not None and runtime.writable:
        setpoint, wdims = read_value_to_union(data.w_value, *args)
        union = join_read_and_set_point(union, setpoint)
        av.w_dim = shared_dim(*wdims)
    av.value = union
    return av


def fill_attr_polling_buffer(device: Any, attribute_name: str, records: Any) -> None:
    """Push ``records`` (a TimedAttrData or a list of them) into the polling buffer of
    ``device``'s attribute ``attribute_name``."""
    from ._polling import PollRecord

    servant = device._puretango_servant
    runtime = servant._attribute(attribute_name)
    poller = device._server.poller
    polled = poller.find(device.get_name(), "attribute", attribute_name)
    if polled is None:
        raise DevFailed(
            make_error(
                "API_AttrNotPolled",
                f"Attribute {attribute_name} is not polled",
                "DeviceImpl::fill_attr_polling_buffer",
            )
        )
    if isinstance(records, TimedAttrData):
        records = [records]
    for data in records:
        when = time.time() if data.time_stamp is None else float(data.time_stamp)
        av = _record_value(runtime, data, when)
        polled.push(PollRecord(when, av, av.err_list), 0.0)
