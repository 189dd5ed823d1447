"""``tango.pyutil`` on puretango: the server process (``Util``), the canonical device
server command line (``parse_args``) and the polling-buffer records."""

from typing import Any

from puretango.server._classic_util import TimedCmdData, Util, parse_args

__all__ = ["TimedCmdData", "Util", "parse_args"]  # and TimedAttrData, from tango


def __getattr__(name: str) -> Any:
    if name == "TimedAttrData":  # the attribute objects' record, exported by ``tango``
        import tango

        return tango.TimedAttrData
    raise AttributeError(f"module 'tango.pyutil' has no attribute {name!r}")
