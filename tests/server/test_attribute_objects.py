"""The server-side attribute objects device code uses: ``get_device_attr()`` (MultiAttribute),
``Attribute`` / ``WAttribute`` limits and properties, ``MultiAttrProp``, the device's
``get_attribute_config`` / ``set_attribute_config``, the checks of ``set_value`` and
``fill_attr_polling_buffer``, EncodedAttribute layouts and polling set from device code."""

from __future__ import annotations

import time

import numpy as np
import pytest

from puretango import DevEncoded, DevFailed, EncodedAttribute, ExtractAs, TimedAttrData
from puretango.idl._enums import AttrQuality, AttrWriteType
from puretango.server import (
    Attribute,
    Device,
    MultiAttrProp,
    MultiClassAttribute,
    WAttribute,
    attribute,
    command,
)
from puretango.test_context import DeviceTestContext

pytestmark = pytest.mark.timeout(60)


class ObjectsDevice(Device):
    value = 0

    @attribute(dtype=int, min_value=-21, min_alarm=-11, max_alarm=11, max_value=21)
    def limited(self):
        return self.value

    @limited.write
    def limited(self, value):
        self.value = value

    @attribute(dtype=str)
    def text(self):
        return "a"

    def initialize_dynamic_attributes(self):
        self.add_attribute(attribute(name="checks", dtype=float, fget=self.read_checks))

    def read_checks(self, attr):
        with pytest.raises(TypeError, match="cannot be called with None"):
            attr.set_value(None)
        with pytest.raises(TypeError, match="no longer supported"):
            attr.set_value(1.0, 1)
        with pytest.raises(TypeError, match="no longer supported"):
            attr.set_value_date_quality(1.0, 2.0, AttrQuality.ATTR_VALID, 1)
        assert attr.get_name() == "checks"
        attr.set_value(1.5)
        attr.set_quality(AttrQuality.ATTR_ALARM)

    @command
    def check_objects(self):
        multi = self.get_device_attr()
        listed = multi.get_attribute_list()
        assert [a.get_name() for a in listed] == ["limited", "text", "checks", "State", "Status"]
        assert isinstance(listed[0], WAttribute) and not isinstance(listed[1], WAttribute)
        assert isinstance(listed[1], Attribute)
        assert multi.get_attr_by_ind(1) is listed[1]
        limited = multi.get_attr_by_name("limited")
        assert (limited.get_min_alarm(), limited.get_max_alarm()) == (-11, 11)
        limited.set_min_warning(-2)
        limited.set_max_warning(2)
        assert (limited.get_min_warning(), limited.get_max_warning()) == (-2, 2)
        written = multi.get_w_attr_by_name("limited")
        assert (written.get_min_value(), written.get_max_value()) == (-21, 21)
        written.set_max_value(30)
        assert written.get_max_value() == 30
        with pytest.raises(DevFailed):
            multi.get_w_attr_by_name("text")

    @command
    def check_properties(self):
        text = self.get_device_attr().get_attr_by_name("text")
        props = text.get_properties()
        assert isinstance(props, MultiAttrProp)
        assert (props.label, props.unit) == ("text", "")
        mine = MultiAttrProp()
        assert text.get_properties(mine) is mine
        with pytest.raises(TypeError, match="must be an instance of MultiAttrProp"):
            text.get_properties([])
        props.unit = "kgm^2/s"
        text.set_properties(props)

    @command
    def check_config(self):
        config = self.get_attribute_config("limited")
        config[0].min_value = "-7"
        self.set_attribute_config(config)
        assert repr(config) == repr(self.get_attribute_config(["limited"]))
        config = self.get_attribute_config_3("limited")
        config[0].att_alarm.max_warning = "3"
        self.set_attribute_config_3(config)
        assert repr(config) == repr(self.get_attribute_config_3("limited"))


def test_multi_attribute_and_limits():
    with DeviceTestContext(ObjectsDevice) as proxy:
        proxy.check_objects()
        config = proxy.get_attribute_config("limited")
        assert (config.min_value, config.max_value) == ("-21", "30")
        assert (config.alarms.min_warning, config.alarms.max_warning) == ("-2", "2")


def test_properties_and_config_from_device_code():
    with DeviceTestContext(ObjectsDevice) as proxy:
        proxy.check_properties()
        assert proxy.attribute_query("text").unit == "kgm^2/s"
        proxy.check_config()
        assert proxy.get_attribute_config("limited").min_value == "-7"


def test_set_value_checks_and_quality():
    with DeviceTestContext(ObjectsDevice) as proxy:
        reading = proxy.read_attribute("checks")
        assert reading.value == 1.5
        assert reading.quality == AttrQuality.ATTR_ALARM
        assert proxy.get_attribute_config("limited").writable == AttrWriteType.READ_WRITE


