"""Device code owns its namespace: a device with helpers of its own named like natural
private helpers (``_push``, ``_supplier``, ``_set_flags``) still pushes events, because
the framework's event methods use names no user picks (a bug the event benchmark's
device found)."""

from __future__ import annotations

from puretango.server import Device, attribute, command
from puretango.test_context import DeviceTestContext


class Helpers(Device):
    value = attribute(dtype=float)

    def init_device(self) -> None:
        super().init_device()
        self._value = 0.0
        self.set_change_event("value", True, False)

    def read_value(self) -> float:
        return self._value

    def _push(self, name: str, value: float) -> None:
        self._value = value
        self.push_change_event(name, value)

    def _supplier(self) -> str:
        return "mine"

    def _set_flags(self) -> str:
        return "mine too"

    @command(dtype_in=float, dtype_out=str)
    def Push(self, value: float) -> str:  # noqa: N802 - Tango command names
        self._push("value", value)
        return self._supplier() + ", " + self._set_flags()


def test_device_helpers_do_not_shadow_the_event_api() -> None:
    with DeviceTestContext(Helpers) as proxy:
        assert proxy.Push(2.5) == "mine, mine too"
        assert proxy.value == 2.5
