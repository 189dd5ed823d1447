"""``DbPeerDev``: a real PyTango device server that needs the Database (test peer).

Run: ``TANGO_HOST=h:p python DbPeerDev.py INSTANCE -ORBendPoint giop:tcp:127.0.0.1:P``.
Its device property ``Greeting`` comes from the Database; ``dbl`` has a Database-stored
attribute configuration in the test.
"""

from tango import DevState
from tango.server import Device, attribute, device_property, run


class DbPeerDev(Device):
    Greeting = device_property(dtype=str, default_value="no database")

    def init_device(self):
        super().init_device()
        self.set_state(DevState.ON)

    @attribute(dtype=str)
    def greeting(self):
        return self.Greeting

    @attribute(dtype=float)
    def dbl(self):
        return 1.5


if __name__ == "__main__":
    run((DbPeerDev,))
