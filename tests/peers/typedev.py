"""``TypeDev``: a real PyTango device serving every Tango data type (interop test peer).

Run: ``python tests/peers/typedev.py INSTANCE -nodb -port P -dlist test/type/1[,test/type/2]``
(``-ORBendPoint giop:tcp:127.0.0.1:P`` instead of ``-port P`` binds loopback only).
All expected values live in ``typedev_values.py``; see that module for the naming scheme.
"""

from __future__ import annotations

import copy
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import tango
from tango import AttrWriteType, CmdArgType, DevState
from tango.server import Device, attribute, command, run

sys.path.insert(0, str(Path(__file__).resolve().parent))
import typedev_values as tv  # noqa: E402

#: dtype given to ``attribute()`` for each type key.
_ATTR_DTYPE: dict[str, Any] = {
    "boolean": bool,
    "uchar": np.uint8,
    "short": np.int16,
    "ushort": np.uint16,
    "long": np.int32,
    "ulong": np.uint32,
    "long64": np.int64,
    "ulong64": np.uint64,
    "float": np.float32,
    "double": np.float64,
    "string": str,
    "state": CmdArgType.DevState,
    "enum": CmdArgType.DevEnum,
    "encoded": CmdArgType.DevEncoded,
}


def _dtype_for(spec: tv.AttrValues) -> Any:
    """``attribute(dtype=...)`` for a typed attribute: scalar, ``(t,)`` or ``((t,),)``."""
    base = _ATTR_DTYPE[spec.type_key]
    return {"scalar": base, "spectrum": (base,), "image": ((base,),)}[spec.fmt]


