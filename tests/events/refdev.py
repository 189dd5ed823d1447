"""A PyTango device with the attributes the refusal test subscribes to, to compare our
admin device's answers with cppTango's."""

from tango.server import Device, attribute, run


class RefDev(Device):
    plain = attribute(dtype=float)
    nocrit = attribute(dtype=float)

    def init_device(self):
        super().init_device()
        self.set_change_event("nocrit", True, True)
        self.set_archive_event("nocrit", True, True)

    def read_plain(self):
        return 1.0

    def read_nocrit(self):
        return 1.0


if __name__ == "__main__":
    run((RefDev,))
