"""The wiring above the client and the server: what each needs of the other, built on
demand so that ``import puretango`` loads neither more than it already does.

A device server started without ``-nodb`` reaches the Database through the client's
``Database`` (its ``command_inout``), wrapped in the server's ``CommandDatabase``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["server_database"]


def server_database() -> Any:
    """The Database access of a device server: the client's ``Database`` (``TANGO_HOST``)."""
    from .client._database import Database
    from .server._database import CommandDatabase

    return CommandDatabase(Database().command_inout)
