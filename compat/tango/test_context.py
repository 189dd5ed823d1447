"""``tango.test_context`` on puretango: the in-process test contexts of
:mod:`puretango.test_context` and the GIOP-port finder of :mod:`puretango._server_port`."""

from puretango._server_port import get_server_port_via_pid
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

__all__ = ["DeviceTestContext", "MultiDeviceTestContext", "get_server_port_via_pid"]

# [context] the command line (``python -m tango.test_context module.Device --prop ...``);
# the contexts as PyTango's: one thread-mode server per process
from puretango import test_context as _puretango_context  # noqa: E402
from puretango.test_context import (  # noqa: E402
    get_host_ip,  # noqa: F401
    parse_command_line_args,  # noqa: F401
    run_device_test_context,
)

__all__ += ["run_device_test_context"]


class MultiDeviceTestContext(_puretango_context.MultiDeviceTestContext):  # noqa: F811
    """PyTango's: one thread-mode context at a time in a process (its server is a singleton)."""

    several_in_process = False


class DeviceTestContext(_puretango_context.DeviceTestContext):  # noqa: F811
    """PyTango's: one thread-mode context at a time in a process (its server is a singleton)."""

    several_in_process = False


if __name__ == "__main__":
    run_device_test_context()
