"""In an Asyncio device, a plain (not ``async def``) attribute or command method of the
device's code (read, write, is allowed, command; static or added at run time) is reported
as deprecated when it runs, once per function, with PyTango's DeprecationWarning text and
key (``tango.asyncio_executor``'s); ``async def`` methods, puretango's own methods and
synchronous devices are not."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from puretango import AttrWriteType, GreenMode
from puretango._warnonce import already_warned_keys
from puretango.server import Device, attribute, command
from puretango.test_context import DeviceTestContext

_KEY = "deprecated:tango.asyncio_executor:sync_function:"


class AsyncAllowed:
    """An ``is allowed`` callable object whose ``__call__`` is ``async``: not warned."""

    async def __call__(self, device: Device) -> bool:
        return True


class AsyncioDevice(Device):
    green_mode = GreenMode.Asyncio
    value = 1

    @attribute(access=AttrWriteType.READ_WRITE)
    async def async_attr(self) -> int:
        return self.value

    @async_attr.write  # type: ignore[no-redef]
    async def async_attr(self, value: int) -> None:
        self.value = value

    @attribute(access=AttrWriteType.READ_WRITE)
    def sync_attr(self) -> int:
        return self.value

    @sync_attr.write
    def set_sync_attr(self, value: int) -> None:
        self.value = value

    @command(dtype_out=int)
    async def async_cmd(self, x: int) -> int:
        return x

    @command(dtype_out=int)
    def sync_cmd(self, x: int) -> int:
        return x

    @command
    async def add_dynamic(self) -> None:
        self.add_attribute(attribute(name="dyn_attr", fget=self.read_dyn))
        self.add_command(command(f=self.dyn_cmd, fisallowed=self.is_dyn_cmd_allowed))
        self.add_command(command(f=self.other_cmd, fisallowed=AsyncAllowed()))

    def read_dyn(self, attr: Any) -> int:
        return self.value

    async def dyn_cmd(self, x: int) -> int:
        return x

    def is_dyn_cmd_allowed(self) -> bool:
        return True

    async def other_cmd(self, x: int) -> int:
        return x


def _warned(record: Any) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, DeprecationWarning)]


def test_plain_methods_of_an_asyncio_device_are_deprecated_when_they_run() -> None:
    already_warned_keys.clear()
    with DeviceTestContext(AsyncioDevice) as proxy:
        proxy.add_dynamic()
        with warnings.catch_warnings(record=True) as quiet:
            warnings.simplefilter("always")
            proxy.async_attr = 5
            assert proxy.async_attr == 5
            assert proxy.async_cmd(3) == 3
            assert proxy.other_cmd(6) == 6
        assert _warned(quiet) == []
        cases = [
            (lambda: setattr(proxy, "sync_attr", 7), "AsyncioDevice.set_sync_attr"),
            (lambda: proxy.sync_attr, "AsyncioDevice.sync_attr"),
            (lambda: proxy.sync_cmd(4), "AsyncioDevice.sync_cmd"),
            (lambda: proxy.dyn_attr, "AsyncioDevice.read_dyn"),
            (lambda: proxy.dyn_cmd(2), "AsyncioDevice.is_dyn_cmd_allowed"),
        ]
        for action, name in cases:
            with pytest.warns(DeprecationWarning) as record:
                action()
            assert (
                f"Sync {name} function called: support of sync functions in PyTango's "
                "Asyncio mode is deprecated. Use 'async def' instead of 'def'."
            ) in _warned(record)
            assert _KEY + name in already_warned_keys
        with warnings.catch_warnings(record=True) as again:  # once per function
            warnings.simplefilter("always")
            assert proxy.sync_cmd(4) == 4
        assert _warned(again) == []


class SyncDevice(Device):
    @attribute
    def plain(self) -> int:
        return 1


def test_a_synchronous_device_is_not_warned() -> None:
    already_warned_keys.clear()
    with DeviceTestContext(SyncDevice) as proxy:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            assert proxy.plain == 1
    assert _warned(record) == []
