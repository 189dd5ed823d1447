"""``tango.pyutil`` on puretango: the server process (``Util``), the canonical device
server command line (``parse_args``, :mod:`puretango.server._argv`) and the polling-buffer
records."""

from puretango.server._argv import parse_args
from puretango.server._classic_util import TimedCmdData, Util
from puretango.server._fill_history import TimedAttrData

__all__ = ["TimedAttrData", "TimedCmdData", "Util", "parse_args"]
