"""``EventDev``: a real PyTango device that publishes every kind of attribute event (peer of
the client event tests).

Run: ``python tests/peers/eventdev.py INSTANCE -nodb -ORBendPoint giop:tcp:127.0.0.1:P
-dlist test/ev/1``.

- ``pushed`` (double, read/write): change, archive and alarm events pushed by code
  (``set_change_event(.., True, False)``), commands ``PushChange``, ``PushArchive``,
  ``PushUser``, ``PushAlarm``, ``PushDataReady`` (``set_data_ready_event``) and
  ``PushError`` push them;
- ``polled`` (double, read-only, polled every 100 ms by the server): returns ``level``, a
  value the client sets with the ``SetLevel`` command; change events follow ``abs_change``
  (set by the client), periodic events ``event_period``.
"""

from __future__ import annotations

import tango
from tango import AttrWriteType, DevState
from tango.server import Device, attribute, command, run


class EventDev(Device):
    def init_device(self) -> None:
        super().init_device()
        self.set_state(DevState.ON)
        self._pushed = 0.0
        self._level = 0.0
        self.set_change_event("pushed", True, False)
        self.set_archive_event("pushed", True, False)
        self.set_data_ready_event("pushed", True)
        self.set_alarm_event("pushed", True, False)

    @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
    def pushed(self) -> float:
        return self._pushed

    @pushed.write  # type: ignore[no-redef]
    def pushed(self, value: float) -> None:
        self._pushed = value

    @attribute(dtype=float, polling_period=100)
    def polled(self) -> float:
        return self._level

    @command(dtype_in=float)
    def SetLevel(self, value: float) -> None:
        self._level = value

    @command(dtype_in=float)
    def PushChange(self, value: float) -> None:
        self._pushed = value
        self.push_change_event("pushed", value)

    @command(dtype_in=float)
    def PushArchive(self, value: float) -> None:
        self._pushed = value
        self.push_archive_event("pushed", value)

    @command(dtype_in=float)
    def PushUser(self, value: float) -> None:
        self._pushed = value
        self.push_event("pushed", [], [], value)

    @command(dtype_in=float)
    def PushAlarm(self, value: float) -> None:
        self._pushed = value
        self.push_alarm_event("pushed", value)

    @command(dtype_in=int)
    def PushDataReady(self, counter: int) -> None:
        self.push_data_ready_event("pushed", counter)

    @command(dtype_in=str)
    def PushError(self, reason: str) -> None:
        try:
            tango.Except.throw_exception(reason, "pushed failed on purpose", "EventDev")
        except tango.DevFailed as exc:
            self.push_change_event("pushed", exc)


if __name__ == "__main__":
    run((EventDev,))
