"""Dynamic attributes (``Device.add_attribute`` / ``remove_attribute``) on our server, with
the call conventions PyTango uses: low-level read/write methods taking the server-side
``Attribute``, bound methods, unbound functions, method names, ``AttrData``."""

from __future__ import annotations

import time

import pytest

from puretango import DevFailed, DeviceProxy, EventType
from puretango.idl._enums import AttrDataFormat, AttReqType, AttrQuality, AttrWriteType, CmdArgType
from puretango.server import AttrData, Device, attribute, command
from puretango.test_context import DeviceTestContext, MultiDeviceTestContext

pytestmark = pytest.mark.timeout(60)


def _unbound_read(device, attr):
    attr.set_value(device.values.get(attr.get_name(), 0))


def _unbound_write(device, attr):
    device.values[attr.get_name()] = attr.get_write_value()


class DynamicDevice(Device):
    def init_device(self):
        super().init_device()
        self.values = {}
        self.allowed = True

    def initialize_dynamic_attributes(self):
        self.add_attribute(
            attribute(
                name="bound",
                dtype=int,
                access=AttrWriteType.READ_WRITE,
                fget=self.low_read,
                fset=self.low_write,
                fisallowed=self.is_allowed_any,
            )
        )
        self.add_attribute(
            attribute(
                name="unbound",
                dtype=int,
                access=AttrWriteType.READ_WRITE,
                fget=_unbound_read,
                fset=_unbound_write,
            )
        )
        self.add_attribute(
            attribute(name="by_default_names", dtype=int, access=AttrWriteType.READ_WRITE)
        )
        self.add_attribute(
            attribute(
                name="hinted",
                access=AttrWriteType.READ_WRITE,
                fget=self.hinted_read,
                fset=self.low_write,
            )
        )
        info = [[CmdArgType.DevLong, AttrDataFormat.SPECTRUM, AttrWriteType.READ_WRITE, 4]]
        self.add_attribute(
            AttrData("classic", "DynamicDevice", info), self.low_read, self.low_write
        )

    def low_read(self, attr):
        attr.set_value(self.values.get(attr.get_name(), 0))

    def low_write(self, attr):
        self.values[attr.get_name()] = attr.get_write_value()

    def is_allowed_any(self, req_type):
        assert req_type in (AttReqType.READ_REQ, AttReqType.WRITE_REQ)
        return self.allowed

    def read_by_default_names(self, attr):
        return self.values.get("by_default_names", 0)  # the high-level form: returned

    def write_by_default_names(self, attr):
        self.values["by_default_names"] = attr.get_write_value()

    def hinted_read(self, attr) -> tuple[float, float, float]:
        return self.values.get("hinted", [0.0, 0.0, 0.0])

    @command(dtype_in=bool)
    def allow(self, yes):
        self.allowed = yes

    @command(dtype_in=str)
    def add_stamped(self, name):
        self.add_attribute(attribute(name=name, dtype=float, fget=self.stamped))

    def stamped(self, attr):
        attr.set_value_date_quality(2.5, 1234.0, AttrQuality.ATTR_WARNING)

    @command(dtype_in=str)
    def remove(self, name):
        self.remove_attribute(name)


def test_dynamic_attributes_read_and_write_in_each_form():
    with DeviceTestContext(DynamicDevice) as proxy:
        for name, value in (("bound", 3), ("unbound", 4), ("by_default_names", 5)):
            proxy.write_attribute(name, value)
            reading = proxy.read_attribute(name)
            assert (reading.value, reading.w_value) == (value, value)
        proxy.hinted = [1.0, 2.0, 3.0]
        assert list(proxy.hinted) == [1.0, 2.0, 3.0]
        config = proxy.get_attribute_config("hinted")
        assert (config.data_type, config.max_dim_x) == (CmdArgType.DevDouble, 3)
        proxy.classic = [1, 2]
        assert list(proxy.classic) == [1, 2]
        assert proxy.get_attribute_config("classic").max_dim_x == 4


