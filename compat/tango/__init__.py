"""PyTango's ``tango`` package on puretango (the opt-in drop-in, distribution
``puretango-compat``): every name forwards to puretango; nothing here holds Tango logic.

``tango.__version__`` is the PyTango API level this drop-in follows (what version checks
in PyTango code compare against); ``tango.puretango_version`` is the library underneath.
The PyTango top-level names still missing are printed by ``tests/compat/missing_names.py``.
"""

from ._guard import refuse_if_pytango as _refuse_if_pytango

_refuse_if_pytango()

import puretango as _puretango  # noqa: E402
from puretango.idl._enums import AttReqType  # noqa: E402

from ._serverinfo import PYTANGO_API_LEVEL  # noqa: E402

# puretango's public API, except the names puretango itself loads on first use
globals().update(
    {
        name: getattr(_puretango, name)
        for name in _puretango.__all__
        if name not in _puretango._LAZY_NAMES
    }
)

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

__version__ = PYTANGO_API_LEVEL
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

# [classic] (the server side loads on first use: see ``__getattr__`` below)
_SERVER_NAMES = (
    "Attr",
    "DServer",
    "Device_2Impl",
    "Device_3Impl",
    "Device_4Impl",
    "Device_5Impl",
    "Device_6Impl",
    "DeviceClass",
    "DeviceImpl",
    "EnsureOmniThread",
    "ImageAttr",
    "LatestDeviceImpl",
    "SpectrumAttr",
    "SubDevDiag",
    "TimedCmdData",
    "Util",
    "is_omni_thread",
)
__all__ += [name for name in _SERVER_NAMES if name != "DServer"]

# [ns]
from . import _tango  # noqa: E402, F401 - PyTango has tango._tango
from ._warnings import PyTangoUserWarning  # noqa: E402

#: PyTango's submodules that ``import tango`` makes attributes; loaded on first use here
_SUBMODULES = (
    "asyncio_executor",
    "constants",
    "device_server",
    "green",
    "log4tango",
    "pytango_pprint",
    "pyutil",
)
__all__ += [
    "PyTangoUserWarning",
    "TimedAttrData",
    "constants",
    "log4tango",
    "pytango_pprint",
    "pyutil",
]


# [context] (tango.green, tango.asyncio_executor, tango.device_server: in _SUBMODULES)

# [client]

# --- end of issue 10 streams ---


def __getattr__(name: str) -> object:
    """The names loaded on first use: puretango's server-side names (a client program
    never imports the server) and PyTango's submodules."""
    import importlib

    if name in _SUBMODULES:
        value: object = importlib.import_module(f"{__name__}.{name}")
    elif name in _SERVER_NAMES:
        from ._serverinfo import puretango_server

        value = getattr(puretango_server(), name)
    elif name in _puretango._LAZY_NAMES:
        value = getattr(_puretango, name)
    else:
        raise AttributeError(f"module 'tango' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    lazy = set(_SUBMODULES) | set(_SERVER_NAMES) | set(_puretango._LAZY_NAMES)
    return sorted(set(globals()) | lazy)
