"""``tango.test_context`` on puretango: the in-process test contexts of
:mod:`puretango.test_context`."""

from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

__all__ = ["DeviceTestContext", "MultiDeviceTestContext"]

# [context] the command line (``python -m tango.test_context module.Device --prop ...``)
from puretango.test_context import (  # noqa: E402
    get_host_ip,  # noqa: F401
    parse_command_line_args,  # noqa: F401
    run_device_test_context,
)

__all__ += ["run_device_test_context"]

if __name__ == "__main__":
    run_device_test_context()