class HistoryDevice(Device):
    @attribute(dtype=int, access=AttrWriteType.READ_WRITE)
    def attr(self):
        return 0

    @attr.write
    def attr(self, value):
        pass

    @command
    def fill(self):
        records = [TimedAttrData(v, w_value=v, time_stamp=1000.0 + v) for v in (1, 2)]
        records.append(TimedAttrData(error=RuntimeError("Test"), time_stamp=1003.0))
        self.fill_attr_polling_buffer("attr", records)


def test_fill_attr_polling_buffer_feeds_the_history():
    with DeviceTestContext(HistoryDevice) as proxy:
        proxy.poll_attribute("attr", 0)
        proxy.fill()
        history = proxy.attribute_history("attr", 10)
        assert [(h.value, h.w_value, h.time.tv_sec) for h in history[:2]] == [
            (1, 1, 1001),
            (2, 2, 1002),
        ]
        assert history[-1].has_failed
        assert history[-1].quality == AttrQuality.ATTR_INVALID


class ImageDevice(Device):
    @attribute(dtype=DevEncoded)
    def gray8(self):
        image = EncodedAttribute()
        image.encode_gray8(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.uint8))
        return image

    @attribute(dtype=DevEncoded)
    def gray16(self):
        image = EncodedAttribute()
        image.encode_gray16(np.array([[1, 2, 3], [4, 5, 258]], dtype=np.uint16))
        return image

    @attribute(dtype=DevEncoded)
    def rgb24(self):
        image = EncodedAttribute()
        image.encode_rgb24(np.arange(18, dtype=np.uint8).reshape(2, 3, 3))
        return image

    def initialize_dynamic_attributes(self):
        self.add_attribute(attribute(name="low_level", dtype=DevEncoded, fget=self.read_low))

    def read_low(self, attr):
        image = EncodedAttribute()
        image.encode_gray8(np.zeros((1, 2), dtype=np.uint8))
        attr.set_value(image)


def test_encoded_attribute_layouts_are_cpptango_s():
    # the bytes a PyTango 10.3 server sends for the same images
    expected = {
        "gray8": ("GRAY8", "00030002010203040506"),
        "gray16": ("GRAY16", "00030002000100020003000400050102"),
        "rgb24": ("RGB24", "00030002" + bytes(range(18)).hex()),
        "low_level": ("GRAY8", "000200010000"),
    }
    with DeviceTestContext(ImageDevice) as proxy:
        for name, (fmt, data) in expected.items():
            reading = proxy.read_attribute(name, extract_as=ExtractAs.Bytes)
            assert (reading.value[0], reading.value[1].hex()) == (fmt, data)
        decoded = EncodedAttribute().decode_gray16(
            proxy.read_attribute("gray16", extract_as=ExtractAs.Bytes)
        )
        assert decoded.tolist() == [[1, 2, 3], [4, 5, 258]]


def test_multi_class_attribute_finds_and_removes_by_name():
    class Named:
        def __init__(self, name):
            self.name = name

        def get_name(self):
            return self.name

    attrs = MultiClassAttribute([Named("a"), Named("B")])
    assert attrs.get_attr("b").get_name() == "B"
    attrs.remove_attr("A")
    assert [a.get_name() for a in attrs.get_attr_list()] == ["B"]
    with pytest.raises(DevFailed, match="not found in class attribute"):
        attrs.get_attr("a")


def test_an_attribute_keeps_its_first_name_when_its_methods_are_bound_to_others():
    class Named(Device):
        value = 0

        @attribute
        def decorated(self) -> int:
            return self.value

        @decorated.write
        def set_value(self, value: int):
            self.value = value

        current = attribute(dtype=float)

        @current.getter
        def cur_read(self):
            return 2.0

    with DeviceTestContext(Named) as proxy:
        assert sorted(proxy.get_attribute_list()) == ["State", "Status", "current", "decorated"]
        proxy.decorated = 3
        assert (proxy.decorated, proxy.current) == (3, 2.0)


class PollingDevice(Device):
    def init_device(self):
        super().init_device()
        # before the poller runs: the declared periods, and changes kept until it does
        assert self.get_attribute_poll_period("attr") == 1000
        self.poll_attribute("attr", 1100)
        assert self.get_attribute_poll_period("attr") == 1100
        self.stop_poll_command("cmd")
        assert not self.is_command_polled("cmd")

    @attribute(polling_period=1000)
    def attr(self) -> int:
        return 1

    @command(polling_period=2000)
    def cmd(self):
        pass

    @command
    def change(self):
        self.poll_command("cmd", 2100)
        self.stop_poll_attribute("attr")
        assert self.get_command_poll_period("cmd") == 2100
        assert not self.is_attribute_polled("attr")


def test_polling_configured_from_device_code():
    with DeviceTestContext(PollingDevice) as proxy:
        assert proxy.get_attribute_poll_period("attr") == 1100
        assert not proxy.is_command_polled("cmd")
        proxy.change()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proxy.is_attribute_polled("attr"):
            time.sleep(0.05)
        assert not proxy.is_attribute_polled("attr")
        assert proxy.get_command_poll_period("cmd") == 2100
