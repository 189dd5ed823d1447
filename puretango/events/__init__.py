"""Tango events over ZeroMQ, the parts shared by servers and clients, sans I/O: the frames
of an event and their topics (:mod:`._frames`, the commonest payload read fast by
:mod:`._scalar`), and when a reading is an event (:mod:`._criteria`).

Sockets (pyzmq), counters and timing live with the server's publisher and the client's
consumer; nothing here touches a socket or a clock.
"""

from ._criteria import *  # noqa: F403 - the module declares __all__
from ._criteria import __all__ as _criteria_names
from ._frames import *  # noqa: F403 - the module declares __all__
from ._frames import __all__ as _frame_names
from ._scalar import *  # noqa: F403 - the module declares __all__
from ._scalar import __all__ as _scalar_names

__all__ = [*_frame_names, *_criteria_names, *_scalar_names]
