"""Late-bound services between layers that must not import each other.

The client and the server never import one another, yet a device server started without
``-nodb`` needs a Database client. The server reads the factory it needs from here, and the
package root (:mod:`puretango`) puts :func:`puretango._wiring.server_database` here at
import; a program may replace it (``puretango.server.set_database_factory``). This module
imports nothing, so either side can read it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["database_factory", "default_green_mode", "log_consumer_factory"]

#: () -> the Database access of a device server (``puretango.server.DatabaseAccess``)
database_factory: Callable[[], Any] | None = None

#: () -> the process-wide green mode (the client's ``get_green_mode``), read by ``run``
default_green_mode: Callable[[], Any] | None = None

#: (device name) -> a function sending one ``Log`` record ([str, ...]) to that device, read
#: by the server's ``device::`` logging targets (raises if the device cannot be reached)
log_consumer_factory: Callable[[str], Callable[[list[str]], Any]] | None = None
