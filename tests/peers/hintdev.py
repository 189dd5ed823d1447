"""A device declaring its attributes and commands by type hints only, in the manner of
PyTango 10's own type-hint tests; served by PyTango or by puretango (``HINTDEV_IMPL``,
default ``tango``): only the import differs. ``python hintdev.py INSTANCE -nodb ...``."""

from __future__ import annotations

import enum
import importlib
import os

import numpy as np
import numpy.typing as npt

IMPL = os.environ.get("HINTDEV_IMPL", "tango")
tango = importlib.import_module(IMPL)
server = importlib.import_module(IMPL + ".server")
Device, attribute, command = server.Device, server.attribute, server.command
AttrQuality = tango.AttrQuality
AttrDataFormat = tango.AttrDataFormat
AttrWriteType = tango.AttrWriteType


class Colour(enum.IntEnum):
    RED = 0
    GREEN = 1
    BLUE = 2


class HintDev(Device):
    # class-level annotations: attributes and properties
    k_voltage: float = attribute()
    k_spectrum: tuple[int, int, int] = attribute(access=AttrWriteType.READ_WRITE)
    p_list: list[int] = server.device_property(default_value=[1, 2])
    p_scalar: str = server.class_property(default_value="x")

    def read_k_voltage(self):  # noqa: ANN201 - the class annotation types it
        return 2.5

    def read_k_spectrum(self):  # noqa: ANN201
        return [self.p_list[0], 2, 3]

    def write_k_spectrum(self, value):  # noqa: ANN001, ANN201
        pass

    # read methods' return annotations, via the decorator
    @attribute
    def a_int(self) -> int:
        return 1

    @attribute
    def a_float32(self) -> np.float32:
        return np.float32(1.5)

    @attribute
    def a_list_str(self) -> list[str]:
        return ["a"]

    @attribute
    def a_tuple_int_int(self) -> tuple[int, int]:
        return (1, 2)

    @attribute
    def a_tuple_ellipsis(self) -> tuple[float, ...]:
        return (1.0,)

    @attribute
    def a_image(self) -> tuple[tuple[float]]:
        return ((1.0,),)

    @attribute
    def a_image_fixed(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        return ((1, 2, 3), (4, 5, 6))

    @attribute
    def a_list_list(self) -> list[list[bool]]:
        return [[True]]

    @attribute(max_dim_x=7)
    def a_sized(self) -> tuple[int, int]:
        return (1, 2)

    @attribute
    def a_encoded(self) -> tuple[str, bytes]:
        return ("fmt", b"\x01")

    @attribute
    def a_quality(self) -> tuple[int, float, AttrQuality]:
        return (3, 0.0, AttrQuality.ATTR_VALID)

    @attribute
    def a_enum(self) -> Colour:
        return Colour.GREEN

    @attribute
    def a_state(self) -> tango.DevState:
        return tango.DevState.ON

    @attribute
    def a_states(self) -> list[tango.DevState]:
        return [tango.DevState.FAULT]  # max_dim_x is 1 here, as in PyTango

    @attribute
    def a_enums(self) -> list[Colour]:
        return [Colour.GREEN]

    @attribute(dformat=AttrDataFormat.SPECTRUM, max_dim_x=4)
    def a_ndarray(self) -> npt.NDArray[np.int16]:
        return np.zeros(2, dtype=np.int16)

    # class attributes typed by read_<name> / write_<name> methods
    c_read = attribute()
    c_write = attribute(access=AttrWriteType.WRITE)
    c_rw = attribute(access=AttrWriteType.READ_WRITE)

    def read_c_read(self) -> list[int]:
        return [1]

    def write_c_write(self, value: tuple[str, ...]) -> None:
        pass

    def read_c_rw(self):  # noqa: ANN201 - no hint here: the write method's value gives it
        return [1.0]

    def write_c_rw(self, value: list[float]) -> None:
        pass

    # commands
    @command
    def cmd_list(self, x: list[float]) -> tuple[str, ...]:
        return tuple(str(v) for v in x)

    @command
    def cmd_scalar(self, x: int) -> bool:
        return bool(x)

    @command
    def cmd_ndarray(self, x: npt.NDArray[np.uint16]) -> npt.NDArray[np.float32]:
        return np.asarray(x, dtype=np.float32)

    @command
    def cmd_long_string(self, x: tuple[list[int], list[str]]) -> tuple[list[float], list[str]]:
        return ([1.0], ["a"])

    @command
    def cmd_void(self) -> None:
        pass

    @command
    def cmd_enum(self, x: Colour) -> tango.DevState:
        return tango.DevState.ON

    @command
    def cmd_props(self) -> str:
        return repr((self.p_list, self.p_scalar))


if __name__ == "__main__":
    server.run((HintDev,))
