"""``tango.test_context`` on puretango: the in-process test contexts of
:mod:`puretango.test_context`."""

from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

__all__ = ["DeviceTestContext", "MultiDeviceTestContext"]
