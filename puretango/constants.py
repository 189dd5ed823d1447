"""Tango's named constants, with the names and values PyTango gives in ``tango.constants``:
default strings of attribute properties, timeouts, event and polling settings, logging
target names, error reasons, and the library versions (puretango speaks the protocol of
Tango 10, IDL 6; there is no C++ library, no telemetry support)."""

from __future__ import annotations

import sys

import numpy as _np

# -- library and language versions ----------------------------------------------------------
TgLibVers = TANGO_VERSION = "10.0.0"
TANGO_VERSION_MAJOR, TANGO_VERSION_MINOR, TANGO_VERSION_PATCH = 10, 0, 0
TgLibVersNb = TANGO_VERSION_NB = 100000
TgLibMajorVers = "10"
TANGO_VERSION_HEX = 0x0A000000
DevVersion = 6
TELEMETRY_SUPPORTED = False
PY_MAJOR_VERSION, PY_MINOR_VERSION, PY_MICRO_VERSION = sys.version_info[:3]
PY_VERSION = ".".join(str(part) for part in sys.version_info[:3])
PY_VERSION_HEX = sys.hexversion
NUMPY_VERSION = _np.__version__

# -- default (unset) property values --------------------------------------------------------
AlrmValueNotSpec = "Not specified"
AssocWritNotSpec = "None"
DescNotSet = NotSet = "Uninitialised"
DescNotSpec = "No description"
DispUnitNotSpec = "No display unit"
FormatNotSpec = FormatNotSpec_FL = "%6.2f"
FormatNotSpec_INT = "%d"
FormatNotSpec_STR = "%s"
LabelNotSpec = "No label"
MemNotUsed = "Not used yet"
MemAttrPropName = "__value"
NotANumber = "NaN"
ResNotDefined = "0"
RootAttNotDef = "Not defined"
StatusNotSet = "Not initialised"
StdUnitNotSpec = "No standard unit"
TangoHostNotSet = "Undef"
UnitNotSpec = ""
DefaultWritAttrProp = False
InitialOutput = "Initial Output"
DefaultDocUrl = "http://www.tango-controls.org"

# -- names ----------------------------------------------------------------------------------
AllAttr = "All attributes"
AllAttr_3 = "All attributes_3"
AllCmd = "All commands"
ACCESS_SERVICE = "AccessControl"
CONTROL_SYSTEM = "CtrlSystem"
DATABASE_CLASS = "DataBase"
DSDeviceDomain = "dserver"
DbObjName = "database"
EnvVariable = "TANGO_HOST"
WindowsEnvVariable = "TANGO_ROOT"
USER_ENV_VAR_FILE = ".tangorc"
NoClass = "noclass"
PollAttribute = "attribute"
PollCommand = "command"
SERVICE_PROP_NAME = "Services"
TG_LOCAL_HOST = "localhost"
MessBoxTitle = "Tango Device Server"
NOTIFD_CHANNEL = "notifd_channel"
LOCAL_POLL_REQUEST = "_local"
LOCAL_REQUEST_STR_SIZE = 6
TANGO_PY_MOD_NAME = "_PyTango.pyd"

# -- limits, timeouts (ms unless said) and sizes --------------------------------------------
CLNT_TIMEOUT = 3000
CLNT_TIMEOUT_STR = "3000"
NARROW_CLNT_TIMEOUT = 100
DEFAULT_TIMEOUT = 3200
DB_CONNECT_TIMEOUT = 25000
DB_RECONNECT_TIMEOUT = 20000
DB_TIMEOUT = 13000
DB_START_PHASE_RETRIES = 3
DefaultBlackBoxDepth = 50
DefaultMaxSeq = 20
DefaultPollRingDepth = 10
DEFAULT_POLLING_THREADS_POOL_SIZE = 1
DEFAULT_POLL_OLD_FACTOR = 4
MIN_POLL_PERIOD = 5
DEFAULT_LOCK_VALIDITY = 10  # s
MIN_LOCK_VALIDITY = 2  # s
MaxDevPropLength = 255
MaxServerNameLength = 255
MAX_GIOP_PER_SERVER = "128"
MAX_TRANSFER_SIZE = "268435456"
TANGO_FLOAT_PRECISION = 15
MIN_IDL_CONF5 = 5
MIN_IDL_DEV_INTR = 5
TG_IMP_MINOR_TO = 10
TG_IMP_MINOR_DEVFAILED = 11
TG_IMP_MINOR_NON_DEVFAILED = 12

# -- events ---------------------------------------------------------------------------------
ALL_EVENTS = 0
DEFAULT_EVENT_PERIOD = 1000
EVENT_HEARTBEAT_PERIOD = 10  # s
EVENT_RESUBSCRIBE_PERIOD = 600  # s
EVENT_METHOD_NAME = "push_zmq_event"
HEARTBEAT = "Event heartbeat"
HEARTBEAT_EVENT_NAME = "heartbeat"
HEARTBEAT_METHOD_NAME = "push_heartbeat_event"
ZMQ_EVENT_PROT_VERSION = 1
CTRL_SOCK_ENDPOINT = "inproc://control"
MAX_SOCKET_SUB = 10
PUB_HWM = 1000
SUB_HWM = 1000
SUB_SEND_HWM = 10000
MCAST_PROT = "epgm://"
MCAST_HOPS = 5
PGM_RATE = 81920
PGM_IVL = 20000

# -- logging targets ------------------------------------------------------------------------
kLogTargetConsole = "console"
kLogTargetDevice = "device"
kLogTargetFile = "file"
kLogTargetSep = "::"

# -- error reasons --------------------------------------------------------------------------
DEVICE_UNLOCKED_REASON = "API_DeviceUnlocked"
_REASONS = """AttrConfig AttrEventProp AttrIncorrectDataNumber AttrNoAlarm AttrNotAllowed
AttrNotFound AttrNotWritable AttrOptProp AttrPropValueNotSet AttrValueNotSet AttrWrongDefined
AttrWrongMemValue BadConfigurationProperty BlackBoxArgument BlackBoxEmpty
CannotCheckAccessControl CannotOpenFile CantActivatePOAManager CantCreateClassPoa
CantCreateLockingThread CantFindLockingThread CantGetClientIdent CantGetDevObjectId
CantInstallSignal CantRetrieveClass CantRetrieveClassList CantStoreDeviceClass ClassNotFound
CmdArgumentTypeNotSupported CommandNotAllowed CommandNotFound CorbaSysException
CorruptedDatabase DatabaseAccess DeviceLocked DeviceNotFound DeviceNotLocked DeviceUnlockable
DeviceUnlocked EventSupplierNotConstructed IncoherentDbData IncoherentDevData IncoherentValues
IncompatibleAttrDataType IncompatibleCmdArgumentType InitMethodNotFound InitNotPublic
InitThrowsException JavaRuntimeSecurityException MemoryAllocation MethodArgument
MethodNotFound MissedEvents NotSupportedFeature NtDebugWindowError OverloadingNotSupported
PolledDeviceNotInPoolConf PolledDeviceNotInPoolMap PollingThreadNotFound ReadOnlyMode
SignalOutOfRange SystemCallFailed WAttrOutsideLimit WizardConfError WrongEventData
WrongHistoryDataBuffer WrongLockingStatus ZmqInitFailed""".split()
globals().update({f"API_{reason}": f"API_{reason}" for reason in _REASONS})

__all__ = sorted(
    name for name in globals() if not name.startswith("_") and name not in ("annotations", "sys")
)
