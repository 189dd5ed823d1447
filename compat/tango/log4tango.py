"""``tango.log4tango`` on puretango: ``TangoStream`` and the ``LogIt`` decorator family of
:mod:`puretango._logdecorators`."""

from puretango._logdecorators import (
    DebugIt,
    ErrorIt,
    FatalIt,
    InfoIt,
    LogIt,
    TangoStream,
    WarnIt,
)

__all__ = ["DebugIt", "ErrorIt", "FatalIt", "InfoIt", "LogIt", "TangoStream", "WarnIt"]
