"""``tango.test_context`` on puretango: the in-process test contexts of
:mod:`puretango.test_context` and the GIOP-port finder of :mod:`puretango._server_port`."""

from puretango._server_port import get_server_port_via_pid
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

__all__ = ["DeviceTestContext", "MultiDeviceTestContext", "get_server_port_via_pid"]
