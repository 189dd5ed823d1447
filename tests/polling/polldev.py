"""``PollDev``: one device for the polling tests, served by PyTango or (``--pure``) by
puretango from the same source, so both servers answer the same polling calls.

Run: ``python polldev.py [--pure] INSTANCE -nodb -ORBendPoint giop:tcp:127.0.0.1:P
-dlist test/poll/1``.
"""

from __future__ import annotations

import sys

if "--pure" in sys.argv:
    sys.argv.remove("--pure")
    from puretango import AttrWriteType, DevState
    from puretango.server import Device, attribute, command, run
else:
    from tango import AttrWriteType, DevState
    from tango.server import Device, attribute, command, run


class PollDev(Device):
    """Attributes and commands of every kind polling deals with."""

    def init_device(self) -> None:
        super().init_device()
        self._n = 0
        self._w = 1.5
        self.set_state(DevState.ON)

    @attribute(dtype=int)
    def counter(self) -> int:
        self._n += 1
        return self._n

    @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
    def rw(self) -> float:
        return self._w

    @rw.write  # type: ignore[no-redef]
    def rw(self, value: float) -> None:
        self._w = value

    @attribute(dtype=(float,), max_dim_x=10)
    def spec(self) -> list[float]:
        return [1.0, 2.0, 3.0]

    @attribute(dtype=float)
    def broken(self) -> float:
        raise RuntimeError("boom")

    @attribute(dtype=float, polling_period=200)
    def autopolled(self) -> float:
        return 3.25

    @attribute(dtype=str)
    def text(self) -> str:
        return "hello"

    @command(dtype_out=int)
    def Tick(self) -> int:  # noqa: N802 - Tango command names
        self._n += 1
        return self._n

    @command(dtype_out=int, polling_period=300)
    def AutoCmd(self) -> int:  # noqa: N802
        return 7

    @command(dtype_out=(float,))
    def Arr(self) -> list[float]:  # noqa: N802
        return [1.0, 2.0]

    @command(dtype_in=int, dtype_out=int)
    def Double(self, x: int) -> int:  # noqa: N802
        return 2 * x

    @command(dtype_out=float)
    def Fail(self) -> float:  # noqa: N802
        raise RuntimeError("cmdboom")


if __name__ == "__main__":
    run((PollDev,))
