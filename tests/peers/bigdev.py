"""``BigDev``: spectrum attributes of a settable length, for large-value tests.

``make_device(server)`` builds the device class on ``tango.server`` (PyTango) or on
``puretango.server``: the same declarations serve both (``bigdev_pure.py`` runs it on
puretango). Attributes: ``length`` (DevLong, READ_WRITE, the element count), ``doubles``
(DevDouble), ``longs`` (DevLong) and ``uchars`` (DevUChar) spectra whose values are
:func:`values` of that length; command ``EchoDoubles`` (DevVarDoubleArray, echoed).

Run: ``python tests/peers/bigdev.py INSTANCE -nodb -ORBendPoint giop:tcp:127.0.0.1:P
-dlist test/big/1``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

MAX_LENGTH = 1 << 23
KINDS = ("doubles", "longs", "uchars")


def values(kind: str, n: int) -> np.ndarray:
    """The value of attribute ``kind`` when ``length`` is ``n`` (no two neighbours equal)."""
    i = np.arange(n, dtype=np.int64)
    if kind == "doubles":
        return i * 0.5 - 7.0
    if kind == "longs":
        return (i * 2654435761 % 2**31 - 2**30).astype(np.int32)
    return (i * 7 % 256).astype(np.uint8)


def make_device(server: ModuleType) -> type:
    class BigDev(server.Device):  # type: ignore[name-defined,misc]
        def init_device(self) -> None:
            super().init_device()
            self._n = 0

        @server.attribute(dtype=int, access=server.AttrWriteType.READ_WRITE)
        def length(self) -> int:
            return self._n

        @length.write
        def length(self, n: int) -> None:
            self._n = n

        @server.attribute(dtype=(float,), max_dim_x=MAX_LENGTH)
        def doubles(self) -> Any:
            return values("doubles", self._n)

        @server.attribute(dtype=(server.CmdArgType.DevLong,), max_dim_x=MAX_LENGTH)
        def longs(self) -> Any:
            return values("longs", self._n)

        @server.attribute(dtype=(server.CmdArgType.DevUChar,), max_dim_x=MAX_LENGTH)
        def uchars(self) -> Any:
            return values("uchars", self._n)

        @server.command(dtype_in=(float,), dtype_out=(float,))
        def EchoDoubles(self, data: Any) -> Any:  # noqa: N802 - the Tango command name
            return data

    return BigDev


if __name__ == "__main__":
    import tango.server

    make_device(tango.server).run_server()
