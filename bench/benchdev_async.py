"""``bench/benchdev.py``'s device with PyTango's asyncio green mode (for ``bench_server.py``).

Run: ``python bench/benchdev_async.py bench -nodb -port P -ORBendPoint
giop:tcp:127.0.0.1:P -dlist bench/dev/1``. Same names, types and values as
``benchdev.py`` (``scalar``, ``spectrum``, ``image``, ``Cmd``), but the class has
``green_mode = tango.GreenMode.Asyncio`` and every method is an ``async def``, so PyTango
runs them on its event loop thread.
"""

from benchdev_data import IMAGE_SHAPE, SPECTRUM_LEN, image_data, spectrum_data
from tango import AttrWriteType, DevState, GreenMode
from tango.server import Device, attribute, command


class BenchDev(Device):
    """Fixed-size data for benchmarks, served from PyTango's asyncio event loop."""

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


if __name__ == "__main__":
    BenchDev.run_server()
