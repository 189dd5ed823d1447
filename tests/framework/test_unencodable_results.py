"""A result the wire cannot carry (a DevString outside Latin-1) is answered at once with a
DevFailed naming the UnicodeError, and the server keeps serving: the reply that reports
the failure quotes the value, so it must be encodable itself."""

from __future__ import annotations

import pytest

import puretango as tango
from puretango.server import Device, attribute, command
from puretango.test_context import DeviceTestContext


class Unencodable(Device):
    """Answers strings Latin-1 cannot hold."""

    @attribute(dtype=str)
    def wrong_string(self) -> str:
        return "\ufffd"

    @command(dtype_out=str)
    def WrongString(self) -> str:  # noqa: N802 - a Tango command name
        return "snow \u2603"

    @attribute(dtype=str)
    def right_string(self) -> str:
        return "ok é"


def test_unencodable_results_fail_fast_and_the_server_goes_on() -> None:
    with DeviceTestContext(Unencodable, timeout=10) as proxy:
        with pytest.raises(tango.DevFailed, match="UnicodeError") as failed:
            _ = proxy.wrong_string
        assert "API_MarshallingError" in str(failed.value)
        with pytest.raises(tango.DevFailed, match="UnicodeError"):
            proxy.WrongString()
        assert proxy.right_string == "ok é"
