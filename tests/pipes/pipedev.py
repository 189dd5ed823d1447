"""Device servers with pipes in PyTango 9's high-level style, served by puretango: run as
``python pipedev.py INSTANCE -nodb -port P -dlist test/pipes/1`` (instance ``async``: the
asyncio device ``AsyncPipeDev``; ``classic``: ``ClassicPipeDev``, its pipe declared as a
classic ``pipe_list`` entry; else ``PipeDev``)."""

from __future__ import annotations

import asyncio
import sys

import numpy as np

from puretango import DevState, DispLevel, GreenMode, PipeWriteType
from puretango.server import Device, command, pipe, run
from puretango.server._pipes import add_class_pipes


class PipeDev(Device):
    """Pipes of every form: a class attribute with read_/write_ methods, a decorator with a
    setter, a (self, pipe) read method, a gated pipe and a failing pipe."""

    rw_pipe = pipe(access=PipeWriteType.PIPE_READ_WRITE, label="RW pipe", doc="read-write")
    ro_pipe = pipe(display_level=DispLevel.EXPERT)
    classic_pipe = pipe()
    gated_pipe = pipe(access=PipeWriteType.PIPE_READ_WRITE)
    broken_pipe = pipe()

    def init_device(self) -> None:
        super().init_device()
        self._blob = ("initial", [{"name": "status", "value": 0}])
        self._written: list = []
        self._open = True
        self.set_state(DevState.ON)

    def read_rw_pipe(self):
        return self._blob

    def write_rw_pipe(self, blob) -> None:
        self._blob = blob
        self._written.append(blob)

    def read_ro_pipe(self):
        return (
            "ro",
            [
                {"name": "string", "value": "The string"},
                {"name": "long", "value": 666, "dtype": "int32"},
                {"name": "short", "value": 12, "dtype": np.int16},
                {"name": "doubles", "value": np.array([1.5, -2.5])},
                {"name": "strings", "value": ["a", "b"]},
                {"name": "state", "value": DevState.FAULT},
                {"name": "inner", "value": ("nested", {"flag": True, "n": [1, 2, 3]})},
            ],
        )

    def read_classic_pipe(self, the_pipe) -> None:
        the_pipe.set_value(("classic", {"x": 1.25}))

    @pipe(label="Decorated")
    def deco_pipe(self):
        """A decorated pipe."""
        return "deco", {"value": self._blob[0]}

    @deco_pipe.write
    def deco_pipe(self, blob) -> None:
        self._blob = blob

    def read_gated_pipe(self):
        return "gated", {"open": self._open}

    def write_gated_pipe(self, blob) -> None:
        pass

    def is_gated_pipe_allowed(self, req_type) -> bool:
        return self._open

    def read_broken_pipe(self):
        raise ValueError("no blob today")

    @pipe
    def bad_pipe(self):
        return 42  # not a blob

    @pipe
    def silent_pipe(self):
        return None  # no value

    @command(dtype_in=bool)
    def Open(self, value: bool) -> None:  # noqa: N802 - Tango command name
        self._open = value

    @command(dtype_out=str)
    def LastWritten(self) -> str:  # noqa: N802 - Tango command name
        return repr(self._written[-1] if self._written else None)


class AsyncPipeDev(Device):
    """An asyncio device: its pipe methods are coroutines."""

    green_mode = GreenMode.Asyncio

    async def init_device(self) -> None:
        await super().init_device()
        self._blob = ("async", {"n": 1})

    @pipe
    async def apipe(self):
        await asyncio.sleep(0)
        return self._blob

    @apipe.write
    async def apipe(self, blob) -> None:
        await asyncio.sleep(0)
        self._blob = blob


class ClassicPipeDev(Device):
    """Classic PyTango 9 pipe methods: both take the pipe object."""

    def init_device(self) -> None:
        super().init_device()
        self._blob = ("classic", {"n": 1})

    def read_cpipe(self, the_pipe) -> None:
        the_pipe.set_value(self._blob)

    def write_cpipe(self, the_pipe) -> None:
        self._blob = the_pipe.get_value()


add_class_pipes(
    ClassicPipeDev,
    [
        pipe.from_pipe_info(
            "cpipe",
            [
                PipeWriteType.PIPE_READ_WRITE,
                {"Label": "Classic", "description": "d", "display level": DispLevel.EXPERT},
            ],
        )
    ],
)
SERVED = {"async": AsyncPipeDev, "classic": ClassicPipeDev}

if __name__ == "__main__":
    run((SERVED.get(sys.argv[1], PipeDev),))
