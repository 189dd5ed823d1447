"""Read and write values PyTango's own tests use and PyTango accepts: bytes for DevString,
empty arrays of any dtype, an INVALID quality (no value is sent), a DevEncoded value
returned with its time and quality as ``((format, data), time, quality)``, and the state
an attribute alarm makes (or not)."""

from __future__ import annotations

import numpy as np
import pytest

from puretango import AttrQuality, DevEncoded, DevState, ExtractAs
from puretango.idl._enums import AttrWriteType
from puretango.server import Device, attribute
from puretango.test_context import DeviceTestContext

pytestmark = pytest.mark.timeout(60)


class ReadsDevice(Device):
    text = ""
    texts: list = []

    @attribute(dtype=str, access=AttrWriteType.READ_WRITE)
    def one(self):
        return self.text

    @one.write
    def one(self, value):
        self.text = value

    @attribute(dtype=(str,), max_dim_x=3, access=AttrWriteType.READ_WRITE)
    def many(self):
        return self.texts

    @many.write
    def many(self, value):
        self.texts = value

    @attribute(dtype=(int,), max_dim_x=3)
    def empty_ints(self):
        return np.empty(0)

    @attribute(dtype=((bool,),), max_dim_x=3, max_dim_y=3)
    def empty_bools(self):
        return np.empty((0, 0))

    @attribute(dtype=float)
    def invalid(self):
        return 1.5, 123.4, AttrQuality.ATTR_INVALID

    @attribute(dtype=DevEncoded)
    def stamped(self):
        return ("fmt", b"\x01\x02"), 2.0, AttrQuality.ATTR_WARNING


def test_bytes_are_strings_and_empty_arrays_any_dtype():
    with DeviceTestContext(ReadsDevice) as proxy:
        proxy.one = b"caf\xe9"
        assert proxy.one == "caf\xe9"
        proxy.many = [b"a", "b"]
        assert list(proxy.many) == ["a", "b"]
        assert len(proxy.empty_ints) == 0
        assert len(proxy.empty_bools) == 0


def test_invalid_quality_sends_no_value_and_encoded_time_quality():
    with DeviceTestContext(ReadsDevice) as proxy:
        reading = proxy.read_attribute("invalid")
        assert (reading.value, reading.quality) == (None, AttrQuality.ATTR_INVALID)
        reading = proxy.read_attribute("stamped", extract_as=ExtractAs.Bytes)
        assert reading.value == ("fmt", b"\x01\x02")
        assert (reading.quality, reading.time.tv_sec) == (AttrQuality.ATTR_WARNING, 2)


def test_an_alarm_state_set_by_the_device_stays():
    """Tango promotes ON to ALARM while an attribute is in alarm; an ALARM the device set
    itself stays, with or without alarm limits (checked against PyTango)."""

    class Alarmed(Device):
        def init_device(self):
            super().init_device()
            self.set_state(DevState.ALARM)

        @attribute(dtype=int, max_alarm=10)
        def limited(self):
            return 1

    with DeviceTestContext(Alarmed) as proxy:
        assert proxy.state() == DevState.ALARM
        proxy.read_attribute("limited")
        assert proxy.state() == DevState.ALARM
