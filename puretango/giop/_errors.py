"""Errors of the sans-I/O CORBA core.

Rule: everything that goes wrong while decoding bytes from a peer raises
:class:`RemoteProtocolError` (the peer sent something we cannot accept); everything
that goes wrong while encoding a value we were asked to send raises
:class:`LocalProtocolError`. Any other exception escaping the core is a bug.
The client and server layers map these to Tango's ``DevFailed`` family at one
boundary; the core knows nothing about Tango errors.
"""

from __future__ import annotations

__all__ = [
    "ProtocolError",
    "LocalProtocolError",
    "RemoteProtocolError",
    "MarshalError",
]


class ProtocolError(Exception):
    """Base of all errors raised by :mod:`puretango.giop`."""

    def __init__(self, message: str) -> None:
        if type(self) is ProtocolError:
            raise TypeError("instantiate LocalProtocolError or RemoteProtocolError")
        super().__init__(message)


class LocalProtocolError(ProtocolError):
    """We were asked to send something the protocol cannot express."""


class RemoteProtocolError(ProtocolError):
    """The peer sent bytes that are not a valid GIOP message or CDR value."""


class MarshalError(RemoteProtocolError):
    """A message body could not be decoded (CORBA ``MARSHAL``)."""
