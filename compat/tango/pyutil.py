"""``tango.pyutil`` on puretango: ``parse_args``, a device server's command line in Tango's
canonical form (:mod:`puretango.server._argv`)."""

from puretango.server._argv import parse_args

__all__ = ["parse_args"]
