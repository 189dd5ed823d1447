"""PyTango's ``tango`` package on puretango (the opt-in drop-in, distribution
``puretango-compat``): every name forwards to puretango; nothing here holds Tango logic.

``tango.__version__`` is the PyTango API level this drop-in follows (what version checks
in PyTango code compare against); ``tango.puretango_version`` is the library underneath.
The PyTango top-level names still missing are printed by ``tests/compat/missing_names.py``.
"""

from ._guard import refuse_if_pytango as _refuse_if_pytango

_refuse_if_pytango()

import puretango as _puretango  # noqa: E402
from puretango import *  # noqa: E402, F403 - the drop-in is puretango's public API
from puretango.idl._enums import AttReqType  # noqa: E402
from puretango.server import DServer  # noqa: E402

from . import utils  # noqa: E402
from .utils import (  # noqa: E402
    is_array_type,
    is_bool_type,
    is_float_type,
    is_int_type,
    is_numerical_type,
    is_scalar_type,
    is_str_type,
    obj_2_str,
    requires_pytango,
    requires_tango,
    seqStr_2_obj,
    str_2_obj,
)

__version__ = "10.3.1"
puretango_version = _puretango.__version__

__all__ = [
    *_puretango.__all__,
    "AttReqType",
    "DServer",
    "utils",
    "is_array_type",
    "is_bool_type",
    "is_float_type",
    "is_int_type",
    "is_numerical_type",
    "is_scalar_type",
    "is_str_type",
    "obj_2_str",
    "requires_pytango",
    "requires_tango",
    "seqStr_2_obj",
    "str_2_obj",
]

# --- issue 10 streams: each block is owned by one branch (keep the blank lines between) ---

# [group]

# [pipes]

# [attr]

# [classic]
from puretango.server import (  # noqa: E402
    Attr,
    Device_2Impl,
    Device_3Impl,
    Device_4Impl,
    Device_5Impl,
    Device_6Impl,
    DeviceClass,
    DeviceImpl,
    EnsureOmniThread,
    ImageAttr,
    LatestDeviceImpl,
    SpectrumAttr,
    SubDevDiag,
    TimedCmdData,
    Util,
    is_omni_thread,
)
from puretango.server._classic_impl import EXTRA_VERSION_INFO as _EXTRA_VERSION_INFO  # noqa: E402

_EXTRA_VERSION_INFO["PyTango"] = __version__  # devices report the PyTango API level too
__all__ += [
    "Attr",
    "EnsureOmniThread",
    "is_omni_thread",
    "DeviceClass",
    "DeviceImpl",
    "Device_2Impl",
    "Device_3Impl",
    "Device_4Impl",
    "Device_5Impl",
    "Device_6Impl",
    "ImageAttr",
    "LatestDeviceImpl",
    "SpectrumAttr",
    "SubDevDiag",
    "TimedCmdData",
    "Util",
]

# [ns]
from . import (  # noqa: E402
    _tango,  # noqa: F401 - PyTango has tango._tango
    constants,
    log4tango,
    pytango_pprint,
    pyutil,
)
from ._warnings import PyTangoUserWarning  # noqa: E402
from .pyutil import TimedAttrData  # noqa: E402

__all__ += [
    "PyTangoUserWarning",
    "TimedAttrData",
    "constants",
    "log4tango",
    "pytango_pprint",
    "pyutil",
]


# [context]
from . import asyncio_executor, device_server, green  # noqa: E402, F401 - as PyTango's

# [client]

# --- end of issue 10 streams ---