def test_is_allowed_of_a_dynamic_attribute_refuses():
    with DeviceTestContext(DynamicDevice) as proxy:
        proxy.allow(False)
        with pytest.raises(DevFailed):
            proxy.read_attribute("bound").value  # noqa: B018 - the read raises
        with pytest.raises(DevFailed):
            proxy.write_attribute("bound", 1)


def test_add_and_remove_after_start_changes_the_attribute_list():
    with DeviceTestContext(DynamicDevice) as proxy:
        proxy.add_stamped("late")
        reading = proxy.read_attribute("late")
        assert reading.value == 2.5
        assert reading.quality == AttrQuality.ATTR_WARNING
        assert reading.time.tv_sec == 1234
        assert "late" in proxy.get_attribute_list()
        proxy.remove("late")
        assert "late" not in proxy.get_attribute_list()
        with pytest.raises(DevFailed, match="API_AttrOptProp"):  # as cppTango
            proxy.remove("late")


def test_dynamic_attributes_belong_to_one_device():
    class PerDevice(Device):
        @command(dtype_in=str)
        def add(self, name):
            self.add_attribute(attribute(name=name, dtype=int, fget=self.read_any))

        def read_any(self, attr):
            return 7

    info = [{"class": PerDevice, "devices": [{"name": "test/per/1"}, {"name": "test/per/2"}]}]
    with MultiDeviceTestContext(info) as context:
        one, two = context.get_device("test/per/1"), context.get_device("test/per/2")
        one.add("mine")
        assert one.mine == 7
        assert "mine" not in two.get_attribute_list()


def test_attr_data_validates_its_description():
    with pytest.raises(DevFailed, match="must have 4 elements"):
        AttrData("a", "C", [[CmdArgType.DevDouble, AttrDataFormat.SPECTRUM, "x"]])
    with pytest.raises(DevFailed, match="Missing 'enum_labels'"):
        AttrData("a", "C", [[CmdArgType.DevEnum, AttrDataFormat.SCALAR, AttrWriteType.READ], {}])
    data = AttrData.from_dict({"name": "a", "class_name": "C", "delta_time": 12})
    assert data.att_prop is not None and data.att_prop.delta_t == "12"


class LifecycleDevice(Device):
    def initialize_dynamic_attributes(self):
        self.add_attribute(
            attribute(
                name="polled",
                dtype=int,
                fget=self.read_any,
                polling_period=100,
                change_event_implemented=True,
                change_event_detect=False,
            )
        )

    def read_any(self, attr):
        return 1

    @command
    def add_late(self):
        self.add_attribute(attribute(name="late", dtype=int, fget=self.read_any))

    @command
    def remove_polled(self):
        self.remove_attribute("polled")

    @command(dtype_out=bool)
    def polled_pushes_change_events(self):
        return self.is_change_event("polled")


def test_dynamic_attribute_polling_events_and_restart():
    """Polled as declared, change events as declared, an interface-change event when one
    is added, no longer polled once removed, added again by a restart."""
    with DeviceTestContext(LifecycleDevice) as proxy:
        assert proxy.is_attribute_polled("polled")
        assert proxy.polled_pushes_change_events()
        changes = []
        event_id = proxy.subscribe_event(EventType.INTERFACE_CHANGE_EVENT, changes.append)
        proxy.add_late()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            "late" in [a.name for a in (e.att_list or [])] for e in changes
        ):
            time.sleep(0.05)
        assert any("late" in [a.name for a in (e.att_list or [])] for e in changes)
        proxy.unsubscribe_event(event_id)
        proxy.remove_polled()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proxy.is_attribute_polled("polled"):
            time.sleep(0.05)
        assert not proxy.is_attribute_polled("polled")
        # a restarted device runs initialize_dynamic_attributes again
        DeviceProxy(proxy.adm_name()).DevRestart(proxy.dev_name())
        assert "polled" in proxy.get_attribute_list()
