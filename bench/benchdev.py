"""Tiny PyTango device server used by ``bench/bench_client.py``.

Run: ``python bench/benchdev.py bench -nodb -port P -ORBendPoint giop:tcp:127.0.0.1:P
-dlist bench/dev/1``. It serves one device with a READ_WRITE double ``scalar``, an 8 MB
float64 ``spectrum`` (1,048,576 elements), a 2 MB float64 ``image`` (512 x 512) and a
``Cmd`` command (DevDouble -> DevDouble, echoes its argument).
"""

from benchdev_data import IMAGE_SHAPE, SPECTRUM_LEN, image_data, spectrum_data
from tango import AttrWriteType, DevState
from tango.server import Device, attribute, command


class BenchDev(Device):
    """Fixed-size data for client benchmarks; reads do no work beyond returning it."""

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
    def Cmd(self, value):
        return value


if __name__ == "__main__":
    BenchDev.run_server()