def _fresh(value: Any) -> Any:
    """A private, writable copy of an expected value (expected arrays are read-only)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


def _make_reader(name: str) -> Callable[[Device], Any]:
    """Read method returning the stored value of attribute ``name``."""

    def read(self: TypeDevBase) -> Any:
        return self._store[name]

    read.__name__ = f"read_{name}"
    return read


def _make_writer(name: str) -> Callable[[Device, Any], None]:
    """Write method storing the written value of attribute ``name``."""

    def write(self: TypeDevBase, value: Any) -> None:
        self._store[name] = value

    write.__name__ = f"write_{name}"
    return write


def _make_echo(cmd: tv.EchoCommand) -> Any:
    """The ``Echo<Type>`` command: returns its argument unchanged."""
    if cmd.tango_type == "DevVoid":

        def echo_void(self: TypeDevBase) -> None:
            """Do nothing (DevVoid -> DevVoid)."""

        echo_void.__name__ = cmd.name
        return command(echo_void)

    def echo(self: TypeDevBase, value: Any) -> Any:
        return value

    echo.__name__ = cmd.name
    echo.__doc__ = f"Return the {cmd.tango_type} argument unchanged."
    arg_type = CmdArgType.names[cmd.tango_type]
    return command(echo, dtype_in=arg_type, dtype_out=arg_type)


def _generated_members() -> dict[str, Any]:
    """Class members for every typed attribute pair and every Echo command."""
    members: dict[str, Any] = {}
    for spec in tv.ATTRS.values():
        extra: dict[str, Any] = {
            "dtype": _dtype_for(spec),
            "max_dim_x": spec.max_dim_x,
            "max_dim_y": spec.max_dim_y,
        }
        if spec.type_key == "enum":
            extra["enum_labels"] = list(tv.ENUM_LABELS)
        members[spec.ro_name] = attribute(
            name=spec.ro_name, access=AttrWriteType.READ, fget=_make_reader(spec.ro_name), **extra
        )
        members[spec.rw_name] = attribute(
            name=spec.rw_name,
            access=AttrWriteType.READ_WRITE,
            fget=_make_reader(spec.rw_name),
            fset=_make_writer(spec.rw_name),
            **extra,
        )
    for cmd in tv.ECHO_COMMANDS.values():
        members[cmd.name] = _make_echo(cmd)
    return members


class TypeDevBase(Device):
    """Hand-written part of TypeDev: special attributes and commands, value store."""

    _store: dict[str, Any]
    _counter: int

    def init_device(self) -> None:
        """Initialise stored values, set points, counter, state and status."""
        super().init_device()
        self._reset_values()
        self.set_state(DevState(tv.DEVICE_STATE))
        self.set_status(tv.DEVICE_STATUS)

    def _reset_values(self) -> None:
        """Restore every attribute value and set point to the one in typedev_values."""
        self._counter = 0
        self._store = {}
        multi = self.get_device_attr()
        for spec in tv.ATTRS.values():
            self._store[spec.ro_name] = _fresh(spec.read)
            self._store[spec.rw_name] = _fresh(spec.read)
            wattr = multi.get_w_attr_by_name(spec.rw_name)
            if spec.type_key != "encoded":  # PyTango: not supported for DevEncoded
                wattr.set_write_value(_fresh(spec.setpoint))

    # ------------------------------------------------------------------ extra attributes

    @attribute(name=tv.FAILING_ATTR, dtype=float)
    def failing_attr(self) -> float:
        """Always raises a Python ValueError."""
        raise ValueError(tv.FAILING_ATTR_MESSAGE)

    @attribute(name=tv.DEVFAILED_ATTR, dtype=float)
    def devfailed_attr(self) -> float:
        """Always raises DevFailed (reason TypeDev_AttrFailure)."""
        tango.Except.throw_exception(
            tv.DEVFAILED_ATTR_REASON, tv.DEVFAILED_ATTR_DESC, "TypeDev.devfailed_attr"
        )
        return 0.0  # not reached

    @attribute(name=tv.SLOW_ATTR, dtype=float)
    def slow_attr(self) -> float:
        """Sleeps SLOW_ATTR_DELAY seconds, then returns SLOW_ATTR_VALUE."""
        time.sleep(tv.SLOW_ATTR_DELAY)
        return tv.SLOW_ATTR_VALUE

    @attribute(name=tv.COUNTER_ATTR, dtype=np.int64)
    def counter(self) -> int:
        """Number of reads of this attribute (this one included) since start or Reset."""
        self._counter += 1
        return self._counter

    @attribute(name=tv.CONFIGURED_ATTR, dtype=float, **tv.CONFIGURED_CONFIG)
    def configured_attr(self) -> float:
        """Read-only attribute with unit, label, format, limits and alarms set."""
        return tv.CONFIGURED_VALUE

    @attribute(name=tv.BIG_SPECTRUM_ATTR, dtype=(np.float64,), max_dim_x=tv.BIG_SPECTRUM_LEN)
    def double_big_spectrum_ro(self) -> np.ndarray:
        """Large (1.6 MB) spectrum."""
        return tv.big_spectrum()

    # -------------------------------------------------------------------------- commands

    @command
    def Fail(self) -> None:
        """Raise DevFailed (reason TypeDev_Failure)."""
        tango.Except.throw_exception(tv.FAIL_REASON, tv.FAIL_DESC, "TypeDev.Fail")

    @command
    def PyError(self) -> None:
        """Raise a Python ValueError."""
        raise ValueError(tv.PYERROR_MESSAGE)

    @command(dtype_in=float)
    def Sleep(self, seconds: float) -> None:
        """Sleep for the given number of seconds."""
        time.sleep(seconds)

    @command(dtype_out=np.int32)
    def GetPid(self) -> int:
        """Return the server process id."""
        return os.getpid()

    @command
    def Reset(self) -> None:
        """Restore initial attribute values, set points and the read counter."""
        self._reset_values()


#: The device class: TypeDevBase plus the generated typed attributes and Echo commands.
TypeDev: type[Device] = type(TypeDevBase)("TypeDev", (TypeDevBase,), _generated_members())


def main(args: list[str] | None = None) -> None:
    """Run the TypeDev server (PyTango command line)."""
    run((TypeDev,), args=args)


if __name__ == "__main__":
    main()
