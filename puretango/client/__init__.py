"""The Tango client: names, ``DeviceProxy``, ``AttributeProxy`` and their data types."""

from ._attribute_proxy import AttributeProxy
from ._green import get_green_mode, set_green_mode
from ._proxy import DeviceProxy
from ._types import (
    ArchiveEventInfo,
    AttributeAlarmInfo,
    AttributeDimension,
    AttributeEventInfo,
    AttributeInfo,
    AttributeInfoEx,
    ChangeEventInfo,
    CommandInfo,
    DeviceAttribute,
    DeviceInfo,
    PeriodicEventInfo,
)

__all__ = [
    "AttributeProxy",
    "DeviceProxy",
    "get_green_mode",
    "set_green_mode",
    "ArchiveEventInfo",
    "AttributeAlarmInfo",
    "AttributeDimension",
    "AttributeEventInfo",
    "AttributeInfo",
    "AttributeInfoEx",
    "ChangeEventInfo",
    "CommandInfo",
    "DeviceAttribute",
    "DeviceInfo",
    "PeriodicEventInfo",
]
