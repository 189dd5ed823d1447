"""``tango.pyutil`` on puretango: the server process (``Util``) and the canonical
device server command line (``parse_args``)."""

from puretango.server._classic_util import Util, parse_args

__all__ = ["Util", "parse_args"]
