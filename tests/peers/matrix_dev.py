"""A device server written as PyTango users write one (a ``Device`` subclass with
``device_property``, ``attribute``, memorized attributes, ``command`` and ``run()``), on
puretango, started WITH the Database: ``TANGO_HOST=H:P python matrix_dev.py INSTANCE``.
Nothing here chooses how the Database is reached: that is puretango's default wiring."""

from __future__ import annotations

from puretango.server import (
    AttrWriteType,
    Device,
    DevState,
    attribute,
    command,
    device_property,
    run,
)


class MatrixDev(Device):
    gain = device_property(dtype=float, default_value=1.0)
    tags = device_property(dtype=(str,), default_value=["none"])

    def init_device(self) -> None:
        super().init_device()
        self._setpoint = 0.0
        self._mode = 0
        self.set_state(DevState.ON)

    @attribute(dtype=float, label="Position", unit="mm")
    def position(self) -> float:
        return 10.0 * self.gain

    setpoint = attribute(
        dtype=float, access=AttrWriteType.READ_WRITE, memorized=True, hw_memorized=True
    )

    def read_setpoint(self) -> float:
        return self._setpoint

    def write_setpoint(self, value: float) -> None:
        self._setpoint = value

    @attribute(dtype=int, access=AttrWriteType.READ_WRITE, memorized=True)
    def mode(self) -> int:
        return self._mode

    @mode.write  # type: ignore[no-redef]
    def mode(self, value: int) -> None:
        self._mode = value

    @command(dtype_out=str)
    def Describe(self) -> str:  # noqa: N802 - Tango command
        return f"{self.gain} {','.join(self.tags)}"


if __name__ == "__main__":
    run((MatrixDev,))
