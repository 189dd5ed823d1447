"""A puretango device server for the end-to-end event tests: a polled attribute with
change criteria (``level``), an attribute polled by nobody until a client asks
(``other``), and a pushed one (``pushed``). Written as PyTango users write servers."""

from puretango import AttrWriteType, DevState
from puretango.server import Device, attribute, command


class EvSource(Device):
    """Values set by commands or writes; events from polling and from pushes."""

    level = attribute(
        dtype=float,
        access=AttrWriteType.READ_WRITE,
        polling_period=100,
        abs_change=0.5,
        period=300,
        archive_abs_change=2.0,
    )
    other = attribute(dtype=float, access=AttrWriteType.READ_WRITE)
    pushed = attribute(dtype=int)

    def init_device(self):
        super().init_device()
        self._level = 0.0
        self._other = 0.0
        self._pushed = 0
        self.set_change_event("pushed", True, False)
        self.set_state(DevState.ON)

    def read_level(self):
        return self._level

    def write_level(self, value):
        self._level = value

    def read_other(self):
        return self._other

    def write_other(self, value):
        self._other = value

    def read_pushed(self):
        return self._pushed

    @command(dtype_in=int)
    def Push(self, value):  # noqa: N802 - Tango command names
        self._pushed = value
        self.push_change_event("pushed", value)


if __name__ == "__main__":
    EvSource.run_server()
