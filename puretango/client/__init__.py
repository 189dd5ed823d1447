"""The Tango client: names, ``DeviceProxy``, ``AttributeProxy`` and their data types."""

from ._proxy import AttributeProxy, DeviceProxy, get_green_mode, set_green_mode
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
