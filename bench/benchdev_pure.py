"""``bench/benchdev.py``'s device served by puretango (``puretango.server``), not PyTango.

Run: ``python bench/benchdev_pure.py bench -nodb -port P -ORBendPoint giop:tcp:127.0.0.1:P
-dlist bench/dev/1``. Same device as ``benchdev.py``: a READ_WRITE double ``scalar``
(initially 0.0), an 8 MB float64 ``spectrum`` (``arange(1,048,576)``), a 2 MB float64
``image`` (``arange(512 * 512)`` reshaped 512 x 512) and a ``Cmd`` command
(DevDouble -> DevDouble, echoes its argument).

With ``BENCH_ASYNC=1`` in the environment the class has ``green_mode = GreenMode.Asyncio``
and every method is an ``async def`` (run on the server's event loop); otherwise the
methods are plain functions (run on the thread of each client connection, serialised per
device).
PyTango is never imported in this process.
"""

import os

from benchdev_data import IMAGE_SHAPE, SPECTRUM_LEN, image_data, spectrum_data

from puretango.server import AttrWriteType, Device, DevState, GreenMode, attribute, command

ASYNC = os.environ.get("BENCH_ASYNC", "") not in ("", "0")


if ASYNC:

    class BenchDev(Device):
        """Fixed-size data for benchmarks, ``async def`` methods on the server loop."""

        green_mode = GreenMode.Asyncio

        async def init_device(self):
            await super().init_device()
            self._scalar = 0.0
            self._spectrum = spectrum_data()
            self._image = image_data()
            self.set_state(DevState.ON)

        @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
        async def scalar(self):
            return self._scalar

        @scalar.write
        async def scalar(self, value):
            self._scalar = value

        @attribute(dtype=(float,), max_dim_x=SPECTRUM_LEN)
        async def spectrum(self):
            return self._spectrum

        @attribute(dtype=((float,),), max_dim_x=IMAGE_SHAPE[1], max_dim_y=IMAGE_SHAPE[0])
        async def image(self):
            return self._image

        @command(dtype_in=float, dtype_out=float)
        async def Cmd(self, value):  # noqa: N802 - the Tango command name
            return value

else:

    class BenchDev(Device):
        """Fixed-size data for benchmarks; reads do no work beyond returning it."""

        def init_device(self):
            super().init_device()
            self._scalar = 0.0
            self._spectrum = spectrum_data()
            self._image = image_data()
            self.set_state(DevState.ON)

        @attribute(dtype=float, access=AttrWriteType.READ_WRITE)
        def scalar(self):
            return self._scalar

        @scalar.write
        def scalar(self, value):
            self._scalar = value

        @attribute(dtype=(float,), max_dim_x=SPECTRUM_LEN)
        def spectrum(self):
            return self._spectrum

        @attribute(dtype=((float,),), max_dim_x=IMAGE_SHAPE[1], max_dim_y=IMAGE_SHAPE[0])
        def image(self):
            return self._image

        @command(dtype_in=float, dtype_out=float)
        def Cmd(self, value):  # noqa: N802 - the Tango command name
            return value


if __name__ == "__main__":
    BenchDev.run_server()
