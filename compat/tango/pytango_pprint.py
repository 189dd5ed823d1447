"""``tango.pytango_pprint`` on puretango: the lists of structure and sequence types whose
``str`` and ``repr`` follow PyTango's forms (``Name[`` one field a line ``]`` and
``Name(field = value, ...)``; sequences as ``[a, b]``). puretango's types print that way
by themselves, so there is nothing to install (``pytango_pprint_init`` does nothing)."""

from __future__ import annotations

import tango

__all__ = ["pytango_pprint_init"]


def _present(names: str) -> tuple[type, ...]:
    # names of other parts of issue 10 (Group replies, MultiAttrProp) count once they exist
    found = (getattr(tango, name, None) for name in names.split())
    return tuple(kind for kind in found if isinstance(kind, type) and kind.__module__ != "tango")


_STRUCTS = """LockerInfo DevCommandInfo AttributeDimension CommandInfo DeviceInfo
    DeviceAttributeConfig AttributeInfo AttributeAlarmInfo ChangeEventInfo PeriodicEventInfo
    ArchiveEventInfo AttributeEventInfo AttributeInfoEx DeviceAttribute DeviceAttributeHistory
    DeviceData DeviceDataHistory DbDatum DbDevInfo DbDevImportInfo DbDevExportInfo DbServerInfo
    DevError EventData AttrConfEventData DataReadyEventData AttributeConfig AttributeConfig_2
    AttributeConfig_3 AttributeConfig_5 ChangeEventProp PeriodicEventProp ArchiveEventProp
    AttributeAlarm EventProperties MultiAttrProp GroupReply GroupAttrReply GroupCmdReply"""
_SEQUENCES = """StdStringVector StdLongVector CommandInfoList AttributeInfoList AttributeInfoListEx
    DeviceDataHistoryList GroupReplyList GroupAttrReplyList GroupCmdReplyList DbData DbDevInfos
    DbDevExportInfos DbDevImportInfos DbHistoryList"""


def pytango_pprint_init() -> None:
    """Install PyTango's printing of structures: nothing to do on puretango."""


def __getattr__(name: str) -> tuple[type, ...]:
    # computed on first use, once every part of the drop-in is imported
    if name == "_STRUCT_TYPES":
        return _present(_STRUCTS)
    if name == "_SEQUENCE_TYPES":
        return _present(_SEQUENCES)
    raise AttributeError(f"module 'tango.pytango_pprint' has no attribute {name!r}")
