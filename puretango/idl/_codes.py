"""The Tango code enumerations that PyTango exposes beside the IDL ones and that no wire
message carries: log levels and targets, polling and locking command codes, access
control, attribute serialisation models. Names, values and string forms are PyTango's.
"""

from __future__ import annotations

from ._enums import TangoEnum, _legacy_dicts

__all__ = [
    "AccessControlType",
    "AttrSerialModel",
    "KeepAliveCmdCode",
    "LockCmdCode",
    "LogLevel",
    "LogTarget",
    "MessBoxType",
    "PollCmdCode",
    "PollObjType",
]


@_legacy_dicts
class AccessControlType(TangoEnum):
    ACCESS_READ = 0
    ACCESS_WRITE = 1


@_legacy_dicts
class AttrSerialModel(TangoEnum):
    ATTR_NO_SYNC = 0
    ATTR_BY_KERNEL = 1
    ATTR_BY_USER = 2


@_legacy_dicts
class KeepAliveCmdCode(TangoEnum):
    EXIT_TH = 0


@_legacy_dicts
class LockCmdCode(TangoEnum):
    LOCK_ADD_DEV = 0
    LOCK_REM_DEV = 1
    LOCK_UNLOCK_ALL_EXIT = 2
    LOCK_EXIT = 3


@_legacy_dicts
class LogLevel(TangoEnum):
    LOG_OFF = 0
    LOG_FATAL = 1
    LOG_ERROR = 2
    LOG_WARN = 3
    LOG_INFO = 4
    LOG_DEBUG = 5


@_legacy_dicts
class LogTarget(TangoEnum):
    LOG_CONSOLE = 0
    LOG_FILE = 1
    LOG_DEVICE = 2


@_legacy_dicts
class MessBoxType(TangoEnum):
    STOP = 0
    INFO = 1


@_legacy_dicts
class PollCmdCode(TangoEnum):
    POLL_ADD_OBJ = 0
    POLL_REM_OBJ = 1
    POLL_START = 2
    POLL_STOP = 3
    POLL_UPD_PERIOD = 4
    POLL_REM_DEV = 5
    POLL_EXIT = 6
    POLL_REM_EXT_TRIG_OBJ = 7
    POLL_ADD_HEARTBEAT = 8
    POLL_REM_HEARTBEAT = 9


@_legacy_dicts
class PollObjType(TangoEnum):
    POLL_CMD = 0
    POLL_ATTR = 1
    EVENT_HEARTBEAT = 2
    STORE_SUBDEV = 3
