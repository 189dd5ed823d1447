"""The wiring above the client and the server: what each needs of the other, built on
demand so that ``import puretango`` loads neither more than it already does.

A device logging to a ``device::<name>`` target calls that device's ``Log`` command through
a synchronous client ``DeviceProxy`` (:func:`log_consumer`).

A device server started without ``-nodb`` reaches the Database through the client's
``Database`` (its ``command_inout``), wrapped in the server's ``CommandDatabase``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["log_consumer", "server_database"]


def server_database() -> Any:
    """The Database access of a device server: the client's ``Database`` (``TANGO_HOST``)."""
    from .client._database import Database
    from .server._database import CommandDatabase

    return CommandDatabase(Database().command_inout)


def log_consumer(name: str) -> Callable[[list[str]], Any]:
    """A function sending ``Log`` records to device ``name`` (reached now: raises if not)."""
    from .client._proxy import DeviceProxy
    from .idl._enums import GreenMode

    proxy = DeviceProxy(name, green_mode=GreenMode.Synchronous)
    proxy.ping()

    def send(record: list[str]) -> None:
        proxy.command_inout("Log", record)

    return send
