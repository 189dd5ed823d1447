"""The Tango client: names, ``DeviceProxy``, ``AttributeProxy``, ``Database`` and their data
types."""

from ._asynch import (
    ApiUtil,
    AttrReadEvent,
    AttrWrittenEvent,
    CmdDoneEvent,
    asyn_req_type,
    cb_sub_model,
)
from ._attribute_proxy import AttributeProxy
from ._database import Database
from ._dbtypes import (
    DbData,
    DbDatum,
    DbDevExportInfo,
    DbDevFullInfo,
    DbDevImportInfo,
    DbDevInfo,
    DbHistory,
    DbServerInfo,
)
from ._eventdata import AttrConfEventData, DataReadyEventData, DevIntrChangeEventData, EventData
from ._green import get_green_mode, set_green_mode
from ._history import DeviceAttributeHistory, DeviceDataHistory
from ._proxy import DeviceProxy
from ._types import (
    ArchiveEventInfo,
    AttributeAlarmInfo,
    AttributeDimension,
    AttributeEventInfo,
    AttributeInfo,
    AttributeInfoEx,
    AttributeInfoList,
    AttributeInfoListEx,
    ChangeEventInfo,
    CommandInfo,
    CommandInfoList,
    DeviceAttribute,
    DeviceInfo,
    PeriodicEventInfo,
    PyTangoUserWarning,
)

__all__ = [
    "ApiUtil",
    "AttrReadEvent",
    "AttrWrittenEvent",
    "CmdDoneEvent",
    "asyn_req_type",
    "cb_sub_model",
    "AttrConfEventData",
    "DataReadyEventData",
    "DevIntrChangeEventData",
    "EventData",
    "AttributeProxy",
    "Database",
    "DbData",
    "DbDatum",
    "DbDevExportInfo",
    "DbDevFullInfo",
    "DbDevImportInfo",
    "DbDevInfo",
    "DbHistory",
    "DbServerInfo",
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
    "DeviceAttributeHistory",
    "DeviceDataHistory",
    "DeviceInfo",
    "PeriodicEventInfo",
    "AttributeInfoList",
    "AttributeInfoListEx",
    "CommandInfoList",
    "PyTangoUserWarning",
]
