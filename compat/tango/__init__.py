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

# [ns]
from . import (  # noqa: E402
    _tango,  # noqa: F401 - PyTango has tango._tango
    constants,
    log4tango,
    pytango_pprint,
    pyutil,
)
from ._pending import PENDING_NAMES as _PENDING_NAMES  # noqa: E402
from ._pending import placeholder as _placeholder  # noqa: E402
from ._threads import EnsureOmniThread, is_omni_thread  # noqa: E402
from ._warnings import PyTangoUserWarning  # noqa: E402
from .pyutil import TimedAttrData, TimedCmdData  # noqa: E402

__all__ += [
    "EnsureOmniThread",
    "PyTangoUserWarning",
    "TimedAttrData",
    "TimedCmdData",
    "constants",
    "is_omni_thread",
    "log4tango",
    "pytango_pprint",
    "pyutil",
]


def __getattr__(name: str) -> object:
    # names other parts of issue 10 bring: a raising placeholder until they land
    if name in _PENDING_NAMES:
        return _placeholder(name)
    raise AttributeError(f"module 'tango' has no attribute {name!r}")


# [context]

# [client]

# --- end of issue 10 streams ---
