"""A device server that logs, run unchanged on PyTango or on puretango: ``python
log_peer.py pytango|puretango INSTANCE -nodb -ORBendPoint ... -dlist ... [-vN]``.

Its class ``LogPeer`` logs on command (``Emit [level, message]``, level ``print``: printed
to ``log_info``; a ``@InfoIt`` command)
and is a log consumer (``Log``, whose records ``Records`` answers as JSON)."""

from __future__ import annotations

import json
import sys
from typing import Any

IMPL = sys.argv.pop(1)
if IMPL == "pytango":
    from tango.log4tango import InfoIt
    from tango.server import Device, command
else:
    from puretango._logdecorators import InfoIt
    from puretango.server import Device, command


class LogPeer(Device):
    records: list[list[str]] = []

    @command(dtype_in=(str,))
    def Emit(self, argin: Any) -> None:  # noqa: N802 - Tango command names
        level, message = argin
        if level == "print":
            print(message, file=self.log_info)
        else:
            getattr(self, f"{level}_stream")(message)

    @command(dtype_out=int)
    @InfoIt(show_ret=True)
    def Decorated(self) -> int:  # noqa: N802
        return 7

    @command(dtype_out=str)
    def LoggerView(self) -> str:  # noqa: N802 - the device's Logger (log4tango levels)
        logger = self.get_logger()
        out = [logger.get_name(), logger.get_level(), logger.is_info_enabled()]
        logger.set_level(300)
        out += [logger.get_level(), logger.is_warn_enabled(), logger.is_error_enabled()]
        logger.set_level(600)
        return json.dumps(out)

    @command(dtype_in=(str,))
    def Log(self, argin: Any) -> None:  # noqa: N802
        self.records.append(list(argin))

    @command(dtype_out=str)
    def Records(self) -> str:  # noqa: N802
        return json.dumps(self.records)


if __name__ == "__main__":
    LogPeer.run_server()
