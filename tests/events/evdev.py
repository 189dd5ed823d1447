"""A puretango device for the event tests: it pushes every kind of event on command, and
``Poll`` hands one read of an attribute to the event supplier as the poller would
(``attribute_polled`` on the server's loop)."""

from __future__ import annotations

from typing import Any

from puretango.idl._enums import DevState, GreenMode
from puretango.server import Device, attribute, command
from puretango.server._servant import ClientInfo


class EvDev(Device):
    """Pushes events on command (asyncio mode: its commands run on the server's loop)."""

    green_mode = GreenMode.Asyncio

    value = attribute(dtype=float, abs_change=1.0, archive_abs_change=5.0)
    plain = attribute(dtype=float)
    nocrit = attribute(dtype=float)
    text = attribute(dtype=str)
    spectrum = attribute(dtype=(float,), max_dim_x=8, rel_change="10")
    ready = attribute(dtype=int, data_ready_event_implemented=True)
    declared = attribute(dtype=float, change_event_implemented=True, change_event_detect=False)
    #: polled in the tests (their poller reports it so), never pushed
    reading = attribute(dtype=float, abs_change=1.0, period=100, archive_abs_change=5.0)

    async def init_device(self) -> None:
        await super().init_device()
        self._value = 0.0
        self._spectrum = [1.0, 2.0]
        self._fail = False
        self._reading = 0.0
        self.set_change_event("value", True, True)
        self.set_archive_event("value", True, True)
        self.set_change_event("nocrit", True, True)
        self.set_archive_event("nocrit", True, True)
        self.set_change_event("text", True)
        self.set_alarm_event("value", True)

    def read_value(self) -> float:
        return self._value

    def read_reading(self) -> float:
        if self._fail:
            raise RuntimeError("cannot read")
        return self._reading

    def read_plain(self) -> float:
        return 1.0

    def read_nocrit(self) -> float:
        return 1.0

    def read_text(self) -> str:
        return "hello"

    def read_spectrum(self) -> list[float]:
        return self._spectrum

    def read_ready(self) -> int:
        return 1

    def read_declared(self) -> float:
        return 2.0

    @command(dtype_in=float)
    def Push(self, v: float) -> None:  # noqa: N802
        self._value = v
        self.push_change_event("value", v)

    @command(dtype_in=float)
    def PushArchive(self, v: float) -> None:  # noqa: N802
        self.push_archive_event("value", v)

    @command(dtype_in=float)
    def PushUser(self, v: float) -> None:  # noqa: N802
        self.push_event("value", [], [], v)

    @command(dtype_in=str)
    def PushText(self, v: str) -> None:  # noqa: N802
        self.push_change_event("text", v)

    @command
    def PushError(self) -> None:  # noqa: N802
        self.push_change_event("value", RuntimeError("boom"))

    @command(dtype_in=int)
    def PushReady(self, ctr: int) -> None:  # noqa: N802
        self.push_data_ready_event("ready", ctr)

    @command(dtype_in=(float,))
    def SetSpectrum(self, values: Any) -> None:  # noqa: N802
        self._spectrum = list(values)

    @command(dtype_in=float)
    def SetReading(self, v: float) -> None:  # noqa: N802
        self._reading = v

    @command(dtype_in=str)
    def SetStateTo(self, name: str) -> None:  # noqa: N802
        self.set_state(DevState.names[name])

    @command(dtype_in=bool)
    def SetFail(self, fail: bool) -> None:  # noqa: N802
        self._fail = fail

    @command(dtype_in=str)
    async def Poll(self, name: str) -> None:  # noqa: N802
        """One read of ``name`` handed to the supplier, as the poller does."""
        servant = self._server.servants[self.get_name().lower().encode()]
        value = await servant._read_one(name, ClientInfo())
        self._server.events.attribute_polled(self.get_name(), name, value)


#: the attributes the tests' poller says are polled
POLLED = frozenset(("reading", "spectrum", "state"))


def polled_period(device: str, kind: str, name: str) -> int | None:
    """``Poller.period_of`` for these tests, which hand polled reads to the supplier
    themselves (``Poll``); real polling end to end: tests/interop/test_events_end_to_end.py."""
    return 100 if kind == "attribute" and name.lower() in POLLED else None


if __name__ == "__main__":
    EvDev.run_server()
